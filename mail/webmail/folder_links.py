"""The sidebar's folder links and the «Move to» menus, written in Python once per page.

Every mail page lists the folders twice (the sidebar, the move menu): through the template
engine each folder cost some 500 Python calls, its URL reversal 140 of them, so a person with
thirty folders paid more for these two loops than for the fifty lines of the list
(bench/where_the_time_goes.md, third pass). Every name and label goes through escape(), as
{{ }} would.
"""

from html import escape
from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from mail.imap.folders import FolderEntry

# What Django's reverse() leaves unquoted in a path argument (django.urls.resolvers).
_URL_SAFE = RFC3986_SUBDELIMS + "/~:@"
_ACTIVE = " fr-sidemenu__item--active"
_CURRENT = ' aria-current="page"'
_COLOUR = '<span class="cv-dot cv-dot--{}" aria-hidden="true"></span>'
_UNREAD = (
    '<span class="fr-badge fr-badge--sm fr-badge--blue-ecume cv-count">{}'
    '<span class="fr-sr-only"> {}</span></span>'
)


def folder_url_base(mailbox_id: int) -> str:
    """The folder page's URL without its folder: reversed once, the names quoted as reverse()
    quotes them (tests/test_folder_links.py compares the two)."""
    return reverse("mail:folder", args=[mailbox_id, "INBOX"])[: -len("INBOX/")]


def folder_url(base: str, name: str) -> str:
    return f"{base}{quote(name, safe=_URL_SAFE)}/"


def folder_links_html(entries: list[FolderEntry], mailbox_id: int, active: set[str]) -> SafeString:
    """The sidebar's <li> of each folder shown: subscribed ones and the special folders."""
    base, unread_word, lines = folder_url_base(mailbox_id), escape(_("unread")), []
    for entry in entries:
        folder = entry.folder
        if not (folder.selectable and folder.subscribed or folder.special_use):
            continue
        name = escape(entry.name)
        current = entry.name in active
        lines.append(
            f'<li class="fr-sidemenu__item{_ACTIVE if current else ""}">'
            f'<a class="fr-sidemenu__link cv-folder {escape(entry.icon)}'
            f' cv-folder--depth-{folder.depth:d}"'
            f' href="{escape(folder_url(base, entry.name))}" data-folder="{name}"'
            f"{_CURRENT if current else ''}>"
            + (_COLOUR.format(escape(entry.colour)) if entry.colour else "")
            + f'<span class="cv-folder__label">{escape(entry.label)}</span>'
            + (_UNREAD.format(folder.unread, unread_word) if folder.unread else "")
            + "</a></li>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 (every part escaped above)


def move_options_html(entries: list[FolderEntry], current: str) -> SafeString:
    """The <option> of each folder a message can be moved to, the current one left out."""
    return mark_safe(  # noqa: S308 (every part escaped)
        "".join(
            f'<option value="{escape(entry.name)}">{escape(entry.label)}</option>'
            for entry in entries
            if entry.folder.selectable and entry.name != current
        )
    )
