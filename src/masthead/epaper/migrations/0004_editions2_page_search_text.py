"""Pages keep their reading text folded for search; filled here for the pages imported before."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from masthead.epaper.models import searchable

    Page = apps.get_model("epaper", "Page")
    for page in Page.objects.only("id", "text", "corrected_text").iterator(chunk_size=500):
        Page.objects.filter(pk=page.pk).update(search_text=searchable(page.corrected_text or page.text))


class Migration(migrations.Migration):
    dependencies = [("epaper", "0003_epaper_editors")]
    operations = [
        migrations.AddField(model_name="page", name="search_text", field=models.TextField(blank=True, editable=False)),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
