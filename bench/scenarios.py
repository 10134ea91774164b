"""The measures: each runs the raw IMAP floor, then the webmail page doing the same job."""

import random
from pathlib import Path

from bench import concurrency as load_test
from bench import corpus, floor, webmail
from bench.corpus import RARE_WORD
from bench.report import CONCURRENCY, FIRST, MESSAGE, NONE, SEARCH, WARM, Row
from bench.stack import Person, wait_quiet
from bench.stats import measure
from devstack.dovecot import DovecotServer

MOVE_TARGET = "Tri"
MOVE_COUNT = 50


def warm_inbox(person: Person, repeat: int) -> Row:
    browser = webmail.Webmail(person)
    with floor.session(person.login) as raw:
        base = measure(lambda i: floor.inbox_page(raw), repeat=repeat, warmup=3)
    page = measure(lambda i: browser.inbox(), repeat=repeat, warmup=3)
    return Row("Inbox page 1, warm", page, base, WARM)


def first_inbox(person: Person, repeat: int) -> Row:
    base = measure(lambda i: floor.first_page(person.login), repeat=repeat, warmup=1)
    browsers: list = []
    page = measure(
        lambda i: webmail.first_inbox(browsers[-1], person),
        before=lambda i: browsers.append(webmail.fresh_login(person)),
        repeat=repeat,
        warmup=1,
    )
    return Row("Inbox page 1, first after login", page, base, FIRST)


def open_message(person: Person, repeat: int) -> Row:
    """Different messages at every sample, spread over the whole INBOX; the floor and the
    webmail each open their own half of the sample."""
    browser = webmail.Webmail(person)
    with floor.session(person.login) as raw:
        uids = raw.search(["ALL"])
        chosen = random.Random(7).sample(uids, min(len(uids), 2 * (repeat + 2)))
        mine, theirs = chosen[::2], chosen[1::2]
        base = measure(lambda i: floor.open_message(raw, mine[i % len(mine)]), repeat=repeat)
    page = measure(lambda i: browser.message(theirs[i % len(theirs)]), repeat=repeat)
    return Row("Open a message", page, base, MESSAGE)


def search(person: Person, repeat: int) -> tuple[Row, list[str]]:
    """A word present in a few bodies, in every folder (the FTS index answers)."""
    browser = webmail.Webmail(person)
    with floor.session(person.login, folder=None) as raw:
        folders = floor.searchable_folders(raw)
        hits = floor.search_everywhere(raw, folders, RARE_WORD)
        base = measure(lambda i: floor.search_everywhere(raw, folders, RARE_WORD), repeat=repeat)
    found = sum(len(uids) for uids in hits.values())
    notes = [
        f"Body search: “{RARE_WORD}” is in {found} messages; {len(folders)} folders searched "
        f"({', '.join(folders)})."
    ]
    html = browser.search(RARE_WORD)
    urls = [browser.message_url(name, uid).encode() for name, uids in hits.items() for uid in uids]
    if found and not any(url in html for url in urls):
        notes.append("**The webmail's search page linked to none of the raw search's hits.**")
    page = measure(lambda i: browser.search(RARE_WORD), repeat=repeat)
    return Row("Body search, all folders", page, base, SEARCH), notes


def _each_word(search, words: list[str], warmup: int):
    """Time ``search(word)``, a new word at each sample (warm-up runs included)."""
    return measure(lambda i: search(words[i]), repeat=len(words) - warmup, warmup=warmup)


def first_searches(person: Person, repeat: int) -> tuple[list[Row], list[str]]:
    """A word never searched before at every sample (nothing cached, by us or by Dovecot's
    answers), in the INBOX's search box and over every folder. The floor and the webmail
    take alternate words of the corpus, so each searches words it has never seen."""
    words = iter(corpus.search_words())
    browser = webmail.Webmail(person)
    counts: list[int] = []
    rows = []
    with floor.session(person.login, folder=None) as raw:
        folders = floor.searchable_folders(raw)
    searches = (
        ("this folder", lambda raw, word: floor.first_search_here(raw, word), browser.quick_search),
        ("all folders", lambda raw, word: floor.first_search_everywhere(raw, folders, word),
         browser.search),
    )  # fmt: skip
    for name, raw_search, page_search in searches:
        mine = [next(words) for _ in range(repeat)]
        theirs = [next(words) for _ in range(repeat + 2)]
        with floor.session(person.login) as raw:
            base = _each_word(lambda word: counts.append(raw_search(raw, word)), mine, 0)  # noqa: B023
        page = _each_word(page_search, theirs, 2)
        rows.append(Row(f"First search of a new word, {name}", page, base, SEARCH))
    notes = [
        f"First searches: each sample a word of the corpus not searched before (six letters "
        f"or more); the raw searches found {min(counts):,} to {max(counts):,} messages "
        f"(median {sorted(counts)[len(counts) // 2]:,})."
    ]
    return rows, notes


def move_repeat(repeat: int) -> int:
    """Fewer samples for the move: each one waits for Dovecot's indexer to go idle."""
    return max(5, repeat * 2 // 3)


def move(server: DovecotServer, person: Person, repeat: int) -> Row:
    """50 messages of page 1 to another folder; moved back, and Dovecot's full-text
    indexing of the moved messages (fts_autoindex) let finish, outside the timed region."""
    browser = webmail.Webmail(person)
    repeat = move_repeat(repeat)
    with floor.session(person.login) as raw, floor.session(person.login, folder=None) as back:
        chosen: list[list[int]] = []

        def pick(i: int) -> None:
            chosen.append(floor.newest_uids(raw, MOVE_COUNT))

        def list_then_pick(i: int) -> None:
            browser.inbox()  # the user sees page 1, then selects from it
            pick(i)

        def restore(i: int) -> None:
            moved = floor.move_all_back(back, MOVE_TARGET)
            if moved != MOVE_COUNT:
                raise RuntimeError(f"{moved} messages moved instead of {MOVE_COUNT}")
            wait_quiet(server)

        wait_quiet(server)
        base = measure(
            lambda i: raw.move(chosen[-1], MOVE_TARGET), before=pick, after=restore, repeat=repeat
        )
        page = measure(
            lambda i: browser.move(chosen[-1], MOVE_TARGET),
            before=list_then_pick,
            after=restore,
            repeat=repeat,
        )
    return Row(f"Move {MOVE_COUNT} messages", page, base, NONE)


def run_all(server: DovecotServer, person: Person, repeat: int) -> tuple[list[Row], list[str]]:
    """Measures 1 to 5, Dovecot idle before each."""
    rows = []
    for step in (warm_inbox, first_inbox, open_message):
        wait_quiet(server)
        rows.append(step(person, repeat))
    wait_quiet(server)
    row, notes = search(person, repeat)
    rows.append(row)
    wait_quiet(server)
    first, first_notes = first_searches(person, repeat)
    rows += [*first, move(server, person, repeat)]
    return rows, [*notes, *first_notes]


def concurrency(
    server: DovecotServer, person: Person, sessions: int, port: int, log: Path, seconds: float
) -> Row:
    wait_quiet(server)
    base = load_test.raw(person, sessions, 3.0, seconds)
    wait_quiet(server)
    page = load_test.webmail(person, port, log, sessions, 3.0, seconds)
    return Row(f"{sessions} sessions listing the inbox", page, base, CONCURRENCY)
