"""The «Participants» of the event form: addresses typed or found in the directory, read into
iTIP people and written as ORGANIZER/ATTENDEE lines (answers already given are kept)."""

import re
from email.utils import parseaddr

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from calendar_app import ical, itip
from directory.suggestions import display_address

MAX_ATTENDEES = 100
# A comma outside double quotes («"Dupré, Hélène" <…>» is one person).
_OUTSIDE_QUOTES = re.compile(r',(?=(?:[^"]*"[^"]*")*[^"]*$)')


class AttendeesField(forms.CharField):
    """Comma-separated addresses, «Nom <adresse>» or bare; cleaned to a list of Person."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20_000)
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        people: dict[str, itip.Person] = {}
        for chunk in _OUTSIDE_QUOTES.split(text.replace("\n", ",").replace(";", ",")):
            if not chunk.strip():
                continue
            name, email = parseaddr(chunk.strip())
            email = email.strip().lower()
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(
                    _("«%(value)s» is not an e-mail address."),
                    params={"value": chunk.strip()[:100]}, code="invalid") from None  # fmt: skip
            people.setdefault(email, itip.Person(email, " ".join(name.split())[:200]))
        if len(people) > MAX_ATTENDEES:
            raise ValidationError(_("At most %(n)s attendees.") % {"n": MAX_ATTENDEES})
        return list(people.values())


def as_text(people) -> str:
    return ", ".join(display_address(p.name, p.email) for p in people)


def initial_of(calendar) -> str:
    """The form's «Participants» for a stored event."""
    return as_text(itip.attendees_of(itip.first_event(calendar)))


def from_query(addresses: list[str]) -> str:
    """``?participants=<email>`` repeated (the directory card's «Inviter»)."""
    return ", ".join(a.strip() for a in addresses[:MAX_ATTENDEES] if "@" in a)


def awaiting_answer(text: str, email: str) -> bool:
    """The person is invited to this event and has not answered yet."""
    try:
        event = itip.first_event(ical.parse(text))
    except ical.BadCalendarData:
        return False
    return itip.partstat_of(event, email.lower()) == "NEEDS-ACTION"


def _named(people: list[itip.Person]) -> list[itip.Person]:
    """A colleague typed as a bare address is shown by their name (CN)."""
    bare = [p.email for p in people if not p.name]
    names = {email.lower(): (first, last) for email, first, last in User.objects.filter(
        email__in=bare).values_list("email", "first_name", "last_name")}  # fmt: skip
    return [itip.Person(p.email, p.name or " ".join(names.get(p.email, ("", ""))).strip(),
                        p.partstat) for p in people]  # fmt: skip


def apply(calendar, user, people: list[itip.Person] | None) -> None:
    """The attendees on every VEVENT of an event the person organises (or a new one); an
    invitation received from someone else keeps its organiser's list."""
    if people is None:
        return
    me = itip.Person(user.email.lower(), user.get_full_name())
    people = _named([p for p in people if p.email != me.email])
    for component in itip.events(calendar):
        organizer = itip.organizer_of(component)
        if organizer and organizer != me.email:
            continue
        answers = {p.email: p.partstat for p in itip.attendees_of(component)}
        kept = [itip.Person(p.email, p.name, answers.get(p.email, "NEEDS-ACTION"))
                for p in people]  # fmt: skip
        itip.set_people(component, me, kept)
