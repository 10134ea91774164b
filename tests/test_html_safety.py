"""Hostile HTML bodies come out inert: allow-listed markup, tamed styles, links and images."""

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mail.message.html_safety import (
    ATTRIBUTES,
    MAX_HTML_CHARS,
    TAGS,
    SafeHtml,
    clean_style,
    sanitize_html,
)

HOSTILE = sorted((Path(__file__).parent / "fixtures" / "mail" / "html").glob("*.html"))

# Only what sanitize_html itself adds beyond the allow-list.
ADDED = {"a": {"target", "rel", "class"}}
DANGEROUS_MARKUP = (
    "<script", "<svg", "<math", "<iframe", "<frame", "<object", "<embed", "<applet", "<form",
    "<input", "<button", "<textarea", "<select", "<meta", "<base", "<link", "<style",
    "<template", "<noscript", "<!--", "<![cdata", "<?",
)  # fmt: skip
DANGEROUS_CSS = (
    "position", "z-index", "url(", "expression", "behavior", "binding", "import", "\\",
    "/*", "javascript", "image-set", "display:none",
)  # fmt: skip


def no_cid(content_id: str) -> None:
    return None


def sanitize(html: str, **options) -> SafeHtml:
    options.setdefault("cid_url", no_cid)
    return sanitize_html(html, **options)


class _Tree(HTMLParser):
    """Elements and attributes of the output as a browser's tokenizer reads them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.declarations: list[str] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.declarations.append(data)

    handle_decl = handle_pi = unknown_decl = handle_comment


def assert_inert(html: str) -> _Tree:
    lowered = html.lower()
    for markup in DANGEROUS_MARKUP:
        assert markup not in lowered, markup
    tree = _Tree(html)
    assert not tree.declarations
    for tag, attrs in tree.elements:
        assert tag in TAGS, tag
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set()) | ADDED.get(tag, set())
        for name, value in attrs.items():
            assert name in allowed, (tag, name)
            assert not name.startswith("on"), (tag, name)
            value = (value or "").strip().lower()
            if name == "href":
                assert value.startswith(("http://", "https://", "mailto:")), value
            if name == "src":
                assert value.startswith(("/", "http://", "https://")), value
            if name == "style":
                assert not any(bad in value.replace(" ", "") for bad in DANGEROUS_CSS), value
            assert "javascript:" not in value.replace(" ", "")
            assert not value.startswith(("data:", "vbscript:", "file:"))
        if tag == "a":
            assert attrs.get("target") == "_blank"
            assert attrs.get("rel") == "noopener noreferrer nofollow"
            assert attrs.get("class", "cv-deceptive") == "cv-deceptive"
    return tree


@pytest.mark.parametrize("path", HOSTILE, ids=lambda path: path.stem)
def test_hostile_fixture_comes_out_inert(path):
    result = sanitize(path.read_text(encoding="utf-8"))
    assert_inert(result.html)
    # Parsing the output again yields the same document: nothing mutates on the way to the
    # browser (the mXSS family: noscript, math/svg, comments).
    first = _Tree(result.html)
    again = _Tree(sanitize(result.html).html)
    assert again.elements == first.elements
    assert "".join(again.text).split() == "".join(first.text).split()


@pytest.mark.parametrize(
    "vector",
    [
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="  javascript:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<a href="file:///etc/passwd">x</a>',
        '<a href="/mail/delete-all">x</a>',
        '<a href="cid:part1@example">x</a>',
    ],
)
def test_links_to_anything_but_web_and_mail_lose_their_target(vector):
    ((tag, attrs),) = assert_inert(sanitize(vector).html).elements
    assert tag == "a" and "href" not in attrs


def test_web_and_mail_links_open_outside_without_referrer():
    html = sanitize(
        '<a href="https://www.education.gouv.fr/">site</a> '
        '<a href="mailto:vie-scolaire@ac-demo.test">écrire</a> '
        '<a href="//cdn.example/x">relatif au protocole</a>'
    ).html
    links = [attrs for tag, attrs in assert_inert(html).elements if tag == "a"]
    assert [link["href"] for link in links] == [
        "https://www.education.gouv.fr/",
        "mailto:vie-scolaire@ac-demo.test",
        "https://cdn.example/x",
    ]


def test_remote_images_are_blocked_by_default_and_counted():
    result = sanitize(
        '<img src="https://tracker.example/p.gif?u=prof" alt="pixel">'
        '<img src="//tracker.example/q.gif"><img src="HTTP://tracker.example/r.png" alt="r">'
    )
    assert result.remote_images == 3
    assert "tracker.example" not in result.html
    assert [attrs for _, attrs in assert_inert(result.html).elements] == [
        {"alt": "pixel"},
        {},
        {"alt": "r"},
    ]


def test_remote_images_go_through_the_proxy_when_allowed():
    seen = []

    def proxy(url: str) -> str:
        seen.append(url)
        return f"/mail/image-proxy/{len(seen)}"

    result = sanitize(
        '<img src="https://tracker.example/p.gif" alt="logo"><img src="//cdn.example/x.png">',
        remote_image_url=proxy,
    )
    assert seen == ["https://tracker.example/p.gif", "https://cdn.example/x.png"]
    assert result.remote_images == 2
    srcs = [attrs["src"] for _, attrs in assert_inert(result.html).elements]
    assert srcs == ["/mail/image-proxy/1", "/mail/image-proxy/2"]


def test_cid_images_point_to_the_attachment_and_unknown_ones_keep_their_alt():
    parts = {"logo@ac-demo.test": "/mail/1/INBOX/42/cid/logo"}
    result = sanitize(
        '<img src="cid:logo@ac-demo.test" alt="Logo"><img src="CID:%3Clogo@ac-demo.test%3E">'
        '<img src="cid:absent@x" alt="absent"><a href="cid:logo@ac-demo.test">x</a>',
        cid_url=parts.get,
    )
    assert result.remote_images == 0
    elements = assert_inert(result.html).elements
    assert [attrs.get("src") for tag, attrs in elements if tag == "img"] == [
        "/mail/1/INBOX/42/cid/logo",
        "/mail/1/INBOX/42/cid/logo",
        None,
    ]
    assert elements[2][1] == {"alt": "absent"}


def test_images_from_data_or_relative_urls_are_dropped_and_not_counted():
    result = sanitize('<img src="data:image/png;base64,iVBOR" alt="d"><img src="/logout">')
    assert result.remote_images == 0
    assert [attrs for _, attrs in assert_inert(result.html).elements] == [{"alt": "d"}, {}]


def test_a_failing_url_callback_drops_the_image_only():
    def broken(url: str) -> str:
        raise RuntimeError("proxy down")

    result = sanitize('<p>texte</p><img src="https://a.example/x.png">', remote_image_url=broken)
    assert result.html == "<p>texte</p><img>"
    assert result.remote_images == 1


def test_background_images_disappear_with_their_url():
    result = sanitize(
        '<table background="https://t.example/bg.png"><tr>'
        '<td style="background:url(https://t.example/c.png);color:#333">c</td></tr></table>'
    )
    assert "t.example" not in result.html
    assert 'style="color:#333"' in result.html


@pytest.mark.parametrize(
    ("style", "kept"),
    [
        ("color: red; font-weight: bold", "color:red;font-weight:bold"),
        ('font-family: "Times New Roman", serif', 'font-family:"Times New Roman", serif'),
        ("COLOR: Red", "color:Red"),
        ("background: #fff", "background-color:#fff"),
        ("background: #fff url(https://t.example/x.png)", None),
        ("color: rgb(0, 0, 0); width: 100%", "color:rgb(0, 0, 0);width:100%"),
        ("display: block", "display:block"),
        ("display: none", None),
        ("display: none !important", None),
        ("font-size: 0", None),
        ("font: 0/0 a", None),
        ("font-size: 10px", "font-size:10px"),
        ("margin: -300px 0 0 0", None),
        ("text-indent: -9999px", None),
        ("position: fixed; top: 0", None),
        ("z-index: 1000", None),
        ("width: calc(100% - 2px)", None),
        ("color: var(--x)", None),
        ('font-family: "a;position:fixed"', None),
        ("color: \\72 ed", None),
        ("color: red /* x */", None),
        ("list-style-image: url(x)", None),
    ],
)
def test_inline_styles_keep_only_harmless_declarations(style, kept):
    assert clean_style(style) == kept


def test_the_phishing_overlay_cannot_leave_its_box():
    result = sanitize(
        '<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999">'
        "Session expirée</div>"
    )
    assert "position" not in result.html and "z-index" not in result.html
    assert "Session expirée" in result.html


def test_deceptive_links_are_listed_and_marked():
    result = sanitize(
        '<a href="https://evil.example">https://www.ac-toulouse.fr</a>'
        '<a href="https://evil.example/x">ac-toulouse.fr/login</a>'
        '<a href="http://198.51.100.7/">www.impots.gouv.fr</a>'
        '<a href="https://evil.example">prenom.nom@ac-toulouse.fr</a>'
        '<a href="https://www.ac-toulouse.fr@evil.example/">Se connecter</a>'
        '<a href="https://xn--c-toulouse-6ve.fr/">ac-toulouse.fr</a>'
    )
    assert result.deceptive_links == [
        ("https://www.ac-toulouse.fr", "https://evil.example"),
        ("ac-toulouse.fr/login", "https://evil.example/x"),
        ("www.impots.gouv.fr", "http://198.51.100.7/"),
        ("prenom.nom@ac-toulouse.fr", "https://evil.example"),
        ("Se connecter", "https://www.ac-toulouse.fr@evil.example/"),
        ("ac-toulouse.fr", "https://xn--c-toulouse-6ve.fr/"),
    ]
    classes = [attrs.get("class") for _, attrs in assert_inert(result.html).elements]
    assert classes == ["cv-deceptive"] * 6


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("https://www.ac-toulouse.fr", "https://ac-toulouse.fr/accueil"),
        ("ac-toulouse.fr", "https://webmail.ac-toulouse.fr/"),
        ("WWW.Impots.Gouv.FR", "https://www.impots.gouv.fr/portail"),
        ("vie-scolaire@ac-demo.test", "mailto:vie-scolaire@ac-demo.test"),
        ("Cliquez ici", "https://evil.example/"),
        ("rapport.pdf", "https://cloud.example/r/123"),
        ("ac-tou\u200blouse.fr", "https://ac-toulouse.fr/"),
    ],
)
def test_honest_links_are_not_flagged(text, href):
    result = sanitize(f'<a href="{href}">{text}</a>')
    assert result.deceptive_links == []
    assert "cv-deceptive" not in result.html


def test_text_hidden_inside_a_link_is_shown_so_the_check_reads_what_the_reader_sees():
    result = sanitize(
        '<a href="https://evil.example/"><span style="display:none">evil.example</span>'
        "www.ac-toulouse.fr</a>"
    )
    assert "display" not in result.html
    assert result.deceptive_links


@pytest.mark.parametrize("empty", ["", "   \r\n\t "])
def test_empty_input(empty):
    assert sanitize(empty) == SafeHtml("", 0, [])


def test_ten_megabytes_are_clipped_quickly():
    start = time.thread_time()
    result = sanitize("<p>" + "Conseil de classe. " * (10 * 1024 * 1024 // 19) + "</p>")
    assert time.thread_time() - start < 5
    assert result.clipped
    assert result.html.startswith("<p>Conseil de classe.")
    assert len(result.html) <= MAX_HTML_CHARS + 100


@pytest.mark.parametrize(
    "bomb",
    [
        "<div>" * 200_000,
        "<ul><li>" * 100_000,
        # Distinct unclosed formatting elements, reopened in every paragraph.
        "<p>" + "".join(f"<b x={n}>" for n in range(5_000)) + "y<p>x" * 5_000,
        "<span>" * 15_000 + "</x>" * 15_000,
        "<p " + " ".join(f"a{n}" for n in range(200_000)) + ">x",
        "a&amp;b" * 200_000,
    ],
    ids=["nested-div", "nested-list", "formatting-reopen", "unmatched-end", "attributes", "refs"],
)
def test_parser_bombs_stay_bounded(bomb):
    # CPU time of this thread, not the wall clock: a busy machine must not fail the test,
    # a quadratic parser still does.
    start = time.thread_time()
    result = sanitize(bomb)
    assert time.thread_time() - start < 5
    assert len(result.html) < 4 * MAX_HTML_CHARS
    assert_inert(result.html)


def test_broken_and_binary_input_never_raises():
    invalid_utf8 = b"<p>caf\xe9 \xff\xfe<b>gras\xc3</b>\x00<img src=x onerror=alert(1)>"
    for html in (
        invalid_utf8.decode("utf-8", errors="replace"),
        invalid_utf8.decode("utf-8", errors="surrogateescape"),
        bytes(range(256)).decode("latin-1") * 50,
        "<" * 100_000,
        "<a href='" + "x" * 100_000,
        '<img src="cid:' + "%" * 1000 + '">',
    ):
        assert_inert(sanitize(html).html)
    assert "caf\ufffd" in sanitize(invalid_utf8.decode("utf-8", errors="replace")).html


def test_formatting_keeps_its_names_and_styles():
    html = sanitize(
        '<p><b>gras</b> <i>italique</i> <font color="#c00" face="Arial">police</font> '
        '<strong style="color:navy">fort</strong> <tt>fixe</tt></p>'
    ).html
    assert html == (
        '<p><b>gras</b> <i>italique</i> <font color="#c00" face="Arial">police</font> '
        '<strong style="color:navy">fort</strong> fixe</p>'
    )


def test_head_content_does_not_leak_into_the_body():
    html = sanitize(
        "<html><head><title>Lettre n°12</title><style>p{color:red}</style></head>"
        "<body><p>Bonjour</p></body></html>"
    ).html
    assert html == "<p>Bonjour</p>"


def test_sanitised_output_keeps_only_allowed_attributes_per_tag():
    html = sanitize(
        '<table id="t" class="x" width="600" cellpadding="0" data-x="1">'
        '<tr><td colspan="2" valign="top" bgcolor="#eee" nowrap>c</td></tr></table>'
    ).html
    assert re.fullmatch(
        r'<table width="600" cellpadding="0"><tbody><tr>'
        r'<td colspan="2" valign="top" bgcolor="#eee" nowrap="">c</td></tr></tbody></table>',
        html,
    )
