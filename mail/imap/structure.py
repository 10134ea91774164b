"""Reading structured server answers: what a BODYSTRUCTURE (RFC 3501 §7.4.2) says about
attachments, as mail clients count them, and the UIDs a COPYUID (RFC 4315) gives.

A paperclip means a part someone would save: declared an attachment, a named file, an
attached message, or a non-text part that the body does not show inline (no Content-ID).
multipart/mixed alone proves nothing: many mailers wrap a plain text and a footer in it.
"""

_MAX_DEPTH = 30


def _text(value) -> str:
    return value.decode("ascii", "replace").lower() if isinstance(value, bytes) else ""


def _params(value) -> dict[str, str]:
    if not isinstance(value, tuple):
        return {}
    return {_text(value[i]): _text(value[i + 1]) for i in range(0, len(value) - 1, 2)}


def has_attachments(structure, depth: int = 0) -> bool:
    if structure is None or depth > _MAX_DEPTH:
        return False
    if structure.is_multipart:
        parts = structure[0] if isinstance(structure[0], list) else []
        return any(has_attachments(part, depth + 1) for part in parts)
    kind, subtype = _text(structure[0]), _text(structure[1])
    if (kind, subtype) == ("message", "rfc822"):
        return True
    # Extension fields: text parts carry a line count before MD5 and disposition.
    position = 9 if kind == "text" else 8
    disposition = structure[position] if len(structure) > position else None
    disposition_type, disposition_params = "", {}
    if isinstance(disposition, tuple) and disposition:
        disposition_type, disposition_params = _text(disposition[0]), _params(disposition[1])
    if disposition_type == "attachment":
        return True
    named = "filename" in disposition_params or "name" in _params(structure[2])
    if kind == "text" and not named:
        return False  # the body, or an alternative of it
    return not structure[3]  # a Content-ID: shown inside the body (a logo), not attached


def _uid_set(text: str) -> list[int]:
    uids: list[int] = []
    for piece in text.split(","):
        first, _, last = piece.partition(":")
        low, high = sorted((int(first), int(last or first)))
        uids.extend(range(low, high + 1))
    return uids


def copied_uids(answers) -> dict[int, int]:
    """«<uidvalidity> <old set> <new set>»: both sets list the messages in the same order."""
    if not answers:
        return {}
    value = answers[-1]
    text = value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)
    try:
        _, old, new = text.split()[:3]
        return dict(zip(_uid_set(old), _uid_set(new), strict=True))
    except ValueError:  # an answer we cannot read: no undo offered
        return {}
