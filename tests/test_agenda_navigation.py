"""Around the views: the mini month (navigable on its own), week numbers, and the optional
«semaine A / semaine B» label counted from the person's reference week."""

from datetime import date
from types import SimpleNamespace

import pytest

from calendar_app.navigation import week_label
from tests.agenda_helpers import empty_store  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("empty_store")


@pytest.fixture
def signed_in(client, prof):
    client.force_login(prof)
    return client


def _mini(page: str) -> str:
    return page.split('id="mini-month"')[1].split("</table>")[0]


def test_the_mini_month_follows_the_view_and_moves_on_its_own(signed_in):
    page = signed_in.get("/agenda/vue/semaine/?date=2026-11-18").content.decode()
    mini = _mini(page)
    assert "novembre 2026" in mini
    assert [n for n in range(44, 50) if f">{n}<" in mini] == [44, 45, 46, 47, 48, 49]
    assert 'href="/agenda/vue/semaine/?date=2026-11-03"' in mini  # a day opens in this view
    assert mini.count("cv-shown") == 7  # the week shown
    assert 'mini=2026-12' in mini and 'mini=2026-10' in mini

    page = signed_in.get("/agenda/vue/semaine/?date=2026-11-18&mini=2026-12").content.decode()
    assert "Semaine 47" in page  # the view stays
    assert "décembre 2026" in _mini(page) and "cv-shown" not in _mini(page)
    assert "novembre 2026" in _mini(signed_in.get(
        "/agenda/vue/mois/?date=2026-11-18&mini=n'importe").content.decode())


def test_week_numbers_in_every_view(signed_in):
    day = signed_in.get("/agenda/vue/jour/?date=2026-11-18").content.decode()
    assert "Semaine 47" in day
    month = signed_in.get("/agenda/vue/mois/?date=2026-11-18").content.decode()
    assert 'title="Semaine 47"' in month


def test_week_a_and_b_are_off_until_asked_for(signed_in):
    page = signed_in.get("/agenda/vue/semaine/?date=2026-11-18").content.decode()
    assert "semaine A" not in page and "semaine B" not in page
    response = signed_in.post("/agenda/preferences/", {"alternate_weeks": "on", "week_a": ""})
    assert "Donnez un jour d&#x27;une semaine A" in response.content.decode()
    signed_in.post("/agenda/preferences/", {"alternate_weeks": "on", "week_a": "2026-11-05"})
    assert "semaine A" in signed_in.get("/agenda/vue/semaine/?date=2026-11-04").content.decode()
    week = signed_in.get("/agenda/vue/semaine/?date=2026-11-18").content.decode()
    assert '<span class="fr-badge fr-badge--info">semaine A</span>' in week
    next_week = signed_in.get("/agenda/vue/semaine/?date=2026-11-25").content.decode()
    assert '<span class="fr-badge fr-badge--info">semaine B</span>' in next_week
    month = signed_in.get("/agenda/vue/mois/?date=2026-11-18").content.decode()
    assert 'title="Semaine 47 · semaine A"' in month and 'title="Semaine 48 · semaine B"' in month
    assert "47<span class=\"cv-ab\">A</span>" in _mini(month)
    signed_in.post("/agenda/preferences/", {"week_a": "2026-11-05"})  # unticked: gone again
    assert "semaine A" not in signed_in.get("/agenda/vue/semaine/?date=2026-11-18").content.decode()


@pytest.mark.parametrize(("day", "label"), [
    (date(2026, 11, 2), "A"), (date(2026, 11, 8), "A"), (date(2026, 11, 9), "B"),
    (date(2026, 10, 26), "B"), (date(2026, 12, 28), "A"), (date(2027, 1, 4), "B"),
])  # fmt: skip
def test_the_alternation_counts_whole_weeks_from_the_reference(day, label):
    preferences = SimpleNamespace(alternate_weeks=True, week_a=date(2026, 11, 5))
    assert week_label(day, preferences) == label
    assert week_label(day, SimpleNamespace(alternate_weeks=False, week_a=date(2026, 11, 5))) == ""
