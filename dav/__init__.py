"""CalDAV/CardDAV: the Radicale plugins that tie the store to Django, the /dav/ proxy, and the
web app's client adapter (the only importer of the caldav library)."""
