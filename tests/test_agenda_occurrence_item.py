"""An occurrence's line in the agenda, written in Python (calendar_app/templatetags/agenda.py,
``occurrence_item``): the times in the viewer's zone as the «time» filter wrote them, every
value escaped, the flags said to screen readers."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.template import engines
from django.utils import timezone, translation

from calendar_app.ical import Occurrence

PARIS = ZoneInfo("Europe/Paris")


def _line(occurrence: Occurrence, positioned: bool = False) -> str:
    template = engines["django"].from_string(
        "{% load agenda %}{% occurrence_item o positioned=positioned %}")
    return template.render({"o": occurrence, "positioned": positioned})


def test_times_in_the_viewer_zone_and_nothing_foreign_unescaped():
    occurrence = Occurrence(
        calendar="personnel", href="a@b.ics", etag='"1"', uid="a@b", all_day=False,
        title="<script>alert(1)</script>", location="Salle \"104\" & CDI", color="#000091",
        start=datetime(2026, 11, 17, 17, 30, tzinfo=PARIS),
        end=datetime(2026, 11, 17, 19, 0, tzinfo=PARIS), busy=False, private=True,
        recurring=True, recurrence_id="20261117T163000Z")  # fmt: skip
    with translation.override("fr"), timezone.override(ZoneInfo("America/Martinique")):
        line = _line(occurrence, positioned=True)
    assert "12:30 – 14:00" in line  # the «time» filter's conversion, kept
    assert "<script>" not in line and "&lt;script&gt;" in line
    assert "Salle &quot;104&quot; &amp; CDI" in line
    assert 'class="cv-event cv-event--free"' in line and 'class="cv-positioned"' in line
    assert "?occurrence=20261117T163000Z" in line
    assert "(se répète)" in line
    assert line.count("fr-sr-only") == 2


def test_an_all_day_event_without_title():
    occurrence = Occurrence(calendar="personnel", href="c@d.ics", etag="", uid="c@d",
                            title="", start=date(2026, 11, 17), end=date(2026, 11, 18),
                            all_day=True)  # fmt: skip
    with translation.override("fr"):
        line = _line(occurrence)
    assert "Toute la journée" in line and "(sans titre)" in line and "data-top" not in line
