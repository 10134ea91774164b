"""A private series keeps its exceptions private: phones and Thunderbird write a changed
occurrence as its own VEVENT, often without the series' CLASS (RFC 5545 does not carry it
over), and its title must not reach those who see the series as «Occupé»."""

from datetime import datetime

from calendar_app import ical, mirror
from tests.agenda_helpers import PARIS

SERIES = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:suivi@test\r\nDTSTAMP:20261101T080000Z\r\n"
    "DTSTART;TZID=Europe/Paris:20261116T140000\r\nDTEND;TZID=Europe/Paris:20261116T150000\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Séance de kiné\r\nCLASS:PRIVATE\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:suivi@test\r\nDTSTAMP:20261101T080000Z\r\n"
    "RECURRENCE-ID;TZID=Europe/Paris:20261123T140000\r\n"
    "DTSTART;TZID=Europe/Paris:20261123T170000\r\nDTEND;TZID=Europe/Paris:20261123T180000\r\n"
    "SUMMARY:Kiné déplacée\r\nLOCATION:Cabinet Dupuy\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_a_moved_occurrence_of_a_private_series_is_private():
    found = ical.expand(SERIES, datetime(2026, 11, 16, tzinfo=PARIS),
                        datetime(2026, 12, 7, tzinfo=PARIS), calendar="personnel",
                        href="suivi.ics", etag="", zone=PARIS)  # fmt: skip
    assert [(o.start.day, o.start.hour, o.private) for o in found] == [
        (16, 14, True), (23, 17, True), (30, 14, True)]  # fmt: skip


def test_the_readers_copy_hides_a_moved_occurrence_of_a_private_series():
    for busy in (False, True):
        copy = mirror.filtered(SERIES, busy=busy)
        assert copy.count("BEGIN:VEVENT") == 2
        assert "Kiné" not in copy and "Cabinet" not in copy
        assert "RECURRENCE-ID;TZID=Europe/Paris:20261123T140000" in copy
