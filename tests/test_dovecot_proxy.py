"""Two Dovecot backends behind a Dovecot proxy, on loopback, each with its own directory: mail
for two people living on different backends goes in through the proxy's LMTP (one
transaction) and is read through the proxy's IMAP with the webmail's own client, logged in
as `login*master`; each backend holds only its own people's mail."""

import imaplib
import io
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import DovecotHome
from convergence.env import backends, endpoints
from devstack.dovecot import loopback_cluster
from devstack.loopback import free_port
from mail.dovecot_homes import assign_home, backend_counts, backend_of
from mail.imap import close_all_sessions, imap_session, pool
from mail.imap.cache import folder_caches
from mail.imap.types import MailStoreUnavailable
from mail.transport.lmtp import lmtp_deliver
from tests.conftest import PASSWORD, build_message, make_person, unique_subject, wait_for


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    base = Path(settings.VAR_DIR) / "proxy-test"
    stores, proxy = loopback_cluster(base, connection.settings_dict)
    started = []
    try:
        for server in (*stores, proxy):
            server.start()
            started.append(server)
        yield stores, proxy
    finally:
        close_all_sessions()
        for server in started:
            server.stop()


@pytest.fixture
def through_proxy(cluster, settings, transactional_db):
    """The web app and the worker pointed at the proxy only; the personas created after this
    are placed on the backends by the Mailbox signal."""
    stores, proxy = cluster
    settings.DOVECOT_BACKENDS = list(proxy.config.backends)
    settings.IMAP_HOSTS = [("127.0.0.1", proxy.config.imap_port)]
    settings.LMTP_HOSTS = [("127.0.0.1", proxy.config.lmtp_port)]
    close_all_sessions()  # no warm session to the suite's own Dovecot
    for store in stores:  # each test starts with empty backends, whatever ran before
        for path in store.config.mail_root.iterdir():
            shutil.rmtree(path, ignore_errors=True)
    # A mailbox made again within the same second has the same UIDVALIDITY and counts as the
    # one before: the webmail's folder cache would take it for the old one.
    folder_caches.clear()
    yield stores, proxy
    close_all_sessions()


def _maildir_users(store) -> set[str]:
    return {path.name for path in store.config.mail_root.iterdir() if path.is_dir()}


def _subjects(imap_user: str, folder: str = "INBOX") -> list[str]:
    with imap_session(imap_user) as box:
        return [e.subject for e in box.list_page(folder, page=1, page_size=100).envelopes]


@pytest.mark.e2e  # the proxy's SQL on SQLite too
def test_new_mailboxes_are_spread_and_mail_reaches_each_backend_through_the_proxy(
    through_proxy,
):
    stores, _ = through_proxy
    prof = make_person("prof.demo")
    colleague = make_person("collegue.demo")
    assert (backend_of("prof.demo"), backend_of("collegue.demo")) == ("b1", "b2")

    subject = unique_subject()
    outcome = lmtp_deliver(
        build_message(to=f"{prof.email}, {colleague.email}", subject=subject).as_bytes(),
        mail_from="famille.durand@example.org",
        imap_users=["prof.demo", "collegue.demo"],
    )
    assert sorted(outcome.delivered) == ["collegue.demo", "prof.demo"], outcome

    # Read back through the proxy, as the webmail does (login*master, pooled sessions).
    assert subject in _subjects("prof.demo")
    assert subject in _subjects("collegue.demo")
    # Each backend stores its own people only: the proxy really routed.
    assert "prof.demo" in _maildir_users(stores[0])
    assert "collegue.demo" not in _maildir_users(stores[0])
    assert "collegue.demo" in _maildir_users(stores[1])
    assert "prof.demo" not in _maildir_users(stores[1])


def test_the_junk_detail_and_the_own_password_pass_through_the_proxy(through_proxy):
    stores, proxy = through_proxy
    make_person("prof.demo")
    colleague = make_person("collegue.demo")
    subject = unique_subject("Gagnez")
    outcome = lmtp_deliver(
        build_message(to=colleague.email, subject=subject).as_bytes(),
        mail_from="spam@example.org",
        imap_users=["collegue.demo+Junk"],
    )
    assert outcome.delivered == ["collegue.demo+Junk"], outcome
    assert subject in _subjects("collegue.demo", "Junk")
    assert "collegue.demo" not in _maildir_users(stores[0])

    # A phone: its own password, checked by the backend behind the proxy; a wrong one and a
    # wrong master secret are refused there too.
    with imaplib.IMAP4("127.0.0.1", proxy.config.imap_port) as phone:
        phone.login("collegue.demo", PASSWORD)
        assert phone.select("Junk")[0] == "OK"
    for login, password in (("collegue.demo", "pas-le-bon"),
                            ("collegue.demo*convergence", "pas-le-secret")):  # fmt: skip
        with (imaplib.IMAP4("127.0.0.1", proxy.config.imap_port) as phone,
              pytest.raises(imaplib.IMAP4.error)):
            phone.login(login, password)


def test_the_proxy_carries_more_sessions_than_one_process_each_would_allow(through_proxy):
    """The webmail's pool keeps a session per person and web node for minutes: the proxy
    must carry far more than the 100 login processes of Dovecot's default (one each)."""
    _, proxy = through_proxy
    make_person("prof.demo")
    master = f"prof.demo*{settings.DOVECOT_MASTER_USER}"
    sessions = []
    try:
        for _ in range(105):  # beyond the 100 of one process each
            session = imaplib.IMAP4("127.0.0.1", proxy.config.imap_port, timeout=15)
            sessions.append(session)
            session.login(master, settings.DOVECOT_MASTER_SECRET)
        assert all(session.noop()[0] == "OK" for session in sessions)
    finally:
        for session in sessions:
            session.shutdown()


def test_a_mailbox_moved_by_hand_is_found_on_its_new_backend(through_proxy, monkeypatch):
    stores, proxy = through_proxy
    prof = make_person("prof.demo")
    _subjects("prof.demo")  # the webmail's pooled session (prof.demo*convergence), on b1
    phone = imaplib.IMAP4("127.0.0.1", proxy.config.imap_port)
    phone.login(prof.email, PASSWORD)  # a phone signed in with the address, on b1 too
    out = io.StringIO()
    call_command("dovecot_home", "prof.demo", "b2", stdout=out)
    assert DovecotHome.objects.get(imap_user="prof.demo").backend == "b2"
    # Sessions opened before the move still reach the old backend: the operator runs the
    # command printed, which kicks each name the mailbox may be proxied under.
    kick = shlex.split(out.getvalue().splitlines()[-1])
    assert kick == ["doveadm", "proxy", "kick", "prof.demo", "prof.demo*convergence", prof.email]
    doveadm = ["doveadm", "-c", str(proxy.config.config_path), "proxy"]
    kicked = subprocess.run([*doveadm, *kick[2:]], capture_output=True, text=True, check=False)
    assert kicked.returncode == 0, kicked.stderr
    # Each login process answers for itself: the count printed is not the total, the list is.
    wait_for(lambda: "prof.demo" not in subprocess.run([*doveadm, "list"], capture_output=True,
                                                       text=True, check=True).stdout)  # fmt: skip
    with pytest.raises(imaplib.IMAP4.abort):
        phone.noop()
    subject = unique_subject()
    lmtp_deliver(build_message(to="prof.demo@ac-demo.test", subject=subject).as_bytes(),
                 mail_from="a@example.org", imap_users=["prof.demo"])  # fmt: skip
    # The pool checks a session idle for more than 2 s with a NOOP before lending it: the
    # kicked one fails it and is replaced by a new one, on b2 (the idle time made zero here).
    monkeypatch.setattr(pool, "_VERIFY_AFTER_SECONDS", 0)
    assert subject in _subjects("prof.demo")
    with imaplib.IMAP4("127.0.0.1", proxy.config.imap_port) as phone:  # so does the phone
        phone.login(prof.email, PASSWORD)
        phone.select("INBOX")
        assert phone.search(None, "SUBJECT", f'"{subject}"')[1][0]
    assert "prof.demo" in _maildir_users(stores[1])
    assert backend_counts()["b2"] >= 1
    with pytest.raises(CommandError, match="Unknown backend"):
        call_command("dovecot_home", "prof.demo", "b9")
    with pytest.raises(CommandError, match="No mailbox"):
        call_command("dovecot_home", "personne.demo", "b1")


def test_the_first_proxy_that_answers_is_used(through_proxy, settings):
    _, proxy = through_proxy
    make_person("prof.demo")
    dead = ("127.0.0.1", free_port())  # nothing listens there
    settings.IMAP_HOSTS = [dead, ("127.0.0.1", proxy.config.imap_port)]
    settings.LMTP_HOSTS = [dead, ("127.0.0.1", proxy.config.lmtp_port)]
    subject = unique_subject()
    lmtp_deliver(build_message(to="prof.demo@ac-demo.test", subject=subject).as_bytes(),
                 mail_from="a@example.org", imap_users=["prof.demo"])  # fmt: skip
    assert subject in _subjects("prof.demo")
    close_all_sessions()
    settings.IMAP_HOSTS = [dead]
    with pytest.raises(MailStoreUnavailable):
        _subjects("prof.demo")


def test_one_dovecot_needs_no_homes(transactional_db, settings):
    settings.DOVECOT_BACKENDS = []
    make_person("prof.demo")
    assert not DovecotHome.objects.exists()
    with pytest.raises(CommandError, match="DOVECOT_BACKENDS"):
        call_command("dovecot_home")


def test_an_unknown_backend_is_refused(transactional_db, settings):
    settings.DOVECOT_BACKENDS = [("b1", "h", 1, 2), ("b2", "h", 3, 4)]
    make_person("prof.demo")
    with pytest.raises(ValueError):
        assign_home(imap_user="prof.demo", backend="b3")


@pytest.mark.parametrize(("variable", "value", "parser"), [
    ("IMAP_HOSTS", "proxy-1:1143,proxy-2", endpoints),
    ("IMAP_HOSTS", "proxy-1:port", endpoints),
    ("LMTP_HOSTS", ":24", endpoints),
    ("DOVECOT_BACKENDS", "b1=host:1143", backends),
    ("DOVECOT_BACKENDS", "b1=host:1143:99999", backends),
    ("DOVECOT_BACKENDS", "b1=h:1:2,b1=k:3:4", backends),
    ("DOVECOT_BACKENDS", "b'1=h:1:2", backends),
])  # fmt: skip
def test_malformed_addresses_stop_the_start_with_the_variable_named(variable, value, parser,
                                                                    monkeypatch):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=variable):
        parser(variable, []) if parser is endpoints else parser(variable)


def test_addresses_are_read_in_order(monkeypatch):
    monkeypatch.setenv("LMTP_HOSTS", "proxy-1:24, [::1]:2424")
    monkeypatch.setenv("DOVECOT_BACKENDS", "b1=dovecot-b1:1143:24,b2=10.0.0.2:143:24")
    assert endpoints("LMTP_HOSTS", []) == [("proxy-1", 24), ("::1", 2424)]
    assert backends("DOVECOT_BACKENDS") == [("b1", "dovecot-b1", 1143, 24),
                                            ("b2", "10.0.0.2", 143, 24)]  # fmt: skip


def test_it_support_moves_a_mailbox_in_the_admin(client, transactional_db, settings):
    from accounts.models import User

    settings.DOVECOT_BACKENDS = [("b1", "dovecot-b1", 1143, 24), ("b2", "dovecot-b2", 1143, 24)]
    make_person("prof.demo")
    admin = User.objects.create_superuser("admin.homes", "admin.homes@ac-demo.test", PASSWORD,
                                          category=User.Category.IT_SUPPORT)  # fmt: skip
    client.force_login(admin)
    home = DovecotHome.objects.get(imap_user="prof.demo")
    url = f"/admin/accounts/dovecothome/{home.id}/change/"
    assert "b2 (dovecot-b2)" in client.get(url).content.decode()
    refused = client.post(url, {"imap_user": "prof.demo", "backend": "b9"})
    assert refused.status_code == 200 and backend_of("prof.demo") == "b1"
    assert client.post(url, {"imap_user": "prof.demo", "backend": "b2"}).status_code == 302
    assert backend_of("prof.demo") == "b2"
