"""The French catalogues' msgids, and the English ones a rendered French page still shows."""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import allauth
from django.conf import settings

PLACEHOLDER = re.compile(r"%\([^)]*\)[sdif]|%[sdif]|\{[a-z_]+\}|<[^>]+>")
WORD = re.compile(r"[A-Za-z]{2,}")


def catalogue_files() -> list[Path]:
    """The project's catalogue, each app's own, and allauth's (its pages are ours too)."""
    base = Path(settings.BASE_DIR)
    files = [base / "locale/fr/LC_MESSAGES/django.po"]
    files += sorted(p for p in base.glob("*/locale/fr/LC_MESSAGES/*.po") if ".venv" not in p.parts)
    files.append(Path(allauth.__file__).parent / "locale/fr/LC_MESSAGES/django.po")
    return files


def read_po(path: Path) -> dict[str, str]:
    """msgid → msgstr (the first form for plurals), obsolete entries left out."""
    entries: dict[str, str] = {}
    msgid = msgstr = None
    field = None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ", "msgstr[")):
            keyword, _, literal = line.partition(" ")
            if keyword == "msgid" and msgid is not None and field is not None:
                entries[msgid] = msgstr or ""
                msgstr = None
            field = keyword
            value = ast.literal_eval(literal)
            if keyword == "msgid":
                msgid = value
            elif keyword in ("msgstr", "msgstr[0]"):
                msgstr = value
        elif line.startswith('"') and field:
            value = ast.literal_eval(line)
            if field == "msgid":
                msgid += value
            elif field in ("msgstr", "msgstr[0]"):
                msgstr += value
        elif not line.strip() and msgid is not None:
            entries[msgid] = msgstr or ""
            msgid = msgstr = field = None
    entries.pop("", None)
    return entries


def english_fragments() -> set[str]:
    """The English pieces of every msgid a French page must not show: placeholders and tags
    cut out; entries whose French is the same text (a name, «Notes») are not English."""
    fragments, french = set(), set()
    for path in catalogue_files():
        for msgid, msgstr in read_po(path).items():
            french.update(_pieces(msgstr))
            if msgstr.strip() != msgid.strip():
                fragments.update(_pieces(msgid))
    # A piece that is also the French of some entry («Date», «Messages») is French too.
    return fragments - french


def _pieces(text: str) -> set[str]:
    pieces = (" ".join(piece.split()).strip(" .,:;!?()«»-—") for piece in PLACEHOLDER.split(text))
    return {piece for piece in pieces if WORD.search(piece)}


class _Text(HTMLParser):
    SKIP = {"script", "style", "template"}
    ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "data-confirm"}

    def __init__(self):
        super().__init__()
        self.nodes: list[str] = []
        self._skipping = 0
        self._skipped: list[str] = []

    def handle_starttag(self, tag, attrs):
        # Text marked as another language (the «English» switch) is meant to be so.
        if tag in self.SKIP or dict(attrs).get("lang", "fr") != "fr":
            self._skipping += 1
            self._skipped.append(tag)
        for name, value in attrs if not self._skipping else ():
            if value and (name in self.ATTRIBUTES
                          or (name == "value" and dict(attrs).get("type") == "submit")):
                self.nodes.append(" ".join(value.split()))

    def handle_endtag(self, tag):
        if self._skipped and tag == self._skipped[-1]:
            self._skipped.pop()
            self._skipping -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skipping:
            self.nodes.append(text)


def text_of(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes


def untranslated(html: str, fragments: set[str]) -> set[str]:
    """English msgid pieces on the page: a whole text node (or label) that is one, or a piece
    of several words found inside a text."""
    nodes = text_of(html)
    whole = {node.strip(" .,:;!?()«»-—") for node in nodes}
    found = {fragment for fragment in fragments if fragment in whole}
    text = " | ".join(nodes)
    for fragment in fragments:
        if " " in fragment and len(fragment) >= 12 and fragment in text:
            found.add(fragment)
    return found
