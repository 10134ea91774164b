"""Search indexes that only one engine has (trigram on PostgreSQL, FTS5 on SQLite), then the
entries and keys of the accounts and établissements that exist already."""

from django.db import migrations

from directory.search import etablissement_key, normalise

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS directory_person_search_trgm "
    "ON directory_person USING gin (search_key gin_trgm_ops)",
]
POSTGRESQL_REVERSE = ["DROP INDEX IF EXISTS directory_person_search_trgm"]

# External-content FTS5 table over directory_person.search_key; the key is normalised already,
# so the plain unicode61 tokenizer splits it as we do. Prefix indexes make «a*», «du*» cheap.
SQLITE = [
    "CREATE VIRTUAL TABLE directory_person_fts USING fts5("
    "search_key, content='directory_person', content_rowid='user_id', prefix='1 2 3')",
    "CREATE TRIGGER directory_person_fts_ai AFTER INSERT ON directory_person BEGIN "
    "INSERT INTO directory_person_fts(rowid, search_key) VALUES (new.user_id, new.search_key); END",
    "CREATE TRIGGER directory_person_fts_ad AFTER DELETE ON directory_person BEGIN "
    "INSERT INTO directory_person_fts(directory_person_fts, rowid, search_key) "
    "VALUES ('delete', old.user_id, old.search_key); END",
    "CREATE TRIGGER directory_person_fts_au AFTER UPDATE OF search_key ON directory_person BEGIN "
    "INSERT INTO directory_person_fts(directory_person_fts, rowid, search_key) "
    "VALUES ('delete', old.user_id, old.search_key); "
    "INSERT INTO directory_person_fts(rowid, search_key) VALUES (new.user_id, new.search_key); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS directory_person_fts_ai",
    "DROP TRIGGER IF EXISTS directory_person_fts_ad",
    "DROP TRIGGER IF EXISTS directory_person_fts_au",
    "DROP TABLE IF EXISTS directory_person_fts",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, []))


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}.get(vendor, []))


def fill_entries(apps, schema_editor):
    Etablissement = apps.get_model("directory", "Etablissement")
    Person = apps.get_model("directory", "Person")
    User = apps.get_model("accounts", "User")
    etabs = {}
    for etab in Etablissement.objects.all():
        etab.search_key = etablissement_key(etab)
        etab.save(update_fields=["search_key"])
        etabs[etab.pk] = etab
    for user in User.objects.all():
        etab = etabs.get(user.etablissement_id)
        place = f"{etab.name} {etab.city} {etab.uai}" if etab else ""
        words = dict.fromkeys(normalise(
            f"{user.first_name} {user.last_name} {user.username.replace('.', ' ')} {place}"
        ).split())
        person = Person.objects.create(
            user=user,
            sort_key=normalise(f"{user.last_name} {user.first_name} {user.username}")[:200],
            search_key=f" {' '.join(words)} ",
        )
        if etab:
            person.etablissements.add(etab)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_directory_entries"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(fill_entries, migrations.RunPython.noop),
    ]
