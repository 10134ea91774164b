"""The endpoint Dovecot's auth policy client calls (accounts/mail_logins.py)."""

import hmac
import json

from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import mail_logins


@csrf_exempt  # called by Dovecot, authenticated by its header token
@require_POST
def dovecot_policy(request):
    token = request.headers.get("X-Convergence-Policy", "")
    if not hmac.compare_digest(token.encode(), mail_logins.policy_token().encode()):
        return HttpResponseForbidden()
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return JsonResponse(mail_logins.ALLOW)
    return JsonResponse(mail_logins.answer(request.GET.get("command", ""), body))
