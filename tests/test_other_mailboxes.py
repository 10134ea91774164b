"""The sidebar's other mailboxes (mail/webmail/views/common.py): the answer «reads only their
own mailbox» kept per person (mail/access.py, ``reads_only_own``) gives the same list as the
full query at every step of a person's delegations, role grants and directory changes."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from directory.models import Etablissement
from mail.access import GRANTS_TOKEN_KEY, readable_mailboxes
from mail.imap import MailStoreUnavailable
from mail.models import Mailbox, MailboxMember
from mail.webmail.views import common
from shared_mailboxes.models import RoleGrant
from tests.conftest import make_person


@pytest.fixture
def no_imap(monkeypatch):
    """The unread counts are not what is compared here: no Dovecot needed."""

    def unavailable(imap_user):
        raise MailStoreUnavailable(imap_user)

    monkeypatch.setattr(common, "imap_session", unavailable)


def old_and_new(login: str) -> tuple[list[int], list[int]]:
    """The full query's list, as every page ran it before, and the sidebar's, for the
    person as a new request loads them."""
    user = User.objects.get(username=login)
    own = user.personal_mailbox
    old = readable_mailboxes(user).exclude(id=own.id).order_by("kind", "display_name")
    return [m.id for m in old], [o["mailbox"].id for o in common.other_mailboxes(user, own)]


def functional(name: str, etablissement=None) -> Mailbox:
    return Mailbox.objects.create(address=f"{name}@example.org", imap_user=name,
                                  display_name=name.title(), kind=Mailbox.Kind.FUNCTIONAL,
                                  etablissement=etablissement)  # fmt: skip


def test_the_kept_answer_lists_what_the_full_query_lists_at_every_step(transactional_db, no_imap):
    prof = make_person("autres.prof")
    make_person("autres.collegue")  # someone else's grants change the token, not the answer
    box, office = functional("vie.scolaire"), functional("intendance", prof.etablissement)
    now = timezone.now()

    def same(expected):
        for _ in range(2):  # the answer computed, then the answer kept
            old, new = old_and_new("autres.prof")
            assert old == new == [m.id for m in expected]

    same([])
    member = MailboxMember.objects.create(mailbox=box, user=prof)
    same([box])
    member.ends_at = now - timedelta(days=1)
    member.save()
    same([])
    member.ends_at, member.starts_at = None, now + timedelta(days=1)  # not yet in force
    member.save()
    same([])
    member.delete()
    same([])
    MailboxMember.objects.create(mailbox=box, user=User.objects.get(username="autres.collegue"))
    same([])
    role = RoleGrant.objects.create(mailbox=office, category=User.Category.ADMIN_STAFF,
                                    etablissement=prof.etablissement)  # fmt: skip
    same([])
    # The directory makes the person administrative staff: no grant changed, the row did.
    User.objects.filter(id=prof.id).update(category=User.Category.ADMIN_STAFF)
    same([office])
    other = Etablissement.objects.create(uai="0319999Z", name="Collège", kind="college")
    User.objects.filter(id=prof.id).update(etablissement=other)
    same([])
    User.objects.filter(id=prof.id).update(etablissement=prof.etablissement)
    same([office])
    role.delete()
    same([])


def test_a_grant_committed_while_another_request_kept_the_old_answer_shows(
    transactional_db, no_imap
):
    prof = make_person("autres.course")
    box = functional("secretariat")
    old_and_new("autres.course")
    with transaction.atomic():
        MailboxMember.objects.create(mailbox=box, user=prof)
        # Another web process, which cannot see the uncommitted row, reads the token the
        # save has just set and keeps «nothing but their own» under it.
        stale = (cache.get(GRANTS_TOKEN_KEY), prof.category, prof.etablissement_id,
                 prof.date_joined, True)  # fmt: skip
        cache.set(f"mail.others.{prof.pk}", stale, None)
    assert old_and_new("autres.course") == ([box.id], [box.id])


def test_without_redis_the_full_query_answers(transactional_db, no_imap, monkeypatch):
    prof = make_person("autres.panne")
    box = functional("direction")
    monkeypatch.setattr(cache, "get_many", lambda keys, version=None: {})
    monkeypatch.setattr(cache, "get", lambda key, default=None, version=None: default)
    assert old_and_new("autres.panne") == ([], [])
    MailboxMember.objects.create(mailbox=box, user=prof)
    assert old_and_new("autres.panne") == ([box.id], [box.id])


def test_a_grant_shows_within_its_own_transaction(transactional_db, no_imap):
    prof = make_person("autres.meme")
    box = functional("infirmerie")
    with transaction.atomic():
        assert old_and_new("autres.meme") == ([], [])
        MailboxMember.objects.create(mailbox=box, user=prof)
        assert old_and_new("autres.meme") == ([box.id], [box.id])
