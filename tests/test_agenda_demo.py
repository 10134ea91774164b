"""seed_demo gives prof.demo and secretariat.demo a school year in their agenda, once."""

from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from calendar_app import ical, services
from dav.client import dav_session
from demo.agenda import school_year_start, seed_demo_agenda
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("empty_store")


def test_seed_demo_writes_a_school_year_once():
    call_command("seed_demo", "--no-mail")
    seed_demo_agenda()  # again: updated, not doubled
    with dav_session("prof.demo") as store:
        assert {c.name for c in store.calendars()} == {"personnel", "cours"}
        assert len(store.all_resources("cours")) == 6
        personal = store.all_resources("personnel")
    assert len(personal) == 6
    assert any("CLASS:PRIVATE" in r.text for r in personal)
    assert all("BEGIN:VALARM" in r.text for r in personal)
    with dav_session("secretariat.demo") as store:
        assert len(store.all_resources("personnel")) == 4

    prof = User.objects.get(username="prof.demo")
    monday = school_year_start(timezone.localdate()) + timedelta(weeks=3)
    start = datetime.combine(monday, time(), ical.local_zone())
    week = services.occurrences_between(prof, start, start + timedelta(days=7),
                                        services.calendars_of(prof))  # fmt: skip
    assert len([o for o in week if o.calendar == "cours"]) == 6  # the timetable, every week

    # The vie scolaire mailbox has its calendar; secretariat.demo, who manages the mailbox,
    # may change it (rights follow the mailbox's).
    from calendar_app import share_access
    from calendar_app.models import FunctionalCalendar, Level

    functional = FunctionalCalendar.objects.select_related("account").get(
        mailbox__imap_user__startswith="vie-scolaire.")
    with dav_session(functional.account.username) as store:
        assert "vie-scolaire" in {c.name for c in store.calendars()}
    secretary = User.objects.get(username="secretariat.demo")
    assert share_access.level(secretary, functional.account, "vie-scolaire") == Level.WRITE
