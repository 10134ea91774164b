"""Spam filtering against a real spamd: scoring at delivery, the buttons that train it, and
«Signaler un hameçonnage» through the real gateway and worker."""

import uuid
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from mail.imap import imap_session
from tests.conftest import (
    PASSWORD,
    assert_accessible,
    build_message,
    deliver,
    make_person,
    send_inbound,
    unique_subject,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("mail_stack")

SHOP = "info@exemple-fournisseur.fr"
COLLEAGUE = "coordination.maths@lycee-voisin.fr"
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
HAM = (
    "Bonjour à toutes et à tous,\n\nle conseil pédagogique de mathématiques se réunira jeudi "
    "en salle des professeurs pour préparer les épreuves communes de seconde et le calendrier "
    "des devoirs surveillés du trimestre.\n\nBien cordialement,\nLa coordinatrice\n"
)
HAM_AGAIN = (
    "Bonjour à toutes et à tous,\n\nle conseil pédagogique de mathématiques se réunira mardi "
    "en salle des professeurs pour finaliser les épreuves communes de seconde et le calendrier "
    "des devoirs surveillés.\n\nBien cordialement,\nLa coordinatrice\n"
)
SPAM = (
    "Cartouches d'encre et toner laser à prix cassé pour votre établissement : remise "
    "exceptionnelle de 70 %, livraison offerte, commandez aujourd'hui sur notre boutique "
    "en ligne, offre valable quelques jours seulement !\n"
)
SPAM_AGAIN = (
    "Toner laser et cartouches d'encre à prix cassé : remise exceptionnelle pour votre "
    "établissement, livraison offerte, commandez vite sur notre boutique en ligne, offre "
    "limitée !\n"
)

TRAVEL = "contact@sejours-scolaires.example"
TRIP = (
    "Séjour linguistique à Malte pour vos classes de première : hébergement en famille, "
    "cours le matin, visites l'après-midi. Devis gratuit sous quarante-huit heures.\n"
)


def find_copy(imap_user: str, subject: str) -> tuple[str, int, bytes] | None:
    """(folder, uid, raw) of the delivered message with this subject, in INBOX or Junk."""
    with imap_session(imap_user) as box:
        for folder in ("INBOX", "Junk"):
            page = box.list_page(folder, page=1, page_size=200)
            for envelope in page.envelopes:
                if envelope.subject == subject:
                    return folder, envelope.uid, box.fetch_raw(folder, envelope.uid)
    return None


def receive(user, subject: str, body: str, sender: str = SHOP):
    """Through the gateway and the worker, as mail from outside arrives."""
    send_inbound(build_message(to=user.email, subject=subject, body=body, sender=sender))
    return wait_for(lambda: find_copy(user.username, subject))


def spam_headers(raw: bytes):
    message = message_from_bytes(raw, policy=policy.default)
    status = " ".join(str(message.get("X-Spam-Status", "")).split())
    return float(message["X-Spam-Score"]), status, message.get("X-Spam-Flag")


def act(client, user, action, uid, folder):
    return client.post(
        reverse("mail:act", args=[user.personal_mailbox.id]),
        {"folder": folder, "action": action, "uid": [uid], "next": "/"},
    )


def test_gtube_goes_to_junk_and_the_buttons_train_that_mailbox_only(client):
    # Mailboxes of their own: a Bayes database lives as long as the test run, and other tests
    # teach prof.demo's.
    tag = uuid.uuid4().hex[:8]
    prof = make_person(f"bayes.{tag}", first_name="Camille")
    colleague = make_person(f"collegue.{tag}", first_name="Louis")
    client.force_login(prof)

    # A colleague's real message that happens to carry the GTUBE test string: Junk.
    wrongly_junk = unique_subject("Conseil pédagogique")
    folder, uid, raw = receive(prof, wrongly_junk, f"{HAM}\n{GTUBE}\n", sender=COLLEAGUE)
    assert folder == "Junk"
    score, status, flag = spam_headers(raw)
    assert flag == "YES" and score > 900 and "GTUBE" in status

    # An advert that the rules alone let through to the inbox.
    advert = unique_subject("Offre cartouches")
    folder, advert_uid, raw = receive(prof, advert, SPAM, sender=SHOP)
    assert folder == "INBOX"
    assert spam_headers(raw)[0] < settings.SPAM_THRESHOLD

    # «Pas indésirable»: back to the inbox, learned as ham. «Indésirable»: to Junk, as spam.
    response = act(client, prof, "notjunk", uid, "Junk")
    assert response.status_code == 302
    assert find_copy(prof.username, wrongly_junk)[0] == "INBOX"
    act(client, prof, "junk", advert_uid, "INBOX")
    assert find_copy(prof.username, advert)[0] == "Junk"
    page = client.get(reverse("mail:folder", args=[prof.personal_mailbox.id, "Junk"]))
    assert "1 message déplacé dans les indésirables" in page.text

    # The same messages now score differently for that mailbox, and not for a colleague's.
    scores = {}
    for user in (prof, colleague):
        for name, body, sender in (("advert", SPAM_AGAIN, SHOP), ("ham", HAM_AGAIN, COLLEAGUE)):
            subject = unique_subject(name)
            scores[user.username, name] = spam_headers(receive(user, subject, body, sender)[2])
    prof_advert = scores[prof.username, "advert"]
    colleague_advert = scores[colleague.username, "advert"]
    assert "BAYES_99" in prof_advert[1] and "BAYES" not in colleague_advert[1]
    assert prof_advert[0] > colleague_advert[0] + 2
    prof_ham, colleague_ham = scores[prof.username, "ham"], scores[colleague.username, "ham"]
    assert "BAYES_00" in prof_ham[1] and "BAYES" not in colleague_ham[1]
    assert prof_ham[0] < colleague_ham[0]

    # Several local recipients: one score, from the académie-wide database every lesson feeds.
    both = build_message(
        to=prof.email, subject=unique_subject("advert"), body=SPAM_AGAIN, sender=SHOP
    )
    send_inbound(both, to=[prof.email, colleague.email])
    for user in (prof, colleague):
        raw = wait_for(lambda user=user: find_copy(user.username, both["Subject"]))[2]
        assert "BAYES_99" in spam_headers(raw)[1]


def test_forged_verdicts_are_replaced_and_spamd_down_still_delivers(prof, spamd):
    message = build_message(to=prof.email, subject=unique_subject("Faux verdict"), body=GTUBE)
    message["X-Spam-Flag"] = "NO"
    message["X-Spam-Status"] = "No, score=-100"
    send_inbound(message)
    folder, _, raw = wait_for(lambda: find_copy("prof.demo", message["Subject"]))
    delivered = message_from_bytes(raw, policy=policy.default)
    assert folder == "Junk"
    assert delivered.get_all("X-Spam-Flag") == ["YES"]
    assert len(delivered.get_all("X-Spam-Status")) == 1

    spamd.stop()
    try:
        unscored = build_message(to=prof.email, subject=unique_subject("Sans filtre"), body=GTUBE)
        unscored["X-Spam-Flag"] = "NO"
        send_inbound(unscored)
        folder, _, raw = wait_for(lambda: find_copy("prof.demo", unscored["Subject"]))
    finally:
        spamd.start()
    delivered = message_from_bytes(raw, policy=policy.default)
    assert folder == "INBOX"  # never lost, never held back: delivered unscored
    assert delivered.get("X-Spam-Score") is None and delivered.get("X-Spam-Flag") is None
    worker_log = (Path(settings.VAR_DIR) / "worker.log").read_text()
    assert "delivering without a spam score" in worker_log


def test_phishing_report_reaches_security_with_the_original_attached(client, prof):
    security = make_person("securite", first_name="Cellule", last_name="Sécurité")
    assert security.email == settings.SECURITY_REPORT_ADDRESS
    subject = unique_subject("Votre compte ENT va être suspendu")
    body = "Confirmez votre mot de passe ici : https://ent-academie.example/login\n"
    folder, uid, original = receive(prof, subject, body, sender="support@ent-academie.example")
    assert folder == "INBOX"

    client.force_login(prof)
    response = client.post(
        reverse("mail:report_phishing", args=[prof.personal_mailbox.id]),
        {"folder": "INBOX", "uid": uid, "next": "/mail/"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "Merci ! Le message a été transmis" in response.text
    assert find_copy("prof.demo", subject)[0] == "Junk"

    report_subject = f"[Hameçonnage] {subject}"
    _, _, raw = wait_for(lambda: find_copy("securite", report_subject), timeout=60)
    report = message_from_bytes(raw, policy=policy.default)
    assert report["From"].addresses[0].addr_spec == prof.email
    assert report.get("X-Spam-Score") is None  # sent by one of ours: not scored
    text = report.get_body(("plain",)).get_content()
    assert "prof.demo" in text and "signale le message joint" in text
    attached = list(report.iter_attachments())
    assert [part.get_content_type() for part in attached] == ["message/rfc822"]
    inner = attached[0].get_content()
    assert inner["Subject"] == subject
    assert inner.get_body(("plain",)).get_content().strip() == body.strip()


def test_someone_who_may_only_read_a_shared_mailbox_cannot_mark_or_report(client, prof, colleague):
    from mail.models import MailboxMember

    MailboxMember.objects.create(mailbox=prof.personal_mailbox, user=colleague, can_read=True)
    subject = unique_subject("Lecture seule")
    _, uid, _ = receive(prof, subject, HAM)
    client.force_login(colleague)
    assert act(client, prof, "junk", uid, "INBOX").status_code == 403
    response = client.post(
        reverse("mail:report_phishing", args=[prof.personal_mailbox.id]),
        {"folder": "INBOX", "uid": uid},
    )
    assert response.status_code == 403
    assert find_copy("prof.demo", subject)[0] == "INBOX"


@pytest.mark.browser
def test_junk_buttons_in_the_browser(live_server, page, prof):
    subject = unique_subject("Promotion")
    # Its own text: it is learned as spam then as ham, in the académie-wide database too,
    # which must not unteach the adverts of the other tests.
    deliver(prof, build_message(to=prof.email, subject=subject, body=TRIP, sender=TRAVEL))
    page.goto(f"{live_server.url}/")
    page.get_by_label("Identifiant académique ou adresse électronique").fill("prof.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name=subject).click()
    expect(page.get_by_role("button", name="Signaler un hameçonnage")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Indésirable", exact=True).click()
    expect(page.get_by_text("1 message déplacé dans les indésirables.")).to_be_visible()

    page.locator("a.cv-folder[data-folder='Junk']").click()
    page.get_by_role("link", name=subject).click()
    expect(page.get_by_role("button", name="Signaler un hameçonnage")).to_have_count(0)
    page.get_by_role("button", name="Pas indésirable").click()
    expect(page.get_by_text("1 message remis dans la boîte de réception.")).to_be_visible()
    assert find_copy("prof.demo", subject)[0] == "INBOX"
