"""Recurring events written as phones read them: RRULE, RECURRENCE-ID, EXDATE and UNTIL,
checked by expanding the result (no server needed)."""

from datetime import date, datetime, timedelta

import pytest

from calendar_app import edits, ical
from calendar_app.edits import EventData, Recurrence
from tests.agenda_helpers import PARIS

WEEK = (datetime(2026, 9, 7, tzinfo=PARIS), datetime(2026, 12, 31, tzinfo=PARIS))


def _starts(calendar, start=WEEK[0], end=WEEK[1], cap=None):
    text = ical.serialize(calendar)
    found = ical.expand(text, start, end, calendar="c", href="h.ics", etag="", cap=cap)
    return [o.start for o in found], found


def _weekly_class(**recurrence):
    return edits.new_event(EventData(
        title="Maths 2nde B", start=datetime(2026, 9, 7, 8, 0, tzinfo=PARIS),
        end=datetime(2026, 9, 7, 9, 0, tzinfo=PARIS),
        recurrence=Recurrence(frequency="WEEKLY", weekdays=["MO", "TH"], **recurrence),
    ))  # fmt: skip


def test_weekly_on_chosen_days_until_a_date():
    starts, _ = _starts(_weekly_class(until=date(2026, 9, 21)))
    assert [s.date() for s in starts] == [date(2026, 9, 7), date(2026, 9, 10), date(2026, 9, 14),
                                          date(2026, 9, 17), date(2026, 9, 21)]  # fmt: skip
    assert all(s.hour == 8 for s in starts)  # local time kept across the October change


def test_monthly_on_the_second_tuesday_and_count():
    calendar = edits.new_event(EventData(
        title="Conseil pédagogique", start=datetime(2026, 9, 8, 17, 0, tzinfo=PARIS),
        end=datetime(2026, 9, 8, 18, 0, tzinfo=PARIS),
        recurrence=Recurrence(frequency="MONTHLY", monthly_by_weekday=True, count=3),
    ))  # fmt: skip
    assert "BYDAY=2TU" in ical.serialize(calendar)
    starts, _ = _starts(calendar)
    assert [s.date() for s in starts] == [date(2026, 9, 8), date(2026, 10, 13), date(2026, 11, 10)]


def test_an_endless_rule_is_capped():
    calendar = edits.new_event(EventData(
        title="Bip", start=datetime(2026, 9, 7, 8, 0, tzinfo=PARIS),
        end=datetime(2026, 9, 7, 8, 1, tzinfo=PARIS),
        recurrence=Recurrence(frequency="DAILY"),
    ))  # fmt: skip
    text = ical.serialize(calendar).replace("FREQ=DAILY", "FREQ=SECONDLY")
    found = ical.expand(text, WEEK[0], WEEK[1], calendar="c", href="h", etag="", cap=500)
    assert len(found) == 500


def test_this_occurrence_only_becomes_an_exception():
    calendar = _weekly_class()
    key = ical.recurrence_key(datetime(2026, 9, 14, 8, 0, tzinfo=PARIS))
    edits.change_this(calendar, key, EventData(
        title="Maths 2nde B (salle 12)", start=datetime(2026, 9, 14, 10, 0, tzinfo=PARIS),
        end=datetime(2026, 9, 14, 11, 0, tzinfo=PARIS)))  # fmt: skip
    text = ical.serialize(calendar)
    assert "RECURRENCE-ID;TZID=Europe/Paris:20260914T080000" in text
    starts, found = _starts(calendar, end=datetime(2026, 9, 18, tzinfo=PARIS))
    assert [(o.start.day, o.start.hour, o.title) for o in found] == [
        (7, 8, "Maths 2nde B"), (10, 8, "Maths 2nde B"),
        (14, 10, "Maths 2nde B (salle 12)"), (17, 8, "Maths 2nde B")]  # fmt: skip


def test_delete_this_writes_an_exdate_and_drops_its_exception():
    calendar = _weekly_class()
    key = ical.recurrence_key(datetime(2026, 9, 14, 8, 0, tzinfo=PARIS))
    edits.change_this(calendar, key, EventData(
        title="Déplacé", start=datetime(2026, 9, 14, 10, 0, tzinfo=PARIS),
        end=datetime(2026, 9, 14, 11, 0, tzinfo=PARIS)))  # fmt: skip
    edits.delete_this(calendar, key)
    text = ical.serialize(calendar)
    assert "EXDATE;TZID=Europe/Paris:20260914T080000" in text
    assert "RECURRENCE-ID" not in text
    starts, _ = _starts(calendar, end=datetime(2026, 9, 18, tzinfo=PARIS))
    assert [s.day for s in starts] == [7, 10, 17]


def test_this_and_following_ends_the_series_with_until():
    calendar = _weekly_class(count=10)
    key = ical.recurrence_key(datetime(2026, 9, 17, 8, 0, tzinfo=PARIS))
    assert edits.end_series_before(calendar, key)
    text = ical.serialize(calendar)
    assert "COUNT" not in text
    assert "UNTIL=20260917T055959Z" in text  # 07:59:59 in Paris, in UTC
    starts, _ = _starts(calendar)
    assert [s.day for s in starts] == [7, 10, 14]


def test_this_and_following_from_the_first_occurrence_is_the_whole_series():
    calendar = _weekly_class()
    assert not edits.end_series_before(calendar, ical.recurrence_key(
        datetime(2026, 9, 7, 8, 0, tzinfo=PARIS)))  # fmt: skip


def test_changing_all_moves_the_series_by_the_occurrences_shift():
    calendar = _weekly_class()
    key = ical.recurrence_key(datetime(2026, 9, 14, 8, 0, tzinfo=PARIS))
    edits.change_all(calendar, key, EventData(
        title="Maths", start=datetime(2026, 9, 14, 9, 0, tzinfo=PARIS),
        end=datetime(2026, 9, 14, 10, 30, tzinfo=PARIS),
        recurrence=Recurrence(frequency="WEEKLY", weekdays=["MO", "TH"])))  # fmt: skip
    starts, found = _starts(calendar, end=datetime(2026, 9, 12, tzinfo=PARIS))
    assert [(s.day, s.hour) for s in starts] == [(7, 9), (10, 9)]
    assert found[0].end - found[0].start == timedelta(minutes=90)


def test_all_day_event_and_reminders():
    calendar = edits.new_event(EventData(
        title="Journée pédagogique", start=date(2026, 11, 2), end=date(2026, 11, 3),
        reminders=[15, 1440], private=True, busy=False))  # fmt: skip
    _, found = _starts(calendar)
    assert found[0].all_day and found[0].private and not found[0].busy
    assert found[0].reminders == [15, 1440]


def test_unreadable_text_is_reported():
    with pytest.raises(ical.BadCalendarData):
        ical.parse("BEGIN:VCALENDAR\r\nnot a line\r\n")
