"""Where a warm mail page's time goes (bench/where_the_time_goes.md): not a test, a profile,
run by name only (its file name keeps it out of the suite):

    PROFILE_RUNS=60 PROFILE_OUT=/tmp/profile.txt .venv/bin/python -m pytest -q \\
        -p no:randomly tests/profile_pages.py

A person of their own gets 62 messages of the bench's corpus; the inbox, its first plain
and first HTML message and that one's body frame are requested through Django's real WSGI
handler (not the test client, whose template instrumentation adds its own calls), three
times to warm up, then once with every Python call counted (``sys.setprofile``, C functions
included) and attributed to the innermost project frame and the library it called, then
PROFILE_RUNS times for the thread's CPU time. PROFILE_NODES=1 adds the calls per template
node. The counts are exact; the CPU times depend on the machine's load.
"""

import collections
import io
import os
import sys
import time
import uuid

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client
from django.urls import reverse

from bench import corpus
from mail.imap import imap_session
from mail.transport.lmtp import lmtp_deliver
from tests.conftest import make_person

pytestmark = pytest.mark.usefixtures("mail_stack")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIBRARIES = [
    ("imapclient", "imap"), ("imaplib", "imap"), ("/email/", "email"),
    ("django/template/", "template"), ("django/db/", "orm"), ("django/urls/", "urls"),
    ("django/utils/translation", "i18n"), ("django/contrib/sessions", "session"),
    ("nh3", "sanitise"), ("django/middleware", "middleware"), ("redis", "redis"),
    ("psycopg", "psycopg"), ("django/core/handlers", "handler"), ("django/http", "http"),
    ("django/utils/", "django utils"), ("django/contrib/auth", "auth"),
    ("django/core/signing", "signing"), ("allauth", "allauth"), ("django/forms", "forms"),
]  # fmt: skip


def library(path: str) -> str:
    return next((name for needle, name in LIBRARIES if needle in path), "other")


def project_frame(frame) -> str:
    """The innermost frame of the project's own code, and what it called."""
    child = None
    while frame is not None:
        path = frame.f_code.co_filename
        if path.startswith(ROOT) and "/.venv/" not in path and "/tests/" not in path:
            here = f"{os.path.relpath(path, ROOT)}:{frame.f_code.co_name}"
            if child is None:
                return here
            return f"{here} -> {library(child.f_code.co_filename)}:{child.f_code.co_name}"
        child, frame = frame, frame.f_back
    return "(the handler)"


def template_node(frame) -> str | None:
    while frame is not None:
        if frame.f_code.co_name == "render_annotated":
            node = frame.f_locals.get("self")
            token, origin = getattr(node, "token", None), getattr(node, "origin", None)
            return (f"{getattr(origin, 'template_name', '?')}:{getattr(token, 'lineno', '?')} "
                    f"{(getattr(token, 'contents', '') or '')[:50]}")  # fmt: skip
        frame = frame.f_back
    return None


def get(handler, url: str, cookie: str) -> bytes:
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_COOKIE": cookie,
        "HTTP_USER_AGENT": "profile", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": True,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }  # fmt: skip
    status = []
    response = handler(environ, lambda line, headers, exc_info=None: status.append(line))
    body = b"".join(response)
    response.close()
    assert status[0].startswith("200"), (url, status)
    return body


def profile(handler, url: str, cookie: str, runs: int, out: list[str], name: str) -> bytes:
    for _ in range(3):
        get(handler, url, cookie)
    libraries, frames, nodes = collections.Counter(), collections.Counter(), collections.Counter()
    with_nodes = bool(os.environ.get("PROFILE_NODES"))

    def count(frame, event, arg):
        if event in ("call", "c_call"):
            libraries[library(frame.f_code.co_filename)] += 1
            frames[project_frame(frame)] += 1
            if with_nodes and (node := template_node(frame)):
                nodes[node] += 1

    sys.setprofile(count)
    try:
        body = get(handler, url, cookie)
    finally:
        sys.setprofile(None)
    statements = []

    def sql(execute, statement, params, many, context):
        statements.append(statement)
        return execute(statement, params, many, context)

    with connection.execute_wrapper(sql):
        get(handler, url, cookie)
    times = []
    for _ in range(runs):
        start = time.thread_time()
        get(handler, url, cookie)
        times.append((time.thread_time() - start) * 1000)
    times.sort()
    out.append(f"== {name}: {libraries.total()} calls, {len(statements)} SQL, CPU min "
               f"{times[0]:.1f} median {times[len(times) // 2]:.1f} ms")  # fmt: skip
    out.append("  " + ", ".join(f"{k} {v}" for k, v in libraries.most_common()))
    out += [f"  {v:6d} {k}" for k, v in frames.most_common(int(os.environ.get("PROFILE_TOP", 30)))]
    out += [f"  N {v:6d} {k}" for k, v in nodes.most_common(40)]
    return body


def test_profile():
    person = make_person(f"profil.{uuid.uuid4().hex[:8]}")
    opened = {}  # the first plain and the first HTML message of the corpus, by Message-ID
    for index in range(62):
        raw = corpus.build(index, person.email).raw
        lmtp_deliver(raw, mail_from="bench@example.org", imap_users=[person.username])
        if b"multipart/mixed" not in raw:
            kind = "html" if b"multipart/alternative" in raw else "plain"
            opened.setdefault(kind, raw.split(b"Message-ID: ")[1].split(b"\n")[0].decode())
    with imap_session(person.username) as box:
        envelopes = box.list_page("INBOX", page=1, page_size=500).envelopes
    uids = {envelope.message_id: envelope.uid for envelope in envelopes}
    client = Client()
    client.force_login(person)
    cookie = "; ".join(f"{key}={morsel.value}" for key, morsel in client.cookies.items())
    handler, box = WSGIHandler(), person.personal_mailbox.id
    runs, out = int(os.environ.get("PROFILE_RUNS", "40")), []
    profile(handler, reverse("mail:folder", args=[box, "INBOX"]), cookie, runs, out, "inbox")
    for kind in ("plain", "html"):
        url = reverse("mail:message", args=[box, "INBOX", uids[opened[kind]]])
        page = profile(handler, url, cookie, runs, out, kind).decode()
    frame = page.split('class="cv-body-frame"')[1].split('src="')[1].split('"')[0]
    profile(handler, frame.replace("&amp;", "&"), cookie, runs, out, "frame")
    with open(os.environ.get("PROFILE_OUT", "/tmp/profile.txt"), "w") as report:
        report.write("\n".join(out) + "\n")
