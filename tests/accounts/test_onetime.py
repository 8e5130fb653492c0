"""The password that `masthead newsroom_account` prints opens only the form that replaces it."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from masthead.accounts.models import AuditEntry, OneTimePassword
from tests.accounts.factories import current_code

pytestmark = pytest.mark.django_db


def _make_account() -> str:
    out = io.StringIO()
    call_command("newsroom_account", username="chief", stdout=out)
    assert "Signing in with it asks for a new password at once." in out.getvalue()
    return re.search(r"one-time password '([^']+)'", out.getvalue()).group(1)


def _sign_in(client, password):
    return client.post("/newsroom/login/", {"username": "chief", "password": password, "next": "/newsroom/"})


def test_the_printed_password_leads_only_to_choosing_a_new_one():
    """Every newsroom page sends the account to Change password; the new password works and the old one does not."""
    printed = _make_account()
    client = Client()
    assert _sign_in(client, printed).status_code == 302
    for path in ("/newsroom/", "/newsroom/news/article/", "/newsroom/auth/user/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/newsroom/password_change/", path
    assert client.get("/newsroom/password_change/").status_code == 200
    response = client.post("/newsroom/password_change/", {"old_password": printed, "new_password1": "a much better secret 42",
                                                           "new_password2": "a much better secret 42"})
    assert response.status_code == 302
    assert not OneTimePassword.objects.exists()
    assert client.get("/newsroom/").status_code == 200
    assert AuditEntry.objects.filter(action="password-set", username="chief").exists()
    assert _sign_in(Client(), printed).status_code == 200  # spent
    assert _sign_in(Client(), "a much better secret 42").status_code == 302


def test_signing_out_without_choosing_keeps_the_account_on_the_password_form():
    """Signing in with the printed password again still leads nowhere but Change password."""
    printed = _make_account()
    first = Client()
    _sign_in(first, printed)
    first.post("/newsroom/logout/")
    second = Client()
    assert _sign_in(second, printed).status_code == 302
    assert second.get("/newsroom/")["Location"] == "/newsroom/password_change/"


def test_with_two_factor_required_the_new_password_comes_first_then_enrolment(settings):
    """In production the first sign-in sets a password, then enrols the second factor, then reaches the desk."""
    settings.REQUIRE_2FA = True
    printed = _make_account()
    client = Client()
    _sign_in(client, printed)
    assert client.get("/newsroom/")["Location"] == "/newsroom/password_change/"
    client.post("/newsroom/password_change/", {"old_password": printed, "new_password1": "a much better secret 42",
                                               "new_password2": "a much better secret 42"})
    assert client.get("/newsroom/")["Location"] == "/newsroom/account/"
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.get("/newsroom/account/")
    client.post("/newsroom/account/", {"code": current_code(TOTPDevice.objects.get(user__username="chief"))})
    assert client.get("/newsroom/").status_code == 200
