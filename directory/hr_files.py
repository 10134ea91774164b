"""Reading the HR system's export (CSV or LDIF) into rows of named fields, whatever its encoding.

CSV: one person a line, ``;`` or ``,`` separated, a header line naming the columns (see
``COLUMNS``); UTF-8 with or without BOM, or Windows-1252 as spreadsheets save it. LDIF (RFC 2849):
one entry a person, base64 values (``attr::``) and folded lines accepted; attributes are mapped
onto the same column names (``LDIF_ATTRIBUTES``). ``bassin`` (column or attribute) is the bassin
d'éducation et de formation of the row's main établissement (column ``uai``).
"""

import base64
import binascii
import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

REQUIRED = ("identifiant", "nom", "prenom", "categorie", "uai")
OPTIONAL = ("courriel", "uai_secondaires", "fonctions", "disciplines", "telephone", "numen",
            "date_naissance", "courriel_perso", "bassin")
COLUMNS = REQUIRED + OPTIONAL
MULTI_SEPARATOR = "|"  # several functions, disciplines or UAI in one CSV cell

LDIF_ATTRIBUTES = {
    "uid": "identifiant", "sn": "nom", "givenname": "prenom", "employeetype": "categorie",
    "departmentnumber": "uai", "mail": "courriel", "title": "fonctions",
    "businesscategory": "disciplines", "telephonenumber": "telephone",
    "numen": "numen", "birthdate": "date_naissance", "personalmail": "courriel_perso",
    "bassin": "bassin",
}  # fmt: skip


class UnreadableFile(ValueError):
    """The whole file is refused; the message says why, for the person importing it."""


@dataclass
class RawRow:
    line: int  # where it starts in the file, for the report
    fields: dict[str, str] = field(default_factory=dict)


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8: the spreadsheets of the académies save Windows-1252.
        return data.decode("cp1252", errors="replace")


def read(data: bytes, filename: str = "") -> list[RawRow]:
    text = decode(data)
    if not text.strip():
        raise UnreadableFile(_("The file is empty."))
    start = text.lstrip()[:40].lower()
    if filename.lower().endswith(".ldif") or start.startswith(("dn:", "version:")):
        return read_ldif(text)
    return read_csv(text)


def read_csv(text: str) -> list[RawRow]:
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        message = _("Required columns missing: %(missing)s. Expected columns: %(columns)s "
                    "(separated by «;»).")
        raise UnreadableFile(message % {"missing": ", ".join(missing),
                                        "columns": ", ".join(COLUMNS)})
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        row = RawRow(reader.line_num)
        if len(values) > len(header):
            row.fields["__error__"] = _(
                "%(values)s values for %(columns)s columns (a «;» too many?)"
            ) % {"values": len(values), "columns": len(header)}
        for name, value in zip(header, values, strict=False):
            if name in COLUMNS:
                row.fields[name] = value.strip()
        rows.append(row)
    return rows


def _unfold(text: str) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(" ") and lines:
            lines[-1] = (lines[-1][0], lines[-1][1] + line[1:])
        else:
            lines.append((number, line))
    return lines


def read_ldif(text: str) -> list[RawRow]:
    rows: list[RawRow] = []
    current: RawRow | None = None
    for number, line in _unfold(text) + [(0, "")]:
        if not line.strip():
            if current is not None and current.fields:
                rows.append(current)
            current = None
            continue
        if line.startswith("#") or line.lower().startswith("version:"):
            continue
        if current is None:
            current = RawRow(number)
        name, sep, value = line.partition(":")
        if not sep:
            current.fields["__error__"] = _("unreadable line %(number)s: «%(line)s»") % {
                "number": number, "line": line[:60]}
            continue
        if value.startswith(":"):
            try:
                value = base64.b64decode(value[1:].strip()).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                current.fields["__error__"] = _("unreadable base64 value, line %(number)s") % {
                    "number": number}
                continue
        column = LDIF_ATTRIBUTES.get(name.strip().lower())
        if column is None:
            continue  # dn, objectClass and what the directory does not keep
        value = value.strip()
        if column in current.fields:  # multi-valued attribute
            current.fields[column] += MULTI_SEPARATOR + value
        else:
            current.fields[column] = value
    return rows
