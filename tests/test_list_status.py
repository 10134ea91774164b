"""The LIST-STATUS answer read by mail/imap/folder_admin.py's regular expressions gives what
imapclient's parser gives, on Dovecot's own answer for awkward folder names."""

import pytest

from mail.imap import imap_session
from mail.imap.folder_admin import read_list_status

pytestmark = pytest.mark.usefixtures("mail_stack")

NAMES = [
    "Projets", "Projets/2026 été", "Réunions & conseils", 'Dit "bonjour"', "a\\b", "[x",
    "007", "Classes/(x)", "cent % sûr", "~:@!$'+,;=", "&-", "Ünïcødé/ß", "  espaces  ",
]  # fmt: skip


def test_the_regular_expressions_read_what_imapclients_parser_reads(prof):
    with imap_session(prof.username) as box:
        made = []
        try:
            for name in NAMES:
                try:
                    box.create_folder(name)
                    made.append(name)
                except Exception:  # noqa: BLE001, S112 (a name this Dovecot refuses is left out)
                    continue
            imap = box._client._imap
            imap.untagged_responses.pop("STATUS", None)
            listed = box._client._raw_command_untagged(
                b"LIST",
                [b'""', b'"*"', b"RETURN (SUBSCRIBED SPECIAL-USE STATUS "
                 b"(MESSAGES UNSEEN UIDVALIDITY UIDNEXT HIGHESTMODSEQ))"],
                uid=False,
            )  # fmt: skip
            statuses = imap.untagged_responses.pop("STATUS", [])
            slow = box._parsed_list_status(listed, statuses)
            plain = [line for line in listed if isinstance(line, bytes)]
            plain_names = {name for _, _, name in slow[0]}
            assert read_list_status(plain, []) is not None  # the fast path is taken
            fast = read_list_status(listed, statuses)
            if fast is not None:
                assert fast == slow
            for line in listed:  # line by line, literals left out
                if isinstance(line, bytes):
                    assert read_list_status([line], [])[0] == box._parsed_list_status([line], [])[0]
            for line in statuses:
                if isinstance(line, bytes):
                    assert read_list_status([], [line]) == box._parsed_list_status([], [line])
            assert set(made) <= plain_names | {n.strip() for n in made}
            assert len(made) >= 8, made
        finally:
            for name in sorted(made, key=lambda n: -n.count("/")):
                try:
                    box.delete_folder(name)
                except Exception:  # noqa: BLE001, S112
                    continue
