"""``article_created_by_id`` holds only stories someone wrote here, not an imported archive's.

SQLite's statistics keep one figure per index column: the average number of stories sharing a value.
With 300,000 imported stories and no writer, that average said every writer wrote 300,000 stories,
so the desk's "my drafts" (writer, state, newest first) read the whole table rather than the index:
1.5 s a desk. A partial index counts only written stories, and ``created_by = …`` implies the
condition on both databases, so every query naming a writer can still use it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("news", "0011_headline_word_statistics"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="article",
            name="article_created_by_id",
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(condition=models.Q(created_by__isnull=False), fields=["created_by", "id"],
                               name="article_created_by_id"),
        ),
    ]
