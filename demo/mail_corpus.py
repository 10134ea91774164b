"""A deterministic corpus of French school mail for the demo académie, as RFC 5322 bytes."""

import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.headerregistry import Address
from zoneinfo import ZoneInfo

from django.conf import settings

from demo import mail_texts as texts
from demo import mail_texts_staff as staff_texts
from demo.mail_files import html_version, make_docx, make_pdf, make_png, render_message
from directory import demo
from mail.models import SpooledMessage

PARIS = ZoneInfo("Europe/Paris")
SEED = 2026
# Fixed, so that every run on every machine builds the same bytes; mail spans 60 days before it.
REFERENCE_DATE = datetime(2026, 11, 27, 18, 0, tzinfo=PARIS)
SPAN_DAYS = 60
TOUSSAINT = (date(2026, 10, 17), date(2026, 11, 1))

# Every corpus message has its own numbered envelope sender, which the gateway records in its
# spool index: seed_demo reads there which ones were already accepted (see the command).
# ".invalid" (RFC 2606) so that a bounce, if one is ever generated, goes nowhere.
_ENVELOPE = re.compile(r"^demo-corpus\+(\d{4})@seed-demo\.invalid$")
ENVELOPE_PREFIX = "demo-corpus+"
ENVELOPE_SUFFIX = "@seed-demo.invalid"

_JOURS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
         "octobre", "novembre", "décembre")  # fmt: skip
_HOURS = ("17 h", "17 h 30", "18 h", "12 h 30", "16 h 45", "13 h 15")


def envelope_sender(index: int) -> str:
    return f"{ENVELOPE_PREFIX}{index:04d}{ENVELOPE_SUFFIX}"


def envelope_index(mail_from: str) -> int | None:
    match = _ENVELOPE.match(mail_from)
    return int(match.group(1)) if match else None


def french_day(day: date) -> str:
    number = "1er" if day.day == 1 else str(day.day)
    return f"{_JOURS[day.weekday()]} {number} {_MOIS[day.month - 1]}"


def _school_day(day: date) -> bool:
    return day.weekday() < 5 and not TOUSSAINT[0] <= day <= TOUSSAINT[1]


@dataclass(frozen=True)
class Contact:
    name: str
    address: str

    def header(self) -> Address:
        return Address(self.name, addr_spec=self.address)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class _Draft:
    sender: Contact
    to: list[Contact]
    subject: str
    body: str
    when: datetime
    message_id: str
    cc: list[Contact] = field(default_factory=list)
    bcc: list[Contact] = field(default_factory=list)
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    references: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoMessage:
    index: int
    mail_from: str  # the numbered envelope sender, not the From header
    recipients: list[str]  # local mailboxes only: the gateway's inbound port refuses others
    message_id: str
    subject: str
    raw: bytes


def _quote(parent: _Draft) -> str:
    when = parent.when
    lines = "\n".join(f"> {line}" if line else ">" for line in parent.body.split("\n"))
    return f"Le {french_day(when.date())} à {when:%H:%M}, {parent.sender.name} a écrit :\n{lines}"


class _Corpus:
    def __init__(self, domain: str) -> None:
        self.rng = random.Random(SEED)
        self.drafts: list[_Draft] = []
        places = {e.uai: f"{e.name} – {e.city}" for e in demo.ETABLISSEMENTS}
        people = {p.login: p for p in demo.PEOPLE}
        self.contacts = {p.login: Contact(p.full_name, p.address(domain)) for p in demo.PEOPLE}
        self.signatures = {
            self.contacts[p.login].address: f"{p.full_name}\n{p.role}\n{places[p.uai]}"
            for p in demo.PEOPLE
        }
        self.prof = self.contacts[demo.PROF_LOGIN]
        self.secretariat = self.contacts[demo.SECRETARIAT_LOGIN]
        self.support = self.contacts[demo.SUPPORT_LOGIN]
        self.direction = [self.contacts["helene.dupre"], self.contacts["laurent.garcia"]]
        self.lycee = [self.contacts[p.login] for p in demo.PEOPLE if p.uai == demo.LYCEE_UAI]
        self.teachers = [
            self.contacts[login] for login, p in people.items()
            if p.uai == demo.LYCEE_UAI and p.category == demo.Category.TEACHER_SECONDARY
            and login != demo.PROF_LOGIN
        ]  # fmt: skip
        lycee = next(e.name for e in demo.ETABLISSEMENTS if e.uai == demo.LYCEE_UAI)
        self.vie_scolaire = Contact(
            f"Vie scolaire – {lycee}", demo.vie_scolaire_address(domain=domain)
        )
        self.signatures[self.vie_scolaire.address] = (
            "Sophie Lambert\nConseillère principale d'éducation\n" + self.vie_scolaire.name
        )
        self.institutions = {
            "rectorat": Contact("Rectorat – Secrétariat général", f"rectorat@{domain}"),
            "dsden": Contact("DSDEN de la Haute-Garonne", f"dsden31@{domain}"),
            "dec": Contact("Division des examens et concours", f"dec@{domain}"),
            "formation": Contact(
                "École académique de la formation continue", f"formation@{domain}"
            ),
            "dsi": Contact("Direction des systèmes d'information", f"dsi@{domain}"),
        }
        for contact in self.institutions.values():
            self.signatures[contact.address] = (
                f"Pour le recteur et par délégation,\n{contact.name}\nAcadémie de démonstration"
            )
        # Only these exist as mailboxes; the other local addresses above are senders only.
        self.mailboxes = [c.address for c in self.contacts.values()] + [self.vie_scolaire.address]

    # --- building blocks -------------------------------------------------------------------

    def when(self, *, working: bool = True, min_age: float = 0.2) -> datetime:
        while True:
            moment = REFERENCE_DATE - timedelta(days=self.rng.uniform(min_age, SPAN_DAYS))
            hour = self.rng.uniform(7.5, 19) if working else self.rng.uniform(7, 22.5)
            moment = moment.replace(
                hour=int(hour), minute=int(hour % 1 * 60), second=self.rng.randrange(60),
                microsecond=0,
            )  # fmt: skip
            if (_school_day(moment.date()) or not working) and moment < REFERENCE_DATE:
                return moment

    def later(self, moment: datetime) -> datetime:
        moment += timedelta(hours=self.rng.uniform(1, 28))
        if moment.hour < 7:  # people answer in the morning, not at four
            moment += timedelta(hours=7)
        return min(moment, REFERENCE_DATE - timedelta(minutes=5))

    def fields(self, moment: datetime, **extra: str) -> dict[str, str]:
        day = moment.date() + timedelta(days=self.rng.randint(4, 20))
        while not _school_day(day):
            day += timedelta(days=1)
        values = {
            "classe": self.rng.choice(texts.LYCEE_CLASSES),
            **self.child(self.rng.choice(texts.FAMILY_NAMES)),
            "jour": french_day(day),
            "heure": self.rng.choice(_HOURS),
            "salle": self.rng.choice(texts.ROOMS),
            "niveau": self.rng.choice(texts.LEVELS),
            "prenom": "Camille",
        }
        values.update(extra)
        return values

    def child(self, surname: str) -> dict[str, str]:
        first, gender = self.rng.choice(texts.CHILD_NAMES)
        girl = gender == "f"
        return {"prenom_eleve": first, "eleve": f"{first} {surname}", "il": "elle" if girl
                else "il", "Il": "Elle" if girl else "Il", "le": "la" if girl else "le",
                "e": "e" if girl else ""}  # fmt: skip

    def family(self, classes: tuple[str, ...] = texts.LYCEE_CLASSES) -> tuple[Contact, dict]:
        surname = self.rng.choice(texts.FAMILY_NAMES)
        parent = self.rng.choice(texts.PARENT_NAMES)
        provider = self.rng.choice(texts.MAIL_PROVIDERS)
        shared = self.rng.random() < 0.3  # some families write from one shared address
        name = f"Famille {surname}" if shared else f"{parent} {surname}"
        local = demo.make_login("famille" if shared else parent, surname)
        contact = Contact(name, f"{local}@{provider}")
        self.signatures[contact.address] = f"{parent} {surname}"
        return contact, {**self.child(surname), "classe": self.rng.choice(classes)}

    def attachments(self, subject: str, body: str) -> list[Attachment]:
        """Attach what the text announces, of the kind a real sender would attach."""
        announced = ("ci-joint", "pièce jointe", "est joint", "est jointe", "je joins",
                     "j'ai joint", "voici ma proposition", "voici une photo")  # fmt: skip
        lowered = f"{subject}\n{body}".lower()
        if not any(phrase in lowered for phrase in announced):
            return []
        stem = "_".join(re.findall(r"[\w-]+", subject.removeprefix("Rappel :").split("–")[0]))
        stem = stem[:40].rstrip("_-")
        seed = self.rng.getrandbits(32)
        if "planning" in lowered or "ordre du jour" in lowered:
            return [Attachment(f"{stem}.pdf", "application/pdf", make_pdf(subject, body))]
        if "capture" in lowered:
            return [Attachment("capture-ecran.png", "image/png", make_png("screen", seed))]
        if "photo" in lowered:
            return [Attachment("photo-sortie.png", "image/png", make_png("photo", seed))]
        if "certificat" in lowered or "justificatif" in lowered:
            name = "certificat-medical" if "certificat" in lowered else "justificatif"
            return [Attachment(f"{name}.png", "image/png", make_png("scan", seed))]
        if any(word in lowered for word in ("sujet", "proposition", "liste", "demande d")):
            # Many mail programs label Word files as a plain octet-stream.
            return [Attachment(f"{stem}.docx", "application/octet-stream",
                               make_docx(subject, body))]  # fmt: skip
        return [Attachment(f"{stem}.pdf", "application/pdf", make_pdf(subject, body))]

    def add(self, sender: Contact, to: list[Contact], subject: str, body: str, moment: datetime,
            *, cc: list[Contact] | None = None, bcc: list[Contact] | None = None,
            html_part: bool = False, parent: _Draft | None = None) -> _Draft:  # fmt: skip
        signature = self.signatures.get(sender.address, sender.name)
        # "Cordialement," is followed by the name on the next line; a plain text by a blank line.
        text = f"{body}\n{signature}" if body.endswith(",") else f"{body}\n\n{signature}"
        attachments = [] if parent else self.attachments(subject, body)
        references: list[str] = []
        if parent is not None:
            subject = parent.subject
            subject = subject if subject.startswith("Re:") else f"Re: {subject}"
            references = [*parent.references, parent.message_id]
            text = f"{text}\n\n{_quote(parent)}"
        draft = _Draft(
            sender=sender, to=to, cc=cc or [], bcc=bcc or [], subject=subject, body=text,
            when=moment, references=references, attachments=attachments,
            html=html_version(text, sender.name) if html_part else None,
            message_id=f"<{moment:%Y%m%d%H%M%S}.{self.rng.getrandbits(40):010x}@"
            f"{sender.address.rpartition('@')[2]}>",
        )  # fmt: skip
        self.drafts.append(draft)
        return draft

    def thread(self, opener: Contact, reader: Contact, script: tuple[str, str, str, str],
               values: dict[str, str]) -> None:  # fmt: skip
        """Opening, answer back to the opener, follow-up: three messages linked by References."""
        subject, opening, answer, follow_up = (part.format(**values) for part in script)
        first = self.add(opener, [reader], subject, opening, self.when(min_age=3))
        reply = self.add(reader, [opener], "", answer, self.later(first.when),
                         parent=first)  # fmt: skip
        self.add(opener, [reader], "", follow_up, self.later(reply.when), parent=reply)

    # --- the kinds of mail -----------------------------------------------------------------

    def convocations(self) -> None:
        senders = {"direction": self.direction, "equipe": [self.contacts["mathieu.lefevre"]],
                   "cpe": [self.contacts["sophie.lambert"]],
                   "formation": [self.institutions["formation"]]}  # fmt: skip
        plan = [0] * len(texts.PROF_CLASSES) + [1] * 3 + [2] * 2 + [3, 4, 4, 4, 5, 5, 6]
        for position, number in enumerate(plan):
            key, subject, body = texts.CONVOCATIONS[number]
            moment = self.when()
            extra = {"classe": texts.PROF_CLASSES[position]} if number == 0 else {}
            if number == 1:
                extra["niveau"] = texts.LEVELS[position - len(texts.PROF_CLASSES)]
            values = self.fields(moment, **extra)
            others = self.rng.sample(self.teachers, 4)
            self.add(self.rng.choice(senders[key]), [self.prof, *others],
                     subject.format(**values), body.format(**values), moment,
                     cc=[self.secretariat] if key == "direction" else None)  # fmt: skip

    def circulaires(self) -> None:
        sent: dict[int, datetime] = {}
        for number in [*range(len(texts.CIRCULAIRES)), 0, 2, 4, 5]:
            key, audience, subject, body = texts.CIRCULAIRES[number]
            reminder = number in sent
            # A reminder follows its circulaire by one to two weeks, or is not sent at all.
            moment = (
                self.later(sent[number] + timedelta(days=7)) if reminder else self.when(min_age=16)
            )
            values = self.fields(moment)
            readers = [self.secretariat, self.direction[0]]
            if audience != "direction":
                readers += [self.prof, self.direction[1], *self.rng.sample(self.teachers, 5)]
            if audience.endswith("support"):
                readers.append(self.support)
            subject = subject.format(**values)
            sent[number] = moment
            self.add(self.institutions[key], [], f"Rappel : {subject}" if reminder else subject,
                     body.format(**values), moment, bcc=readers,
                     html_part=self.rng.random() < 0.6)  # fmt: skip

    def notes_de_service(self) -> None:
        plan = [*range(len(texts.NOTES_DE_SERVICE)), 0, 8, 8]
        for number in plan:
            subject, body = texts.NOTES_DE_SERVICE[number]
            moment = self.when()
            values = self.fields(moment)
            self.add(self.rng.choice(self.direction), [], subject.format(**values),
                     body.format(**values), moment, bcc=self.lycee,
                     html_part=self.rng.random() < 0.3)  # fmt: skip

    def from_families(self, templates: tuple, reader: Contact, count: int, *,
                      classes: tuple[str, ...] = texts.LYCEE_CLASSES) -> None:  # fmt: skip
        for number in range(count):
            subject, body = templates[number % len(templates)]
            family, extra = self.family(classes)
            moment = self.when(working=False)
            values = self.fields(moment, **extra)
            self.add(family, [reader], subject.format(**values), body.format(**values), moment)

    def between_staff(self, templates: tuple, senders: list[Contact], reader: Contact,
                      plan: list[int], *, classes: tuple[str, ...] = texts.LYCEE_CLASSES,
                      prenom: str = "Camille") -> None:  # fmt: skip
        for number in plan:
            subject, body = templates[number]
            moment = self.when()
            values = self.fields(moment, prenom=prenom, classe=self.rng.choice(classes))
            self.add(self.rng.choice(senders), [reader], subject.format(**values),
                     body.format(**values), moment)  # fmt: skip

    def build(self) -> None:
        self.convocations()
        self.circulaires()
        self.notes_de_service()
        self.from_families(texts.FAMILLES_PROF, self.prof, 26, classes=texts.PROF_CLASSES)
        self.from_families(texts.FAMILLES_VIE_SCOLAIRE, self.vie_scolaire, 44)
        self.from_families(texts.FAMILLES_SECRETARIAT, self.secretariat, 12)
        staff = [c for c in self.lycee if c != self.support]
        self.between_staff(staff_texts.COLLEGUES_PROF, self.teachers, self.prof,
                           [*range(15), 1, 4, 7, 12, 10, 5, 1, 4, 7],
                           classes=texts.PROF_CLASSES)  # fmt: skip
        self.between_staff(staff_texts.VIE_SCOLAIRE_PROF, [self.vie_scolaire], self.prof,
                           [*range(6)] * 3, classes=texts.PROF_CLASSES)  # fmt: skip
        self.between_staff(staff_texts.PROFS_VIE_SCOLAIRE, [self.prof, *self.teachers],
                           self.vie_scolaire, [*range(4)] * 3)  # fmt: skip
        self.between_staff(staff_texts.COLLEGUES_SECRETARIAT, [self.prof, *self.teachers],
                           self.secretariat, [*range(5)] * 2, prenom="Nathalie")  # fmt: skip
        self.between_staff(staff_texts.TICKETS_SUPPORT, staff, self.support,
                           [*range(10), 0, 2, 4, 1, 3], prenom="Karim")  # fmt: skip
        for subject, body in staff_texts.SUPPORT_ANNONCES:
            moment = self.when()
            values = self.fields(moment)
            self.add(self.support, [], subject.format(**values), body.format(**values), moment,
                     bcc=staff, html_part=True)  # fmt: skip
        for asker in (self.prof, self.secretariat):
            for script in staff_texts.FILS_COLLEGUES:
                self.thread(self.rng.choice(self.teachers), self.prof, script,
                            self.fields(self.when()))  # fmt: skip
            for script in staff_texts.FILS_FAMILLES:
                family, extra = self.family()
                self.thread(family, self.vie_scolaire, script, self.fields(self.when(), **extra))
            for script in staff_texts.FILS_SUPPORT:
                self.thread(asker, self.support, script, self.fields(self.when()))
        for _ in range(3):
            family, extra = self.family(texts.PROF_CLASSES)
            self.thread(family, self.prof, staff_texts.FILS_FAMILLES[0],
                        self.fields(self.when(), **extra))  # fmt: skip

    def messages(self) -> list[DemoMessage]:
        known = set(self.mailboxes)
        ordered = sorted(enumerate(self.drafts), key=lambda item: (item[1].when, item[0]))
        result: list[DemoMessage] = []
        for _, draft in ordered:
            recipients = list(dict.fromkeys(
                c.address for c in [*draft.to, *draft.cc, *draft.bcc] if c.address in known
            ))  # fmt: skip
            if not recipients:  # an answer to a family: only there for the thread's References
                continue
            index = len(result) + 1
            raw = render_message(
                sender=draft.sender.header(), to=[c.header() for c in draft.to],
                cc=[c.header() for c in draft.cc], subject=draft.subject, when=draft.when,
                message_id=draft.message_id, references=draft.references, body=draft.body,
                html_body=draft.html, attachments=[(a.filename, a.content_type, a.data)
                                              for a in draft.attachments],
            )  # fmt: skip
            result.append(DemoMessage(index, envelope_sender(index), recipients,
                                      draft.message_id, draft.subject, raw))  # fmt: skip
        return result


def spooled_indices() -> set[int]:
    """Corpus messages the gateway already accepted: its spool index keeps one row per message,
    with the envelope sender, after delivery too (only the spool file is discarded)."""
    senders = SpooledMessage.objects.filter(
        mail_from__startswith=ENVELOPE_PREFIX, mail_from__endswith=ENVELOPE_SUFFIX
    ).values_list("mail_from", flat=True)
    return {index for sender in senders if (index := envelope_index(sender)) is not None}


def build_corpus(domain: str | None = None) -> list[DemoMessage]:
    """The same few hundred messages, in date order, every time (random.Random(2026))."""
    corpus = _Corpus(domain or settings.MAIL_DOMAIN)
    corpus.build()
    return corpus.messages()
