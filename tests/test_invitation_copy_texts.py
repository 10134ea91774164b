"""Each attendee's copy of a new invitation, made from one serialization of the calendar
(calendar_app/new_invitations.py): the very text that setting their answer on the calendar
and serializing it again gives, whatever the lines look like."""

import pytest

from calendar_app import ical, itip
from calendar_app.new_invitations import _Copies

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Outlook//FR\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:serie@lycee\r\nDTSTAMP:20261201T080000Z\r\nSEQUENCE:2\r\n"
    "SUMMARY:Conseil de classe\r\nDTSTART;TZID=Europe/Paris:20261210T170000\r\n"
    "DTEND;TZID=Europe/Paris:20261210T180000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
    "ORGANIZER;CN=Proviseure:mailto:proviseure@ac-demo.test\r\n"
    'ATTENDEE;CN="Martin, Camille (professeure principale de la classe de seconde B)";'
    "PARTSTAT=NEEDS-ACTION;RSVP=TRUE;ROLE=REQ-PARTICIPANT:mailto:Prof.Demo@ac-demo.test\r\n"
    "ATTENDEE;PARTSTAT=ACCEPTED;CN=Louis Bernard:mailto:collegue.demo@ac-demo.test\r\n"
    "ATTENDEE;RSVP=TRUE:mailto:cpe@ac-demo.test\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:serie@lycee\r\nDTSTAMP:20261201T080000Z\r\nSEQUENCE:2\r\n"
    "RECURRENCE-ID;TZID=Europe/Paris:20261217T170000\r\nSUMMARY:Conseil (salle B12)\r\n"
    "DTSTART;TZID=Europe/Paris:20261217T180000\r\nDTEND;TZID=Europe/Paris:20261217T190000\r\n"
    "ORGANIZER;CN=Proviseure:mailto:proviseure@ac-demo.test\r\n"
    "ATTENDEE;PARTSTAT=TENTATIVE;RSVP=TRUE:mailto:prof.demo@ac-demo.test\r\n"
    "ATTENDEE;RSVP=TRUE:mailto:cpe@ac-demo.test\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _one_by_one(calendar, email: str) -> str:
    with itip.own_lines_kept(calendar, email):
        for component in itip.events(calendar):
            itip.set_partstat(component, email, "NEEDS-ACTION")
        return ical.serialize(calendar)


@pytest.mark.parametrize("email", ["prof.demo@ac-demo.test", "collegue.demo@ac-demo.test",
                                   "cpe@ac-demo.test", "absent@ac-demo.test"])  # fmt: skip
def test_each_copy_is_the_text_of_its_own_serialization(email):
    calendar = itip.read(CALENDAR).calendar
    incoming = ical.wrap(*calendar.subcomponents)
    assert _Copies(incoming).of(email) == _one_by_one(incoming, email)


def test_only_the_persons_own_lines_change():
    incoming = ical.wrap(*itip.read(CALENDAR).calendar.subcomponents)
    texts = _Copies(incoming)
    mine = ical.parse(texts.of("cpe@ac-demo.test"))
    for component in itip.events(mine):
        lines = {itip.address(p): p.params for p in itip.attendee_lines(component)}
        assert lines["cpe@ac-demo.test"]["PARTSTAT"] == "NEEDS-ACTION"
        assert "RSVP" not in lines["cpe@ac-demo.test"]
        assert lines["prof.demo@ac-demo.test"]["RSVP"] == "TRUE"
    assert texts.of("nobody@ac-demo.test") == texts.text
