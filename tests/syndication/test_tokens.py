"""API tokens: stored as a hash, each with an expiry, its last use recorded and logged, revoked in the newsroom."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from masthead.accounts.models import AuditEntry
from masthead.syndication.models import ApiToken, hash_token
from tests.syndication.factories import REPORTER, make_token, make_user

pytestmark = pytest.mark.django_db


def _write(token, address="192.0.2.1"):
    return Client(REMOTE_ADDR=address).post("/api/v1/articles", "{}", content_type="application/json",
                                            HTTP_AUTHORIZATION=f"Bearer {token}")


def test_only_a_hash_is_stored_and_each_token_expires_after_the_default_days(settings):
    """A new token keeps the SHA-256 of its secret and expires MASTHEAD_API_TOKEN_DAYS from now."""
    settings.API_TOKEN_DAYS = 30
    raw = make_token()
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(raw) and raw not in (token.key_hash, token.prefix)
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert AuditEntry.objects.filter(action="token-created", user=token.user).exists()


def test_an_expired_token_is_refused_with_a_message_that_says_so():
    raw = make_token(perms=REPORTER)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _write(raw)
    assert response.status_code == 401
    assert "the token is unknown, revoked, expired, or its user is inactive" in response.content.decode()


def test_a_tokens_use_is_recorded_and_logged_once_an_hour_or_from_a_new_address():
    """Each call updates last used (time and address); the audit log gets the first call and any new address."""
    raw = make_token(perms=REPORTER)
    for address in ("192.0.2.1", "192.0.2.1", "192.0.2.1", "198.51.100.4"):
        assert _write(raw, address).status_code == 400  # an empty story: refused, but the token was good
    token = ApiToken.objects.get()
    assert token.last_used_from == "198.51.100.4" and timezone.now() - token.last_used_at < timedelta(minutes=1)
    used = AuditEntry.objects.filter(action="token-used", user=token.user).order_by("id")
    assert [entry.address for entry in used] == ["192.0.2.1", "198.51.100.4"]
    assert used[0].detail == str(token)
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(hours=2))
    _write(raw, "198.51.100.4")
    assert AuditEntry.objects.filter(action="token-used").count() == 3


def test_the_newsroom_lists_tokens_and_revokes_them_into_the_audit_log():
    """Admins see each token's state, expiry and last use; revoking one stops it at once and is logged."""
    from tests.newsroom.factories import make_user as make_newsroom_user

    raw = make_token(username="wire")
    _write(raw, "203.0.113.20")
    admin = make_newsroom_user("admin", username="chief")
    office = Client()
    office.force_login(admin)
    listing = office.get("/newsroom/syndication/apitoken/").content.decode()
    assert "wire" in listing and "203.0.113.20" in listing and ">live<" in listing
    token = ApiToken.objects.get()
    response = office.post("/newsroom/syndication/apitoken/", {"action": "revoke", "_selected_action": [token.pk]},
                           follow=True)
    assert "1 token revoked." in response.content.decode()
    assert ">revoked<" in response.content.decode()
    assert _write(raw).status_code == 401
    assert AuditEntry.objects.filter(action="token-revoked", username="wire", detail=f"{token}, by chief").exists()
    assert office.post(f"/newsroom/syndication/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_command_prints_the_token_once_with_its_expiry(capsys):
    make_user(username="wire")
    call_command("api_token", "wire", "--days", "7")
    out = capsys.readouterr().out
    raw = out.split(": ", 1)[1].split()[0]
    token = ApiToken.objects.authenticate(raw)
    assert f"It expires {token.expires_at:%Y-%m-%d %H:%M} UTC and is not shown again." in out
    assert abs(token.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    with pytest.raises(CommandError, match="--days 0: give a number of days from 1 to 3650."):
        call_command("api_token", "wire", "--days", "0")


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_tokens_an_expiry_and_reverses():
    """Tokens made before expiry existed keep working for the default lifetime after the upgrade."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("syndication", "0001_initial")])
    old_apps = executor.loader.project_state([("syndication", "0001_initial")]).apps
    user = old_apps.get_model("auth", "User").objects.create(username="legacy")
    old_apps.get_model("syndication", "ApiToken").objects.create(user_id=user.pk, name="old", key_hash=hash_token("mh_old"),
                                                                 prefix="mh_old")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    token = ApiToken.objects.authenticate("mh_old")
    assert token is not None and token.expires_at > timezone.now() + timedelta(days=80)
