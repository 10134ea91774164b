"""The demo académie: its établissements, people and mailboxes, and their idempotent seeding."""

import base64
import hashlib
import hmac
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction

from accounts import lockout
from accounts.models import User
from accounts.numen import numen_hash
from directory import people
from directory.models import Discipline, DistributionList, Etablissement
from mail.models import Mailbox, MailboxMember
from shared_mailboxes.models import MailboxSignature

# Public on purpose: seed_demo prints it for anyone trying the demo.
DEMO_PASSWORD = "Demo-Convergence-2026"  # noqa: S105
DEMO_URL = "http://127.0.0.1:8000"

LYCEE_UAI = "0311234Y"
COLLEGE_UAI = "0315678D"
ECOLE_UAI = "0319012C"

PROF_LOGIN = "prof.demo"
SECRETARIAT_LOGIN = "secretariat.demo"
SUPPORT_LOGIN = "support.demo"
DEMO_LOGINS = (PROF_LOGIN, SECRETARIAT_LOGIN, SUPPORT_LOGIN)

# Fictitious NUMENs (2 digits, a letter, 7 digits, 3 letters) for trying NUMEN-based recovery;
# only their keyed hash is stored, like a real one.
DEMO_NUMENS = {
    PROF_LOGIN: "31E2026001PRF",
    SECRETARIAT_LOGIN: "31E2026002SEC",
    SUPPORT_LOGIN: "31E2026003SUP",
}
# With the NUMEN, what «Mot de passe oublié» asks; the code goes to a personal address
# that development captures in the spool.
DEMO_BIRTH_DATES = {
    PROF_LOGIN: date(1984, 3, 14),
    SECRETARIAT_LOGIN: date(1979, 11, 2),
    SUPPORT_LOGIN: date(1990, 6, 21),
}

Category = User.Category


DATA = Path(__file__).with_name("data") / "academie.toml"


@dataclass(frozen=True)
class DemoEtablissement:
    uai: str
    name: str
    kind: str
    city: str
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    bassin: str = ""  # the bassin d'éducation et de formation


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    category: str
    uai: str
    role: str = ""  # how the demo corpus's cast sign their mail; empty for everyone else
    login: str = field(default="")
    functions: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()
    phone: str = ""
    also: tuple[str, ...] = ()  # other établissements (UAI) where they work

    def __post_init__(self) -> None:
        if not self.login:
            object.__setattr__(self, "login", make_login(self.first_name, self.last_name))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def address(self, domain: str | None = None) -> str:
        return f"{self.login}@{domain or settings.MAIL_DOMAIN}"


def make_login(first_name: str, last_name: str) -> str:
    """``prenom.nom`` in lower-case ASCII: accents dropped, spaces become hyphens."""

    def ascii_part(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        plain = plain.lower().replace("'", "").replace(" ", "-")
        return "".join(c for c in plain if c.isalnum() or c == "-")

    return f"{ascii_part(first_name)}.{ascii_part(last_name)}"


def _load() -> tuple[tuple[DemoEtablissement, ...], tuple[DemoPerson, ...]]:
    with DATA.open("rb") as file:
        data = tomllib.load(file)
    etabs = tuple(DemoEtablissement(**row) for row in data["etablissement"])
    people = tuple(
        DemoPerson(**{k: tuple(v) if isinstance(v, list) else v for k, v in row.items()})
        for row in data["person"]
    )
    return etabs, people


# The whole demo académie (about 40 établissements, a few hundred people)…
ACADEMIE_ETABLISSEMENTS, ACADEMIE_PEOPLE = _load()
# …and the cast of the demo mail corpus: three établissements, the people who sign its mail.
PEOPLE: tuple[DemoPerson, ...] = tuple(p for p in ACADEMIE_PEOPLE if p.role)
ETABLISSEMENTS: tuple[DemoEtablissement, ...] = tuple(
    e for e in ACADEMIE_ETABLISSEMENTS if e.uai in {p.uai for p in PEOPLE}
)


def person(login: str) -> DemoPerson:
    return next(p for p in PEOPLE if p.login == login)


def vie_scolaire_imap_user(uai: str = LYCEE_UAI) -> str:
    return f"vie-scolaire.{uai.lower()}"


def vie_scolaire_address(uai: str = LYCEE_UAI, domain: str | None = None) -> str:
    return f"{vie_scolaire_imap_user(uai)}@{domain or settings.MAIL_DOMAIN}"


def background_password(login: str) -> str:
    """A strong password nobody is told: Dovecot (IMAP from phones) needs a real hash for every
    account, not an unusable one. Keyed with SECRET_KEY: derived from the login alone, anyone
    reading this file could log in as these people.
    """
    digest = hmac.new(settings.SECRET_KEY.encode(), f"seed_demo:{login}".encode(), hashlib.sha256)
    return "Dm-" + base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


@dataclass
class SeedSummary:
    created_etablissements: list[str] = field(default_factory=list)
    created_users: list[str] = field(default_factory=list)
    reset_users: list[str] = field(default_factory=list)
    created_mailboxes: list[str] = field(default_factory=list)


def seed_etablissements(
    summary: SeedSummary, which: tuple[DemoEtablissement, ...] = ETABLISSEMENTS
) -> dict[str, Etablissement]:
    """Created when missing; an existing établissement is left as the admins edited it (only
    an empty address, phone or bassin is filled in)."""
    found = {}
    for data in which:
        etab, created = Etablissement.objects.get_or_create(
            uai=data.uai, defaults={"name": data.name, "kind": data.kind, "city": data.city,
                                    "postal_code": data.postal_code, "address": data.address,
                                    "phone": data.phone, "bassin": data.bassin},
        )
        if created:
            summary.created_etablissements.append(data.uai)
        elif not (etab.address or etab.phone):
            Etablissement.objects.filter(pk=etab.pk).update(
                postal_code=data.postal_code, address=data.address, phone=data.phone
            )
        if not etab.bassin and data.bassin:
            Etablissement.objects.filter(pk=etab.pk).update(bassin=data.bassin)
            etab.bassin = data.bassin
        found[data.uai] = etab
    return found


def seed_academie(
    etabs: dict[str, Etablissement], cast: dict[str, User], summary: SeedSummary
) -> None:
    """The directory beyond the cast: their functions and disciplines, and everyone else of the
    académie, created in bulk without a password (nobody signs in as them)."""
    domain = settings.MAIL_DOMAIN
    with transaction.atomic():  # one commit, not one per relation added
        for data in PEOPLE:
            entry = people.entry_for(cast[data.login])
            people.describe(entry, functions=data.functions, disciplines=data.disciplines,
                            phone=data.phone, also=tuple(etabs[uai] for uai in data.also))
    others = [p for p in ACADEMIE_PEOPLE if not p.role]
    taken = set(User.objects.filter(username__in=[p.login for p in others])
                .values_list("username", flat=True))
    missing = [
        people.NewPerson(
            username=p.login, first_name=p.first_name, last_name=p.last_name,
            email=p.address(domain), category=p.category, etablissement=etabs[p.uai],
            functions=p.functions, disciplines=p.disciplines, phone=p.phone,
            also=tuple(etabs[uai] for uai in p.also),
        )
        for p in others if p.login not in taken
    ]
    for user in people.create_many(missing):
        summary.created_users.append(user.username)
        summary.created_mailboxes.append(user.username)


def _ensure_personal_mailbox(user: User, summary: SeedSummary, *, restore: bool) -> None:
    values = {
        "address": user.email,
        "display_name": user.get_full_name(),
        "kind": Mailbox.Kind.PERSONAL,
        "owner": user,
        "etablissement": user.etablissement,
    }
    if restore:
        _, created = Mailbox.objects.update_or_create(imap_user=user.username, defaults=values)
    else:
        _, created = Mailbox.objects.get_or_create(imap_user=user.username, defaults=values)
    if created:
        summary.created_mailboxes.append(user.username)


def _drop_second_factors(user: User) -> None:
    # The demo accounts are shared: nobody may lock the others out by enrolling a second factor.
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.models import Authenticator

        Authenticator.objects.filter(user=user).delete()


def seed_person(data: DemoPerson, etab: Etablissement, summary: SeedSummary) -> User:
    """A demo login is restored to its known state; anybody else is only created when missing."""
    domain = settings.MAIL_DOMAIN
    is_demo = data.login in DEMO_LOGINS
    user = User.objects.filter(username=data.login).first()
    if user is None:
        user = User(username=data.login)
        summary.created_users.append(data.login)
        is_new = True
    elif is_demo:
        summary.reset_users.append(data.login)
        is_new = False
    else:
        _ensure_personal_mailbox(user, summary, restore=False)
        return user
    user.first_name = data.first_name
    user.last_name = data.last_name
    user.email = data.address(domain)
    user.category = data.category
    user.etablissement = etab
    user.status = User.Status.ACTIVE
    user.is_active = True
    # Hashing (Argon2, ~0.1 s) happens before the transaction: SQLite holds its write lock for
    # the whole transaction, and the gateway and worker wait on it.
    if is_demo:
        user.numen_hash = numen_hash(DEMO_NUMENS[data.login])
        user.birth_date = DEMO_BIRTH_DATES[data.login]
        user.recovery_email = f"{data.login}@perso.example"
        user.must_change_password = False
        user.set_password(DEMO_PASSWORD)
    elif is_new:
        user.set_password(background_password(data.login))
    with transaction.atomic():
        user.save()
        if is_demo:
            _drop_second_factors(user)
        _ensure_personal_mailbox(user, summary, restore=is_demo)
    if is_demo:
        lockout.reset(user)  # no delay left over from earlier wrong passwords
    return user


def seed_vie_scolaire(etab: Etablissement, secretariat: User, summary: SeedSummary) -> Mailbox:
    """The lycée's shared vie scolaire box; the demo secretary may read, manage and send as it."""
    imap_user = vie_scolaire_imap_user(etab.uai)
    mailbox, created = Mailbox.objects.update_or_create(
        imap_user=imap_user,
        defaults={
            "address": vie_scolaire_address(etab.uai),
            "display_name": f"Vie scolaire – {etab.name}",
            "kind": Mailbox.Kind.FUNCTIONAL,
            "owner": None,
            "etablissement": etab,
        },
    )
    if created:
        summary.created_mailboxes.append(imap_user)
    MailboxMember.objects.update_or_create(
        mailbox=mailbox,
        user=secretariat,
        defaults={
            "can_read": True, "can_manage": True, "can_send_as": True, "can_administer": True,
        },
    )  # fmt: skip
    MailboxSignature.objects.get_or_create(
        mailbox=mailbox,
        name="Vie scolaire",
        defaults={"body": f"La vie scolaire – {etab.name}", "is_default": True},
    )
    return mailbox


def seed_teachers_list(etab: Etablissement) -> DistributionList:
    """Every secondary teacher of the lycée, by role: the list follows staff changes."""
    dlist, _ = DistributionList.objects.update_or_create(
        address=f"enseignants.{etab.uai.lower()}@{settings.MAIL_DOMAIN}",
        defaults={"name": f"Enseignants – {etab.name}", "etablissement": etab,
                  "categories": [User.Category.TEACHER_SECONDARY]},
    )
    return dlist


def seed_bassin_list(etab: Etablissement) -> DistributionList:
    """«Les professeurs de mathématiques du bassin» of the lycée: by discipline and area."""
    slug = make_login("", etab.bassin).strip(".")
    dlist, _ = DistributionList.objects.update_or_create(
        address=f"mathematiques.{slug}@{settings.MAIL_DOMAIN}",
        defaults={"name": f"Professeurs de mathématiques – bassin {etab.bassin}",
                  "kind": DistributionList.Kind.DISCIPLINE, "bassin": etab.bassin,
                  "discipline": Discipline.objects.get_or_create(name="Mathématiques")[0]},
    )
    return dlist


def seed_security_mailbox(support: User, summary: SeedSummary) -> Mailbox | None:
    """Where «Signaler un hameçonnage» sends reports (SECURITY_REPORT_ADDRESS), read by IT
    support; nothing to create when that address is outside our domains."""
    address = settings.SECURITY_REPORT_ADDRESS.lower()
    if address.rpartition("@")[2] not in settings.MAIL_DOMAINS:
        return None
    mailbox, created = Mailbox.objects.get_or_create(
        address=address,
        defaults={
            "imap_user": "securite",
            "display_name": "Sécurité des systèmes d'information",
            "kind": Mailbox.Kind.FUNCTIONAL,
        },
    )
    if created:
        summary.created_mailboxes.append(mailbox.imap_user)
    MailboxMember.objects.update_or_create(
        mailbox=mailbox, user=support, defaults={"can_read": True, "can_manage": True}
    )
    return mailbox


def seed_directory() -> SeedSummary:
    """Create what is missing and restore the three demo logins; never deletes anything."""
    # One short transaction per person rather than one for all: each step is idempotent, so an
    # interrupted run is finished by the next one.
    summary = SeedSummary()
    etabs = seed_etablissements(summary, ACADEMIE_ETABLISSEMENTS)
    users = {p.login: seed_person(p, etabs[p.uai], summary) for p in PEOPLE}
    seed_academie(etabs, users, summary)
    with transaction.atomic():
        seed_vie_scolaire(etabs[LYCEE_UAI], users[SECRETARIAT_LOGIN], summary)
        seed_teachers_list(etabs[LYCEE_UAI])
        if etabs[LYCEE_UAI].bassin:
            seed_bassin_list(etabs[LYCEE_UAI])
        seed_security_mailbox(users[SUPPORT_LOGIN], summary)
    return summary


def reset_demo_accounts() -> SeedSummary:
    """Only the three shared logins: password, status, NUMEN and mailbox back to the known state."""
    summary = SeedSummary()
    etabs = seed_etablissements(summary)
    for login in DEMO_LOGINS:
        data = person(login)
        seed_person(data, etabs[data.uai], summary)
    return summary
