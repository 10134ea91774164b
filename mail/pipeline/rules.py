"""«Règles de tri»: which rules a parsed message matches, and what then happens to it.

Pure logic, no IMAP and no database: the delivery pipeline, the «Appliquer maintenant» task,
the live preview and the Sieve import/export all use the same definitions. The semantics
follow Sieve (RFC 5228): a message is kept in the INBOX unless an action files it elsewhere
(«déplacer») or sends it away without a copy.
"""

import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses

from django.utils.translation import gettext_lazy as _

from mail.message.parse import ReadableMessage, read_message

# Fields a condition can look at, and the comparisons each allows.
TEXT_FIELDS = {
    "from": _("Sender (From)"),
    "to_cc": _("Recipients (To or Cc)"),
    "subject": _("Subject"),
    "body": _("Text of the message"),
    "list_id": _("Mailing list (List-Id)"),
}
FIELDS = {
    **TEXT_FIELDS,
    "size": _("Size"),
    "attachment": _("Attachments"),
}
TEXT_OPS = {
    "contains": _("contains"),
    "not_contains": _("does not contain"),
    "is": _("is"),
    "matches": _("matches (* and ? as wildcards)"),
}
SIZE_OPS = {"over": _("is larger than (KB)"), "under": _("is smaller than (KB)")}
ATTACHMENT_OPS = {"present": _("has attachments"), "absent": _("has no attachments")}
OPS = {**TEXT_OPS, **SIZE_OPS, **ATTACHMENT_OPS}

ACTIONS = {
    "move": _("Move to the folder"),
    "copy": _("Copy to the folder"),
    "mark_read": _("Mark as read"),
    "flag": _("Flag for follow-up"),
    "label": _("Add the label"),
    "forward": _("Forward to (and keep it here)"),
    "redirect": _("Forward to (without keeping it here)"),
}
ACTIONS_WITH_FOLDER = {"move", "copy"}
ACTIONS_WITH_ADDRESS = {"forward", "redirect"}

# The labels Thunderbird and most IMAP clients know, so they show there too.
LABELS = {
    "$label1": (_("Important"), "red"),
    "$label2": (_("Work"), "orange"),
    "$label3": (_("Personal"), "green"),
    "$label4": (_("To do"), "blue"),
    "$label5": (_("Later"), "purple"),
}

SEEN = "\\Seen"
FLAGGED = "\\Flagged"
INBOX = "INBOX"
MAX_VALUE_LENGTH = 200
_ADDRESS_RE = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")


NO_ACTION = _("Choose at least one thing for the rule to do.")


class InvalidRule(ValueError):
    """A condition or action that cannot be valid; the message is shown to the user."""


@dataclass(frozen=True)
class MessageFacts:
    """What conditions look at, taken once from the raw message."""

    senders: tuple[str, ...]
    recipients: tuple[str, ...]
    subject: str
    body: str
    list_id: str
    size: int
    has_attachment: bool


def _with_addresses(values: list[str]) -> tuple[str, ...]:
    """Each header as written («Paul Durand <paul@x>») and each bare address in it."""
    found = [v for v in values if v]
    found += [address for _name, address in getaddresses(values) if address]
    return tuple(dict.fromkeys(found))


def facts_from_message(message: ReadableMessage, *, size: int) -> MessageFacts:
    headers: dict[str, list[str]] = {}
    for name, value in message.headers:
        headers.setdefault(name.lower(), []).append(value)
    return MessageFacts(
        senders=_with_addresses(headers.get("from", [])),
        recipients=_with_addresses(headers.get("to", []) + headers.get("cc", [])),
        subject=message.subject,
        body=message.text,
        list_id=" ".join(headers.get("list-id", [])),
        size=size,
        has_attachment=any(a.filename or not a.content_id for a in message.attachments),
    )


def facts_from_parsed(parsed: EmailMessage, *, size: int) -> MessageFacts:
    """At delivery: the message parsed once by the pipeline."""
    return facts_from_message(read_message(b"", parsed), size=size)


def facts_from_raw(raw: bytes, *, size: int | None = None) -> MessageFacts:
    """``size`` is the whole message's when ``raw`` is only its beginning (the preview and
    «Appliquer maintenant» read at most the first few hundred KB of each message)."""
    return facts_from_message(read_message(raw), size=len(raw) if size is None else size)


def wildcard(pattern: str) -> re.Pattern:
    """Sieve :matches (RFC 5228 §2.7.1): * any run of characters, ? one character."""
    parts = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(parts, re.IGNORECASE | re.DOTALL)


def _text_values(facts: MessageFacts, name: str) -> tuple[str, ...]:
    return {
        "from": facts.senders,
        "to_cc": facts.recipients,
        "subject": (facts.subject,),
        "body": (facts.body,),
        "list_id": (facts.list_id,) if facts.list_id else (),
    }[name]


def condition_matches(condition: dict, facts: MessageFacts) -> bool:
    name, op, value = condition["field"], condition["op"], condition.get("value", "")
    if name == "size":
        limit = int(value) * 1024
        return facts.size > limit if op == "over" else facts.size < limit
    if name == "attachment":
        return facts.has_attachment == (op == "present")
    values = _text_values(facts, name)
    wanted = str(value).casefold()
    if op == "contains":
        return any(wanted in v.casefold() for v in values)
    if op == "not_contains":
        return not any(wanted in v.casefold() for v in values)
    if op == "is":
        return any(wanted == v.strip().casefold() for v in values)
    pattern = wildcard(str(value))
    return any(pattern.fullmatch(v.strip()) for v in values)


def rule_matches(*, match: str, conditions: list[dict], facts: MessageFacts) -> bool:
    """No condition at all means every message (a rule such as «tout transférer»)."""
    if not conditions:
        return True
    results = (condition_matches(c, facts) for c in conditions)
    return any(results) if match == "any" else all(results)


@dataclass
class Outcome:
    """Where a message goes after the rules: the folders it is stored in (none when it only
    leaves), the flags and keywords it carries, and where it is sent on."""

    keep_in_inbox: bool = True
    folders: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    keywords: set[str] = field(default_factory=set)
    forward_to: list[str] = field(default_factory=list)
    matched: list[int] = field(default_factory=list)  # ids of the rules that matched

    @property
    def stores(self) -> list[str]:
        folders = [INBOX] if self.keep_in_inbox else []
        return list(dict.fromkeys(folders + self.folders))

    def apply(self, actions: list[dict]) -> None:
        for action in actions:
            kind, value = action["type"], action.get("value", "")
            if kind == "move":
                self.keep_in_inbox = False
                self.folders.append(value)
            elif kind == "copy":
                self.folders.append(value)
            elif kind == "mark_read":
                self.flags.add(SEEN)
            elif kind == "flag":
                self.flags.add(FLAGGED)
            elif kind == "label":
                self.keywords.add(value)
            elif kind in ACTIONS_WITH_ADDRESS:
                if kind == "redirect":
                    self.keep_in_inbox = False
                if value not in self.forward_to:
                    self.forward_to.append(value)


def evaluate(rules, facts: MessageFacts) -> Outcome:
    """``rules``: Rule rows (or anything with the same attributes), in their order."""
    outcome = Outcome()
    for rule in rules:
        if not rule.enabled:
            continue
        if rule_matches(match=rule.match, conditions=rule.conditions, facts=facts):
            outcome.matched.append(rule.id)
            outcome.apply(rule.actions)
            if rule.stop:
                break
    return outcome


# --- validation -----------------------------------------------------------------------------


def check_address(value: str) -> str:
    value = value.strip().lower()
    if len(value) > 254 or not _ADDRESS_RE.match(value):
        raise InvalidRule(_("“%(value)s” is not an e-mail address.") % {"value": value})
    return value


def clean_condition(condition: dict) -> dict:
    name, op = condition.get("field"), condition.get("op")
    value = str(condition.get("value", "")).strip()
    if name not in FIELDS:
        raise InvalidRule(_("Choose what the condition looks at."))
    if name == "size":
        if op not in SIZE_OPS:
            raise InvalidRule(_("Choose “larger than” or “smaller than” for the size."))
        if not value.isdigit() or not 0 < int(value) < 10_000_000:
            raise InvalidRule(_("Give the size as a whole number of KB, for example 500."))
        return {"field": name, "op": op, "value": str(int(value))}
    if name == "attachment":
        if op not in ATTACHMENT_OPS:
            raise InvalidRule(_("Choose “has attachments” or “has no attachments”."))
        return {"field": name, "op": op, "value": ""}
    if op not in TEXT_OPS:
        raise InvalidRule(_("Choose how to compare the text."))
    if not value:
        raise InvalidRule(_("Type the text the condition looks for."))
    if len(value) > MAX_VALUE_LENGTH or any(ord(c) < 32 for c in value):
        raise InvalidRule(_("The text of a condition is too long or contains invalid characters."))
    return {"field": name, "op": op, "value": value}


def clean_action(action: dict) -> dict:
    kind = action.get("type")
    value = str(action.get("value", "")).strip()
    if kind not in ACTIONS:
        raise InvalidRule(_("Choose what the rule does."))
    if kind in ACTIONS_WITH_FOLDER:
        if not value:
            raise InvalidRule(_("Choose the folder."))
        return {"type": kind, "value": value}
    if kind in ACTIONS_WITH_ADDRESS:
        return {"type": kind, "value": check_address(value)}
    if kind == "label":
        if value not in LABELS:
            raise InvalidRule(_("Choose a label."))
        return {"type": kind, "value": value}
    return {"type": kind, "value": ""}


def default_name(conditions: list[dict]) -> str:
    """«Objet contient "Pronote"», for a rule saved without a name."""
    if not conditions:
        return str(_("Every message"))
    first = conditions[0]
    text = f"{FIELDS[first['field']]} {OPS[first['op']]} {first['value']}".strip()
    return text[:100]
