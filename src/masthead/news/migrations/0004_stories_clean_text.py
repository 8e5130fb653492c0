"""Take characters that are not text out of what was stored before the story service refused them.

Headlines, bodies and names written before then may hold C0/C1 controls, U+FFFE/U+FFFF or lone
surrogates (an API client or an import let them through); every output would have to keep
leaving them out. Reversing it restores nothing, as there is nothing worth restoring.
"""

from django.db import migrations

FIELDS = {
    "Article": ("kicker", "headline", "slug", "summary", "body", "body_html", "source"),
    "Tag": ("name",),
    "Author": ("name", "bio"),
    "Section": ("name", "description"),
    "Correction": ("text",),
}


def clean_stored_text(apps, schema_editor):
    from masthead import characters

    for model_name, fields in FIELDS.items():
        model = apps.get_model("news", model_name)
        for row in model.objects.only("pk", *fields).iterator(chunk_size=2000):
            cleaned = {name: characters.strip(getattr(row, name)) for name in fields}
            changed = {name: value for name, value in cleaned.items() if value != getattr(row, name)}
            if changed:
                model.objects.filter(pk=row.pk).update(**changed)


class Migration(migrations.Migration):
    dependencies = [("news", "0003_headline_words")]

    operations = [migrations.RunPython(clean_stored_text, migrations.RunPython.noop, elidable=True)]
