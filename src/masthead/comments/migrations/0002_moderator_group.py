"""The "moderator" role: may see the moderation desk and approve, reject and ban."""

from django.db import migrations

DESK = {
    "comment": ["view", "change", "moderate"],
    "ban": ["view", "add", "change", "delete"],
    "articlecomments": ["view", "add", "change", "delete"],
}
NAMES = {"moderate": "Can approve, reject and ban in the moderation queue"}


def create_moderator_group(apps, schema_editor):
    # Django makes permissions after all migrations have run (post_migrate); the group needs them
    # now, so make them here by the same (content type, codename) that Django will then find.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name="moderator")
    for model, verbs in DESK.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="comments", model=model)
        for verb in verbs:
            codename = f"{verb}_{model}"
            name = NAMES.get(verb, f"Can {verb} {model}")
            permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                             defaults={"name": name})
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_moderator_group, migrations.RunPython.noop)]
