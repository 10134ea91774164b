"""Reading settings from the environment, in one place."""

import os
import secrets
from pathlib import Path


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def _port(name: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{name}: {text!r} is not a port number")
    return int(text)


def endpoints(name: str, default: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """``host:port,host:port`` as [(host, port), …]; an IPv6 address in brackets."""
    items = env_list(name, [])
    if not items:
        return default
    result = []
    for item in items:
        host, separator, port = item.rpartition(":")
        if not separator or not host:
            raise ValueError(f"{name} must list host:port pairs, got {item!r}")
        result.append((host.removeprefix("[").removesuffix("]"), _port(name, port)))
    return result


def backends(name: str) -> list[tuple[str, str, int, int]]:
    """``name=host:imap_port:lmtp_port,…`` as [(name, host, imap_port, lmtp_port), …]."""
    result = []
    for item in env_list(name, []):
        label, _, address = item.partition("=")
        parts = address.split(":")
        if not label.replace("-", "").replace("_", "").isalnum() or len(parts) != 3:
            raise ValueError(f"{name} must list name=host:imap_port:lmtp_port, got {item!r}")
        result.append((label, parts[0], _port(name, parts[1]), _port(name, parts[2])))
    if len({label for label, *_ in result}) != len(result):
        raise ValueError(f"{name} names a backend twice")
    return result


def secret_from_file(path: Path) -> str:
    """A development secret kept under var/ (0600), created on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it a moment ago
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
