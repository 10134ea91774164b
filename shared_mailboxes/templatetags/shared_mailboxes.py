from django import template

from mail.imap.teamwork import state_of
from shared_mailboxes.models import MessageWork

register = template.Library()


@register.filter
def team_state(keywords) -> str:
    """The label of the state keyword of a message («À traiter»…), or ""."""
    state = state_of(keywords or ())
    return MessageWork.State(state).label if state else ""
