"""Recipient suggestions for the compose field, from the directory's search, and the way an
address is shown to a person (never MIME-encoded: that is for the message's headers only)."""

import re

# RFC 5322 specials: a display name holding one of them must be quoted to parse back.
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')


def display_address(name: str, address: str) -> str:
    """«Hélène Dupré <helene.dupre@…>», as typed in a recipient field."""
    name = " ".join(name.split())
    if not name:
        return address
    if _SPECIALS.search(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"
