"""Ports for the servers of `make run`, the tests and the bench."""

import socket

from devstack import loopback


def test_a_free_port_is_below_the_ephemeral_range_and_not_in_use(monkeypatch):
    """bind(0) handed out ports an outbound connection could take before the server bound
    them (Dovecot failed to start so in a full run): never from that range, never in use."""
    floor = loopback._ephemeral_floor()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        offered = iter([busy, floor - 1])
        monkeypatch.setattr(loopback.random, "randrange", lambda low, high: next(offered))
        assert loopback.free_port() == floor - 1
    monkeypatch.undo()
    assert all(10000 <= loopback.free_port() < floor for _ in range(50))
