"""#14's sections of docs/benchmarks.md: free/busy judged on its median beside the index
query, room bookings on one winner per round and the slowest answer, the invitation on its
rate against the plain delivery of the same mail."""

import pytest

from bench.freebusy import FreeBusyResult
from bench.freebusy import markdown as freebusy_markdown
from bench.scheduling import SchedulingResult, stored
from bench.scheduling import markdown as scheduling_markdown
from bench.stats import Timings


def _row(lines: list[str], start: str) -> str:
    return next(line for line in lines if line.startswith(start))


def test_free_busy_is_judged_on_its_median_beside_its_floor():
    fast = FreeBusyResult(40, 100, 30, 3, Timings([0.1, 0.12, 0.5]), Timings([0.01] * 3))
    lines = freebusy_markdown(fast)
    row = _row(lines, "| `/agenda/disponibilites/`")
    assert "120.0 / " in row and "(12.0× the floor)" in row and row.endswith("| yes |")
    assert _row(lines, "| Busy periods read from the index (floor)").startswith(
        "| Busy periods read from the index (floor) | 10.0 / ")
    slow = FreeBusyResult(40, 100, 30, 3, Timings([0.2] * 3), Timings([0.01] * 3))
    assert _row(freebusy_markdown(slow), "| `/agenda/").endswith("| **no** |")


def _scheduling(winners, slowest, invitation, plain) -> SchedulingResult:
    return SchedulingResult(rounds=len(winners), bookings=[0.2] * 19 + [slowest],
                            winners=winners, floor_booking=Timings([0.1] * 5), attendees=200,
                            invitation=[invitation] * 3, plain=[plain] * 3,
                            store=[8.0] * 3, storage=[1.0] * 3)  # fmt: skip


def test_bookings_and_invitations_against_their_targets():
    lines = scheduling_markdown(_scheduling([1, 1, 1], 0.9, invitation=4.0, plain=2.0))
    assert "an invitation to 200" in lines[0]
    assert _row(lines, "| 20 concurrent").endswith("| yes |")
    answers = _row(lines, "| the same: each answer")
    assert "200 / 900 ms" in answers and "one booking alone: 100 ms" in answers
    assert answers.endswith("| yes |")
    invitation = _row(lines, "| iMIP REQUEST")
    assert "50.0 attendees / s" in invitation and "100.0 / s" in invitation
    assert "(0.50×)" in invitation and invitation.endswith("| yes |")
    store = _row(lines, "| the same copies PUT into Radicale over HTTP")
    assert "| 25.0 attendees / s | 0.25× plain |" in store
    storage = _row(lines, "| the same copies written into Radicale's storage")
    assert "(the store's floor) | 200.0 attendees / s | 2.00× plain |" in storage
    bad = scheduling_markdown(_scheduling([1, 2, 1], 1.5, invitation=5.0, plain=2.0))
    assert _row(bad, "| 20 concurrent").endswith("| **no** |")
    assert _row(bad, "| the same: each answer").endswith("| **no** |")
    assert _row(bad, "| iMIP REQUEST").endswith("| **no** |")


def test_a_submission_to_200_is_stored_when_both_of_its_transactions_are():
    assert not stored([], 2, 200)
    assert not stored([(False, 100)], 2, 200)  # the second transaction not spooled yet
    assert not stored([(False, 100), (True, 0)], 2, 200)
    assert stored([(False, 100), (False, 100)], 2, 200)
    with pytest.raises(RuntimeError, match="delivered 150 of 200"):
        stored([(False, 100), (False, 50)], 2, 200)


def test_a_part_run_alone_has_its_rows_only():
    """SCHEDULING_PART=bookings (or invitations): the part left out has no row, no note."""
    bookings = scheduling_markdown(SchedulingResult(3, [0.2] * 20, [1, 1, 1],
                                                    Timings([0.1] * 5), 200, [], []))  # fmt: skip
    assert _row(bookings, "| the same: each answer").endswith("| yes |")
    assert not any(line.startswith(("| iMIP", "- Invitations")) for line in bookings)
    invitations = scheduling_markdown(SchedulingResult(0, [], [], None, 200, [4.0] * 3,
                                                       [2.0] * 3))  # fmt: skip
    assert _row(invitations, "| iMIP REQUEST").endswith("| yes |")
    assert not any(line.startswith(("| 20 concurrent", "| the same", "- Bookings"))
                   for line in invitations)  # fmt: skip
