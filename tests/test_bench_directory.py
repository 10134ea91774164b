"""The directory bench brings its académie in through the HR import and times a night's export
on it, rolled back: the timings are of the real import, and the académie measured next is the
one generated."""

import random

import pytest

from accounts.models import User
from bench import directory


@pytest.fixture
def small_academie(db, monkeypatch):
    monkeypatch.setattr(directory, "PEOPLE", 60)
    monkeypatch.setattr(directory, "ETABLISSEMENTS", 6)
    directory.generate(random.Random(1))
    return directory.FIRST_IMPORT


def test_the_generated_people_arrive_through_the_hr_import(small_academie):
    assert small_academie["rows"] == small_academie["created"] == 60
    assert set(small_academie["seconds"]) == {"read", "plan", "apply"}
    generated = User.objects.filter(email__endswith="@ac-bench.test", is_active=True)
    assert generated.count() == 60
    assert all(u.directory_entry.search_key for u in generated[:10])


def test_a_nights_export_is_imported_then_rolled_back(small_academie):
    before = set(User.objects.filter(is_active=True).values_list("username", flat=True))
    export = directory.daily_export(random.Random(16))
    # A tenth of a small académie leaves (500 of a large one), 500 arrive.
    assert len(export) == 54 + 500
    timed = directory.hr_import_timed(export, rollback=True)
    assert (timed["created"], timed["left"], timed["changed"] + timed["unchanged"]) == (
        500, 6, 54)
    line = directory._import_line("HR import", timed)
    assert "554 rows" in line and "500 arrivals" in line and "6 departures" in line
    after = set(User.objects.filter(is_active=True).values_list("username", flat=True))
    assert after == before


def test_the_slowest_queries_of_each_row_may_be_shown(small_academie, monkeypatch, capsys):
    monkeypatch.setattr(directory, "SLOWEST", 2)
    monkeypatch.setenv("BENCH_REPEAT", "1")
    rows = directory.measure("search")
    shown = capsys.readouterr().err.splitlines()
    assert len(shown) == len(rows) == len(directory.queries(random.Random(15)))
    assert shown[0].startswith("search, one letter, slowest: '") and shown[0].endswith(" ms")
