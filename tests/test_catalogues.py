"""The French catalogues are complete: every entry translated, none fuzzy (a fuzzy entry is
left out of the compiled catalogue, so its English would show), and msgfmt accepts them."""

import subprocess

from tests.catalogues import catalogue_files


def test_every_french_catalogue_is_complete_and_nothing_is_fuzzy():
    ours = [path for path in catalogue_files() if "site-packages" not in path.parts]
    assert len(ours) >= 4  # the site's, the agenda's, the address book's, the directory's
    for path in ours:
        checked = subprocess.run(
            ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(path)],
            capture_output=True, text=True,
        )  # fmt: skip
        assert checked.returncode == 0, (path, checked.stderr)
        assert "untranslated" not in checked.stderr and "fuzzy" not in checked.stderr, (
            path, checked.stderr)
        assert "#, fuzzy" not in path.read_text(encoding="utf-8"), path
