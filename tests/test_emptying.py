"""The end of a transactional test empties what it wrote and keeps the content types."""

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS

from accounts.models import User
from mail.models import Mailbox, MailboxMember
from tests.emptying import delete_every_row


def test_rows_go_parents_and_children_alike_and_content_types_stay(transactional_db):
    user = User.objects.create(username="vide.apres")
    mailbox = Mailbox.objects.create(address="vide.apres@ac-demo.test", kind=Mailbox.Kind.PERSONAL)
    MailboxMember.objects.create(mailbox=mailbox, user=user)
    kinds = ContentType.objects.count()

    written = delete_every_row(DEFAULT_DB_ALIAS)

    assert {User._meta.db_table, Mailbox._meta.db_table, MailboxMember._meta.db_table} <= set(
        written
    )
    assert not User.objects.exists()
    assert not MailboxMember.objects.exists()
    assert ContentType.objects.count() == kinds > 0
    assert delete_every_row(DEFAULT_DB_ALIAS) == []
