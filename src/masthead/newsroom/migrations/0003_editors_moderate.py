from django.db import migrations


def grant(apps, schema_editor):
    from masthead.stories import rules

    # The comments app's permissions exist once its migrations have run (see dependencies).
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    rules.ensure_roles(apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0002_roles"),
        ("comments", "0002_moderator_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
