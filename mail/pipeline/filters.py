"""The rules of a mailbox: save, reorder, preview on recent mail, and «Appliquer maintenant».

Every function takes a Mailbox, not a request: support can act on someone's rules too.
Permissions are the caller's business (``mail.access``).
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesHeaderParser

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from convergence.queueing import enqueue_on_commit
from mail.imap import InvalidRequest, MailStoreUnavailable, imap_session
from mail.message.parse import read_message
from mail.models import Mailbox, Rule, RuleRun
from mail.pipeline import rules

logger = logging.getLogger(__name__)

PREVIEW_COUNT = 200
# Conditions on the text look at the beginning of each existing message only: enough for
# any real letter, and it keeps a preview over 200 messages fast.
HEAD_BYTES = 256 * 1024
BATCH = 50


def save_rule(
    mailbox: Mailbox,
    *,
    name: str,
    match: str,
    conditions: list[dict],
    actions: list[dict],
    stop: bool = False,
    enabled: bool = True,
    rule: Rule | None = None,
    by=None,
) -> Rule:
    """Create a rule (last in order) or change ``rule``; raises rules.InvalidRule."""
    if match not in Rule.Match.values:
        raise rules.InvalidRule("match")
    conditions = [rules.clean_condition(c) for c in conditions]
    actions = [rules.clean_action(a) for a in actions]
    if not actions:
        raise rules.InvalidRule(rules.NO_ACTION)
    if rule is None:
        last = Rule.objects.filter(mailbox=mailbox).aggregate(Max("position"))["position__max"]
        rule = Rule(mailbox=mailbox, created_by=by, position=0 if last is None else last + 1)
    rule.name = name.strip()[:100] or rules.default_name(conditions)
    rule.match, rule.conditions, rule.actions = match, conditions, actions
    rule.stop, rule.enabled = stop, enabled
    rule.save()
    return rule


def import_rules(mailbox: Mailbox, imported: list, *, replace: bool, by=None) -> int:
    """Rules read from a Sieve script (``pipeline.sieve``), after the current ones or instead."""
    with transaction.atomic():
        if replace:
            Rule.objects.filter(mailbox=mailbox).delete()
        for item in imported:
            save_rule(
                mailbox,
                name=item.name,
                match=item.match,
                conditions=item.conditions,
                actions=item.actions,
                stop=item.stop,
                enabled=item.enabled,
                by=by,
            )
    return len(imported)


def move_rule(rule: Rule, *, up: bool) -> None:
    """Swap with the neighbour above or below; positions are renumbered 0..n on the way."""
    with transaction.atomic():
        ordered = list(Rule.objects.select_for_update().filter(mailbox_id=rule.mailbox_id))
        index = next(i for i, r in enumerate(ordered) if r.id == rule.id)
        other = index - 1 if up else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered):
            if item.position != position:
                Rule.objects.filter(id=item.id).update(position=position)


@dataclass(frozen=True)
class PreviewHit:
    uid: int
    subject: str
    sender: str
    date: datetime | None


def preview(mailbox: Mailbox, *, match: str, conditions: list[dict]) -> tuple[int, list]:
    """Which of the last PREVIEW_COUNT messages of the INBOX the conditions match:
    (messages looked at, hits newest first)."""
    with imap_session(mailbox.imap_user) as box:
        uids = box.all_uids(rules.INBOX)[-PREVIEW_COUNT:]
        heads = box.message_heads(rules.INBOX, uids, max_bytes=HEAD_BYTES) if uids else {}
    hits = []
    for uid in sorted(heads, reverse=True):
        head, size = heads[uid]
        message = read_message(head)
        facts = rules.facts_from_message(message, size=size)
        if rules.rule_matches(match=match, conditions=conditions, facts=facts):
            hits.append(PreviewHit(uid, message.subject, message.sender, message.date))
    return len(heads), hits


# --- «Appliquer maintenant» -----------------------------------------------------------------


def start_run(rule: Rule, *, folder: str, by=None) -> RuleRun:
    with transaction.atomic():
        run = RuleRun.objects.create(rule=rule, folder=folder, requested_by=by)
        enqueue_on_commit("mail.tasks.apply_rule", run.id)
    return run


def cancel_run(run: RuleRun) -> None:
    RuleRun.objects.filter(
        id=run.id, status__in=[RuleRun.Status.QUEUED, RuleRun.Status.RUNNING]
    ).update(cancel_requested=True)


def do_apply_rule(run_id: int) -> None:
    """Idempotent: a moved message is no longer in the folder, flags are a set, and a copy
    is made only where the Message-ID is not yet. Forwarding is never done here: old mail
    is sorted again, not sent again."""
    run = RuleRun.objects.select_related("rule__mailbox").get(id=run_id)
    if run.status not in (RuleRun.Status.QUEUED, RuleRun.Status.RUNNING):
        return
    run.status = RuleRun.Status.RUNNING
    run.processed = run.matched = 0
    run.save(update_fields=["status", "processed", "matched"])
    try:
        with imap_session(run.rule.mailbox.imap_user) as box:
            uids = box.all_uids(run.folder)
            RuleRun.objects.filter(id=run.id).update(total=len(uids))
            for start in range(0, len(uids), BATCH):
                if RuleRun.objects.filter(id=run.id, cancel_requested=True).exists():
                    _finish(run, RuleRun.Status.CANCELLED)
                    return
                matched = _apply_to_batch(box, run, uids[start : start + BATCH])
                RuleRun.objects.filter(id=run.id).update(
                    processed=F("processed") + len(uids[start : start + BATCH]),
                    matched=F("matched") + matched,
                )
    except (InvalidRequest, MailStoreUnavailable) as exc:
        run.last_error = str(exc)
        _finish(run, RuleRun.Status.FAILED)
        logger.warning("rule run %s failed: %s", run.id, exc)
        return
    _finish(run, RuleRun.Status.DONE)


def _finish(run: RuleRun, status: str) -> None:
    run.status, run.finished_at = status, timezone.now()
    run.save(update_fields=["status", "finished_at", "last_error"])


def _apply_to_batch(box, run: RuleRun, uids: list[int]) -> int:
    rule = run.rule
    matched = 0
    for uid, (head, size) in box.message_heads(run.folder, uids, max_bytes=HEAD_BYTES).items():
        facts = rules.facts_from_raw(head, size=size)
        if not rules.rule_matches(match=rule.match, conditions=rule.conditions, facts=facts):
            continue
        matched += 1
        kinds = {a["type"] for a in rule.actions}
        flags = {rules.SEEN} if "mark_read" in kinds else set()
        flags |= {rules.FLAGGED} if "flag" in kinds else set()
        flags |= {a["value"] for a in rule.actions if a["type"] == "label"}
        if flags:
            box.add_flags(run.folder, [uid], flags)
        moves = [a["value"] for a in rule.actions if a["type"] == "move"]
        copies = [a["value"] for a in rule.actions if a["type"] == "copy"]
        # The last «déplacer» moves it; any other target gets a copy. Already there: stays.
        moved_to = moves[-1] if moves and run.folder not in moves else None
        message_id = str(
            BytesHeaderParser(policy=policy.compat32).parsebytes(head).get("Message-ID", "")
        ).strip()
        for target in dict.fromkeys(copies + moves):
            if target not in (moved_to, run.folder):
                box.copy_once(run.folder, uid, target, message_id)
        if moved_to:
            box.ensure_folder(moved_to)
            box.move(run.folder, [uid], moved_to)
    return matched
