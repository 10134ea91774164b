"""Reading and writing vCards (3.0 and 4.0) with vobject.

What the address book edits (names, addresses, phones, postal addresses, note, group members)
is replaced in place; everything else a card holds (a photo, a birthday, a phone's own
X- properties) is kept as it came. New cards are written in vCard 3.0, the version every
client reads (iOS reads only 3.0 over CardDAV). A group carries both forms clients know:
Apple's ``X-ADDRESSBOOKSERVER-KIND:group`` / ``X-ADDRESSBOOKSERVER-MEMBER`` (Apple Contacts,
DAVx⁵ in its default mode) and vCard 4's ``KIND:group`` / ``MEMBER`` (DAVx⁵'s other mode,
Thunderbird and the like); Radicale stores the card as written.
"""

import re
import uuid
from dataclasses import dataclass, field

import vobject
from vobject.base import ParseError

INDIVIDUAL, GROUP = "individual", "group"
APPLE_KIND, APPLE_MEMBER = "X-ADDRESSBOOKSERVER-KIND", "X-ADDRESSBOOKSERVER-MEMBER"
EDITED = {"FN", "N", "ORG", "EMAIL", "TEL", "ADR", "NOTE", "KIND", "MEMBER", APPLE_KIND,
          APPLE_MEMBER, "REV", "PRODID"}  # fmt: skip
PRODID = "-//Convergence//Carnet d'adresses//FR"


class BadCard(Exception):
    """Not a vCard we can read."""


@dataclass
class Labelled:
    label: str  # "work", "home", "cell", "other"… (the first TYPE, lower case)
    value: str


@dataclass
class PostalAddress:
    label: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""

    def __bool__(self) -> bool:
        return any((self.street, self.postcode, self.city, self.country))

    def one_line(self) -> str:
        return ", ".join(p for p in (self.street, f"{self.postcode} {self.city}".strip(),
                                     self.country) if p)  # fmt: skip


@dataclass
class Contact:
    uid: str = ""
    kind: str = INDIVIDUAL
    full_name: str = ""
    given: str = ""
    family: str = ""
    organisation: str = ""
    emails: list[Labelled] = field(default_factory=list)
    phones: list[Labelled] = field(default_factory=list)
    addresses: list[PostalAddress] = field(default_factory=list)
    note: str = ""
    members: list[str] = field(default_factory=list)  # the members' UIDs (groups)
    has_photo: bool = False

    @property
    def name(self) -> str:
        return (self.full_name or f"{self.given} {self.family}".strip() or
                (self.emails[0].value if self.emails else ""))  # fmt: skip


def new_uid() -> str:
    return str(uuid.uuid4())


def member_key(value: str) -> str:
    """A UID as members name it: «urn:uuid:» removed."""
    value = value.strip()
    return value[9:] if value.lower().startswith("urn:uuid:") else value


def _label(line, default: str) -> str:
    types = [t.lower() for t in line.params.get("TYPE", []) for t in t.split(",")]
    types = [t for t in types if t not in ("internet", "pref", "voice")]
    return types[0] if types else default


def _text(value) -> str:
    return " ".join(value) if isinstance(value, list) else str(value or "")


def read(text: str):
    """The vobject component of a card, or BadCard."""
    try:
        card = vobject.readOne(text, ignoreUnreadable=True)
    except (ParseError, ValueError, TypeError, AttributeError, StopIteration) as exc:
        raise BadCard(str(exc)[:200]) from exc
    if card.name != "VCARD":
        raise BadCard(card.name)
    return card


def _lines(card, name: str) -> list:
    return card.contents.get(name.lower(), [])


def to_contact(card) -> Contact:
    names = _lines(card, "N")
    n = names[0].value if names and not isinstance(names[0].value, str) else None
    kinds = [_text(line.value).lower() for line in _lines(card, "KIND") + _lines(card, APPLE_KIND)]
    members = [member_key(_text(line.value))
               for line in _lines(card, "MEMBER") + _lines(card, APPLE_MEMBER)]  # fmt: skip
    orgs = _lines(card, "ORG")
    return Contact(
        uid=_text(_lines(card, "UID")[0].value) if _lines(card, "UID") else "",
        kind=GROUP if GROUP in kinds else INDIVIDUAL,
        full_name=_text(_lines(card, "FN")[0].value).strip() if _lines(card, "FN") else "",
        given=_text(n.given).strip() if n else "",
        family=_text(n.family).strip() if n else "",
        organisation=_text(orgs[0].value).strip() if orgs else "",
        emails=[Labelled(_label(line, "other"), _text(line.value).strip())
                for line in _lines(card, "EMAIL") if _text(line.value).strip()],
        phones=[Labelled(_label(line, "other"), _text(line.value).strip())
                for line in _lines(card, "TEL") if _text(line.value).strip()],
        addresses=[_address(line) for line in _lines(card, "ADR")],
        note="\n".join(_text(line.value) for line in _lines(card, "NOTE")).strip(),
        members=list(dict.fromkeys(m for m in members if m)),
        has_photo=bool(_lines(card, "PHOTO")),
    )  # fmt: skip


def _address(line) -> PostalAddress:
    value = line.value
    if isinstance(value, str):
        return PostalAddress(_label(line, "other"), street=value)
    return PostalAddress(_label(line, "other"), street=_text(value.street).strip(),
                         postcode=_text(value.code).strip(), city=_text(value.city).strip(),
                         country=_text(value.country).strip())  # fmt: skip


def parse(text: str) -> Contact:
    return to_contact(read(text))


def _logical_lines(text: str) -> list[str]:
    """The card's lines as written (folded continuation lines kept with their property)."""
    lines: list[str] = []
    for physical in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if physical[:1] in (" ", "\t") and lines:
            lines[-1] += "\r\n" + physical
        elif physical.strip():
            lines.append(physical)
    return lines


def _property(line: str) -> str:
    name = re.split(r"[;:]", line, maxsplit=1)[0]
    return name.rsplit(".", 1)[-1].upper()  # «item1.EMAIL» (Apple's groups of lines)


def write(contact: Contact, original: str | None = None) -> str:
    """The card's text: ``original`` (if any) with the edited properties replaced and every
    other line kept byte for byte (a photo, a phone's own properties)."""
    kept, version = [], "VERSION:3.0"
    if original:
        read(original)
        for line in _logical_lines(original):
            name = _property(line)
            if name == "VERSION":
                version = line.strip()
            elif name not in EDITED and name not in ("BEGIN", "END"):
                kept.append(line)
    card = vobject.vCard()
    if not any(_property(line) == "UID" for line in kept):
        card.add("uid").value = contact.uid or new_uid()
    card.add("prodid").value = PRODID
    card.add("fn").value = contact.name or "?"
    card.add("n").value = vobject.vcard.Name(family=contact.family, given=contact.given)
    if contact.organisation:
        card.add("org").value = [contact.organisation]
    for email in contact.emails:
        line = card.add("email")
        line.value = email.value
        line.params["TYPE"] = ["INTERNET"] + ([email.label.upper()] if email.label else [])
    for phone in contact.phones:
        line = card.add("tel")
        line.value = phone.value
        if phone.label:
            line.params["TYPE"] = [phone.label.upper()]
    for address in contact.addresses:
        line = card.add("adr")
        line.value = vobject.vcard.Address(street=address.street, city=address.city,
                                           code=address.postcode, country=address.country)
        if address.label:
            line.params["TYPE"] = [address.label.upper()]
    if contact.note:
        card.add("note").value = contact.note
    if contact.kind == GROUP:
        card.add(APPLE_KIND.lower()).value = GROUP
        card.add("kind").value = GROUP
        for uid in contact.members:
            value = uid if ":" in uid else f"urn:uuid:{uid}"
            card.add(APPLE_MEMBER.lower()).value = value
            card.add("member").value = value
    ours = [line for line in _logical_lines(card.serialize())
            if _property(line) not in ("BEGIN", "END", "VERSION")]  # fmt: skip
    return "\r\n".join(["BEGIN:VCARD", version, *ours, *kept, "END:VCARD"]) + "\r\n"


def uid_of(text: str) -> str:
    lines = _lines(read(text), "UID")
    return _text(lines[0].value) if lines else ""
