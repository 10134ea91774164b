"""The scheduling assistant's settings: the académie's working hours, shaded on its grid."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def working_hours() -> dict:
    """{"start": "08:00", "end": "18:00", "days": "1,2,3,4,5"}; empty start and end when the
    académie sets none (then nothing is shaded and every hour counts)."""
    start, _, end = (settings.WORKING_HOURS or "").partition("-")
    return {"start": start.strip(), "end": end.strip(),
            "days": ",".join(str(d) for d in settings.WORKING_DAYS)}  # fmt: skip
