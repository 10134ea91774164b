"""The country of an IP address, from Debian's geoip-database files (read locally: no lookup
ever leaves the machine). Used to notice a sign-in from a new country, named in the reader's
language from Debian's iso-codes (the ISO 3166 list and its translations)."""

import functools
import gettext
import ipaddress
import json
import logging
from pathlib import Path

import pygeoip
from django.conf import settings
from django.utils import translation

logger = logging.getLogger(__name__)


@functools.cache
def _readers() -> tuple[pygeoip.GeoIP, ...]:
    readers = []
    for path in settings.GEOIP_COUNTRY_DATABASES:
        if Path(path).exists():
            readers.append(pygeoip.GeoIP(path, flags=pygeoip.MEMORY_CACHE))
        else:
            logger.warning("GeoIP database %s is missing: countries are not checked", path)
    return tuple(readers)


def country_of(ip: str | None) -> str | None:
    """ISO code of a public address's country; None for private, unknown or invalid ones."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return None
    if not address.is_global:
        return None
    for reader in _readers():
        try:
            code = reader.country_code_by_addr(str(address))
        except (pygeoip.GeoIPError, OSError, ValueError):
            continue  # an IPv4 file asked about an IPv6 address, and the reverse
        if code:
            return code
    return None


ISO_3166 = Path("/usr/share/iso-codes/json/iso_3166-1.json")
ISO_3166_LOCALES = Path("/usr/share/locale")  # iso_3166-1.mo, one per language


@functools.cache
def _english_names() -> dict[str, str]:
    try:
        entries = json.loads(ISO_3166.read_text())["3166-1"]
    except (OSError, ValueError, KeyError):
        logger.warning("%s is missing or unreadable: countries are shown by their code", ISO_3166)
        return {}
    # The everyday name where ISO's differs («South Korea», not «Korea, Republic of»).
    return {entry["alpha_2"]: entry.get("common_name", entry["name"]) for entry in entries}


@functools.cache
def _names_in(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso_3166-1", ISO_3166_LOCALES, languages=[language],
                               fallback=True)  # fmt: skip


def country_name(code: str | None) -> str:
    """A country code's name in the active language («US»: «États-Unis» in French, «United
    States» in English); the code itself when the list does not have it."""
    english = _english_names().get(code or "")
    if english is None:
        return code or "?"
    return _names_in(translation.get_language() or settings.LANGUAGE_CODE).gettext(english)
