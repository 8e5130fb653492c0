from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from masthead.stories import rules

    # Permissions are normally made after all migrations have run; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    rules.ensure_roles(apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
        ("news", "0002_newsroom"),
        ("media", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
