"""Newsroom accounts with roles, and API tokens for them."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from masthead.stories import rules
from masthead.syndication.models import ApiToken

_counter = itertools.count(1)


def make_user(*, perms=(), groups=(), **overrides):
    """An account holding ``perms`` (``"news.change_article"``…) and belonging to ``groups`` (names)."""
    n = next(_counter)
    user = get_user_model().objects.create_user(**{"username": f"user{n}", "password": "a-long-password-1", **overrides})
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    if groups:
        rules.ensure_roles()  # the role groups come from a migration; a test that flushed the database needs them again
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def make_token(user=None, **user_overrides) -> str:
    """The secret of a new token for ``user`` (or a new account built from ``user_overrides``)."""
    return ApiToken.objects.create_for(user or make_user(**user_overrides), name="tests")[1]


REPORTER = ("news.add_article", "news.change_article")
