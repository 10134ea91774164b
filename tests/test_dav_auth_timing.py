"""Radicale's auth plugin, in process: a refusal never waits on an earlier slow one."""

import radicale.auth
from radicale import config
from radicale.auth import AuthContext


def test_one_slow_refusal_does_not_slow_every_later_one(monkeypatch, time_machine):
    # Radicale pads each refusal to the slowest one it has seen. One slow moment (a busy
    # database) would then hold every later wrong password that long, past the /dav/
    # proxy's timeout: phones would get «CalDAV server unavailable» instead of a refusal.
    from dav.radicale_auth import Auth

    configuration = config.load()
    configuration.update({"auth": {"type": "dav.radicale_auth", "delay": "0"}}, "test")
    auth = Auth(configuration)
    time_machine.move_to("2026-09-01 08:00", tick=False)
    slept = []
    monkeypatch.setattr(radicale.auth.time, "sleep", slept.append)
    durations = iter([30, 0])

    def refuse(login, password, context):
        time_machine.shift(next(durations))
        return "", set()

    monkeypatch.setattr(auth, "_login_ext_with_groups", refuse)
    context = AuthContext()
    assert auth.login("prof.demo", "pas-le-bon", context)[0] == ""
    assert auth.login("prof.demo", "encore-faux", context)[0] == ""
    assert not [s for s in slept if s > 1]
