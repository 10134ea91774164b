"""The agenda, stored on a CalDAV server (calendar_app/caldav.py will be its only client)."""
