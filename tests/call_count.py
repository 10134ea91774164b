"""Python function calls made by one call (``sys.setprofile``, C functions included): exact
where times are noise, so a page's cost can be pinned and compared."""

import sys


def counted(function, *args):
    """What ``function(*args)`` returned, and how many calls it made."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += event in ("call", "c_call")

    sys.setprofile(count)
    try:
        result = function(*args)
    finally:
        sys.setprofile(None)
    return result, calls
