"""The event form and the calendar form: what people type, checked, turned into EventData."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.forms import TIME_ZONES as ACCOUNT_TIME_ZONES
from calendar_app.attendees import AttendeesField
from calendar_app.edits import WEEKDAYS, EventData, Recurrence

# Categories with the colour shown in the agenda (DSFR illustrative colours, AA on white text).
CATEGORIES = {
    "": ("", _("No category")),
    "cours": ("#000091", _("Class")),
    "reunion": ("#6a6af4", _("Meeting")),
    "conseil": ("#b34000", _("Class council")),
    "formation": ("#18753c", _("Training")),
    "rendez-vous": ("#a94645", _("Appointment")),
    "personnel": ("#3a3a3a", pgettext_lazy("agenda", "Personal")),
}
# The account's list (metropolitan France and the overseas académies), and UTC, which
# imported events often use.
TIME_ZONES = [*ACCOUNT_TIME_ZONES, ("UTC", _("UTC"))]
REMINDERS = [(5, _("5 minutes before")), (15, _("15 minutes before")),
             (30, _("30 minutes before")), (60, _("1 hour before")),
             (1440, _("1 day before")), (10080, _("1 week before"))]  # fmt: skip
FREQUENCIES = [("", _("Does not repeat")), ("DAILY", _("Every day")),
               ("WEEKLY", _("Every week")), ("MONTHLY", _("Every month")),
               ("YEARLY", _("Every year"))]  # fmt: skip
WEEKDAY_CHOICES = list(zip(WEEKDAYS, [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"),
                                      _("Friday"), _("Saturday"), _("Sunday")], strict=True))
SCOPES = [("this", _("This event")), ("following", _("This and the following events")),
          ("all", _("All the events of the series"))]  # fmt: skip
MAX_TITLE = 300
MAX_DESCRIPTION = 20_000
IMPORT_MAX_BYTES = 10 * 1024 * 1024


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    calendar = forms.ChoiceField(label=_("Calendar"))
    location = forms.CharField(label=_("Place"), max_length=MAX_TITLE, required=False)
    participants = AttendeesField(label=_("Attendees"))
    all_day = forms.BooleanField(label=_("All day"), required=False)
    start_date = forms.DateField(label=_("Start date"))
    start_time = forms.TimeField(label=_("Start time"), required=False)
    end_date = forms.DateField(label=_("End date"))
    end_time = forms.TimeField(label=_("End time"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONES,
                                  initial=settings.AGENDA_TIME_ZONE)  # fmt: skip
    description = forms.CharField(label=_("Description"), required=False,
                                  max_length=MAX_DESCRIPTION, widget=forms.Textarea)  # fmt: skip
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[(k, v[1]) for k, v in CATEGORIES.items()])  # fmt: skip
    busy = forms.ChoiceField(label=_("Availability"), initial="busy", widget=forms.RadioSelect,
                             choices=[("busy", _("Busy")), ("free", _("Free"))])  # fmt: skip
    privacy = forms.ChoiceField(label=_("Privacy"), initial="public", widget=forms.RadioSelect,
                                choices=[("public", _("Public")),
                                         ("private", _("Private: others see «Busy» only"))])
    reminders = forms.TypedMultipleChoiceField(label=_("Reminders"), required=False, coerce=int,
                                               choices=REMINDERS,
                                               widget=forms.CheckboxSelectMultiple)
    frequency = forms.ChoiceField(label=_("Repeat"), choices=FREQUENCIES, required=False)
    interval = forms.IntegerField(label=_("Every (interval)"), min_value=1, max_value=99,
                                  initial=1, required=False)  # fmt: skip
    weekdays = forms.MultipleChoiceField(label=_("On"), choices=WEEKDAY_CHOICES, required=False,
                                         widget=forms.CheckboxSelectMultiple)  # fmt: skip
    monthly_by = forms.ChoiceField(
        label=_("Each month"), required=False, initial="date", widget=forms.RadioSelect,
        choices=[("date", _("On the same date")),
                 ("weekday", _("On the same weekday (e.g. the 2nd Tuesday)"))],
    )  # fmt: skip
    ends = forms.ChoiceField(label=_("Ends"), initial="never", widget=forms.RadioSelect,
                             required=False,
                             choices=[("never", _("Never")), ("until", _("On a date")),
                                      ("count", _("After a number of times"))])  # fmt: skip
    until = forms.DateField(label=_("Last date"), required=False)
    count = forms.IntegerField(label=_("Number of times"), min_value=1, max_value=999,
                               required=False)  # fmt: skip
    scope = forms.ChoiceField(label=_("Apply the change to"), choices=SCOPES, required=False,
                              initial="this", widget=forms.RadioSelect)  # fmt: skip
    etag = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, calendars, recurring: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].choices = [(c.name, c.display_name) for c in calendars]
        self.recurring = recurring
        if not recurring:
            del self.fields["scope"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        zone = ZoneInfo(data["time_zone"])
        if data["all_day"]:
            start, end = data["start_date"], data["end_date"] + timedelta(days=1)
        else:
            if data.get("start_time") is None or data.get("end_time") is None:
                raise forms.ValidationError(_("Give a start and an end time, or tick «All day»."))
            start = datetime.combine(data["start_date"], data["start_time"], zone)
            end = datetime.combine(data["end_date"], data["end_time"], zone)
        if end < start or (end == start and data["all_day"]):
            self.add_error("end_date", _("The event ends before it starts."))
        if data.get("frequency"):
            if data.get("ends") == "until":
                if not data.get("until"):
                    self.add_error("until", _("Give the last date of the series."))
                elif data["until"] < data["start_date"]:
                    self.add_error("until", _("The last date is before the first event."))
            if data.get("ends") == "count" and not data.get("count"):
                self.add_error("count", _("Give the number of times."))
        data["start"], data["end"] = start, end
        return data

    def event_data(self) -> EventData:
        data = self.cleaned_data
        ends = data.get("ends") or "never"
        recurrence = Recurrence(
            frequency=data.get("frequency") or "", interval=data.get("interval") or 1,
            weekdays=data.get("weekdays") or [],
            monthly_by_weekday=data.get("monthly_by") == "weekday",
            until=data.get("until") if ends == "until" else None,
            count=data.get("count") if ends == "count" else None,
        )  # fmt: skip
        color = CATEGORIES.get(data.get("category") or "", ("", ""))[0]
        return EventData(
            title=data["title"].strip(), start=data["start"], end=data["end"],
            location=data.get("location", "").strip(), description=data.get("description", ""),
            category=data.get("category") or "", color=color, busy=data["busy"] == "busy",
            private=data["privacy"] == "private", reminders=data.get("reminders") or [],
            recurrence=recurrence, attendees=data.get("participants"),
        )  # fmt: skip


def initial_for(occurrence, *, rule=None) -> dict:
    """The form's initial values for an existing occurrence (and its series' rule)."""
    zone_name = settings.AGENDA_TIME_ZONE
    start, end = occurrence.start, occurrence.end
    if occurrence.all_day:
        end = end - timedelta(days=1) if end > start else end
    initial = {
        "title": occurrence.title, "calendar": occurrence.calendar,
        "location": occurrence.location, "all_day": occurrence.all_day,
        "start_date": start if isinstance(start, date) and not isinstance(start, datetime)
        else start.date(),
        "end_date": end if not isinstance(end, datetime) else end.date(),
        "start_time": start.time().replace(second=0) if isinstance(start, datetime) else None,
        "end_time": end.time().replace(second=0) if isinstance(end, datetime) else None,
        "time_zone": zone_name, "description": occurrence.description,
        "category": occurrence.category if occurrence.category in CATEGORIES else "",
        "busy": "busy" if occurrence.busy else "free",
        "privacy": "private" if occurrence.private else "public",
        "reminders": occurrence.reminders, "etag": occurrence.etag,
    }  # fmt: skip
    if rule is not None:
        initial.update(_rule_initial(rule))
    return initial


def _rule_initial(rule) -> dict:
    until, count = rule.get("UNTIL"), rule.get("COUNT")
    byday = [str(d) for d in rule.get("BYDAY", [])]
    until_value = until[0] if until else None
    if isinstance(until_value, datetime):
        until_value = until_value.astimezone(ZoneInfo(settings.AGENDA_TIME_ZONE)).date()
    return {
        "frequency": str(rule.get("FREQ", [""])[0]), "interval": rule.get("INTERVAL", [1])[0],
        "weekdays": [d for d in byday if d in WEEKDAYS],
        "monthly_by": "weekday" if any(d not in WEEKDAYS for d in byday) else "date",
        "ends": "count" if count else "until" if until else "never",
        "until": until_value, "count": count[0] if count else None,
    }  # fmt: skip


def new_event_initial(day: date, hour: int | None, calendar: str) -> dict:
    start = time(hour if hour is not None else 9, 0)
    end = time(min(start.hour + 1, 23), 0 if start.hour < 23 else 59)
    return {"start_date": day, "end_date": day, "start_time": start, "end_time": end,
            "calendar": calendar, "busy": "busy", "privacy": "public", "ends": "never",
            "monthly_by": "date", "interval": 1}  # fmt: skip


class CalendarForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=100)
    color = forms.RegexField(label=_("Colour"), regex=r"^#[0-9a-fA-F]{6}$", initial="#000091",
                             widget=forms.TextInput(attrs={"type": "color"}),
                             error_messages={"invalid": _("Choose a colour.")})  # fmt: skip
    hidden = forms.BooleanField(label=_("Hide it from the agenda"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("iCalendar file (.ics)"))
    calendar = forms.ChoiceField(label=_("Into the calendar"))

    def __init__(self, *args, calendars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].choices = [(c.name, c.display_name) for c in calendars]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload.read()
