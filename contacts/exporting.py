"""Exporting «Contacts»: every card as stored (one .vcf), or a CSV with the headings of
Outlook in French, which this import (and Outlook, Gmail, Thunderbird) read back."""

import csv
import io
import re

from contacts import vcard
from contacts.services import CONTACTS
from dav.carddav import carddav_session

HEADINGS = ["Prénom", "Nom", "Nom complet", "Société", "Adresse de messagerie",
            "Adresse de messagerie 2", "Adresse de messagerie 3", "Tél. mobile", "Tél. bureau",
            "Tél. domicile", "Rue (domicile)", "Code postal (domicile)", "Ville (domicile)",
            "Pays/Région (domicile)", "Notes"]  # fmt: skip


_NUMBER = re.compile(r"^[+-][\d\s().-]*$")  # «+33 6 12…»: a phone, not a formula


def _cell(value: str) -> str:
    """A cell a spreadsheet would run as a formula («=…», «@…», «+…») is written as text."""
    if value[:1] in ("=", "@", "\t", "\r") or (value[:1] in "+-" and value and
                                                 not _NUMBER.match(value)):
        return "'" + value
    return value


def _phone_columns(phones: list[vcard.Labelled]) -> dict[str, str]:
    """Three columns: each phone in its own kind's, the others in whichever is still free."""
    slots = dict.fromkeys(("cell", "work", "home"), "")
    others = []
    for phone in phones:
        if phone.label in slots and not slots[phone.label]:
            slots[phone.label] = phone.value
        else:
            others.append(phone.value)
    for label in slots:
        if not slots[label] and others:
            slots[label] = others.pop(0)
    return slots


def _cards(user) -> list[str]:
    with carddav_session(user.username) as store:
        return [r.text for r in store.cards(CONTACTS).resources]


def as_vcard(user) -> str:
    return "".join(text if text.endswith("\n") else text + "\r\n" for text in _cards(user))


def as_csv(user) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads the accents right only with the BOM
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    contacts = []
    for text in _cards(user):
        try:
            contacts.append(vcard.parse(text))
        except vcard.BadCard:
            continue
    for c in sorted((c for c in contacts if c.kind != vcard.GROUP), key=lambda c: c.name.lower()):
        emails = [e.value for e in c.emails] + ["", "", ""]
        phones = _phone_columns(c.phones)
        address = c.addresses[0] if c.addresses else vcard.PostalAddress()
        writer.writerow([_cell(v) for v in (
            c.given, c.family, c.name, c.organisation, *emails[:3], phones.get("cell", ""),
            phones.get("work", ""), phones.get("home", ""), address.street, address.postcode,
            address.city, address.country, c.note)])  # fmt: skip
    return out.getvalue()
