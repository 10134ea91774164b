"""Entries of people who are not listed (who left) lose their search key: the search then
leaves them out by the key alone, without joining every match to its account. Nothing to undo:
the search before this left them out anyway."""

from django.db import migrations
from django.db.models import Q


def clear_keys(apps, schema_editor):
    Person = apps.get_model("directory", "Person")
    unlisted = Q(user__is_active=False) | Q(user__status="disabled")
    Person.objects.filter(unlisted).exclude(search_key="").update(search_key="")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0009_list_search_key"),
    ]

    operations = [
        migrations.RunPython(clear_keys, migrations.RunPython.noop),
    ]
