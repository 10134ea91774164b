"""«Distribution directe dans ce dossier»: a folder of a shared mailbox with its own
address (shared_mailboxes' ``FolderAddress`` rows). The gateway accepts those addresses;
delivery APPENDs the message into that folder (Dovecot keeps quota and full-text indexing
as for LMTP)."""

import logging

from mail.imap import InvalidRequest, MailStoreUnavailable, imap_session
from shared_mailboxes.models import FolderAddress

logger = logging.getLogger(__name__)


def is_folder_address(address: str) -> bool:
    return FolderAddress.objects.filter(address=address.lower()).exists()


def folder_targets(addresses) -> dict[str, FolderAddress]:
    """Address → its folder, for those of ``addresses`` that are folder addresses."""
    lowered = {address.lower(): address for address in addresses}
    found = FolderAddress.objects.filter(address__in=list(lowered)).select_related("mailbox")
    return {lowered[target.address]: target for target in found}


def deliver_to_folders(raw: bytes, targets: dict[str, FolderAddress]):
    """(delivered addresses, {address: reason} to try again). A folder renamed or deleted
    since gets the message in the mailbox's INBOX: nothing is lost."""
    delivered, deferred = [], {}
    for address, target in targets.items():
        try:
            try:
                _append(target.mailbox.imap_user, target.folder, raw)
            except InvalidRequest:
                logger.warning("folder %s of %s is gone: delivered to INBOX",
                               target.folder, target.mailbox.imap_user)  # fmt: skip
                _append(target.mailbox.imap_user, "INBOX", raw)
        except (MailStoreUnavailable, InvalidRequest) as exc:
            deferred[address] = f"Dovecot unavailable: {exc}"
            continue
        delivered.append(address)
    return delivered, deferred


def _append(imap_user: str, folder: str, raw: bytes) -> None:
    with imap_session(imap_user) as box:
        box.append(folder, raw, seen=False)
