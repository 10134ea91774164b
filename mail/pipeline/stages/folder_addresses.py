"""Folders of shared mailboxes with their own address («distribution directe dans ce
dossier»): APPENDed into that folder rather than through LMTP."""

from mail.pipeline import folder_delivery


def process(context) -> None:
    folders = folder_delivery.folder_targets(context.local)
    if not folders:
        return
    into_folders, not_yet = folder_delivery.deliver_to_folders(context.raw, folders)
    context.message.delivered_to += into_folders
    context.errors.update(not_yet)
    context.deferred = bool(not_yet)
    context.local = [r for r in context.local if r not in folders]
