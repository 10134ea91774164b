"""The folder tree as people see it: special folders first, named in their language."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from mail.imap import Folder

SPECIAL_LABELS = {
    "inbox": _("Inbox"),
    "drafts": _("Drafts"),
    "sent": _("Sent"),
    "archive": _("Archives"),
    "junk": _("Junk"),
    "trash": _("Trash"),
}
SPECIAL_ORDER = list(SPECIAL_LABELS)
SPECIAL_ICONS = {
    "inbox": "fr-icon-inbox-line",
    "drafts": "fr-icon-draft-line",
    "sent": "fr-icon-send-plane-line",
    "archive": "fr-icon-archive-line",
    "junk": "fr-icon-warning-line",
    "trash": "fr-icon-delete-line",
}
# DSFR illustrative colours: each keeps a 4.5:1 contrast on white for the folder's dot.
COLOURS = {
    "": _("No colour"),
    "blue": _("Blue"),
    "green": _("Green"),
    "orange": _("Orange"),
    "purple": _("Purple"),
    "red": _("Red"),
}


@dataclass(frozen=True)
class FolderEntry:
    folder: Folder
    label: str
    icon: str
    colour: str

    @property
    def name(self) -> str:
        return self.folder.name


def label_for(folder: Folder) -> str:
    return str(SPECIAL_LABELS.get(folder.special_use or "", folder.leaf))


def folder_tree(folders: list[Folder], colours: dict[str, str] | None = None) -> list[FolderEntry]:
    colours = colours or {}

    def order(folder: Folder):
        if folder.special_use in SPECIAL_ORDER:
            return (0, SPECIAL_ORDER.index(folder.special_use), "")
        return (1, 0, folder.name.casefold())

    return [
        FolderEntry(
            folder=folder,
            label=label_for(folder),
            icon=SPECIAL_ICONS.get(folder.special_use or "", "fr-icon-folder-2-line"),
            colour=colours.get(folder.name, ""),
        )
        for folder in sorted(folders, key=order)
    ]


def find(folders: list[Folder], name: str) -> Folder | None:
    return next((folder for folder in folders if folder.name == name), None)
