"""Every agenda page in French: rendered signed in from a browser asking for English, their
text compared with every msgid of the catalogues whose French differs."""

import pytest
from django.test import Client

from tests.agenda_helpers import empty_store  # noqa: F401 - fixture
from tests.catalogues import english_fragments, untranslated

pytestmark = pytest.mark.usefixtures("empty_store")


def test_agenda_pages_are_all_french(prof):
    fragments = english_fragments()
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(prof)
    client.post("/agenda/evenement/nouveau/", {
        "title": "Conseil", "calendar": "personnel", "start_date": "2026-11-17",
        "start_time": "17:30", "end_date": "2026-11-17", "end_time": "19:00",
        "time_zone": "Europe/Paris", "busy": "busy", "privacy": "private", "reminders": ["15"],
        "frequency": "WEEKLY", "weekdays": ["TU"], "interval": "1", "ends": "count",
        "count": "3", "monthly_by": "date",
    })  # fmt: skip
    week = client.get("/agenda/semaine/?date=2026-11-17", follow=True).content.decode()
    event = week.split('href="/agenda/evenement/personnel/')[1].split('"')[0]
    for url in ("/agenda/semaine/?date=2026-11-17", "/agenda/vue/jour/?date=2026-11-17",
                "/agenda/vue/mois/?date=2026-11-17", "/agenda/vue/liste/?date=2026-11-17",
                "/agenda/evenement/nouveau/", f"/agenda/evenement/personnel/{event}",
                f"/agenda/evenement/personnel/{event}".replace("/?", "/modifier/?"),
                f"/agenda/evenement/personnel/{event}".replace("/?", "/supprimer/?"),
                "/agenda/calendriers/", "/agenda/calendriers/personnel/?supprimer=1",
                "/agenda/importer/", "/agenda/recherche/?q=rien",
                "/agenda/abonnements/", "/agenda/preferences/",
                "/agenda/calendrier-scolaire/", "/agenda/salles/"):  # fmt: skip
        html = client.get(url.replace("&amp;", "&"), follow=True).content.decode()
        assert 'lang="fr"' in html, url
        english = untranslated(html, fragments)
        assert not english, f"{url} shows English: {sorted(english)}"
