"""The reading side against a real Dovecot: folders, list actions, sort, filters, search."""

import imaplib

import pytest
from django.conf import settings
from django.urls import reverse

from mail.models import MailboxMember
from tests.conftest import (
    PASSWORD,
    build_message,
    deliver,
    inbox_subjects,
    make_person,
    uid_of,
    unique_subject,
)

pytestmark = pytest.mark.usefixtures("mail_stack")


def folder_url(user, folder="INBOX", **params):
    url = reverse("mail:folder", args=[user.personal_mailbox.id, folder])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def act(client, user, action, uids, folder="INBOX", **extra):
    return client.post(
        reverse("mail:act", args=[user.personal_mailbox.id]),
        {"folder": folder, "action": action, "uid": uids, **extra},
    )


def subjects_in(client, user, folder="INBOX", **params):
    page = client.get(folder_url(user, folder, **params)).context["page"]
    return [e.subject for e in page.envelopes]


def test_special_folders_are_named_in_french_with_unread_counts(client, prof):
    deliver(prof, build_message(to=prof.email, subject=unique_subject()))
    client.force_login(prof)
    page = client.get(folder_url(prof), HTTP_ACCEPT_LANGUAGE="fr")
    labels = [entry.label for entry in page.context["folders"]]
    assert labels[:6] == [
        "Boîte de réception",
        "Brouillons",
        "Envoyés",
        "Archives",
        "Indésirables",
        "Corbeille",
    ]
    inbox = page.context["folders"][0]
    assert inbox.folder.unread >= 1
    assert "non lus" in page.text and page.context["quota"] is not None


def test_mark_flag_move_archive_and_delete(client, prof):
    subject, other = unique_subject("Sortie au musée"), unique_subject("Autre")
    deliver(prof, build_message(to=prof.email, subject=subject))
    deliver(prof, build_message(to=prof.email, subject=other))
    uid = uid_of(prof, subject)
    client.force_login(prof)

    assert act(client, prof, "read", [uid]).status_code == 302
    assert subject not in subjects_in(client, prof, filter="unread")
    assert other in subjects_in(client, prof, filter="unread")
    act(client, prof, "flag", [uid])
    # Other tests may leave flagged mail in this INBOX: only these two messages are known.
    flagged = subjects_in(client, prof, filter="flagged")
    assert subject in flagged and other not in flagged
    act(client, prof, "unflag", [uid])
    assert subject not in subjects_in(client, prof, filter="flagged")

    act(client, prof, "archive", [uid])
    assert subject not in inbox_subjects("prof.demo")
    archived = uid_of(prof, subject, "Archive")
    act(client, prof, "move", [archived], folder="Archive", target="INBOX")
    uid = uid_of(prof, subject)

    act(client, prof, "delete", [uid])
    trashed = uid_of(prof, subject, "Trash")
    act(client, prof, "delete", [trashed], folder="Trash")
    assert subject not in subjects_in(client, prof, "Trash")


def test_empty_trash_but_never_another_folder(client, prof):
    subject = unique_subject()
    deliver(prof, build_message(to=prof.email, subject=subject))
    client.force_login(prof)
    act(client, prof, "delete", [uid_of(prof, subject)])
    client.post(reverse("mail:empty", args=[prof.personal_mailbox.id, "INBOX"]))
    assert inbox_subjects("prof.demo")  # refused: the inbox keeps its messages
    client.post(reverse("mail:empty", args=[prof.personal_mailbox.id, "Trash"]))
    assert subjects_in(client, prof, "Trash") == []


def test_sort_and_quick_search(client, prof):
    token = unique_subject("").strip()
    for subject in (f"B {token}", f"A {token}", f"C {token}"):
        deliver(
            prof, build_message(to=prof.email, subject=subject, body=f"Réunion pédagogique {token}")
        )
    client.force_login(prof)
    found = subjects_in(client, prof, q=token, sort="subject", order="asc")
    assert found == [f"A {token}", f"B {token}", f"C {token}"]
    assert subjects_in(client, prof, q=token, sort="subject", order="desc")[0] == f"C {token}"


def test_search_everywhere_finds_a_word_of_the_body_in_any_folder(client, prof):
    word = unique_subject("").strip()
    subject = unique_subject("Projet")
    deliver(
        prof,
        build_message(
            to=prof.email, subject=subject, body=f"Le mot rare {word} est dans le corps."
        ),
    )
    client.force_login(prof)
    act(client, prof, "archive", [uid_of(prof, subject)])
    page = client.get(reverse("mail:search", args=[prof.personal_mailbox.id]), {"text": word})
    results = page.context["page"].envelopes
    assert [(e.subject, e.folder) for e in results] == [(subject, "Archive")]


def test_folder_create_rename_colour_delete(client, prof):
    box = prof.personal_mailbox.id
    client.force_login(prof)
    client.post(reverse("mail:folders", args=[box]), {"name": "Classes/2nde 3"})
    assert client.get(folder_url(prof, "Classes/2nde 3")).status_code == 200
    duplicate = client.post(reverse("mail:folders", args=[box]), {"name": "Classes/2nde 3"})
    assert "existe déjà" in duplicate.text

    subject = unique_subject()
    deliver(prof, build_message(to=prof.email, subject=subject))
    act(client, prof, "move", [uid_of(prof, subject)], target="Classes/2nde 3")

    edit = reverse("mail:folder_edit", args=[box, "Classes/2nde 3"])
    client.post(edit, {"operation": "rename", "rename-name": "Classes/2nde 4"})
    client.post(
        reverse("mail:folder_edit", args=[box, "Classes/2nde 4"]),
        {"operation": "colour", "colour-colour": "green"},
    )
    page = client.get(folder_url(prof, "Classes/2nde 4"))
    entry = next(e for e in page.context["folders"] if e.name == "Classes/2nde 4")
    assert entry.colour == "green" and entry.folder.total == 1

    client.post(reverse("mail:folder_edit", args=[box, "Classes/2nde 4"]), {"operation": "delete"})
    assert client.get(folder_url(prof, "Classes/2nde 4")).status_code == 404
    assert subject in subjects_in(client, prof, "Trash")  # the contents went to the Trash

    special = client.post(reverse("mail:folder_edit", args=[box, "Sent"]), {"operation": "delete"})
    assert special.status_code == 302
    assert client.get(folder_url(prof, "Sent")).status_code == 200


def test_reading_member_cannot_change_a_shared_mailbox(client, prof, colleague):
    MailboxMember.objects.create(mailbox=prof.personal_mailbox, user=colleague, can_read=True)
    subject = unique_subject()
    deliver(prof, build_message(to=prof.email, subject=subject))
    client.force_login(colleague)
    assert client.get(folder_url(prof)).status_code == 200
    response = act(client, prof, "delete", [uid_of(prof, subject)])
    assert response.status_code == 403
    assert subject in inbox_subjects("prof.demo")


def test_bad_input_never_reaches_the_server(client, prof):
    client.force_login(prof)
    assert client.get(folder_url(prof, 'INBOX" (ALL)')).status_code == 404
    assert client.get(folder_url(prof, "Nowhere")).status_code == 404
    response = act(client, prof, "move", ["1"], target='INBOX"\r\nA1 LOGOUT')
    assert response.status_code == 302  # refused with a message, nothing moved
    stranger = make_person("inconnu.demo")
    client.force_login(stranger)
    assert act(client, prof, "read", ["1"]).status_code == 404


def test_changes_from_a_phone_show_on_the_next_page_load(client, prof):
    """The list is cached per folder, but never shown stale: flags, expunges, new mail."""
    kept, removed = unique_subject("Gardé"), unique_subject("Supprimé au téléphone")
    for subject in (kept, removed):
        deliver(prof, build_message(to=prof.email, subject=subject))
    client.force_login(prof)

    def envelopes():
        page = client.get(folder_url(prof)).context["page"]
        return {e.subject: e for e in page.envelopes}

    assert envelopes()[kept].seen is False  # warms the cache

    phone = imaplib.IMAP4(settings.IMAP_HOST, settings.IMAP_PORT)
    phone.login("prof.demo", PASSWORD)
    phone.select("INBOX")
    phone.uid("STORE", str(uid_of(prof, kept)), "+FLAGS", "(\\Seen \\Flagged)")
    phone.uid("STORE", str(uid_of(prof, removed)), "+FLAGS", "(\\Deleted)")
    phone.expunge()
    phone.logout()

    after = envelopes()
    assert after[kept].seen is True and after[kept].flagged is True
    assert removed not in after
    arrived = unique_subject("Nouveau")
    deliver(prof, build_message(to=prof.email, subject=arrived))
    assert arrived in envelopes()


def test_conversation_view_groups_a_thread(client, prof):
    subject = unique_subject("Sortie à Albi")
    first = build_message(to=prof.email, subject=subject, body="Qui vient ?")
    reply = build_message(to=prof.email, subject=f"Re: {subject}", body="Moi, avec la 2nde 3.")
    reply["In-Reply-To"] = first["Message-ID"]
    reply["References"] = first["Message-ID"]
    deliver(prof, first)
    deliver(prof, reply)
    client.force_login(prof)
    page = client.get(folder_url(prof, vue="conversations")).context["page"]
    thread = next(c for c in page.conversations if c.first.subject == subject)
    assert [e.subject for e in thread.envelopes] == [subject, f"Re: {subject}"]
    assert thread.unread == 2

    box = prof.personal_mailbox.id
    opened = client.get(reverse("mail:conversation", args=[box, "INBOX", thread.latest.uid]))
    assert "Qui vient ?" in opened.text and "Moi, avec la 2nde 3." in opened.text
    values = ",".join(str(e.uid) for e in thread.envelopes)
    client.post(
        reverse("mail:act", args=[box]),
        {"folder": "INBOX", "action": "archive", "conversation": [values]},
    )
    assert subject not in subjects_in(client, prof)
    assert f"Re: {subject}" not in subjects_in(client, prof)


def test_folders_with_accents_and_spaces_work_end_to_end(client, prof):
    box = prof.personal_mailbox.id
    client.force_login(prof)
    client.post(reverse("mail:folders", args=[box]), {"name": "Élèves/Conseils de classe"})
    subject = unique_subject("Conseil de la 2nde 3")
    deliver(prof, build_message(to=prof.email, subject=subject))
    act(client, prof, "move", [uid_of(prof, subject)], target="Élèves/Conseils de classe")
    listing = client.get(folder_url(prof, "Élèves/Conseils de classe"))
    assert [e.subject for e in listing.context["page"].envelopes] == [subject]
    uid = listing.context["page"].envelopes[0].uid
    opened = client.get(reverse("mail:message", args=[box, "Élèves/Conseils de classe", uid]))
    assert opened.status_code == 200 and subject in opened.text
    entry = next(e for e in listing.context["folders"] if e.name == "Élèves/Conseils de classe")
    assert entry.label == "Conseils de classe" and entry.folder.depth == 1
