"""The derived index of events, rebuilt from the CalDAV server: never the truth, only what
search, reminders, free/busy and the pages of a range need without asking the store."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from calendar_app.sharing_models import CalendarShare, FunctionalCalendar, Level  # noqa: F401


class IndexedEvent(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    collection = models.CharField(max_length=200)
    href = models.CharField(max_length=300)
    uid = models.CharField(max_length=300)
    # The ORGANIZER's address ("": none; null: indexed before it was kept): the sync of a
    # version the index already holds reads it again only if it may send an iMIP mail.
    organizer = models.CharField(max_length=320, null=True)  # noqa: DJ001 - null: not known
    summary = models.CharField(max_length=300, blank=True)
    location = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    # The end of the last occurrence; null for a series without end.
    ends_at = models.DateTimeField(null=True)
    recurring = models.BooleanField(default=False)
    # When the next reminder of this event is due (its VALARMs, any occurrence); null: none.
    next_reminder_at = models.DateTimeField(null=True, db_index=True)
    # TRANSP:TRANSPARENT («libre») and CLASS:PRIVATE/CONFIDENTIAL of the series (free/busy).
    transparent = models.BooleanField(default=False)
    private = models.BooleanField(default=False)
    # A series' busy periods are stored for [busy_from, busy_until); outside, free/busy
    # expands ``source`` on the fly.
    busy_from = models.DateTimeField(null=True)
    busy_until = models.DateTimeField(null=True)
    # The resource as stored and its ETag: the agenda's pages read a range from here while
    # the collection's index is current (calendar_app.window).
    source = models.TextField(blank=True)
    etag = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "collection", "href"], name="indexed_event")
        ]
        indexes = [models.Index(fields=["owner", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.collection}/{self.href}"


class BusyPeriod(models.Model):
    """One busy occurrence of an indexed event (a «libre» occurrence has none): free/busy of
    many people is then one indexed query. Title and privacy per occurrence, since an
    exception of a series may differ from it."""

    event = models.ForeignKey(IndexedEvent, on_delete=models.CASCADE, related_name="busy")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    title = models.CharField(max_length=300, blank=True)
    private = models.BooleanField(default=False)
    all_day = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["owner", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.starts_at:%Y-%m-%d %H:%M}"


class CollectionState(models.Model):
    """The sync token the index last caught up with, per collection, and the collection's
    change count (``dav.models.CollectionVersion``) it holds every change of: -1 when not
    known (never indexed, or indexed before the count existed). A sync holds the row by a
    claim (convergence.claims), not a transaction (calendar_app.index)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    collection = models.CharField(max_length=200)
    sync_token = models.CharField(max_length=300, blank=True)
    indexed_version = models.BigIntegerField(default=-1)
    # The count up to which what a sync does after the index (iMIP sent, filtered copies) is
    # done too, by a sync or by the writer itself: the hook's task then has nothing to do.
    settled_version = models.BigIntegerField(default=-1)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "collection"], name="collection_state")
        ]

    def __str__(self) -> str:
        return self.collection


class AgendaSettings(models.Model):
    """How one person likes their agenda (settings, not events)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="agenda_settings")  # fmt: skip
    working_week = models.BooleanField(default=False)  # Monday to Friday in the week view
    hidden_calendars = models.JSONField(default=list, blank=True)
    # «Semaine A / semaine B»: off unless asked for; any day of a week A sets the alternation.
    alternate_weeks = models.BooleanField(default=False)
    week_a = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def of(cls, user) -> "AgendaSettings":
        """The person's row, made at first use: for those who change it."""
        return cls.objects.get_or_create(user=user)[0]

    @classmethod
    def read(cls, user) -> "AgendaSettings":
        """The person's settings, the defaults unsaved when they never changed any: reading
        them writes nothing (a room's REPLY applied to an organiser's agenda reads them, and on
        SQLite a write waits for every other)."""
        return cls.objects.filter(user=user).first() or cls(user=user)


class SentReminder(models.Model):
    """A reminder already sent, so that each is sent once (the job may run twice)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uid = models.CharField(max_length=300)
    occurrence = models.CharField(max_length=20)  # the occurrence's start, as a recurrence key
    minutes_before = models.IntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "uid", "occurrence", "minutes_before"],
                                    name="sent_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.uid} {self.occurrence} -{self.minutes_before}"


class ScheduledEvent(models.Model):
    """What the attendees of an event one organises were last sent (iTIP): the hook's task
    compares each change with it, from the web or a phone, and sends the difference."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uid = models.CharField(max_length=300)
    collection = models.CharField(max_length=200)
    href = models.CharField(max_length=300)
    sequence = models.IntegerField(default=0)  # the SEQUENCE last sent
    fingerprint = models.CharField(max_length=64)  # itip.fingerprint of what was sent
    attendees = models.JSONField(default=list)  # addresses invited, lower case
    sent = models.TextField()  # the last REQUEST, to cancel it once the event is deleted

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "uid"], name="scheduled_event")]

    def __str__(self) -> str:
        return self.uid

    @classmethod
    def may_send(cls, owner, uid: str, organizer: str) -> bool:
        """Whether a change of this event may send iMIP: organised by ``owner`` (lower case),
        or sent from here already (its CANCEL is then due)."""
        return organizer == owner.email.lower() or cls.objects.filter(
            owner=owner, uid=uid[:300]).exists()  # fmt: skip


class ReceivedItip(models.Model):
    """The newest iTIP message applied to one person's agenda per event (and per attendee for
    REPLYs): an older or the same one again changes nothing (RFC 5546 §2.1.5)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uid = models.CharField(max_length=300)
    attendee = models.CharField(max_length=320, blank=True)  # "" for REQUEST and CANCEL
    sequence = models.IntegerField()
    dtstamp = models.CharField(max_length=16)
    # Taken while one message of the event is applied (inbox._in_order); lapses if its
    # worker dies.
    claimed_until = models.DateTimeField(null=True, blank=True)
    CLAIM = timedelta(minutes=2)  # far longer than applying one message takes

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "uid", "attendee"],
                                               name="received_itip")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.uid} {self.attendee}"


class Subscription(models.Model):
    """A public .ics URL a person subscribed to: its events are copied into a read-only
    collection of theirs (``dav.read_only``), refreshed by a beat job."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    collection = models.CharField(max_length=200)
    url = models.URLField(max_length=2000)
    refreshed_at = models.DateTimeField(null=True, db_index=True)  # last attempt
    last_error = models.CharField(max_length=300, blank=True)  # French, shown to the person

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "collection"], name="subscription")
        ]

    def __str__(self) -> str:
        return self.url


class Room(models.Model):
    """A room or a piece of equipment of an établissement, invited like a person: its address
    on an event's ATTENDEE line books it (calendar_app.rooms), from the web or a phone."""

    class Policy(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatic")
        APPROVAL = "approval", _("Approval by a manager")

    class Kind(models.TextChoices):
        ROOM = "room", _("Room")
        EQUIPMENT = "equipment", _("Equipment")

    etablissement = models.ForeignKey("directory.Etablissement", on_delete=models.CASCADE,
                                      related_name="rooms")  # fmt: skip
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ROOM)
    email = models.EmailField(_("address"), unique=True)  # lower case
    capacity = models.PositiveIntegerField(_("capacity"), default=0)  # 0: not a room's seats
    policy = models.CharField(_("booking"), max_length=10, choices=Policy.choices,
                              default=Policy.AUTOMATIC)  # fmt: skip
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    calendar = models.CharField(max_length=100)  # the collection under the service principal
    # A deactivated room keeps its bookings and its calendar but declines new ones.
    active = models.BooleanField(_("bookable"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoomBooking(models.Model):
    """The room's answer to one event (by UID): held slots are ACCEPTED or TENTATIVE (waiting
    for a manager); a DECLINED booking keeps its reason and holds nothing."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="bookings")
    uid = models.CharField(max_length=300)
    # An account of ours, or null for an organiser from outside (invited by mail); the
    # address is kept either way: only it may change or cancel the booking.
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+", null=True, blank=True)  # fmt: skip
    organizer_email = models.EmailField(max_length=320, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    sequence = models.IntegerField(default=0)
    status = models.CharField(max_length=10)  # ACCEPTED, TENTATIVE, DECLINED
    reason = models.CharField(max_length=500, blank=True)
    request = models.TextField()  # the REQUEST the room answered
    answered_at = models.DateTimeField(auto_now=True)
    # SHA-256 of the REQUEST whose answer was given in full: the same one delivered again
    # (its task redelivered, the mail sent twice) answers nothing new.
    answered = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "uid"], name="room_booking")]

    def __str__(self) -> str:
        return f"{self.room} {self.uid}"

    @property
    def organizer_name(self) -> str:
        if self.organizer is not None:
            return self.organizer.get_full_name() or self.organizer.email
        return self.organizer_email


class RoomSlot(models.Model):
    """One occurrence a booking holds (a recurring booking holds each, capped)."""

    booking = models.ForeignKey(RoomBooking, on_delete=models.CASCADE, related_name="slots")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["room", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.room} {self.starts_at}"


class SchoolCalendarCopy(models.Model):
    """The school calendar written into a person's home for their phone (calendar_app.
    school_copy): the digest of what was written, so an unchanged calendar costs no request."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+")  # fmt: skip
    digest = models.CharField(max_length=64)
    written_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.owner_id)
