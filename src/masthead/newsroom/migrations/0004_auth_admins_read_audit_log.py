from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from masthead.stories import rules as roles

    # Permissions are made after all migrations on a fresh database: make them now, so the admin
    # role can be granted the audit log and the API tokens (as newsroom 0003 does for comments).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles.ensure_roles(apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0003_editors_moderate"),
        ("accounts", "0001_initial"),
        ("syndication", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
