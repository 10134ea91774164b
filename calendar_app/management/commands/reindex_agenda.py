"""`manage.py reindex_agenda`: rebuild the derived index of every known collection from the
store (after an upgrade that adds to the index, such as the busy periods of free/busy)."""

from django.core.management.base import BaseCommand

from calendar_app.index import reindex_collection
from calendar_app.models import CollectionState


class Command(BaseCommand):
    help = "Rebuild the agenda's derived index (search, reminders, free/busy) from the store."

    def handle(self, *args, **options):
        states = CollectionState.objects.select_related("owner")
        states.update(sync_token="", settled_version=-1)  # a full listing: every resource read
        done = 0
        for state in list(states):
            done += reindex_collection(state.owner.username, state.collection)
        self.stdout.write(f"{done} resources indexed.")
