"""The folder loops of every mail page, written in Python (mail/webmail/folder_links.py): the
same markup and URLs as the template loops they replace, nothing foreign unescaped."""

import re

import pytest
from django.template import Context, Template
from django.template.defaultfilters import urlencode
from django.urls import reverse
from django.utils import translation

from mail.imap import Folder
from mail.imap.folders import folder_tree
from mail.webmail.folder_links import (
    folder_links_html,
    folder_url,
    folder_url_base,
    move_options_html,
)
from mail.webmail.views.reading import message_links

# The loops as _layout.html, folder.html and _message.html wrote them before.
SIDEBAR = Template(
    "{% load i18n %}{% for entry in folders %}{% if entry.folder.selectable and"
    " entry.folder.subscribed or entry.folder.special_use %}"
    '<li class="fr-sidemenu__item{% if entry.name == current.name or entry.name == folder %}'
    ' fr-sidemenu__item--active{% endif %}">'
    '  <a class="fr-sidemenu__link cv-folder {{ entry.icon }}'
    " cv-folder--depth-{{ entry.folder.depth|stringformat:'d' }}\""
    '     href="{% url \'mail:folder\' mailbox_id entry.name %}" data-folder="{{ entry.name }}"'
    '     {% if entry.name == current.name or entry.name == folder %}aria-current="page"'
    "{% endif %}>"
    '    {% if entry.colour %}<span class="cv-dot cv-dot--{{ entry.colour }}" aria-hidden="true">'
    "</span>{% endif %}"
    '    <span class="cv-folder__label">{{ entry.label }}</span>'
    '    {% if entry.folder.unread %}<span class="fr-badge fr-badge--sm fr-badge--blue-ecume'
    ' cv-count">{{ entry.folder.unread }}<span class="fr-sr-only"> {% translate "unread" %}'
    "</span></span>{% endif %}"
    "  </a>"
    "</li>"
    "{% endif %}{% endfor %}"
)
MOVE = Template(
    "{% for entry in folders %}{% if entry.folder.selectable and entry.name != current.name %}"
    '<option value="{{ entry.name }}">{{ entry.label }}</option>{% endif %}{% endfor %}'
)
NAMES = [
    "INBOX", "Sent", "Trash", "Projets", "Projets/2026 été", 'a<b>"c"&d\'', "100% sûr",
    "x?y#z", "espace  double", "./..", "a/./b/../c", "~:@!$&'()*+,;=", "Ünïcødé/ß",
]  # fmt: skip
SPECIAL = {"INBOX": "inbox", "Sent": "sent", "Trash": "trash"}


def folders() -> list:
    listed = [
        Folder(name=name, delimiter="/", special_use=SPECIAL.get(name), subscribed=i % 4 != 3,
               total=10 * i, unread=i % 3 * 7, selectable=i % 5 != 4)
        for i, name in enumerate(NAMES)
    ]  # fmt: skip
    colours = {"Projets": "blue", "100% sûr": 'red"><script>'}
    return folder_tree(listed, colours)


def same(html: str) -> str:
    return re.sub(r"\s*>\s*", ">", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_sidebar_and_the_move_menu_are_what_the_template_loops_wrote(language):
    entries = folders()
    with translation.override(language):
        for active in ["INBOX", "Projets/2026 été", 'a<b>"c"&d\'', "ailleurs"]:
            current = next((e.folder for e in entries if e.name == active), None)
            context = Context({"folders": entries, "mailbox_id": 42, "current": current})
            assert same(folder_links_html(entries, 42, {active})) == same(SIDEBAR.render(context))
            assert move_options_html(entries, active) == MOVE.render(context)
    assert "<script>" not in folder_links_html(entries, 42, set())


def test_folder_urls_are_quoted_as_reverse_quotes_them():
    base = folder_url_base(7)
    for name in NAMES:
        assert folder_url(base, name) == reverse("mail:folder", args=[7, name]), name


def test_the_message_pages_links_are_what_reverse_writes():
    for name in NAMES:
        links = message_links(7, name, 31, 40, 9)
        assert links["message"] == reverse("mail:message", args=[7, name, 31])
        for view, suffix in [("body", "corps/"), ("headers", "entetes/"), ("source", "source/"),
                             ("print", "imprimer/")]:  # fmt: skip
            assert links["message"] + suffix == reverse(f"mail:{view}", args=[7, name, 31])
        assert links["message"] + "piece/2/" == reverse("mail:attachment", args=[7, name, 31, 2])
        assert links["newer"] == reverse("mail:message", args=[7, name, 40])
        assert links["older"] == reverse("mail:message", args=[7, name, 9])
        assert links["folder"] == reverse("mail:folder", args=[7, name])
        assert links["act"] == reverse("mail:act", args=[7])
        assert links["phishing"] == reverse("mail:report_phishing", args=[7])
        assert links["trust"] == reverse("mail:trust_sender", args=[7])
        assert links["about"] == f"boite=7&dossier={urlencode(name)}&uid=31"
    assert message_links(7, "INBOX", 31, None, None)["newer"] == ""
