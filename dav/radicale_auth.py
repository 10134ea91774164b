"""Radicale auth plugin (``[auth] type = dav.radicale_auth``): Django is the identity provider."""

from radicale import auth

from dav.in_radicale import request_database, setup_django, signed_in_as_web_app

setup_django()

from django.conf import settings  # noqa: E402

from dav.credentials import SuccessCache, check_credentials, still_valid  # noqa: E402

LOOPBACK = {"127.0.0.1", "::1"}


class Auth(auth.BaseAuth):
    def __init__(self, configuration):
        super().__init__(configuration)
        self._cache = SuccessCache(settings.CALDAV_AUTH_CACHE_SECONDS)

    def _sleep_for_constant_exec_time(self, time_ns_begin: int) -> None:
        """Radicale pads every refusal to the slowest one it has ever seen: one slow moment
        (a busy database) would hold all later refusals past the /dav/ proxy's timeout.
        Not needed here: Django runs the same Argon2 check whether the login exists or not."""

    def _login_ext(self, login: str, password: str, context: auth.AuthContext) -> str:
        # The /dav/ proxy (and the production reverse proxy) always sets X-Remote-Addr: the
        # master login is for the web app talking to Radicale directly on loopback, never for
        # a request that came from outside.
        direct = context.x_remote_addr is None and context.remote_addr in LOOPBACK
        signed_in_as_web_app(False)
        with request_database():
            cached = self._cache.get(login, password)
            if cached and (direct or cached.kind != "master") and still_valid(cached, password):
                signed_in_as_web_app(cached.kind == "master")
                return cached.username
            identity = check_credentials(login, password, allow_master=direct)
        if identity is None:
            return ""
        self._cache.put(login, password, identity)
        signed_in_as_web_app(identity.kind == "master")
        return identity.username
