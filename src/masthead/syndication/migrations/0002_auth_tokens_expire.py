# Every token gets an expiry. Tokens made before this get MASTHEAD_API_TOKEN_DAYS from the day it
# runs (the default is evaluated once for the existing rows), so no automation stops at the upgrade.
# Tokens were stored as hashes from 0001 on: there is no secret left to hash.

import masthead.syndication.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('syndication', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(default=masthead.syndication.models.default_expiry, verbose_name='expires at'),
        ),
        migrations.AddField(
            model_name='apitoken',
            name='last_used_from',
            field=models.GenericIPAddressField(blank=True, editable=False, null=True, verbose_name='last used from'),
        ),
        migrations.AlterField(
            model_name='apitoken',
            name='revoked_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='revoked at'),
        ),
    ]
