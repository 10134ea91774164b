"""The webmail and the mail pipeline."""
