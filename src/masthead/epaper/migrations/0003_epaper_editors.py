"""Editors upload issues, correct pages' text and confirm story regions."""

from django.db import migrations

DESK = {"issue": ["view", "add", "change"], "page": ["view", "change"],
        "region": ["view", "add", "change", "delete"]}


def grant_editors(apps, schema_editor):
    # Django makes permissions after all migrations have run (post_migrate); the group needs them
    # now, so make them here by the same (content type, codename) that Django will then find.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name="editor")
    for model, verbs in DESK.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="epaper", model=model)
        for verb in verbs:
            permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=f"{verb}_{model}",
                                                             defaults={"name": f"Can {verb} {model}"})
            group.permissions.add(permission)


def revoke_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="editor").first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="epaper"))


class Migration(migrations.Migration):
    dependencies = [
        ("epaper", "0002_epaper_regions"),
        ("newsroom", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_editors, revoke_editors)]
