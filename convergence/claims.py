"""Claims on a row (`claimed_until`): a worker takes a row with one conditional UPDATE that
only matches it while nobody holds it, and holds it until a time far beyond its work, so a
killed worker's row is taken again after that time, never a living one's (the spool's
deliveries, the outgoing mail's steps, an event's iTIP messages)."""

from django.db.models import Q


def unclaimed(now) -> Q:
    """Rows nobody holds at ``now``: never claimed, released, or their claim lapsed."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
