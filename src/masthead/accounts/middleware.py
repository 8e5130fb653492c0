from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, get_script_prefix, resolve, reverse

from masthead.accounts import signin

# What an account may still reach while it has a first task (names in the newsroom's URLconf).
OPEN = {
    "password": {"password_change", "password_change_done", "logout", "jsi18n"},
    "two-factor": {"account", "password_change", "password_change_done", "logout", "jsi18n"},
}


class FirstTaskMiddleware:
    """Keeps a newsroom account on the page it must visit first: a new password, or two-factor set-up.

    Only the newsroom is guarded; the readers' pages never look at the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(newsroom_root()) or not (
                request.user.is_authenticated and request.user.is_staff):
            return self.get_response(request)
        task = signin.first_task(request)
        if task is None or _url_name(request.path) in OPEN.get(task, ()):
            return self.get_response(request)
        if task == "password":
            return redirect("admin:password_change")
        if task == "two-factor":
            return redirect("admin:account")
        # Two-factor sign-in was turned on after this session began with a password alone.
        logout(request)
        return redirect(f"{reverse('admin:login')}?next={quote(request.path)}")


def newsroom_root() -> str:
    """The newsroom's address (``/newsroom/``), asked on every request: ``reverse()`` once per URLconf and prefix."""
    return _newsroom_root(get_script_prefix(), settings.ROOT_URLCONF)


@lru_cache(maxsize=16)
def _newsroom_root(prefix: str, urlconf: str) -> str:
    return reverse("admin:index")


def _url_name(path: str) -> str | None:
    try:
        return resolve(path).url_name
    except Resolver404:
        return None
