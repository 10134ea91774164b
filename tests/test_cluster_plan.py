"""The pure parts of `make cluster-chaos` (bench/cluster_plan.py): the kill plan a seed
draws, the tally of lost and doubled messages, the report's section rewritten in place."""

from bench.cluster_plan import KINDS, Kill, kill_plan, section_of, tally, with_section


def test_a_seed_gives_the_same_plan_and_another_seed_another():
    assert kill_plan(1234, 1000) == kill_plan(1234, 1000)
    assert any(kill_plan(1234, 1000) != kill_plan(seed, 1000) for seed in range(5))


def test_a_plan_loses_one_whole_node_within_the_campaign():
    at_once = 0
    for seed in range(200):
        plan = kill_plan(seed, 100)
        assert sorted(kill.process for kill in plan) == sorted(KINDS)
        assert len({kill.node for kill in plan}) == 1 and plan[0].node in ("a", "b")
        moments = [kill.after for kill in plan]
        assert moments == sorted(moments) and len(set(moments)) in (1, 3)
        assert all(10 <= at < 80 for at in moments)
        at_once += len(set(moments)) == 1
    assert 50 < at_once < 150  # a machine lost outright, or its processes one by one
    assert {kill_plan(seed, 100)[0].node for seed in range(20)} == {"a", "b"}


def test_a_small_campaign_still_has_three_distinct_moments_when_apart():
    plans = [kill_plan(seed, 20) for seed in range(20)]
    assert all(len({kill.after for kill in plan}) in (1, 3) for plan in plans)


def test_a_kill_says_what_and_when():
    text = Kill(250, "b", "worker").describe()
    assert text == "after message 250: the worker of node b (SIGKILL)"


def test_every_message_once_is_exactly_once():
    result = tally({"r-0": "ana", "r-1": "ben", "r-2": "ana"},
                   {"ana": ["r-2", "r-0"], "ben": ["r-1"]})  # fmt: skip
    assert result.exactly_once
    assert (result.people, result.accepted, result.stored) == (2, 3, 3)


def test_lost_doubled_and_stray_are_counted_per_person():
    accepted = {"r-0": "ana", "r-1": "ana", "r-2": "ben", "r-3": "cleo"}
    found = {"ana": ["r-0", "r-0", "r-0"], "ben": ["r-2", "r-3", "old"], "cleo": []}
    result = tally(accepted, found)
    assert not result.exactly_once
    assert result.lost == {"ana": ["r-1"], "cleo": ["r-3"]}
    assert result.doubled == {"ana": ["r-0"]}
    assert result.stray == {"ben": ["old", "r-3"]}
    assert result.stored == 6
    assert result.count(result.lost) == 2


def test_a_person_whose_inbox_was_not_read_has_lost_their_mail():
    result = tally({"r-0": "ana"}, {})
    assert result.lost == {"ana": ["r-0"]}


def test_a_section_is_appended_then_replaced_and_the_rest_kept():
    text = "# Campagne\n\nAvant.\n"
    once = with_section(text, "cluster", ["premier"])
    assert once == "# Campagne\n\nAvant.\n\n<!-- cluster -->\npremier\n<!-- /cluster -->\n"
    twice = with_section(once.replace("\n<!-- cluster", "\nAprès.\n<!-- cluster"), "cluster",
                         ["second", "troisième"])  # fmt: skip
    assert "premier" not in twice and "Après.\n<!-- cluster -->\nsecond\ntroisième\n" in twice
    assert section_of(twice, "cluster") == ["second", "troisième"]
    assert section_of(text, "cluster") == []
    assert with_section("", "cluster", ["x"]) == "<!-- cluster -->\nx\n<!-- /cluster -->\n"
