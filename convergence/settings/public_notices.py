"""What every French public service shows: its publisher, host, data protection officer and
accessibility contact (pages/legal.py: «Mentions légales», «Données personnelles»,
«Accessibilité»). Demo values by default; each académie sets its own."""

from convergence.env import env
from convergence.settings.mail import MAIL_DOMAIN

ACADEMIE_NAME = env("ACADEMIE_NAME", "Académie de démonstration")
ACADEMIE_ADDRESS = env("ACADEMIE_ADDRESS", "Rectorat, 1 place de la République, 00000 Démoville")
ACADEMIE_PUBLICATION_DIRECTOR = env(
    "ACADEMIE_PUBLICATION_DIRECTOR", "Le recteur de l'académie de démonstration"
)
ACADEMIE_HOST = env(
    "ACADEMIE_HOST",
    "Direction des systèmes d'information du rectorat, 1 place de la République, 00000 Démoville",
)
ACADEMIE_DPO_CONTACT = env("ACADEMIE_DPO_CONTACT", f"dpd@{MAIL_DOMAIN}")
ACCESSIBILITY_CONTACT = env("ACCESSIBILITY_CONTACT", f"accessibilite@{MAIL_DOMAIN}")

# The school calendar (directory/school_calendar.py): the académie of people without an
# établissement (or of an établissement whose UAI names none), and the school-holidays data
# file when not the one shipped in directory/school_data/ (import_school_holidays writes it).
SCHOOL_ACADEMIE = env("SCHOOL_ACADEMIE", "")
SCHOOL_HOLIDAYS_FILE = env("SCHOOL_HOLIDAYS_FILE", "")
