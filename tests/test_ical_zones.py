"""Written events carry a VTIMEZONE for each zone they name (RFC 5545 §3.6.5), made from the
system's zone data once per process (calendar_app/ical.py, ``serialize``)."""

from calendar_app import ical


def _calendar(*lines: str) -> str:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Phone//Test//FR\r\n" + "".join(
        f"{line}\r\n" for line in lines) + "END:VCALENDAR\r\n")  # fmt: skip


EVENT = ("BEGIN:VEVENT", "UID:zones@test", "DTSTAMP:20260901T080000Z", "SUMMARY:Conseil",
         "DTSTART;TZID=Europe/Paris:20260914T080000",
         "DTEND;TZID=America/New_York:20260914T090000", "END:VEVENT")  # fmt: skip


def _zones(text: str) -> list[str]:
    return [str(c["TZID"]) for c in ical.parse(text).subcomponents if c.name == "VTIMEZONE"]


def test_each_named_zone_gets_its_vtimezone_before_the_events():
    text = ical.serialize(ical.parse(_calendar(*EVENT)))
    parsed = ical.parse(text)
    assert [c.name for c in parsed.subcomponents] == ["VTIMEZONE", "VTIMEZONE", "VEVENT"]
    assert sorted(_zones(text)) == ["America/New_York", "Europe/Paris"]
    event = parsed.subcomponents[-1]
    assert event["DTSTART"].dt.isoformat() == "2026-09-14T08:00:00+02:00"
    # What icalendar itself adds, whichever the order of the zones.
    reference = ical.parse(_calendar(*EVENT))
    reference.add_missing_timezones()
    assert sorted(text.splitlines()) == sorted(reference.to_ical().decode().splitlines())
    # Again, from the cache: the same text.
    assert ical.serialize(ical.parse(_calendar(*EVENT))) == text


def test_a_zone_already_there_is_kept_as_it_is():
    own = ("BEGIN:VTIMEZONE", "TZID:Europe/Paris", "BEGIN:STANDARD", "DTSTART:19701025T030000",
           "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD", "END:VTIMEZONE")  # fmt: skip
    text = ical.serialize(ical.parse(_calendar(*own, *EVENT)))
    assert sorted(_zones(text)) == ["America/New_York", "Europe/Paris"]
    assert "DTSTART:19701025T030000" in text and text.count("TZID:Europe/Paris") == 1


def test_an_unknown_zone_is_left_as_written():
    lines = [line.replace("America/New_York", "Nowhere/Atlantis") for line in EVENT]
    text = ical.serialize(ical.parse(_calendar(*lines)))
    assert _zones(text) == ["Europe/Paris"]
    assert "DTEND;TZID=Nowhere/Atlantis:20260914T090000" in text


def test_a_value_that_reads_like_a_component_does_not_move_the_zones():
    text = ical.serialize(ical.parse(_calendar("X-WR-CALNAME:BEGIN:VEVENT\\nBEGIN:x", *EVENT)))
    parsed = ical.parse(text)
    assert "\r\nX-WR-CALNAME:BEGIN:VEVENT\\nBEGIN:x\r\nBEGIN:VTIMEZONE\r\n" in text
    assert [c.name for c in parsed.subcomponents] == ["VTIMEZONE", "VTIMEZONE", "VEVENT"]
