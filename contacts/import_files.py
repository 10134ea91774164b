"""Reading an address book file: its encoding, vCards (3.0 and 4.0) or CSV as Outlook, Gmail
and Thunderbird export it, and the CSV's columns matched to the fields of a contact."""

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from contacts import vcard
from directory.search import normalise

FIELDS = [
    ("", _("Do not import")),
    ("given", _("First name")),
    ("family", _("Last name")),
    ("full_name", _("Full name")),
    ("organisation", _("Organisation")),
    ("email", _("E-mail address")),
    ("phone_cell", _("Mobile phone")),
    ("phone_work", _("Work phone")),
    ("phone_home", _("Home phone")),
    ("street", _("Street")),
    ("postcode", _("Postcode")),
    ("city", _("City")),
    ("country", _("Country")),
    ("note", _("Notes")),
]
# Column headings of the usual exports (Outlook in French and English, Gmail old and new,
# Thunderbird in French and English, this address book's own export), compared normalised.
KNOWN = {
    "given": ["first name", "given name", "prenom"],
    "family": ["last name", "family name", "nom", "nom de famille", "surname"],
    "full_name": ["name", "display name", "nom a afficher", "nom complet", "full name"],
    "organisation": ["company", "organization", "organization name", "organization 1 name",
                     "societe", "organisation", "entreprise"],
    "email": ["e mail address", "e mail 2 address", "e mail 3 address", "email", "e mail",
              "e mail 1 value", "e mail 2 value", "e mail 3 value", "primary email",
              "secondary email", "adresse de messagerie", "adresse de messagerie 2",
              "adresse de messagerie 3", "premiere adresse electronique",
              "adresse electronique secondaire", "adresse electronique", "courriel"],
    "phone_cell": ["mobile phone", "mobile number", "tel mobile", "telephone mobile",
                   "portable", "phone 1 value"],
    "phone_work": ["business phone", "work phone", "tel bureau", "tel professionnel",
                   "telephone bureau", "phone 2 value"],
    "phone_home": ["home phone", "tel domicile", "tel personnel", "telephone domicile",
                   "phone 3 value"],
    "street": ["home street", "home address", "address 1 street", "rue domicile",
               "adresse privee", "rue", "adresse"],
    "postcode": ["home postal code", "home zipcode", "address 1 postal code",
                 "code postal domicile", "code postal"],
    "city": ["home city", "address 1 city", "ville domicile", "ville", "commune"],
    "country": ["home country region", "home country", "address 1 country",
                "pays region domicile", "pays"],
    "note": ["notes", "note"],
}  # fmt: skip
_HEADINGS = {heading: name for name, headings in KNOWN.items() for heading in headings}
ROW_LIMIT = 100_000  # a larger file is refused rather than imported in part


class UnreadableFile(Exception):
    """Neither vCards nor a CSV with a heading row: the page says so, nothing is imported."""


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding found: UTF-8 (with or without BOM), UTF-16 with a BOM (some
    Outlook exports), otherwise Windows-1252 (Outlook and Excel «CSV» in France)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "UTF-8 (BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace"), "Windows-1252"


def is_vcard(text: str) -> bool:
    return "BEGIN:VCARD" in text[:4096].upper()


def split_vcards(text: str) -> list[tuple[int, str]]:
    """(line number, text) of each BEGIN:VCARD…END:VCARD block, nested AGENT cards aside."""
    cards, current, start, depth = [], [], 0, 0
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        upper = line.strip().upper()
        if upper == "BEGIN:VCARD":
            depth += 1
            if depth == 1:
                current, start = [], number
        if depth:
            current.append(line)
        if upper == "END:VCARD" and depth:
            depth -= 1
            if depth == 0:
                cards.append((start, "\r\n".join(current) + "\r\n"))
    return cards


@dataclass
class Table:
    headings: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    delimiter: str


def read_csv(text: str) -> Table:
    sample = text[:20_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        headings = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise UnreadableFile from exc
    if len(headings) < 2 or not any(guess(h) for h in headings):
        raise UnreadableFile
    rows = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
                if len(rows) > ROW_LIMIT:
                    raise UnreadableFile
    except csv.Error as exc:
        raise UnreadableFile from exc
    return Table(headings, rows, delimiter)


def guess(heading: str) -> str:
    return _HEADINGS.get(normalise(heading), "")


def row_contact(cells: list[str], mapping: list[str]) -> vcard.Contact:
    """A contact from one CSV row; ``mapping`` names the field of each column ("" skips it)."""
    contact = vcard.Contact()
    address = vcard.PostalAddress("home")
    notes = []
    for value, name in zip(cells, mapping, strict=False):
        value = value.strip()
        if not value or not name:
            continue
        if name == "email":
            if value.lower() not in (e.value.lower() for e in contact.emails):
                contact.emails.append(vcard.Labelled("work" if not contact.emails else "home",
                                                     value))  # fmt: skip
        elif name.startswith("phone_"):
            contact.phones.append(vcard.Labelled(name[6:], value))
        elif name in ("street", "postcode", "city", "country"):
            setattr(address, name, value)
        elif name == "note":
            notes.append(value)
        else:
            setattr(contact, name, value)
    if address:
        contact.addresses.append(address)
    contact.note = "\n".join(notes)
    contact.full_name = contact.full_name or f"{contact.given} {contact.family}".strip()
    return contact


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def problem(contact: vcard.Contact) -> str:
    """Why a row cannot become a contact, or ""."""
    if not (contact.name or contact.organisation):
        return str(_("no name and no e-mail address"))
    bad = [e.value for e in contact.emails if not EMAIL.match(e.value)]
    if bad:
        return str(_("«%(address)s» is not an e-mail address") % {"address": bad[0]})
    return ""
