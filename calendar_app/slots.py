"""A slot chosen in the week or day grid (a click or a drag): ``?debut=10:15&fin=11:30`` on
the «Nouvel événement» form, which also works without it (keyboard, no script)."""

from datetime import time


def _time(value: str | None) -> time | None:
    try:
        parsed = time.fromisoformat(value or "")
    except ValueError:
        return None
    return parsed.replace(second=0, microsecond=0, tzinfo=None)


def slot_initial(query) -> dict:
    """The form's start and end times from the query, when both are there and in order."""
    start, end = _time(query.get("debut")), _time(query.get("fin"))
    if start is None or end is None or end <= start:
        return {}
    return {"start_time": start, "end_time": end}
