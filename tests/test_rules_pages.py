"""The «Règles de tri», «Message d'absence», «Transfert» and Sieve pages: rights, forms,
French errors, preview and «Appliquer maintenant» (real Dovecot and worker)."""

import pytest
from django.urls import reverse

from mail.models import Forwarding, MailboxMember, Rule, RuleRun, Vacation
from mail.pipeline import filters
from tests.conftest import build_message, deliver, make_person, unique_subject, wait_for

pytestmark = pytest.mark.usefixtures("mail_stack")


def rule_post(**extra) -> dict:
    data = {
        "name": "Pronote",
        "match": "all",
        "enabled": "on",
        "cond-0-field": "from",
        "cond-0-op": "contains",
        "cond-0-value": "pronote",
        "act-0-type": "move",
        "act-0-folder": "Archive",
    }
    return data | extra


def test_only_people_who_manage_the_mailbox_reach_its_rules(client, prof, colleague):
    box = prof.personal_mailbox
    pages = [
        reverse("mail:rules", args=[box.id]),
        reverse("mail:rule_new", args=[box.id]),
        reverse("mail:absence", args=[box.id]),
        reverse("mail:forwarding", args=[box.id]),
        reverse("mail:rules_sieve", args=[box.id]),
    ]
    client.force_login(colleague)
    assert all(client.get(url).status_code == 404 for url in pages)
    assert client.post(pages[3], {"address": "pirate@example.org"}).status_code == 404
    MailboxMember.objects.create(mailbox=box, user=colleague, can_read=True)
    assert all(client.get(url).status_code == 403 for url in pages)
    assert not Forwarding.objects.exists()

    client.force_login(prof)
    assert all(client.get(url).status_code == 200 for url in pages)


def test_create_a_rule_with_french_errors_first(client, prof):
    box = prof.personal_mailbox
    client.force_login(prof)
    url = reverse("mail:rule_new", args=[box.id])
    page = client.post(
        url, rule_post(**{"act-1-type": "forward", "act-1-address": "pas une adresse"})
    )
    assert page.status_code == 200
    assert "« pas une adresse » n’est pas une adresse électronique." in page.text
    assert 'value="pronote"' in page.text  # nothing typed is lost
    assert not Rule.objects.exists()

    page = client.post(url, rule_post(**{"act-0-type": ""}))
    assert "Choisissez au moins une chose à faire pour la règle." in page.text

    client.post(url, rule_post(**{"act-1-type": "label", "act-1-label": "$label1"}))
    rule = Rule.objects.get()
    assert rule.created_by == prof and rule.created_at
    assert rule.conditions == [{"field": "from", "op": "contains", "value": "pronote"}]
    assert rule.actions == [
        {"type": "move", "value": "Archive"},
        {"type": "label", "value": "$label1"},
    ]
    listing = client.get(reverse("mail:rules", args=[box.id]))
    assert "Expéditeur (From) contient pronote" in listing.text
    assert "Ajouter l’étiquette Important" in listing.text


def test_preview_shows_which_recent_messages_match(client, prof):
    box = prof.personal_mailbox
    wanted = unique_subject("Bulletin Pronote")
    deliver(prof, build_message(to=prof.email, subject=wanted, sender="notes@pronote.example"))
    other = unique_subject("Autre")
    deliver(prof, build_message(to=prof.email, subject=other))
    client.force_login(prof)

    page = client.post(reverse("mail:rule_new", args=[box.id]), rule_post(operation="preview"))
    assert wanted in page.text and other not in page.text
    assert not Rule.objects.exists()  # a preview saves nothing

    live = client.post(reverse("mail:rule_preview", args=[box.id]), rule_post())
    assert wanted in live.text and other not in live.text
    assert "de vos " in live.text  # «1 de vos 2 derniers messages correspond.»
    bad = client.post(reverse("mail:rule_preview", args=[box.id]), rule_post(**{"cond-0-op": ""}))
    assert "Complétez les conditions" in bad.text


def test_apply_now_from_the_page_with_progress_and_rights(client, prof, colleague):
    box = prof.personal_mailbox
    subject = unique_subject("À ranger")
    deliver(prof, build_message(to=prof.email, subject=subject))
    rule = filters.save_rule(
        box,
        name="Ranger",
        match="all",
        conditions=[{"field": "subject", "op": "contains", "value": subject}],
        actions=[{"type": "move", "value": "Rangé"}],
    )
    client.force_login(prof)
    answer = client.post(reverse("mail:rule_apply", args=[box.id, rule.id]), {"folder": "INBOX"})
    run = RuleRun.objects.get()
    assert answer.url.endswith(f"#execution-{run.id}")
    status_url = reverse("mail:rule_run", args=[box.id, run.id])
    done = wait_for(lambda: client.get(status_url).json()["finished"])
    status = client.get(status_url).json()
    assert done and status["status"] == "done" and status["matched"] == 1
    total = status["total"]
    assert status["text"] == f"Messages examinés : {total} sur {total} ; concernés : 1"

    client.force_login(colleague)
    assert client.get(status_url).status_code == 404
    cancel = reverse("mail:rule_run_cancel", args=[box.id, run.id])
    assert client.post(cancel).status_code == 404


def test_reorder_disable_and_delete(client, prof):
    box = prof.personal_mailbox
    first, second = (
        filters.save_rule(box, name=n, match="all", conditions=[], actions=[{"type": "flag"}])
        for n in ("Première", "Seconde")
    )
    client.force_login(prof)
    client.post(reverse("mail:rule_reorder", args=[box.id, second.id]), {"operation": "up"})
    assert list(box.rules.values_list("name", flat=True)) == ["Seconde", "Première"]
    client.post(reverse("mail:rule_reorder", args=[box.id, first.id]), {"operation": "toggle"})
    first.refresh_from_db()
    assert not first.enabled
    client.post(reverse("mail:rule_delete", args=[box.id, first.id]))
    assert list(box.rules.values_list("name", flat=True)) == ["Seconde"]


def test_absence_and_forwarding_pages(client, prof):
    box = prof.personal_mailbox
    client.force_login(prof)
    url = reverse("mail:absence", args=[box.id])
    page = client.post(
        url,
        {
            "enabled": "on",
            "starts_on": "2026-03-10",
            "ends_on": "2026-03-01",
            "subject": "Absente",
            "body": "Je reviens bientôt.",
            "days": "7",
        },
    )
    assert "La date de fin est avant la date de début." in page.text
    assert not Vacation.objects.exists()
    client.post(
        url,
        {
            "enabled": "on",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-10",
            "subject": "Absente",
            "body": "Je reviens bientôt.",
            "days": "7",
        },
    )
    vacation = Vacation.objects.get(mailbox=box)
    assert vacation.enabled and vacation.updated_by == prof
    assert 'value="2026-03-01"' in client.get(url).text

    url = reverse("mail:forwarding", args=[box.id])
    page = client.post(url, {"address": prof.email, "keep_copy": "on"})
    assert "Une boîte ne peut pas se transférer à elle-même." in page.text
    page = client.post(url, {"address": "inconnu@ac-demo.test"})
    assert "Aucune boîte de l’académie n’a l’adresse inconnu@ac-demo.test." in page.text
    client.post(url, {"address": "camille@example.org"})
    forwarding = Forwarding.objects.get()
    assert not forwarding.keep_copy and forwarding.created_by == prof
    client.post(reverse("mail:stop_forwarding", args=[box.id, forwarding.id]))
    assert not Forwarding.objects.exists()


def test_sieve_export_then_import(client, prof):
    box = prof.personal_mailbox
    filters.save_rule(
        box,
        name="Pronote",
        match="any",
        stop=True,
        conditions=[
            {"field": "from", "op": "contains", "value": "pronote"},
            {"field": "size", "op": "over", "value": "500"},
        ],
        actions=[{"type": "move", "value": "Pronote"}, {"type": "mark_read"}],
    )
    client.force_login(prof)
    url = reverse("mail:rules_sieve", args=[box.id])
    script = client.get(url, {"telecharger": "1"}).content.decode()
    assert 'fileinto "Pronote";' in script and "# rule:[Pronote]" in script

    other = make_person("autre.demo")
    client.force_login(other)
    page = client.post(url, {"text": script})
    assert page.status_code == 404
    own = reverse("mail:rules_sieve", args=[other.personal_mailbox.id])
    page = client.post(own, {"text": 'if header :contains "subject" "x" {\n  discard;\n}\n'})
    assert "Ligne 2 : l’action « discard » n’est pas prise en charge." in page.text
    client.post(own, {"text": script})
    copied = other.personal_mailbox.rules.get()
    original = box.rules.get()
    assert (copied.name, copied.match, copied.conditions, copied.stop) == (
        original.name,
        original.match,
        original.conditions,
        original.stop,
    )
    # Sieve sets flags before filing (RFC 5232), so the actions come back in that order.
    assert sorted(copied.actions, key=str) == sorted(original.actions, key=str)
