"""Notices about one's own account and the append-only audit log."""

import pytest
from django.urls import reverse

from accounts import audit, notices
from accounts.models import AccountEvent


def test_unread_notices_show_in_the_header_until_read(client, prof, colleague):
    notices.notify(prof, "Nouvelle connexion", "Depuis Firefox.", "/compte/", "Voir")
    notices.notify(colleague, "Avis pour quelqu'un d'autre")
    client.force_login(prof)
    assert "1 nouvel avis" in client.get(reverse("accounts:account")).text
    page = client.get(reverse("accounts:notices"))
    assert "Nouvelle connexion" in page.text and "Depuis Firefox." in page.text
    assert "quelqu&#x27;un d&#x27;autre" not in page.text
    assert "nouvel avis" not in client.get(reverse("accounts:account")).text
    assert notices.unread_count(colleague) == 1


def test_notices_need_a_signed_in_person(client):
    response = client.get(reverse("accounts:notices"))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


@pytest.mark.django_db
def test_audit_log_is_append_only(rf, prof):
    request = rf.get("/", HTTP_USER_AGENT="Firefox", REMOTE_ADDR="192.0.2.7")
    event = audit.record(audit.Kind.LOGIN_FAILED, user=prof, request=request, attempt=2)
    stored = AccountEvent.objects.get()
    assert (stored.ip, stored.user_agent) == ("192.0.2.7", "Firefox")
    assert stored.details == {"attempt": 2}
    event.reason = "rewritten"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert AccountEvent.objects.get().reason == ""


@pytest.mark.django_db
def test_a_title_too_long_for_its_column_is_shortened_not_refused(prof):
    notice = notices.notify(prof, "Support informatique : " + "x" * 300)
    notice.refresh_from_db()
    assert len(notice.title) == 200 and notice.title.endswith("…")
