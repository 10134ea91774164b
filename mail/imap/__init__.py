"""The only package that speaks IMAP. Sessions log in as ``user*master`` and stay warm.

Every folder name, UID and search term is checked in ``mail.imap.types`` before it reaches
the server, so no caller can inject IMAP syntax.
"""

from mail.imap.pool import close_all_sessions, imap_session
from mail.imap.types import (
    Conversation,
    ConversationPage,
    EnvelopeSummary,
    Folder,
    InvalidRequest,
    MailStoreUnavailable,
    MessagePage,
    SearchQuery,
    SortKey,
)

__all__ = [
    "Conversation",
    "ConversationPage",
    "EnvelopeSummary",
    "Folder",
    "InvalidRequest",
    "MailStoreUnavailable",
    "MessagePage",
    "SearchQuery",
    "SortKey",
    "close_all_sessions",
    "imap_session",
]
