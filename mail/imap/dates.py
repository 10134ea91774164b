"""The one reading of a Date (or Received) header: RFC 5322 §3.3 and its obsolete syntax (§4.3).

Whatever the form, the answer is an aware datetime in UTC, or None for garbage, so every page
converts it the same way to the reader's time zone. It lives with the IMAP adapter, the lowest
layer that needs it (the lists); the reading side (mail.message) uses it from here.
"""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz

_COMMENT = re.compile(r"\((?:[^()\\]|\\.)*\)")
_SPACED_COLON = re.compile(r"\s*:\s*")
_SPACED_COMMA = re.compile(r"\s*,\s*")
# day month year: the year is given its RFC 5322 §4.3 century before the stdlib sees it.
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?\s+(\d{2,4})\b")
# A day inside the calendar's ends, so that every time zone can still show the date.
_FIRST = datetime(1, 1, 2, tzinfo=UTC)
_LAST = datetime(9999, 12, 30, tzinfo=UTC)


def _full_year(match: re.Match) -> str:
    day, month, year = match.groups()
    number = int(year)
    if len(year) == 2:  # 00-49 are 2000-2049, 50-99 are 1950-1999
        number += 2000 if number < 50 else 1900
    elif len(year) == 3:  # a three-digit year counts from 1900
        number += 1900
    return f"{day} {month} {number}"


def _without_comments(value: str) -> str:
    previous = None
    while previous != value:  # comments nest (CFWS)
        previous, value = value, _COMMENT.sub(" ", value)
    return value


def parse_date(value: str | bytes | None) -> datetime | None:
    """An aware UTC datetime, or None when nothing sensible can be read.

    ``-0000``, military zones and unknown zone names mean «local time unknown» (RFC 5322
    §3.3, §4.3): the time is taken as UTC rather than as the server's local time.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    text = " ".join(_without_comments(str(value)).split())
    if not text:
        return None
    text = _SPACED_COMMA.sub(", ", _SPACED_COLON.sub(":", text)).lstrip(", ")
    text = _DAY_MONTH_YEAR.sub(_full_year, text, count=1)
    fields = parsedate_tz(text)
    if fields is None:
        return _iso(text)
    year, month, day, hour, minute, second = fields[:6]
    offset = fields[9] or 0
    try:
        moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
        return _shown(moment - timedelta(seconds=offset))
    except (ValueError, OverflowError):
        return None


def _iso(text: str) -> datetime | None:
    """Some scripts write ISO 8601 into Date; read it rather than show nothing."""
    try:
        moment = datetime.fromisoformat(text)
        return _shown(moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC))
    except (ValueError, OverflowError):
        return None


def _shown(moment: datetime) -> datetime | None:
    """None past the calendar's ends: a hostile Date must not break the list that shows it."""
    return moment if _FIRST <= moment <= _LAST else None
