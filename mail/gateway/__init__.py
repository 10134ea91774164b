"""The SMTP gateway (aiosmtpd): inbound mail for local domains and authenticated submission."""
