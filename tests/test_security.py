import os
import subprocess
import sys

import pytest


def test_production_settings_pass_check_deploy(tmp_path):
    """`masthead check --deploy` is clean in production settings."""
    env = {**os.environ, "MASTHEAD_PRODUCTION": "1", "MASTHEAD_SECRET_KEY": "k" * 20 + "production-only-secret-key-value-xyz",
           "MASTHEAD_ALLOWED_HOSTS": "news.example.org", "MASTHEAD_SITE_URL": "https://news.example.org",
           "MASTHEAD_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "masthead.settings"}
    env.pop("MASTHEAD_DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run([sys.executable, "-m", "masthead.cli", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "MASTHEAD_PRODUCTION": "1", "MASTHEAD_VAR_DIR": str(tmp_path)}
    env.pop("MASTHEAD_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "masthead.cli", "check"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "MASTHEAD_SECRET_KEY is not set" in result.stderr


def test_passwords_are_stored_with_django_s_own_hasher(tmp_path):
    """The product keeps Django's default hashers, PBKDF2 first (the suite itself uses a fast one)."""
    env = {**os.environ, "MASTHEAD_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "masthead.settings"}
    code = ("import django; django.setup(); from django.contrib.auth.hashers import make_password; "
            "print(make_password('a-long-password-1').split('$')[:2])")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "['pbkdf2_sha256', '1000000']", result.stdout + result.stderr


@pytest.mark.django_db
def test_pages_carry_protective_headers(client):
    from tests.news.factories import make_article

    response = client.get(make_article().get_absolute_url())
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
