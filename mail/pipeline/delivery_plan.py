"""What happens to one arriving message for each local mailbox: the per-recipient plan.

``plan_deliveries`` decides (rules, forwarding, absence message); the later stages of
``mail.pipeline.stages`` carry the plans out. A plan that only stores the message in the
INBOX without flags is «plain»: those recipients share one LMTP transaction, so a circular
to thousands stays one batch. Other plans are stored by IMAP APPEND straight into their
folders with flags and keywords.
"""

from dataclasses import dataclass, field
from email.message import EmailMessage

from django.db.models import Q

from mail.models import Forwarding, Mailbox, Rule, Vacation
from mail.pipeline import forwarding, rules, vacation


@dataclass
class RecipientPlan:
    address: str
    mailbox: Mailbox
    folders: list[str] = field(default_factory=lambda: [rules.INBOX])
    flags: set[str] = field(default_factory=set)
    forward_to: list[str] = field(default_factory=list)
    vacation: Vacation | None = None  # an absence message in force, to consider replying
    notes: list[str] = field(default_factory=list)  # why the plan is what it is, for the log

    @property
    def plain(self) -> bool:
        return self.folders == [rules.INBOX] and not self.flags


def plan_deliveries(
    parsed: EmailMessage, mailboxes: list[Mailbox], *, size: int
) -> list[RecipientPlan]:
    """``parsed``: the message as it arrived; ``size``: that of the copy to store."""
    plans = [RecipientPlan(address=m.address, mailbox=m) for m in mailboxes]
    ids = [m.id for m in mailboxes]
    # Three queries whatever the number of recipients; most mailboxes have nothing.
    rules_of: dict[int, list[Rule]] = {}
    for rule in Rule.objects.filter(mailbox_id__in=ids, enabled=True):
        rules_of.setdefault(rule.mailbox_id, []).append(rule)
    forwards_of: dict[int, list[Forwarding]] = {}
    for row in Forwarding.objects.filter(mailbox_id__in=ids, enabled=True):
        forwards_of.setdefault(row.mailbox_id, []).append(row)
    vacations = {
        v.mailbox_id: v
        for v in Vacation.objects.filter(Q(mailbox_id__in=ids), enabled=True).select_related(
            "mailbox"
        )
    }
    facts = None
    for plan in plans:
        mailbox_id = plan.mailbox.id
        if mailbox_id in rules_of:
            facts = facts or rules.facts_from_parsed(parsed, size=size)
            _apply_rules(plan, rules.evaluate(rules_of[mailbox_id], facts))
        if mailbox_id in forwards_of:
            _apply_forwarding(plan, forwards_of[mailbox_id])
        if plan.forward_to and forwarding.has_looped(parsed, plan.address):
            plan.notes.append(f"forwarding loop: not sent on to {', '.join(plan.forward_to)}")
            plan.forward_to = []
            if not plan.folders:
                plan.folders = [rules.INBOX]  # never lose it
        if vacation.in_force(vacations.get(mailbox_id)):
            plan.vacation = vacations[mailbox_id]
    return plans


def _apply_rules(plan: RecipientPlan, outcome: rules.Outcome) -> None:
    plan.folders = outcome.stores
    plan.flags |= outcome.flags | outcome.keywords
    plan.forward_to += [a for a in outcome.forward_to if a not in plan.forward_to]
    if outcome.matched:
        plan.notes.append(f"rules {outcome.matched}")


def _apply_forwarding(plan: RecipientPlan, rows: list[Forwarding]) -> None:
    plan.forward_to += [r.address for r in rows if r.address not in plan.forward_to]
    if not any(r.keep_copy for r in rows):
        plan.folders = [f for f in plan.folders if f != rules.INBOX]
