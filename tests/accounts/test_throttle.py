"""The sign-in throttle: per account and per address, counted in the shared cache, refusing with 429 and Retry-After."""

import os
import subprocess
import sys
import textwrap
import time

import pytest
from django.contrib.auth.models import User
from django.test import Client

from masthead.accounts.models import AuditEntry
from tests import servers
from tests.newsroom.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
LOGIN = "/newsroom/login/"


def _sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/newsroom/"})


def _minutes(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def test_wrong_passwords_lock_the_account_and_then_even_the_right_one_is_refused(settings):
    """After 5 wrong passwords the 6th attempt, with the right password, gets 429, a clear message and Retry-After."""
    settings.SIGNIN_FAILURES_PER_ACCOUNT = "5/300"
    editor = make_user("editor", username="desk")
    for n in range(5):
        response = _sign_in(Client(REMOTE_ADDR=f"192.0.2.{n}"), "desk", f"guess {n}")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = _sign_in(Client(REMOTE_ADDR="198.51.100.7"), "desk", PASSWORD)
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= 300
    assert (f"Too many failed sign-ins to this account. Try again in {_minutes(wait)}, or ask an administrator "
            "to unlock it.") in response.content.decode()
    assert "_auth_user_id" not in response.client.session
    actions = list(AuditEntry.objects.filter(username="desk").order_by("id").values_list("action", flat=True))
    assert actions == ["failed"] * 5 + ["locked"]
    assert AuditEntry.objects.filter(action="locked", user=editor, detail__contains="account locked").exists()


def test_a_lock_is_short_so_a_stranger_cannot_keep_an_editor_out_for_long(settings):
    """A locked account signs in with its right password as soon as its window ends (4 seconds here, 5 minutes by default)."""
    settings.SIGNIN_FAILURES_PER_ACCOUNT = "3/4"
    make_user("editor", username="desk")
    time.sleep(4 - time.time() % 4)  # start a window, so that the three failures land in the same one
    for n in range(3):
        _sign_in(Client(REMOTE_ADDR="203.0.113.66"), "desk", f"guess {n}")
    locked = _sign_in(Client(REMOTE_ADDR="192.0.2.10"), "desk", PASSWORD)
    assert locked.status_code == 429
    time.sleep(int(locked["Retry-After"]) - time.time() % 1 + 0.1)
    response = _sign_in(Client(REMOTE_ADDR="192.0.2.10"), "desk", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/newsroom/"


def test_names_that_do_not_exist_are_throttled_the_same_way(settings):
    """The answer does not tell a guesser which user names exist: a made-up one locks just like a real one."""
    settings.SIGNIN_FAILURES_PER_ACCOUNT = "2/300"
    for _ in range(2):
        assert _sign_in(Client(), "Nobody", "x").status_code == 200
    response = _sign_in(Client(), "nobody", "x")
    assert response.status_code == 429 and "to this account" in response.content.decode()


def test_one_address_trying_many_accounts_is_refused_and_others_are_not(settings):
    """An address that fails 4 times (any names) is refused; an editor at another address signs in."""
    settings.SIGNIN_FAILURES_PER_IP = "4/3600"
    make_user("editor", username="desk")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(4):
        assert _sign_in(attacker, f"name{n}", "x").status_code == 200
    response = _sign_in(attacker, "desk", PASSWORD)
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert f"Too many failed sign-ins from your address. Try again in {_minutes(wait)}." in response.content.decode()
    assert _sign_in(Client(REMOTE_ADDR="192.0.2.44"), "desk", PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(action="locked", address="203.0.113.9", detail__contains="address locked").count() == 1


def test_an_administrator_unlocks_from_the_audit_log(settings):
    """The audit log's unlock action lets the account sign in at once, and is itself logged."""
    settings.SIGNIN_FAILURES_PER_ACCOUNT = "2/300"
    make_user("editor", username="desk")
    for _ in range(2):
        _sign_in(Client(REMOTE_ADDR="203.0.113.5"), "desk", "wrong")
    assert _sign_in(Client(), "desk", PASSWORD).status_code == 429
    admin = make_user("admin", username="chief")
    office = Client()
    office.force_login(admin)
    lock = AuditEntry.objects.get(action="locked")
    response = office.post("/newsroom/accounts/auditentry/", {"action": "unlock", "_selected_action": [lock.pk]},
                           follow=True)
    assert "1 account unlocked." in response.content.decode()
    assert _sign_in(Client(), "desk", PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(action="unlocked", username="desk", detail="unlocked by chief").exists()


def test_the_audit_log_is_read_only_and_for_administrators(settings):
    """Admins read sign-ins in the newsroom but cannot add, change or delete them; reporters cannot see it."""
    make_user("editor", username="desk")
    _sign_in(Client(REMOTE_ADDR="192.0.2.8"), "desk", PASSWORD)
    admin, reporter = make_user("admin"), make_user("reporter")
    office = Client()
    office.force_login(admin)
    page = office.get("/newsroom/accounts/auditentry/")
    assert page.status_code == 200 and "192.0.2.8" in page.content.decode() and "signed in" in page.content.decode()
    entry = AuditEntry.objects.get(action="signed-in")
    assert office.post(f"/newsroom/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert office.get("/newsroom/accounts/auditentry/add/").status_code == 403
    nosy = Client()
    nosy.force_login(reporter)
    assert nosy.get("/newsroom/accounts/auditentry/").status_code == 403


def test_a_forged_forwarded_address_is_kept_out_of_the_log_without_an_error(settings):
    """With a proxy hop configured, junk in X-Forwarded-For is logged as no address, not a server error."""
    settings.PROXY_HOPS = 1
    response = Client(HTTP_X_FORWARDED_FOR="not-an-address").post(LOGIN, {"username": "desk", "password": "x"})
    assert response.status_code == 200
    assert AuditEntry.objects.get(action="failed").address is None


GUESSER = textwrap.dedent("""
    import sys, django
    django.setup()
    from django.test import Client
    sys.stdin.readline()  # start together
    statuses = []
    for n in range(6):
        response = Client(REMOTE_ADDR=f"198.51.100.{n}").post("/newsroom/login/", {"username": "desk", "password": f"guess {n}"})
        statuses.append(response.status_code)
    print(" ".join(map(str, statuses)))
""")


@pytest.mark.django_db(transaction=True)
def test_two_app_processes_sharing_redis_count_one_accounts_failures(redis_url):
    """Two processes guess 12 passwords for one account through the whole stack; a limit of 5 lets exactly 5 be checked."""
    from django.db import connection

    make_user("editor", username="desk")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "masthead.settings", "MASTHEAD_CACHE_URL": redis_url,
           "MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict),
           "MASTHEAD_SIGNIN_FAILURES_PER_ACCOUNT": "5/3600"}
    processes = [subprocess.Popen([sys.executable, "-c", GUESSER], env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate("go\n", timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _, err in results]
    statuses = " ".join(out for out, _ in results).split()
    assert sorted(statuses) == ["200"] * 5 + ["429"] * 7
    assert AuditEntry.objects.filter(action="failed").count() == 5
    assert AuditEntry.objects.filter(action="locked").count() == 1


def test_a_locked_account_still_signs_in_with_its_password_and_a_code(settings):
    """A stranger's failures lock the account, but its editor signs in at once with password and two-factor code."""
    from tests.accounts.factories import current_code, enrol

    settings.SIGNIN_FAILURES_PER_ACCOUNT = "3/300"
    editor = make_user("editor", username="desk")
    device, _ = enrol(editor)
    for n in range(3):
        _sign_in(Client(REMOTE_ADDR="203.0.113.66"), "desk", f"guess {n}")
    client = Client(REMOTE_ADDR="192.0.2.10")
    refused = _sign_in(client, "desk", PASSWORD)
    assert refused.status_code == 429
    assert "With two-factor sign-in, type your password and a code to sign in now." in refused.content.decode()
    assert 'id="locked-code-row"' in refused.content.decode()
    response = client.post(LOGIN, {"username": "desk", "password": PASSWORD, "code": current_code(device, steps_ahead=1),
                                   "next": "/newsroom/news/article/"})
    assert response.status_code == 302 and response["Location"] == "/newsroom/news/article/"
    assert client.get("/newsroom/news/article/").status_code == 200
    assert AuditEntry.objects.filter(action="signed-in", user=editor,
                                     detail="password and authenticator, through an account lock").exists()


def test_through_a_lock_every_mistake_gets_the_same_refusal(settings):
    """A wrong password with a code, or the right password with a wrong code, both get the plain 429: nothing to learn."""
    from tests.accounts.factories import enrol

    settings.SIGNIN_FAILURES_PER_ACCOUNT = "2/300"
    enrol(make_user("editor", username="desk"))
    for n in range(2):
        _sign_in(Client(REMOTE_ADDR="203.0.113.66"), "desk", f"guess {n}")
    answers = [Client().post(LOGIN, {"username": "desk", "password": password, "code": "123456"})
               for password in ("wrong", PASSWORD)]
    assert [a.status_code for a in answers] == [429, 429]
    first, second = (a.content.decode() for a in answers)
    assert "Too many failed sign-ins to this account." in first and "Too many failed sign-ins to this account." in second
    assert "_auth_user_id" not in answers[1].client.session
    assert AuditEntry.objects.filter(action="failed", detail="locked; no right two-factor code").count() == 1
