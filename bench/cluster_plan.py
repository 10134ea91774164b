"""The pure parts of `make cluster-chaos` (bench/cluster_chaos.py): which node's processes are
killed when, drawn from a seed so that a run can be replayed; the tally of what each person's
INBOX holds against what the gateways accepted; a report's section rewritten in place."""

import random
from collections import Counter
from dataclasses import dataclass, field

KINDS = ("worker", "gateway", "web")


@dataclass(frozen=True)
class Kill:
    after: int  # killed once this many messages have been sent (accepted or given up)
    node: str
    process: str  # one of KINDS

    def describe(self) -> str:
        return f"after message {self.after}: the {self.process} of node {self.node} (SIGKILL)"


def kill_plan(seed: int, messages: int, nodes: tuple[str, ...] = ("a", "b")) -> list[Kill]:
    """One node, drawn at random, lost whole: its worker (with its beat), its gateway and its
    web process, in an order drawn too, either all at one moment (a machine lost outright)
    or at three distinct moments, each between 10 % and 80 % of the messages. The other
    nodes keep every process. The same seed gives the same plan."""
    rng = random.Random(seed)
    low, high = max(1, messages // 10), max(4, messages * 8 // 10)
    node = rng.choice(nodes)
    kinds = list(KINDS)
    rng.shuffle(kinds)
    if rng.random() < 0.5:
        moments = [rng.randrange(low, high)] * len(KINDS)
    else:
        moments = sorted(rng.sample(range(low, high), len(KINDS)))
    return [Kill(at, node, kind) for at, kind in zip(moments, kinds, strict=True)]


@dataclass
class Tally:
    """Per person: the accepted messages missing from their INBOX (lost), those found there
    more than once (doubled), and copies of messages that were not theirs (stray)."""

    people: int = 0
    accepted: int = 0
    stored: int = 0
    lost: dict[str, list[str]] = field(default_factory=dict)
    doubled: dict[str, list[str]] = field(default_factory=dict)
    stray: dict[str, list[str]] = field(default_factory=dict)

    @property
    def exactly_once(self) -> bool:
        return not (self.lost or self.doubled or self.stray)

    @staticmethod
    def count(per_person: dict[str, list[str]]) -> int:
        return sum(len(tags) for tags in per_person.values())


def tally(accepted: dict[str, str], found: dict[str, list[str]]) -> Tally:
    """``accepted``: tag → the person it was sent to, for every message a gateway answered 250
    for; ``found``: person → the tags of the copies in their INBOX (read through IMAP)."""
    result = Tally(people=len(found), accepted=len(accepted))
    expected: dict[str, set[str]] = {}
    for tag, person in accepted.items():
        expected.setdefault(person, set()).add(tag)
    for person in sorted(set(found) | set(expected)):
        copies = Counter(found.get(person, []))
        result.stored += sum(copies.values())
        mine = expected.get(person, set())
        if lost := sorted(mine - set(copies)):
            result.lost[person] = lost
        if doubled := sorted(tag for tag, n in copies.items() if n > 1 and tag in mine):
            result.doubled[person] = doubled
        if stray := sorted(tag for tag in copies if tag not in mine):
            result.stray[person] = stray
    return result


def with_section(text: str, name: str, lines: list[str]) -> str:
    """``text`` with the block between ``<!-- name -->`` and ``<!-- /name -->`` replaced by
    ``lines`` (appended when there is none yet): two commands write one report."""
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = "\n".join([begin, *lines, end])
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        return head + block + rest.split(end, 1)[1]
    return text.rstrip("\n") + ("\n\n" if text.strip() else "") + block + "\n"


def section_of(text: str, name: str) -> list[str]:
    """The lines of that block, to carry over when the rest of the report is rewritten."""
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    if begin not in text or end not in text:
        return []
    return text.split(begin, 1)[1].split(end, 1)[0].strip("\n").splitlines()
