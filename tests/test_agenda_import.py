"""Import and export of .ics files: a preview first, duplicates by UID updated, malformed files
reported in French and imported in part, never a 500."""

import html
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calendar_app import ical, importing
from dav.client import dav_session
from mail.models import KeptUpload
from tests.agenda_helpers import empty_store, vevent  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("empty_store")
FIXTURES = Path(__file__).parent / "fixtures" / "ics"


@pytest.fixture
def signed_in(client, prof):
    client.force_login(prof)
    client.get("/agenda/semaine/")  # «Personnel» exists
    return client


def _preview(client, data: bytes, calendar: str = "personnel"):
    upload = SimpleUploadedFile("agenda.ics", data, content_type="text/calendar")
    return client.post("/agenda/importer/", {"step": "preview", "file": upload,
                                             "calendar": calendar})  # fmt: skip


def _import(client, preview, calendar: str = "personnel", follow: bool = False):
    return client.post("/agenda/importer/", {"step": "import", "calendar": calendar,
                                             "token": preview.context["token"]},
                       follow=follow)  # fmt: skip


def _summaries(calendar: str = "personnel") -> list[str]:
    with dav_session("prof.demo") as store:
        return sorted(str(ical.master(ical.parse(r.text))["SUMMARY"])
                      for r in store.all_resources(calendar))  # fmt: skip


def test_preview_then_import_then_again_updates_instead_of_doubling(signed_in):
    data = (FIXTURES / "outlook_and_recurring.ics").read_bytes()
    preview = _preview(signed_in, data)
    page = preview.content.decode()
    assert "2 événements pouvant être importés" in page and "Formation numérique éducatif" in page
    assert _summaries() == []  # nothing before the confirmation
    done = _import(signed_in, preview).content.decode()
    assert "2 créés, 0 mis à jour" in done
    week = signed_in.get("/agenda/semaine/?date=2026-09-14").content.decode()
    assert "Atelier théâtre (répétition générale)" in week and "17:00 – 19:00" in week
    october = signed_in.get("/agenda/vue/jour/?date=2026-10-05").content.decode()
    assert "09:00 – 16:30" in october  # Outlook's «Romance Standard Time» is Paris time

    again = _import(signed_in, _preview(signed_in, data)).content.decode()
    assert "0 créés, 2 mis à jour" in again
    assert len(_summaries()) == 2


def test_the_preview_and_the_import_may_reach_two_web_nodes(signed_in, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "node-a"  # the preview on one node…
    preview = _preview(signed_in, (FIXTURES / "outlook_and_recurring.ics").read_bytes())
    shutil.rmtree(settings.VAR_DIR, ignore_errors=True)
    settings.VAR_DIR = tmp_path / "node-b"  # …the confirmation on another, with its own disk
    assert "2 créés, 0 mis à jour" in _import(signed_in, preview).content.decode()
    assert not KeptUpload.objects.filter(token=preview.context["token"]).exists()
    expired = _import(signed_in, preview, follow=True).content.decode()
    assert "Cet import a expiré : choisissez de nouveau le fichier." in html.unescape(expired)


def test_a_malformed_file_is_imported_in_part_with_a_french_report(signed_in):
    huge = ("BEGIN:VEVENT\r\nUID:huge@example.org\r\nDTSTAMP:20260901T080000Z\r\n"
            "SUMMARY:Compte rendu\r\nDTSTART;TZID=Europe/Paris:20260911T140000\r\n"
            "DTEND;TZID=Europe/Paris:20260911T150000\r\n"
            f"DESCRIPTION:{'Très long compte rendu. ' * 20000}\r\nEND:VEVENT\r\n")
    data = (FIXTURES / "malformed.ics").read_bytes().replace(
        b"END:VCALENDAR", huge.encode() + b"END:VCALENDAR")
    preview = _preview(signed_in, data)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "fuseau horaire inconnu « Mars/Olympus »" in page
    assert "« Ligne cassée » : illisible" in page
    assert "description raccourcie" in page
    done = _import(signed_in, preview)
    assert done.status_code == 200
    assert _summaries() == ["Compte rendu", "Permanence sans fin", "Sortie scolaire"]
    # The endless rule shows in any week, capped, and the page answers.
    week = signed_in.get("/agenda/semaine/?date=2030-01-07")
    assert week.status_code == 200 and week.content.decode().count("Permanence sans fin") == 7


def test_ten_thousand_events_are_imported_up_to_the_limit(signed_in, monkeypatch):
    monkeypatch.setattr(importing, "MAX_EVENTS", 30)
    events = "".join(
        vevent(f"cours-{i}@example.org", f"Cours {i}", datetime(2026, 9, 7, 8),
               datetime(2026, 9, 7, 9)).split("PRODID:-//Phone//Test//FR\r\n")[1]
        .replace("END:VCALENDAR\r\n", "")
        for i in range(10_000))  # fmt: skip
    data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{events}END:VCALENDAR\r\n".encode()
    preview = _preview(signed_in, data)
    assert "Le fichier contient 10000 événements : seuls les 30 premiers sont importés." in (
        preview.content.decode())
    _import(signed_in, preview)
    assert len(_summaries()) == 30


@pytest.mark.parametrize(
    "data", [b"\x89PNG\r\n\x1a\n", b"", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"]
)
def test_not_an_agenda_file_is_said_so(signed_in, data):
    response = _preview(signed_in, data)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "aucun événement" in page or "n'est pas un fichier iCalendar" in page or (
        "Le fichier soumis est vide" in page)


def test_export_a_calendar_and_an_event(signed_in):
    _import(signed_in, _preview(signed_in, (FIXTURES / "outlook_and_recurring.ics").read_bytes()))
    export = signed_in.get("/agenda/calendriers/personnel/export.ics")
    assert export["Content-Type"] == "text/calendar; charset=utf-8"
    text = export.content.decode()
    assert text.count("BEGIN:VEVENT") == 3 and "RECURRENCE-ID" in text
    zones = {line for line in text.splitlines() if line.startswith("TZID:")}
    assert text.count("BEGIN:VTIMEZONE") == len(zones)
    with dav_session("prof.demo") as store:
        href = next(r.href for r in store.all_resources("personnel") if "Formation" in r.text)
    one = signed_in.get(f"/agenda/evenement/personnel/{href}/export.ics").content.decode()
    assert "Formation numérique éducatif" in one and "Atelier" not in one
    assert signed_in.get("/agenda/calendriers/autre/export.ics").status_code == 404


def test_an_ics_attachment_opens_as_an_event_to_add(signed_in, prof, dovecot):
    from mail.models import Mailbox
    from tests.conftest import build_message, deliver, uid_of, unique_subject

    subject = unique_subject("Invitation formation")
    message = build_message(to=prof.email, subject=subject)
    message.add_attachment((FIXTURES / "outlook_and_recurring.ics").read_bytes(),
                           maintype="text", subtype="calendar", filename="formation.ics")
    deliver(prof, message)
    uid = uid_of(prof, subject)
    mailbox = Mailbox.objects.get(owner=prof)
    page = signed_in.get(f"/mail/boite/{mailbox.id}/message/INBOX/{uid}/").content.decode()
    assert "Ajouter à mon agenda" in page
    link = html.unescape(page.split('href="/agenda/importer/?')[1].split('"')[0])
    preview = signed_in.get(f"/agenda/importer/?{link}")
    assert "Formation numérique éducatif" in preview.content.decode()
    assert "2 créés" in _import(signed_in, preview).content.decode()
    assert signed_in.get(f"/agenda/importer/?boite={mailbox.id}&dossier=INBOX&uid={uid}"
                         "&partie=0").status_code == 404  # the text part is not an agenda
