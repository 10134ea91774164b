"""«Règles de tri»: the list, the form with its live preview, «Appliquer maintenant»."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mail.access import access_mailbox
from mail.imap import imap_session
from mail.imap.folders import folder_tree
from mail.models import Rule, RuleRun
from mail.pipeline import filters, rules, sieve
from mail.webmail.rule_forms import ApplyNowForm, RuleForm, SieveImportForm
from mail.webmail.views.common import sidebar_context


def folder_choices(context) -> list[tuple[str, str]]:
    return [
        (e.name, e.label if e.folder.special_use else e.name)
        for e in context["folders"]
        if e.folder.selectable
    ]


def _choices_context() -> dict:
    return {
        "field_choices": rules.FIELDS.items(),
        "op_choices": rules.OPS.items(),
        "action_choices": rules.ACTIONS.items(),
        "label_choices": [(key, name, colour) for key, (name, colour) in rules.LABELS.items()],
    }


@login_required
@require_GET
def index(request, mailbox_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    with imap_session(mailbox.imap_user) as box:
        context = sidebar_context(request, mailbox, box)
    labels = {e.name: e.label for e in context["folders"]}
    items = [{"rule": rule, "summary": describe(rule, labels)} for rule in mailbox.rules.all()]
    runs = RuleRun.objects.filter(rule__mailbox=mailbox).select_related("rule")[:5]
    return render(
        request,
        "mail/rules/index.html",
        {**context, "items": items, "runs": runs, "section": "rules"},
    )


def describe(rule: Rule, labels: dict[str, str]) -> dict:
    """The rule in words, for the list: «Objet contient Pronote → Déplacer vers Pronote»."""
    conditions = [
        " ".join(str(p) for p in (rules.FIELDS[c["field"]], rules.OPS[c["op"]], c["value"]) if p)
        for c in rule.conditions
    ]
    actions = []
    for action in rule.actions:
        value = action.get("value", "")
        if action["type"] in rules.ACTIONS_WITH_FOLDER:
            value = labels.get(value, value)
        elif action["type"] == "label":
            value = rules.LABELS.get(value, (value,))[0]
        actions.append(" ".join(str(p) for p in (rules.ACTIONS[action["type"]], value) if p))
    return {"conditions": conditions, "actions": actions}


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, mailbox_id: int, rule_id: int | None = None):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    rule = get_object_or_404(Rule, id=rule_id, mailbox=mailbox) if rule_id else None
    with imap_session(mailbox.imap_user) as box:
        context = sidebar_context(request, mailbox, box)
    folders = folder_choices(context)
    form = RuleForm(request.POST or None, rule=rule, folders=[name for name, _label in folders])
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("operation") == "preview":
            preview = _preview(mailbox, form)
        else:
            try:
                saved = filters.save_rule(
                    mailbox,
                    rule=rule,
                    by=request.user,
                    conditions=form.conditions,
                    actions=form.actions,
                    **form.cleaned_data,
                )
            except rules.InvalidRule as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
                return redirect("mail:rules", mailbox_id=mailbox.id)
    return render(
        request,
        "mail/rules/edit.html",
        {
            **context,
            **_choices_context(),
            "form": form,
            "rule": rule,
            "folder_choices": folders,
            "preview": preview,
            "apply_form": ApplyNowForm(folders=folders, initial={"folder": "INBOX"}),
            "section": "rules",
        },
    )


def _preview(mailbox, form: RuleForm) -> dict:
    looked_at, hits = filters.preview(
        mailbox, match=form.cleaned_data["match"], conditions=form.conditions
    )
    return {"looked_at": looked_at, "hits": hits[:50], "count": len(hits)}


@login_required
@require_POST
def live_preview(request, mailbox_id: int):
    """The same preview for the page's script, as an HTML fragment (conditions only)."""
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    form = RuleForm(request.POST, folders=[])
    form.is_valid()
    bad = any(row.error for row in form.condition_rows)
    if bad or "match" not in form.cleaned_data:
        return render(request, "mail/rules/_preview.html", {"invalid": True, "mailbox": mailbox})
    preview = _preview(mailbox, form)
    return render(request, "mail/rules/_preview.html", {"preview": preview, "mailbox": mailbox})


@login_required
@require_POST
def delete(request, mailbox_id: int, rule_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    get_object_or_404(Rule, id=rule_id, mailbox=mailbox).delete()
    messages.success(request, _("Rule deleted."))
    return redirect("mail:rules", mailbox_id=mailbox.id)


@login_required
@require_POST
def reorder(request, mailbox_id: int, rule_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    rule = get_object_or_404(Rule, id=rule_id, mailbox=mailbox)
    if request.POST.get("operation") == "toggle":
        rule.enabled = not rule.enabled
        rule.save(update_fields=["enabled", "updated_at"])
    else:
        filters.move_rule(rule, up=request.POST.get("operation") == "up")
    return redirect(f"{reverse('mail:rules', args=[mailbox.id])}#regle-{rule.id}")


@login_required
@require_POST
def apply_now(request, mailbox_id: int, rule_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    rule = get_object_or_404(Rule, id=rule_id, mailbox=mailbox)
    with imap_session(mailbox.imap_user) as box:
        folders = [(e.name, e.label) for e in folder_tree(box.folders()) if e.folder.selectable]
    form = ApplyNowForm(request.POST, folders=folders)
    if not form.is_valid():
        messages.error(request, _("Choose an existing folder."))
        return redirect("mail:rule_edit", mailbox_id=mailbox.id, rule_id=rule.id)
    run = filters.start_run(rule, folder=form.cleaned_data["folder"], by=request.user)
    return redirect(f"{reverse('mail:rules', args=[mailbox.id])}#execution-{run.id}")


@login_required
@require_GET
def run_status(request, mailbox_id: int, run_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    run = get_object_or_404(RuleRun, id=run_id, rule__mailbox=mailbox)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "total": run.total,
            "processed": run.processed,
            "matched": run.matched,
            "finished": run.finished_at is not None,
            "text": _("%(processed)s of %(total)s messages looked at, %(matched)s concerned")
            % {"processed": run.processed, "total": run.total, "matched": run.matched},
        }
    )


@login_required
@require_POST
def cancel_run(request, mailbox_id: int, run_id: int):
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    run = get_object_or_404(RuleRun, id=run_id, rule__mailbox=mailbox)
    filters.cancel_run(run)
    messages.info(request, _("The sorting will stop in a moment."))
    return redirect(f"{reverse('mail:rules', args=[mailbox.id])}#execution-{run.id}")


@login_required
@require_http_methods(["GET", "POST"])
def sieve_file(request, mailbox_id: int):
    """Export as a .sieve file, or import one (after the current rules, or instead)."""
    mailbox = access_mailbox(request.user, mailbox_id, manage=True)
    if request.GET.get("telecharger"):
        script = sieve.export_rules(mailbox.rules.all(), title=f"Convergence: {mailbox.address}")
        response = HttpResponse(script, content_type="application/sieve; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="regles.sieve"'
        return response
    form = SieveImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            imported = sieve.import_rules(form.cleaned_data["source"])
        except sieve.SieveError as exc:
            form.add_error(None, str(exc))
        else:
            count = filters.import_rules(
                mailbox, imported, replace=form.cleaned_data["replace"], by=request.user
            )
            messages.success(request, _("%(count)d rules imported.") % {"count": count})
            return redirect("mail:rules", mailbox_id=mailbox.id)
    with imap_session(mailbox.imap_user) as box:
        context = sidebar_context(request, mailbox, box)
    return render(request, "mail/rules/sieve.html", {**context, "form": form, "section": "sieve"})
