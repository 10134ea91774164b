"""The demo agenda of prof.demo and secretariat.demo: a school year of a lycée, written to the
CalDAV store like any import (same UIDs each run: running it again changes nothing twice)."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from calendar_app import edits, functional, ical, importing, rooms, services
from calendar_app.edits import EventData, Recurrence
from directory.models import Etablissement
from mail.models import Mailbox


def school_year_start(today: date) -> date:
    """The first Monday of September of the current school year."""
    year = today.year if today.month >= 8 else today.year - 1
    first = date(year, 9, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ical.local_zone())


def _event(uid: str, title: str, start: datetime | date, end: datetime | date, **extra):
    data = EventData(title=title, start=start, end=end, **extra)
    text = ical.serialize(edits.new_event(data, uid=f"demo-{uid}@ac-demo.test"))
    return importing.PreparedEvent(f"demo-{uid}@ac-demo.test", title, start, text)


def _teacher(monday: date) -> dict[str, list]:
    last_day = date(monday.year + 1, 7, 3)
    weekly = Recurrence(frequency="WEEKLY", until=last_day)
    classes = [  # (uid, title, room, weekday, start hour, length in hours)
        ("maths-2b-lun", "Mathématiques 2nde B", "Salle 104", 0, 8, 2),
        ("maths-1c-lun", "Mathématiques 1re C", "Salle 104", 0, 14, 1),
        ("maths-2b-mar", "Mathématiques 2nde B", "Salle 104", 1, 10, 1),
        ("maths-tle-mer", "Spécialité maths Tle", "Salle 211", 2, 8, 3),
        ("maths-1c-jeu", "Mathématiques 1re C", "Salle 104", 3, 13, 2),
        ("ap-2b-ven", "Accompagnement personnalisé 2nde B", "CDI", 4, 9, 1),
    ]
    cours = [
        _event(uid, title, _at(monday + timedelta(days=day), hour),
               _at(monday + timedelta(days=day), hour + length), location=room,
               category="cours", color="#000091", recurrence=weekly)
        for uid, title, room, day, hour, length in classes
    ]  # fmt: skip
    personnel = [
        _event("conseil-2b-t1", "Conseil de classe 2nde B (1er trimestre)",
               _at(monday + timedelta(weeks=14, days=1), 17, 30),
               _at(monday + timedelta(weeks=14, days=1), 19), location="Salle du conseil",
               category="conseil", color="#b34000", reminders=[60]),
        _event("conseil-1c-t1", "Conseil de classe 1re C (1er trimestre)",
               _at(monday + timedelta(weeks=14, days=3), 18),
               _at(monday + timedelta(weeks=14, days=3), 19, 30), location="Salle du conseil",
               category="conseil", color="#b34000", reminders=[60]),
        _event("rpp-2nde", "Réunion parents-professeurs des secondes",
               _at(monday + timedelta(weeks=10, days=3), 17),
               _at(monday + timedelta(weeks=10, days=3), 20), location="Préau",
               category="reunion", color="#6a6af4", reminders=[30, 1440]),
        _event("formation-numerique", "Formation : le numérique en mathématiques",
               monday + timedelta(weeks=6, days=2), monday + timedelta(weeks=6, days=3),
               location="Canopé, Toulouse", category="formation", color="#18753c",
               reminders=[1440]),
        _event("conseil-pedagogique", "Conseil pédagogique",
               _at(monday + timedelta(days=1), 17), _at(monday + timedelta(days=1), 18, 30),
               category="reunion", color="#6a6af4", reminders=[15],
               recurrence=Recurrence(frequency="MONTHLY", monthly_by_weekday=True, count=9)),
        _event("rdv-medecin", "Rendez-vous personnel",
               _at(monday + timedelta(weeks=12, days=2), 16, 30),
               _at(monday + timedelta(weeks=12, days=2), 17, 15), private=True,
               category="rendez-vous", color="#a94645", reminders=[30]),
    ]  # fmt: skip
    return {"cours": cours, services.DEFAULT_CALENDAR: personnel}


def _secretariat(monday: date) -> dict[str, list]:
    return {services.DEFAULT_CALENDAR: [
        _event("reunion-direction", "Réunion de direction",
               _at(monday, 9), _at(monday, 10), location="Bureau du proviseur",
               category="reunion", color="#6a6af4", reminders=[15],
               recurrence=Recurrence(frequency="WEEKLY", until=date(monday.year + 1, 7, 3))),
        _event("planning-conseils", "Préparer le planning des conseils de classe",
               _at(monday + timedelta(weeks=11), 14), _at(monday + timedelta(weeks=11), 16),
               category="reunion", color="#6a6af4", reminders=[60]),
        _event("rpp-secretariat", "Réunion parents-professeurs des secondes (accueil)",
               _at(monday + timedelta(weeks=10, days=3), 16, 30),
               _at(monday + timedelta(weeks=10, days=3), 20), location="Hall d'entrée",
               category="reunion", color="#6a6af4"),
        _event("rdv-prive", "Rendez-vous privé", _at(monday + timedelta(weeks=5, days=4), 12),
               _at(monday + timedelta(weeks=5, days=4), 13), private=True,
               category="rendez-vous", color="#a94645"),
    ]}  # fmt: skip


def seed_demo_agenda() -> str:
    """Writes the demo events; raises DavUnavailable when the store does not answer."""
    monday = school_year_start(timezone.localdate())
    users = get_user_model().objects.filter(username__in=["prof.demo", "secretariat.demo"])
    written = 0
    for user in users:
        plan = _teacher(monday) if user.username == "prof.demo" else _secretariat(monday)
        existing = {c.name for c in services.calendars_of(user)}
        if "cours" in plan and "cours" not in existing:
            with services.dav_session(user.username) as store:
                store.make_calendar("cours", "Cours", "#000091")
        for calendar, events in plan.items():
            report = importing.ImportReport(events=events)
            created, updated, _problems = importing.import_into(user, calendar, report)
            written += created + updated
    return f"Agenda: {written} demo events in place for prof.demo and secretariat.demo."


# (UAI, name, address part before the UAI, capacity, policy): the demo's rooms and equipment.
DEMO_ROOMS = [
    ("0311234Y", "Salle polyvalente", "salle-polyvalente", 120, "automatic"),
    ("0311234Y", "CDI", "cdi", 40, "automatic"),
    ("0311234Y", "Vidéoprojecteur mobile", "videoprojecteur", 0, "automatic"),
    ("0311234Y", "Minibus", "minibus", 9, "approval"),
    ("0315678D", "Salle polyvalente", "salle-polyvalente", 80, "automatic"),
]


def seed_demo_rooms() -> str:
    """The demo rooms (addresses «<room>.<uai>@ac-demo.test»), their calendars in the store;
    the minibus needs secretariat.demo's approval. Raises DavUnavailable like the agenda."""
    secretariat = get_user_model().objects.filter(username="secretariat.demo").first()
    made = []
    for uai, name, local, capacity, policy in DEMO_ROOMS:
        etab = Etablissement.objects.filter(uai=uai).first()
        if etab is None:
            continue
        room = rooms.create_room(etab, name, f"{local}.{uai.lower()}@ac-demo.test",
                                 capacity=capacity, policy=policy,
                                 managers=[secretariat] if secretariat else [])  # fmt: skip
        rooms.ensure_calendar(room)
        made.append(room)
    return f"Rooms: {len(made)} demo rooms and equipment, e.g. {made[0].email if made else '-'}."


def seed_demo_functional_calendars() -> str:
    """The lycée's vie scolaire mailbox gets its calendar (calendar_app.functional)."""
    mailboxes = Mailbox.objects.filter(kind=Mailbox.Kind.FUNCTIONAL,
                                       imap_user__startswith="vie-scolaire.")  # fmt: skip
    for mailbox in mailboxes:
        functional.ensure_calendar(mailbox)
    return f"Agenda: {len(mailboxes)} functional calendar(s) in place (vie scolaire)."
