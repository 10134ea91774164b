"""Academic accounts: identity, passwords shared with Dovecot, status."""
