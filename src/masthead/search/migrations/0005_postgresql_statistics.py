"""PostgreSQL: the planner's statistics list the 10,000 commonest words of the index instead of 1,000.

The backend sizes its window of newest stories from them. At 1,000,000 stories the 1,000th word
is in 1.9 % of the stories, so any rarer word was read across the whole archive (17,000 matches
for one in 1.7 %: about 55 ms); with 10,000 listed, only words in fewer than 0.2 % of the stories
are. ANALYZE reads 300,000 stories' vectors instead of 30,000 (10 s at 1,000,000 stories).
"""

from django.db import migrations

POSTGRESQL = ["ALTER TABLE search_document ALTER COLUMN document SET STATISTICS 1000", "ANALYZE search_document"]
POSTGRESQL_BACK = ["ALTER TABLE search_document ALTER COLUMN document SET STATISTICS -1", "ANALYZE search_document"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_postgresql_truncate")]
    operations = [migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_BACK))]
