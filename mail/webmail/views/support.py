"""IT support's list of the messages delivery gave up on, with a «Réessayer» button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mail.pipeline.dead_letters import can_see_dead_letters, dead_letters, retry_dead_letter


def _require_support(request) -> None:
    if not can_see_dead_letters(request.user):
        raise PermissionDenied


@login_required
@require_GET
def dead_letter_list(request):
    _require_support(request)
    return render(request, "mail/dead_letters.html", {"letters": dead_letters()[:500],
                                                        "support_section": "dead_letters"})


@login_required
@require_POST
def dead_letter_retry(request, spool_id):
    _require_support(request)
    if retry_dead_letter(spool_id=spool_id, actor=request.user, request=request):
        messages.success(request, _("The message is being delivered again."))
    else:
        messages.info(request, _("This message is no longer waiting: someone already retried it."))
    return redirect("mail:dead_letters")
