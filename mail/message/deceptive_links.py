"""Links whose visible text shows another address or domain than the one they lead to."""

import contextlib
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_EMAIL_RE = re.compile(r"(?:mailto:)?[^\s@<>()\[\],;:\"]+@([^\s@<>/?#]+\.[^\W\d_]{2,})", re.I)
_SCHEME_RE = re.compile(r"[a-z][a-z0-9+.-]*://", re.I)
_DOMAIN_RE = re.compile(r"[^\s/?#@:]+\.([^\W\d_]{2,})\.?(?::\d+)?(?:[/?#]\S*)?")
# "rapport.pdf" as a link's text names a file, not a site.
_FILE_EXTENSIONS = frozenset(
    {"pdf", "doc", "docx", "odt", "ods", "odp", "xls", "xlsx", "ppt", "pptx", "txt", "csv"}
    | {"htm", "html", "php", "asp", "aspx", "jpg", "jpeg", "png", "gif", "ics", "vcf"}
)


def _normalise_host(host: str) -> str:
    host = unquote(host).translate(_INVISIBLE).strip().lower().rstrip(".")
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    return host.removeprefix("www.")


def _shown_host(text: str) -> str | None:
    """The host a link's text displays, when it reads as an address, URL or domain."""
    text = text.strip("<>()[]«»\"'.,;!? ")
    if not text or " " in text:
        return None
    try:
        if email := _EMAIL_RE.fullmatch(text):
            return _normalise_host(email.group(1))
        if _SCHEME_RE.match(text):
            host = urlsplit(text).hostname
        elif text.lower().startswith("www.") or (
            (domain := _DOMAIN_RE.fullmatch(text))
            and domain.group(1).lower() not in _FILE_EXTENSIONS
        ):
            host = urlsplit("http://" + text).hostname
        else:
            return None
    except ValueError:
        return None
    return _normalise_host(host) if host else None


def _is_deceptive(text: str, href: str) -> bool:
    try:
        if href.lower().startswith("mailto:"):
            address = unquote(href[7:]).split("?")[0].split(",")[0]
            link_host, userinfo = address.rpartition("@")[2], False
        else:
            parts = urlsplit(href)
            link_host, userinfo = parts.hostname or "", "@" in parts.netloc
    except ValueError:
        return True
    # https://www.ac-toulouse.fr@evil.example/ goes to evil.example whatever it is shown as.
    if userinfo:
        return True
    shown = _shown_host(text)
    if shown is None:
        return False
    real = _normalise_host(link_host)
    return not (real == shown or real.endswith("." + shown))


class _LinkScanner(HTMLParser):
    """Positions, targets and visible text of the links in nh3's (well-formed) output."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[tuple[int, int], str, list[str]]] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._text = []
            self.links.append((self.getpos(), dict(attrs).get("href") or "", self._text))

    def handle_endtag(self, tag):
        if tag == "a":
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def mark_deceptive_links(html: str) -> tuple[str, list[tuple[str, str]]]:
    """``html`` (sanitised, without classes) with class="cv-deceptive" on the links whose text
    shows another host than they lead to, and those links as (shown text, href)."""
    scanner = _LinkScanner()
    scanner.feed(html)
    scanner.close()
    line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
    found, offsets = [], []
    for (line, column), href, parts in scanner.links:
        text = " ".join("".join(parts).translate(_INVISIBLE).split())
        if href and _is_deceptive(text, href):
            found.append((text, href))
            offsets.append(line_starts[line - 1] + column)
    # nh3 never lets a class through, so the one added here is the tag's only one.
    for offset in reversed(offsets):
        if html.startswith("<a ", offset):
            html = f'{html[: offset + 2]} class="cv-deceptive"{html[offset + 2 :]}'
    return html, found
