"""Subscriptions to a public .ics URL (a school's holidays, a club's fixtures): the file is
fetched with convergence.safe_fetch, its events copied into a read-only collection of the
person (dav.read_only: phones read it too, nobody writes it but this module), and refreshed
by a beat job: changed events rewritten, vanished ones removed."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from calendar_app import ical, importing
from calendar_app.models import AgendaSettings, Subscription
from convergence.queueing import enqueue_on_commit
from convergence.safe_fetch import FetchError, fetch
from dav import read_only
from dav.client import DavConflict, DavNotFound, DavRefused, dav_session

logger = logging.getLogger(__name__)
USER_AGENT = "Mozilla/5.0 (compatible; Convergence-Agenda/1.0)"
ACCEPT = "text/calendar, text/plain;q=0.5, */*;q=0.1"
REFRESH_BATCH = 200  # subscriptions queued per beat run; the rest wait for the next one
MAX_PER_PERSON = 20  # each is fetched again and again on the person's behalf
MANUAL_REFRESH_SECONDS = 60  # «Actualiser maintenant» more often fetches nothing more


class SubscriptionError(Exception):
    """Why an address cannot be subscribed to or refreshed, in French for the person."""


def normalized_url(url: str) -> str:
    """``webcal://`` (what «S'abonner» links on the web give) is HTTPS."""
    url = url.strip()
    if url.lower().startswith("webcal://"):
        return "https://" + url[len("webcal://"):]
    return url


def fetch_feed(url: str) -> importing.ImportReport:
    try:
        fetched = fetch(
            normalized_url(url), max_bytes=settings.AGENDA_SUBSCRIPTION_MAX_BYTES,
            timeout=settings.AGENDA_SUBSCRIPTION_TIMEOUT, user_agent=USER_AGENT, accept=ACCEPT,
            allow_loopback=settings.AGENDA_SUBSCRIPTION_ALLOW_LOOPBACK,
        )  # fmt: skip
    except FetchError as exc:
        logger.info("subscription %s: %s", url, exc)
        raise SubscriptionError(_reason(str(exc))) from exc
    report = importing.read_ics(fetched.data)
    if not report.events:
        raise SubscriptionError(_("This address does not give an agenda (.ics file)."))
    return report


def _reason(error: str) -> str:
    if "non-public" in error or "scheme" in error or "host" in error or "URL" in error:
        return _("This address cannot be used: give a public web address (https://…).")
    if "too large" in error:
        return _("The agenda at this address is too large.")
    if "timed out" in error:
        return _("The server at this address did not answer in time.")
    return _("The agenda at this address could not be fetched.")


def subscribe(user, url: str, display_name: str, color: str) -> Subscription:
    """Fetches the file once (a wrong address is said at once), then creates the calendar."""
    if Subscription.objects.filter(owner=user).count() >= MAX_PER_PERSON:
        raise SubscriptionError(_("You already follow %(n)s agendas: unsubscribe from one "
                                  "first.") % {"n": MAX_PER_PERSON})  # fmt: skip
    report = fetch_feed(url)
    with dav_session(user.username) as store:
        existing = {c.name for c in store.calendars()}
        base = read_only.PREFIX + (slugify(display_name)[:40] or "agenda")
        name, n = base, 1
        while name in existing:
            n += 1
            name = f"{base}-{n}"
        store.make_calendar(name, display_name, color)
    subscription = Subscription.objects.create(owner=user, collection=name,
                                               url=normalized_url(url))  # fmt: skip
    _store(user, name, report)
    subscription.refreshed_at = timezone.now()
    subscription.save(update_fields=["refreshed_at"])
    return subscription


def refresh(subscription: Subscription) -> None:
    """Brings the calendar in line with the file; a failure is kept to be shown, and the
    events already there stay (a server down for an hour empties nobody's agenda)."""
    try:
        _store(subscription.owner, subscription.collection, fetch_feed(subscription.url))
        subscription.last_error = ""
    except SubscriptionError as exc:
        subscription.last_error = str(exc)[:300]
    except DavNotFound:  # the calendar was deleted from under the subscription
        subscription.delete()
        return
    subscription.refreshed_at = timezone.now()
    subscription.save(update_fields=["refreshed_at", "last_error"])


def queue_due_refreshes() -> int:
    """Beat: one refresh task per subscription not refreshed for a while."""
    due = timezone.now() - timedelta(seconds=settings.AGENDA_SUBSCRIPTION_REFRESH_SECONDS)
    stale = Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=due)
    ids = list(Subscription.objects.filter(stale).order_by("refreshed_at")
               .values_list("pk", flat=True)[:REFRESH_BATCH])  # fmt: skip
    for pk in ids:
        enqueue_on_commit("calendar_app.tasks.refresh_subscription", pk)
    return len(ids)


def recently_refreshed(subscription: Subscription) -> bool:
    since = timezone.now() - timedelta(seconds=MANUAL_REFRESH_SECONDS)
    return subscription.refreshed_at is not None and subscription.refreshed_at > since


def unsubscribe(user, collection: str) -> None:
    try:
        with dav_session(user.username) as store:
            store.delete_calendar(collection)
    except DavNotFound:
        pass
    Subscription.objects.filter(owner=user, collection=collection).delete()
    settings_row = AgendaSettings.of(user)
    if collection in settings_row.hidden_calendars:
        settings_row.hidden_calendars.remove(collection)
        settings_row.save(update_fields=["hidden_calendars"])


def _without_alarms(text: str) -> str:
    """Someone else's alarms would send this person reminders they never asked for."""
    parsed = ical.parse(text)
    for event in parsed.walk("VEVENT"):
        event.subcomponents = [c for c in event.subcomponents if c.name != "VALARM"]
    return ical.serialize(parsed)


def _same(stored: str, new: str) -> bool:
    return stored.replace("\r\n", "\n").strip() == new.replace("\r\n", "\n").strip()


def _store(user, collection: str, report: importing.ImportReport) -> None:
    with dav_session(user.username) as store:
        existing = {}
        for resource in store.all_resources(collection):
            try:
                existing[str(ical.master(ical.parse(resource.text))["UID"])] = resource
            except (ical.BadCalendarData, KeyError):
                existing[resource.href] = resource  # unreadable: replaced or removed
        for event in report.events:
            text = _without_alarms(event.text)
            current = existing.pop(event.uid, None)
            try:
                if current is None:
                    store.put(collection, ical.href_for(event.uid), text, etag=None)
                elif not _same(current.text, text):
                    store.put(collection, current.href, text, etag=current.etag)
            except (DavConflict, DavRefused) as exc:  # one bad event, not the whole file
                logger.info("subscription %s/%s: %s", collection, event.uid, exc)
        for gone in existing.values():
            try:
                store.delete(collection, gone.href, etag=gone.etag)
            except (DavConflict, DavNotFound):
                continue
