"""When Dovecot is unreachable, every page says so plainly (503), never with a traceback."""

import logging

from django.shortcuts import render

from mail.imap import MailStoreUnavailable

logger = logging.getLogger(__name__)


class MailServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, MailStoreUnavailable):
            logger.warning("mail store unavailable: %s", exception)
            response = render(request, "mail/unavailable.html", status=503)
            response["Retry-After"] = "30"
            return response
        return None
