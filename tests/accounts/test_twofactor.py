"""Two-factor sign-in: enrolment on the account page, the code step, recovery codes, and who must have it."""

import pytest
from django.test import Client

from masthead.accounts import twofactor
from masthead.accounts.models import AuditEntry
from tests.accounts.factories import current_code, enrol
from tests.newsroom.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _password_step(client, user):
    return client.post("/newsroom/login/", {"username": user.username, "password": PASSWORD, "next": "/newsroom/"})


def test_an_enrolled_account_needs_its_code_after_the_password():
    """The right password alone does not sign in: the code step does, and the sign-in is logged with its device."""
    editor = make_user("editor")
    device, _ = enrol(editor)
    client = Client()
    response = _password_step(client, editor)
    assert response.status_code == 302 and response["Location"] == "/newsroom/login/code/"
    assert "_auth_user_id" not in client.session
    assert client.get("/newsroom/").status_code == 302  # still signed out
    page = client.get("/newsroom/login/code/")
    assert f"Signing in as <strong>{editor.username}</strong>" in page.content.decode()
    assert "no-store" in page["Cache-Control"]  # names the account: never kept by a cache
    response = client.post("/newsroom/login/code/", {"code": current_code(device, steps_ahead=1)})
    assert response.status_code == 302 and response["Location"] == "/newsroom/"
    assert client.get("/newsroom/").status_code == 200
    assert AuditEntry.objects.filter(action="signed-in", user=editor, detail="password and authenticator").exists()


def test_a_wrong_code_is_refused_counted_and_then_throttled(settings):
    """Wrong codes count against the account like wrong passwords: with a limit of 2, the third try gets 429."""
    settings.SIGNIN_FAILURES_PER_ACCOUNT = "2/300"
    editor = make_user("editor")
    device, _ = enrol(editor)
    client = Client()
    _password_step(client, editor)
    for _ in range(2):
        response = client.post("/newsroom/login/code/", {"code": "000000"})
        assert response.status_code == 200
        assert "That code is not right." in response.content.decode()
    response = client.post("/newsroom/login/code/", {"code": current_code(device)})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many failed sign-ins to this account." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="failed", user=editor, detail="wrong two-factor code").count() == 2


def test_a_recovery_code_signs_in_once():
    """A recovery code stands in for the phone once; used again it is refused."""
    editor = make_user("editor")
    _, codes = enrol(editor)
    assert len(codes) == 10
    first = Client()
    _password_step(first, editor)
    assert first.post("/newsroom/login/code/", {"code": codes[0].upper()}).status_code == 302
    assert AuditEntry.objects.filter(action="recovery-used", user=editor, detail="9 recovery codes left").exists()
    again = Client()
    _password_step(again, editor)
    assert "That code is not right." in again.post("/newsroom/login/code/", {"code": codes[0]}).content.decode()


def test_the_code_step_without_a_password_step_goes_back_to_sign_in():
    """Nobody reaches the code form without the right password first."""
    response = Client().post("/newsroom/login/code/", {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == "/newsroom/login/"


def test_enrolment_from_the_account_page_shows_a_qr_code_then_recovery_codes(client):
    """The account page shows an SVG QR code and the key; the current code turns it on and shows recovery codes once."""
    reporter = make_user("reporter")
    client.force_login(reporter)
    page = client.get("/newsroom/account/").content.decode()
    qr = page[page.index('<div id="two-factor-qr">'):]
    assert qr.startswith('<div id="two-factor-qr"><svg') and "<title>Authenticator set-up code</title>" in qr
    assert "<script>" not in page and " style=" not in qr  # nothing a strict CSP would block
    assert "Off: signing in asks only for your password." in page
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=reporter, confirmed=False)
    wrong = client.post("/newsroom/account/", {"code": "12345"}).content.decode()
    assert "That code is not right: check the phone&#x27;s clock" in wrong
    done = client.post("/newsroom/account/", {"code": current_code(device)}).content.decode()
    assert "On: signing in asks for a code from your authenticator app." in done
    assert done.count("<li><code>") == 10
    assert 'id="two-factor-qr"' not in done
    assert AuditEntry.objects.filter(action="2fa-on", user=reporter).exists()
    again = client.get("/newsroom/account/").content.decode()
    assert "<li><code>" not in again  # shown once


def test_editors_must_enrol_when_two_factor_is_required(client, settings):
    """With MASTHEAD_REQUIRE_2FA an editor who signs in with a password is kept on the account page until enrolled."""
    settings.REQUIRE_2FA = True
    editor, reporter = make_user("editor"), make_user("reporter")
    _password_step(client, editor)
    response = client.get("/newsroom/news/article/")
    assert response.status_code == 302 and response["Location"] == "/newsroom/account/"
    assert "Your role must sign in with a second factor" in client.get("/newsroom/account/").content.decode()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=editor)
    client.post("/newsroom/account/", {"code": current_code(device)})
    assert client.get("/newsroom/news/article/").status_code == 200
    other = Client()
    other.force_login(reporter)  # reporters are not required
    assert other.get("/newsroom/news/article/").status_code == 200


def test_a_session_from_before_enrolment_must_sign_in_again_with_a_code(settings):
    """Once an editor has a second factor, an older password-only session of theirs is signed out."""
    settings.REQUIRE_2FA = True
    editor = make_user("editor")
    old = Client()
    _password_step(old, editor)
    enrol(editor)
    response = old.get("/newsroom/news/article/")
    assert response.status_code == 302 and response["Location"] == "/newsroom/login/?next=/newsroom/news/article/"
    assert "_auth_user_id" not in old.session


def test_production_requires_two_factor_by_default():
    """MASTHEAD_REQUIRE_2FA follows MASTHEAD_PRODUCTION unless set."""
    import os
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings; print(settings.REQUIRE_2FA)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "masthead.settings", "MASTHEAD_SECRET_KEY": "x" * 50}
    env.pop("MASTHEAD_REQUIRE_2FA", None)
    outputs = [subprocess.run([sys.executable, "-c", code], env={**env, **extra}, capture_output=True, text=True,
                              check=True).stdout.strip()
               for extra in ({"MASTHEAD_PRODUCTION": "1"}, {}, {"MASTHEAD_PRODUCTION": "1", "MASTHEAD_REQUIRE_2FA": "0"})]
    assert outputs == ["True", "False", "False"]


def test_a_superuser_removes_a_lost_device_but_never_reads_its_key(client):
    """The newsroom's device pages hide the key and the recovery codes, even from superusers."""
    editor = make_user("editor")
    device, codes = enrol(editor)
    chief = make_user(None, is_superuser=True)
    client.force_login(chief)
    page = client.get(f"/newsroom/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert page.count(editor.username) >= 1 and device.key not in page
    from django_otp.plugins.otp_static.models import StaticDevice

    recovery = StaticDevice.objects.get(user=editor)
    assert not any(code in client.get(f"/newsroom/otp_static/staticdevice/{recovery.pk}/change/").content.decode()
                   for code in codes)
    client.post(f"/newsroom/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not twofactor.enrolled(editor)
