"""The lines of the message lists, worked out in Python (mail/webmail/list_rows.py): the same
dates as Django's filters would write, and still nothing foreign unescaped."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.http import QueryDict
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from mail.imap.types import SortKey
from mail.webmail.dates import DateLabels
from mail.webmail.forms import ListOptionsForm
from mail.webmail.list_rows import SizeLabels
from tests.conftest import build_message, deliver, unique_subject

ZONES = ["Europe/Paris", "America/Cayenne", "Pacific/Noumea", "UTC"]


def django_label(value: datetime) -> str:
    """The webmail's date as the «mail_date» filter wrote it with Django's dateformat."""
    local = timezone.localtime(value)
    today, time = timezone.localdate(), dateformat.format(local, "H:i")
    words = {0: "today %(time)s", -1: "yesterday %(time)s", 1: "tomorrow %(time)s"}
    word = words.get((local.date() - today).days)
    if word:
        return translation.gettext(word) % {"time": time}
    return dateformat.format(local, "j N Y H:i")


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("zone", ZONES)
def test_labels_and_iso_dates_are_djangos(language, zone):
    now = datetime.now(UTC).replace(microsecond=0)
    moments = [now + timedelta(hours=h) for h in range(-60, 61, 7)]
    moments += [datetime(year, month, 3, 6, 5, tzinfo=UTC) for year in (999, 2026)
                for month in range(1, 13)]  # fmt: skip
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        labels = DateLabels()
        for moment in moments:
            assert labels.label(moment) == django_label(moment), moment
            local = timezone.localtime(moment)  # what the template gives the filter
            assert labels.iso(moment) == date_filter(local, "c"), moment
    assert DateLabels().label(None) == "" and DateLabels().iso(None) == ""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_sizes_are_djangos(language):
    edges = [0, 1, 1023, 1024, 1075, 1076, 1126, 10_239, 10_240, 1_048_575, 1_048_576]
    edges += [(1 << 30) - 1, 1 << 30, 5 << 40, 3 << 50, 7 << 60]
    sizes = edges + [int(1.0137**n) + n for n in range(2_000)]
    with translation.override(language):
        labels = SizeLabels()
        for size in sizes:
            assert labels.label(size) == filesizeformat(size), size


def test_a_list_asked_without_options_reads_as_through_the_form():
    assert ListOptionsForm.read(QueryDict("vue=messages&lire=3")) == (
        ListOptionsForm(QueryDict("")).options(), [],
    )  # fmt: skip
    options, refusals = ListOptionsForm.read(QueryDict("sort=size&order=asc&filter=unread&page=2"))
    assert (options["sort"], options["reverse"], options["filter"], options["page"], refusals) == (
        SortKey.SIZE, False, "unread", 2, [],
    )  # fmt: skip


@pytest.mark.usefixtures("mail_stack")
def test_foreign_subjects_and_names_stay_text_in_every_list(client, prof):
    subject = unique_subject('<img src=x onerror="alert(1)"> Sortie')
    message = build_message(to=prof.email, subject=subject)
    message.replace_header("From", '"<b>Durand</b> & fils" <famille.durand@example.org>')
    deliver(prof, message)
    client.force_login(prof)
    box = prof.personal_mailbox.id
    pages = [
        client.get(reverse("mail:folder", args=[box, "INBOX"])),
        client.get(reverse("mail:folder", args=[box, "INBOX"]), {"vue": "conversations"}),
        client.get(reverse("mail:search", args=[box]), {"subject": subject.split()[-1]}),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Sortie" in page.text
        assert "<img src=x" not in page.text
        assert "&lt;b&gt;Durand&lt;/b&gt; &amp; fils" in page.text and "<b>Durand" not in page.text
