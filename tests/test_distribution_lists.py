"""Distribution lists: one circular reaches every member's INBOX in one LMTP transaction."""

import smtplib

import pytest
from django.conf import settings

from accounts.models import User
from directory.models import DistributionList
from mail.models import SpooledMessage
from mail.transport.smtp import submit_as
from tests.conftest import build_message, inbox_subjects, make_person, unique_subject, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("mail_stack")]


@pytest.fixture
def staff_list(prof, colleague):
    secretary = make_person("secretariat.demo", category=User.Category.ADMIN_STAFF)
    make_person("ancien.demo", status=User.Status.SUSPENDED)
    dlist = DistributionList.objects.create(
        address=f"Enseignants.0311234Y@{settings.MAIL_DOMAIN}", name="Enseignants du lycée",
        etablissement=prof.etablissement,
        categories=[User.Category.TEACHER_SECONDARY],
    )
    dlist.members.add(secretary)
    return dlist


def test_a_circular_reaches_every_active_member_once(prof, colleague, staff_list):
    subject = unique_subject("Circulaire")
    message = build_message(to=staff_list.address, subject=subject, sender=prof.email)
    # prof is reached as a teacher and named again in To: one copy only.
    submit_as("prof.demo", message.as_bytes(), mail_from=prof.email,
              recipients=[staff_list.address, prof.email])
    for login in ("prof.demo", "collegue.demo", "secretariat.demo"):
        wait_for(lambda login=login: subject in inbox_subjects(login))
    spooled = SpooledMessage.objects.get()
    wait_for(lambda: SpooledMessage.objects.get().status == SpooledMessage.Status.DELIVERED)
    spooled.refresh_from_db()
    assert sorted(spooled.delivered_to) == sorted(
        [prof.email, colleague.email, f"secretariat.demo@{settings.MAIL_DOMAIN}"]
    )
    assert inbox_subjects("prof.demo").count(subject) == 1
    assert subject not in inbox_subjects("ancien.demo")  # suspended accounts are left out


def test_lists_refuse_outside_and_unlisted_senders(prof, colleague, staff_list):
    with smtplib.SMTP(settings.GATEWAY_HOST, settings.GATEWAY_INBOUND_PORT) as smtp:
        smtp.ehlo()
        smtp.mail("famille@example.org")
        code, reply = smtp.rcpt(staff_list.address)
    assert code == 550 and b"distribution list" in reply

    staff_list.allowed_senders = f"{colleague.email}\n"
    staff_list.save()
    message = build_message(to=staff_list.address, subject="Non autorisé", sender=prof.email)
    with pytest.raises(Exception, match="distribution list"):
        submit_as("prof.demo", message.as_bytes(), mail_from=prof.email,
                  recipients=[staff_list.address])
    assert not SpooledMessage.objects.exists()
