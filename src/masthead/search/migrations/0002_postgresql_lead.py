"""PostgreSQL: rank from ``lead``, the headline and standfirst part of each story's vector, kept in the row.

``ts_rank`` over the whole vector read some 2 kB out of line for each of the 5,000 stories a
query ranks; the lead (weights A and B of the vector, ``ts_filter``) is a few hundred bytes,
generated from the vector so it can never disagree with it. ``toast_tuple_target`` goes back
to its default: at 128 it pushed the lead out of line too, and it never made short vectors
leave the row (PostgreSQL only moves values out of rows longer than about 2 kB).

Nothing to do on SQLite, whose FTS5 ranking reads its own index.
"""

from django.db import migrations

POSTGRESQL = [
    "ALTER TABLE search_document RESET (toast_tuple_target)",
    "ALTER TABLE search_document ADD COLUMN lead tsvector GENERATED ALWAYS AS (ts_filter(document, '{a,b}')) STORED",
]
POSTGRESQL_BACK = [
    "ALTER TABLE search_document DROP COLUMN lead",
    "ALTER TABLE search_document SET (toast_tuple_target = 128)",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in ("sqlite", "postgresql"):
            raise RuntimeError(f"Masthead search supports SQLite and PostgreSQL, not {vendor}.")
        if vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_BACK))]
