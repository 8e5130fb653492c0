"""Two-factor sign-in in a real browser: enrol from the account page, sign out, sign in with a code."""

import base64

import pytest
from django_otp.oath import TOTP

from masthead.accounts.models import AuditEntry
from tests.newsroom.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code_from(secret_shown: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app would show after typing the key the page displays."""
    key = secret_shown.replace(" ", "")
    totp = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)))
    totp.time = totp.time + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_an_editor_enrols_signs_out_and_signs_in_with_a_code(browser, live_server, settings, screenshots_dir):
    settings.REQUIRE_2FA = True
    base = live_server.url
    make_user("editor", username="desk")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    problems = []
    # Script errors and missing files on the pages (the browser's own favicon probe is not a page's).
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda response: problems.append(response.url) if response.status == 404 else None)

    # Password first; the newsroom then keeps the editor on the account page until enrolled.
    page.goto(f"{base}/newsroom/login/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/newsroom/account/")
    assert "Your role must sign in with a second factor" in page.inner_text("#two-factor-state")
    assert page.locator("#two-factor-qr svg").is_visible()
    page.screenshot(path=f"{screenshots_dir}/twofactor-1-enrol.png", full_page=True)
    secret = page.inner_text("#two-factor-secret")
    page.goto(f"{base}/newsroom/news/article/")
    page.wait_for_url(f"{base}/newsroom/account/")

    page.fill("#id_code", _code_from(secret))
    page.click("#enrol-form input[type=submit]")
    page.wait_for_selector("#recovery-codes")
    assert page.locator("#recovery-codes li").count() == 10
    page.screenshot(path=f"{screenshots_dir}/twofactor-2-recovery-codes.png", full_page=True)
    page.goto(f"{base}/newsroom/news/article/")
    assert page.url == f"{base}/newsroom/news/article/"

    # Sign out; the password alone no longer opens the newsroom.
    page.click("#logout-form button")
    page.wait_for_selector("text=Logged out")
    page.goto(f"{base}/newsroom/login/?next=/newsroom/news/article/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/newsroom/login/code/")
    page.fill("#id_code", "000000")
    page.click("#code-form input[type=submit]")
    page.wait_for_selector("text=That code is not right.")
    # One step ahead: the code just used at enrolment is never accepted twice.
    page.fill("#id_code", _code_from(secret, steps_ahead=1))
    page.click("#code-form input[type=submit]")
    page.wait_for_url(f"{base}/newsroom/news/article/")
    page.screenshot(path=f"{screenshots_dir}/twofactor-3-signed-in.png", full_page=True)
    assert list(AuditEntry.objects.filter(username="desk").order_by("id").values_list("action", flat=True)) == [
        "signed-in", "2fa-on", "recovery-codes", "signed-out", "failed", "signed-in"]
    assert problems == []
