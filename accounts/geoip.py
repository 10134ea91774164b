"""The country of an IP address, from Debian's geoip-database files (read locally: no lookup
ever leaves the machine). Used to notice a sign-in from a new country."""

import functools
import ipaddress
import logging
from pathlib import Path

import pygeoip
from django.conf import settings

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
