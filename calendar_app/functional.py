"""Functional calendars: the agenda of a functional mailbox (vie scolaire, CPE), beside it.

Its events live in the home of a service account ``agenda.<mailbox's IMAP user>`` (no
password: reached by the web app's master login only, like the rooms' accounts) whose
address is the mailbox's own: its invitations carry that address as ORGANIZER and come from
it, so the answers are delivered to the mailbox, and from there to this calendar
(calendar_app.inbox.functional_later), as are the invitations mailed to the mailbox. Who
may read or change them follows the mailbox's rights (mail.access, with its members' dates
and its role grants), through calendar_app.share_access: «lire» gives «lecture» (private
events as «Occupé»), «gérer» gives «modification» and answering the mailbox's invitations
(calendar_app.delegation: the REPLY leaves from the mailbox's address). So the calendar
follows the directory as the shared mailbox does."""

import contextlib
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from calendar_app import mirror, services
from calendar_app.sharing_models import FunctionalCalendar
from dav.client import DavConflict, dav_session
from mail import access
from mail.models import Mailbox

PREFIX = "agenda."


def _account(mailbox: Mailbox):
    User = get_user_model()
    username = f"{PREFIX}{mailbox.imap_user}"[:150]
    address = mailbox.address.lower()
    user, created = User.objects.get_or_create(username=username, defaults={
        "email": address, "first_name": mailbox.display_name[:150],
        "etablissement": mailbox.etablissement, "category": User.Category.ADMIN_STAFF})  # fmt: skip
    if created:  # not a person: out of the directory (the account's signal made an entry)
        entry = getattr(user, "directory_entry", None)
        if entry is not None:
            entry.delete()
    if user.email != address:  # the mailbox's address changed (or an account from before)
        User.objects.filter(pk=user.pk).update(email=address)  # no signal: stays out
        user.email = address
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if user.last_login is None or user.last_login < timezone.now() - timedelta(days=1):
        # Not an inactive account to suspend: the master login could no longer reach it.
        User.objects.filter(pk=user.pk).update(last_login=timezone.now(),
                                               status=User.Status.ACTIVE)  # fmt: skip
    return user


def ensure_calendar(mailbox: Mailbox) -> FunctionalCalendar:
    """The mailbox's calendar (created once, named after it), and its «lecture» copy."""
    account = _account(mailbox)
    functional, _ = FunctionalCalendar.objects.get_or_create(mailbox=mailbox,
                                                             defaults={"account": account})
    name = slugify(mailbox.imap_user.split(".")[0])[:40] or "agenda"
    with dav_session(account.username) as store:
        if name not in {c.name for c in store.calendars()}:
            with contextlib.suppress(DavConflict):  # made meanwhile by a second click at once
                store.make_calendar(name, mailbox.display_name, services.DEFAULT_COLOR)
    mirror.rebuild(account, name)
    return functional


def create_for(user, mailbox_id: int) -> FunctionalCalendar:
    """«Créer l'agenda de cette boîte», by whoever manages the functional mailbox: 404 for
    someone who may not read it (or a personal mailbox), 403 for a reader."""
    mailbox = access.access_mailbox(user, mailbox_id, manage=True)
    if mailbox.kind != Mailbox.Kind.FUNCTIONAL:
        raise Http404
    return ensure_calendar(mailbox)
