"""Newsroom people in their roles, and stories they wrote."""

import itertools

from django.contrib.auth.models import Group, User

from masthead.news.models import Article
from masthead.stories import changes, rules
from tests.news.factories import make_section

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(role: str | None, **overrides) -> User:
    """A newsroom account in ``role`` (reporter, editor, moderator, admin), able to sign in."""
    rules.ensure_roles()  # the groups come from a migration; tests that flush the database need them again
    n = next(_counter)
    user = User.objects.create_user(username=overrides.pop("username", f"{role or 'user'}{n}"), password=PASSWORD,
                                    is_staff=True, **overrides)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_draft(*, by: User, **overrides) -> Article:
    """A draft written by ``by``, through the story service (so it has its first revision)."""
    n = next(_counter)
    fields = {"headline": f"Draft story {n}", "body": f"Draft body {n}.", "status": Article.Status.DRAFT,
              "created_by": by, **overrides}
    if "section" not in fields:
        fields["section"] = make_section()
    return changes.create(Article(**fields), by=by)
