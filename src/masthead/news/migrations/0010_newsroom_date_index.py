"""``article_published``: the newsroom's date filter ("past 7 days", in any state) reads its range, not
every state's stretch of ``article_visible``. Dropped again on the way back."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("news", "0009_drop_article_status_id"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["published_at"], name="article_published"),
        ),
    ]
