"""Make an HTML mail body safe for a sandboxed iframe: allow-listed markup, tamed links, images."""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape
from urllib.parse import unquote

import nh3

from mail.message.deceptive_links import mark_deceptive_links

logger = logging.getLogger(__name__)

TAGS = frozenset(
    {"p", "br", "div", "span", "a", "b", "strong", "i", "em", "u", "s", "ul", "ol", "li"}
    | {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col"}
    | {"img", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "hr"}
    | {"font", "center", "small", "big", "sub", "sup", "dl", "dt", "dd"}
)

# html5's "formatting elements" (except a, of which one only is ever active) are reopened
# after every block that implicitly closed them: 2,000 distinct unclosed <b x=n> before 2,000
# paragraphs become 4 million elements. Renamed to inert custom elements while nh3 parses,
# they are closed like any element and never reopened; the output gets its names back.
FORMATTING = frozenset({"b", "big", "code", "em", "font", "i", "s", "small", "strong", "u"})
_FORMATTING_IN = re.compile(
    r"<(/?)(b|big|code|em|font|i|nobr|s|small|strike|strong|tt|u)(?=[\s/>]|$)", re.I
)
_FORMATTING_OUT = re.compile(r"<(/?)x-(b|big|code|em|font|i|s|small|strong|u)(?=[\s>])")

# html5ever slows down quadratically with nesting depth, attributes per tag and entities per
# text run; past these bounds the body is clipped (as webmails do), keeping any mail ~1 s
# (20,000 nested tags: 0.7 to 1.7 s of CPU on the machines we run on; 30,000 took 3.5 s).
MAX_HTML_CHARS = 512 * 1024
MAX_TAGS = 20_000

# Removed with everything inside: code, nested documents, foreign markup (svg/math mXSS), and
# head-only elements whose text would otherwise leak into the body.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "title", "noscript", "template", "iframe", "frame", "frameset"}
    | {"object", "embed", "applet", "svg", "math", "textarea", "select", "noembed"}
    | {"noframes", "xmp"}
)

_CELL = {"width", "height", "colspan", "rowspan", "valign", "bgcolor", "nowrap"}
ATTRIBUTES = {
    "*": {"style", "dir", "lang", "title", "align"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "border"},
    "table": {"width", "height", "border", "cellpadding", "cellspacing", "bgcolor"},
    **dict.fromkeys(("thead", "tbody", "tfoot", "tr"), {"valign", "bgcolor"}),
    **dict.fromkeys(("td", "th"), _CELL),
    **dict.fromkeys(("col", "colgroup"), {"span", "width", "valign"}),
    "font": {"color", "face", "size"},
    "hr": {"width", "size", "color"},
    "ol": {"start", "type"},
    "ul": {"type"},
}

# cid is accepted by nh3 only so the attribute filter can rewrite it; it never reaches the output.
URL_SCHEMES = frozenset({"http", "https", "mailto", "cid"})
LINK_REL = "noopener noreferrer nofollow"

_SIDES = ("top", "right", "bottom", "left")
STYLE_PROPERTIES = frozenset(
    {"color", "background-color", "width", "height", "max-width", "min-width", "line-height"}
    | {"vertical-align", "white-space", "display", "table-layout", "letter-spacing"}
    | {"word-spacing", "list-style", "list-style-type", "list-style-position"}
    | {"font", "font-family", "font-size", "font-style", "font-weight", "font-variant"}
    | {"text-align", "text-decoration", "text-indent", "text-transform"}
    | {"margin", "padding", "border", "border-width", "border-style", "border-color"}
    | {"border-collapse", "border-spacing", "border-radius"}
    | {f"{box}-{side}" for box in ("margin", "padding", "border") for side in _SIDES}
    | {f"border-{side}-{part}" for side in _SIDES for part in ("width", "style", "color")}
)

# display:none is refused: what the reader sees must be what the deceptive-link check reads
# (a hidden "https://evil" span inside a link would otherwise pass unnoticed). Newsletter
# preheaders then show up, a cosmetic cost.
DISPLAY_VALUES = frozenset(
    {"block", "inline", "inline-block", "list-item", "table", "inline-table", "table-row"}
    | {"table-cell", "table-caption", "table-row-group", "table-header-group"}
    | {"table-footer-group", "table-column", "table-column-group"}
)
_CSS_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla"})
_CSS_FORBIDDEN_CHARS = frozenset("\\<>{}@`")
_CSS_FORBIDDEN_WORDS = ("expression", "javascript", "vbscript", "behavior", "binding")
_CSS_FORBIDDEN_WORDS += ("position", "z-index", "/*", "*/")
_CSS_FUNCTION_RE = re.compile(r"([a-z0-9_-]*)\s*\(")
_NEGATIVE_RE = re.compile(r"(?:^|[\s,(/])-\s*\.?\d")
_ZERO_SIZE_RE = re.compile(r"(?:^|[\s/])[0.]*0(?:[a-z%]+)?(?=[\s/]|$)")
_COLOR_RE = re.compile(r"#[0-9a-f]{3,8}|[a-z]{3,20}|(?:rgba?|hsla?)\([\d\s.,%/]+\)")

# [^<>] stops at the next "<": each "<" is looked at once, whatever the input.
_ANY_TAG = re.compile(r"<[^<>]*>")


@dataclass(frozen=True)
class SafeHtml:
    html: str
    remote_images: int
    deceptive_links: list[tuple[str, str]] = field(default_factory=list)
    # The body was longer than the sanitiser's bounds and only its beginning is shown.
    clipped: bool = False


def _safe_css_value(name: str, value: str) -> bool:
    low = value.lower()
    if any(c in _CSS_FORBIDDEN_CHARS or ord(c) < 32 or ord(c) == 127 for c in low):
        return False
    if any(word in low for word in _CSS_FORBIDDEN_WORDS):
        return False
    # Colour functions only: url(), image-set(), expression(), attr()... fetch or compute.
    if any(m.group(1) not in _CSS_FUNCTIONS for m in _CSS_FUNCTION_RE.finditer(low)):
        return False
    # An odd quote means ";" split a string in two: its halves are not declarations.
    if low.count('"') % 2 or low.count("'") % 2:
        return False
    # Negative offsets pull content over other content, or off-screen (text-indent:-9999px).
    if _NEGATIVE_RE.search(low):
        return False
    bare = low.replace("!important", "").strip()
    if name == "display":
        return bare in DISPLAY_VALUES
    if name in ("font", "font-size"):
        return not _ZERO_SIZE_RE.search(bare)
    return True


def clean_style(style: str) -> str | None:
    """The allowed declarations of an inline style, or None when none is left."""
    kept = []
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        name, value = name.strip().lower(), " ".join(value.split())
        if not colon or not value:
            continue
        if name == "background":
            # Newsletters paint cells with the shorthand; only a plain colour survives.
            if not _COLOR_RE.fullmatch(value.lower()):
                continue
            name = "background-color"
        if name in STYLE_PROPERTIES and _safe_css_value(name, value):
            kept.append(f"{name}:{value}")
    return ";".join(kept) or None


class _Rewriter:
    """nh3's attribute filter: styles, links and image sources, counting remote images."""

    def __init__(self, cid_url, remote_image_url):
        self.cid_url = cid_url
        self.remote_image_url = remote_image_url
        self.remote_images = 0
        # The app URLs handed out below; nh3 lets these relative URLs through and no other.
        self.produced: set[str] = set()

    def attribute(self, tag: str, attr: str, value: str) -> str | None:
        if attr == "style":
            return clean_style(value)
        if tag == "a" and attr == "href":
            return _link_target(value)
        if tag == "img" and attr == "src":
            return self._image_source(value)
        return value

    def relative(self, url: str) -> str | None:
        return url if url in self.produced else None

    def _image_source(self, value: str) -> str | None:
        source = value.strip()
        if source.startswith("//"):
            source = "https:" + source
        lowered = source.lower()
        if lowered.startswith("cid:"):
            content_id = unquote(source[4:]).strip().strip("<>").strip()
            return self._app_url(self.cid_url, content_id) if content_id else None
        if lowered.startswith(("http://", "https://")):
            self.remote_images += 1
            if self.remote_image_url is None:
                return None
            return self._app_url(self.remote_image_url, source)
        return None

    def _app_url(self, make: Callable[[str], str | None], argument: str) -> str | None:
        try:
            url = make(argument)
        except Exception:
            # nh3 would swallow it and print to stderr; the image just stays out.
            logger.warning("Image URL callback failed for %r", argument[:200], exc_info=True)
            return None
        if url:
            self.produced.add(url)
        return url or None


def _link_target(value: str) -> str | None:
    target = value.strip()
    if target.startswith("//"):
        target = "https:" + target
    # Relative links would resolve against the webmail itself from inside the iframe.
    if target.lower().startswith(("http://", "https://", "mailto:")):
        return target
    return None


def _clip(html: str) -> tuple[str, bool]:
    """The beginning of ``html`` within MAX_HTML_CHARS and MAX_TAGS (counted as "<")."""
    end = min(len(html), MAX_HTML_CHARS)
    if html.count("<", 0, end) > MAX_TAGS:
        end = -1
        for _ in range(MAX_TAGS + 1):
            end = html.find("<", end + 1)
    return html[:end], end < len(html)


def _nh3_config(rewriter: "_Rewriter") -> dict:
    def parsed(tag: str) -> str:
        return f"x-{tag}" if tag in FORMATTING else tag

    return {
        "tags": {parsed(tag) for tag in TAGS},
        "clean_content_tags": set(DROPPED_WITH_CONTENT),
        "attributes": {parsed(tag): set(names) for tag, names in ATTRIBUTES.items()},
        "attribute_filter": rewriter.attribute,
        "strip_comments": True,
        "link_rel": LINK_REL,
        "set_tag_attribute_values": {"a": {"target": "_blank"}},
        "url_schemes": set(URL_SCHEMES),
        "url_relative": rewriter.relative,
        "filter_style_properties": set(STYLE_PROPERTIES),
    }


def _sanitize(html: str, cid_url, remote_image_url) -> SafeHtml:
    html, clipped = _clip(html)
    try:
        html.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (surrogateescape'd bytes) would make nh3 raise.
        html = html.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    rewriter = _Rewriter(cid_url, remote_image_url)
    cleaned = nh3.clean(_FORMATTING_IN.sub(r"<\1x-\2", html), **_nh3_config(rewriter))
    # Only tag names and attribute values can hold "<" in nh3's output, and renaming inside
    # a quoted value only changes its text.
    cleaned = _FORMATTING_OUT.sub(r"<\1\2", cleaned)
    deceptive: list[tuple[str, str]] = []
    if "<a " in cleaned:
        cleaned, deceptive = mark_deceptive_links(cleaned)
    return SafeHtml(cleaned, rewriter.remote_images, deceptive, clipped)


def _as_text(html: str) -> str:
    """Last resort: the tags dropped by a linear regex, the rest escaped into a <pre>."""
    text = unescape(_ANY_TAG.sub(" ", _clip(html)[0]))
    text = "\n".join(" ".join(line.split()) for line in text.splitlines())
    return f"<pre>{escape(text.strip())}</pre>"


def sanitize_html(
    html: str,
    *,
    cid_url: Callable[[str], str | None],
    remote_image_url: Callable[[str], str] | None = None,
) -> SafeHtml:
    """Sanitise ``html`` for display; remote images are dropped unless ``remote_image_url``
    gives their proxy URL. Never raises: on failure the body's text is shown instead."""
    if not html or not html.strip():
        return SafeHtml("", 0, [])
    try:
        return _sanitize(html, cid_url, remote_image_url)
    except Exception:
        logger.exception("HTML sanitising failed; showing the text instead")
    try:
        return SafeHtml(_as_text(html), 0, [])
    except Exception:
        return SafeHtml("", 0, [])
