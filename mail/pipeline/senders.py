"""Who sent a message, as automatic answers (absence replies, bounces) must know: machines and
lists never get one, so that two robots never answer each other forever."""

from email.message import EmailMessage

# Local parts that belong to machines (RFC 5230 §4.6 names the first three).
_MACHINE_PREFIXES = ("owner-", "mailer-daemon", "postmaster", "noreply", "no-reply",
                     "no_reply", "donotreply", "do-not-reply", "do_not_reply", "bounce",
                     "listserv", "majordomo", "ne-pas-repondre", "nepasrepondre",
                     "ne_pas_repondre")  # fmt: skip
_MACHINE_SUFFIXES = ("-request", "-bounces", "-owner")
# RFC 2369 and RFC 2919 list headers: any of them means a list distributed the message.
_LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post", "List-Help", "List-Owner")


def is_machine_address(address: str) -> bool:
    local = address.rpartition("@")[0].lower()
    return local.startswith(_MACHINE_PREFIXES) or local.endswith(_MACHINE_SUFFIXES)


def came_through_a_list(headers: EmailMessage) -> bool:
    return any(headers.get(name) is not None for name in _LIST_HEADERS)
