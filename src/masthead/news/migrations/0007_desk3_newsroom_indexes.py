from django.db import migrations, models

# The story-author table is Django's own (a ManyToManyField without a through model), so its index
# is plain SQL, the same on SQLite and PostgreSQL: one author's stories, newest first, from the
# index alone (the newsroom's author filter at 300,000 stories).
AUTHOR_STORIES = "CREATE INDEX news_article_authors_author_article ON news_article_authors (author_id, article_id)"


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0006_desk_story_names'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['section', 'status', 'id', 'published_at'], name='article_section_state_id'),
        ),
        migrations.RunSQL(AUTHOR_STORIES, reverse_sql="DROP INDEX news_article_authors_author_article"),
    ]
