"""Drop ``article_status_id`` (state, News ID): ``article_sitemap`` begins with the same two columns
and serves every query it served, so each story written kept one index entry for nothing."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("news", "0008_million_archive_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="article", name="article_status_id"),
    ]
