"""Radicale auth plugin (``[auth] type = dav.radicale_auth``): Django is the identity provider."""

import ipaddress

from radicale import auth

from dav.in_radicale import request_database, setup_django, signed_in

setup_django()

from django.conf import settings  # noqa: E402

from dav.credentials import SuccessCache, check_credentials, still_valid  # noqa: E402
from dav.read_only import WRITER_GROUP  # noqa: E402


def master_network(address: str | None) -> bool:
    """Whether the web app's master login may come from ``address``: loopback in development;
    in docker-compose the app containers' own network (CALDAV_MASTER_NETWORKS)."""
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network, strict=False)
               for network in settings.CALDAV_MASTER_NETWORKS)  # fmt: skip


class Auth(auth.BaseAuth):
    def __init__(self, configuration):
        super().__init__(configuration)
        self._cache = SuccessCache(settings.CALDAV_AUTH_CACHE_SECONDS)

    def _sleep_for_constant_exec_time(self, time_ns_begin: int) -> None:
        """Radicale pads every refusal to the slowest one it has ever seen: one slow moment
        (a busy database) would hold all later refusals past the /dav/ proxy's timeout.
        Not needed here: Django runs the same Argon2 check whether the login exists or not."""

    def _login_ext_with_groups(self, login: str, password: str,
                               context: auth.AuthContext) -> tuple[str, set]:  # fmt: skip
        # The web app's master login is the only writer of read-only collections.
        identity = self._identity(login, password, context)
        web_app = identity is not None and identity.kind == "master"
        # For the hook plugin, which sees no groups, and the rights plugin.
        signed_in(identity.username if identity is not None else "", web_app)
        if identity is None:
            return "", set()
        return identity.username, {WRITER_GROUP} if web_app else set()

    def _identity(self, login: str, password: str, context: auth.AuthContext):
        # The /dav/ proxy (and the production reverse proxy) always sets X-Remote-Addr: the
        # master login is for the web app talking to Radicale directly on loopback, never for
        # a request that came from outside.
        direct = context.x_remote_addr is None and master_network(context.remote_addr)
        with request_database():
            cached = self._cache.get(login, password)
            if cached and (direct or cached.kind != "master") and still_valid(cached, password):
                return cached
            identity = check_credentials(login, password, allow_master=direct)
        if identity is not None:
            self._cache.put(login, password, identity)
        return identity
