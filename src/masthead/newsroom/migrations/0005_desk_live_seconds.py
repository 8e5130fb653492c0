from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0004_auth_admins_read_audit_log")]

    operations = [
        migrations.AddField("statechange", "live_seconds",
                            models.FloatField(blank=True, null=True, verbose_name="live after (s)")),
        migrations.AddField("statechange", "live_error",
                            models.CharField(blank=True, db_default="", max_length=200, verbose_name="purge not confirmed")),
    ]
