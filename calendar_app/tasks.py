"""Celery tasks of the agenda: thin, idempotent, queued by Radicale's hook by name."""

from celery import shared_task
from django.contrib.auth import get_user_model

from calendar_app import inbox, room_mail, rooms, school_copy
from calendar_app.index import reindex_collection
from calendar_app.models import Room, Subscription
from calendar_app.reminders import send_due_reminders
from calendar_app.subscriptions import queue_due_refreshes, refresh
from dav.client import DavConflict, DavUnavailable


@shared_task(name="calendar_app.tasks.collection_changed", ignore_result=True)
def collection_changed(username: str, collection: str) -> int:
    """A change in the store (web or phone): bring the derived index up to date."""
    return reindex_collection(username, collection)


@shared_task(name="calendar_app.tasks.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """Beat: the reminders due now, each once."""
    return send_due_reminders()


@shared_task(name=inbox.TASK, ignore_result=True, autoretry_for=(DavUnavailable, DavConflict),
             retry_backoff=2, retry_backoff_max=300, retry_jitter=False,
             max_retries=15)  # fmt: skip
def receive_imip(user_ids: list[int], sender: str, text: str) -> str:
    """An invitation, cancellation or answer delivered to local people (or to a functional
    mailbox's calendar): into each one's agenda (again later if the store is down or a copy
    changed meanwhile: what was applied is recorded, and not applied twice)."""
    if isinstance(user_ids, int):  # queued by a worker of the version before batches
        user_ids = [user_ids]
    users = get_user_model().objects.filter(id__in=user_ids, is_active=True)
    return ", ".join(inbox.receive_for(list(users), sender, text)) or "no-account"


@shared_task(name="calendar_app.tasks.refresh_subscriptions", ignore_result=True)
def refresh_subscriptions() -> int:
    """Beat: queue a refresh of each subscribed .ics not refreshed for a while."""
    return queue_due_refreshes()


@shared_task(name="calendar_app.tasks.refresh_subscription", ignore_result=True)
def refresh_subscription(subscription_id: int) -> None:
    subscription = Subscription.objects.select_related("owner").filter(pk=subscription_id).first()
    if subscription is not None:
        refresh(subscription)


@shared_task(name=rooms.BOOK_TASK, ignore_result=True, autoretry_for=(DavUnavailable, DavConflict),
             retry_backoff=2, retry_backoff_max=300, retry_jitter=False,
             max_retries=15)  # fmt: skip
def book_room(room_id: int, organizer_id: int, text: str) -> str:
    """A room invited to an event: its answer, checked under the room's lock."""
    return rooms.book(room_id, organizer_id, text)


@shared_task(name=rooms.RELEASE_TASK, ignore_result=True, autoretry_for=(DavUnavailable,),
             retry_backoff=2, retry_backoff_max=300, retry_jitter=False,
             max_retries=15)  # fmt: skip
def release_room(room_id: int, uid: str) -> str:
    return rooms.release(room_id, uid)


@shared_task(name=room_mail.TASK, ignore_result=True, autoretry_for=(DavUnavailable, DavConflict),
             retry_backoff=2, retry_backoff_max=300, retry_jitter=False,
             max_retries=15)  # fmt: skip
def receive_room_mail(room_id: int, sender: str, text: str) -> str:
    """An invitation (or its cancellation) mailed to a room's address, from outside."""
    return rooms.receive_by_mail(room_id, sender, text)


@shared_task(name=rooms.MAIL_TASK, ignore_result=True)
def mail_room_answer(room_id: int, organizer_email: str, reply_text: str) -> None:
    """A room's answer to an organiser from outside, queued to leave from the room's address
    (once, however often this task runs)."""
    room = Room.objects.select_related("etablissement").filter(id=room_id).first()
    if room is not None:
        room_mail.queue_answer(room, organizer_email, reply_text)


@shared_task(name="calendar_app.tasks.write_school_calendars", ignore_result=True)
def write_school_calendars() -> int:
    """Beat, and after the holidays' file is refreshed: the phones' school calendars."""
    return school_copy.sync_everyone()
