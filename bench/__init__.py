"""`make bench`: the webmail measured against its raw IMAP floor (see bench/run.py)."""
