import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def grant(apps, schema_editor):
    """Give editors the new permission (and a view of the digests) as the role table says."""
    from django.contrib.auth.management import create_permissions

    from masthead.stories import rules

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    rules.ensure_roles(apps, strict=False)


class Migration(migrations.Migration):

    dependencies = [
        ('newsletters', '0001_digest_initial'),
        ('newsroom', '0004_auth_admins_read_audit_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='digest',
            options={'ordering': ['-day', 'edition'], 'permissions': [('send_special_digest', 'Can send a special edition of the digest')]},
        ),
        migrations.RemoveConstraint(
            model_name='digest',
            name='newsletter_digest_once',
        ),
        migrations.AddField(
            model_name='digest',
            name='kind',
            field=models.CharField(choices=[('daily', 'Daily'), ('special', 'Special edition')], default='daily', max_length=8, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='digest',
            name='ordered_by',
            field=models.ForeignKey(blank=True, help_text='The editor who sent a special edition.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sent by'),
        ),
        migrations.AddConstraint(
            model_name='digest',
            constraint=models.UniqueConstraint(models.F('edition'), models.F('day'), condition=models.Q(('kind', 'daily')), name='newsletter_digest_once'),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
