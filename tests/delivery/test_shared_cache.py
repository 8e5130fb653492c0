"""Several app servers sharing one database and one Redis behave as one site."""

import urllib.request

import pytest
from django.db import connection
from django.test import override_settings

from masthead.stories import changes
from tests import servers
from tests.news.factories import make_article
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str) -> tuple[str, str]:
    # Behind a load balancer every server sees the site's own host name, whatever its port.
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Cache"], response.read().decode()


def test_publish_on_one_server_is_seen_on_another(redis_url):
    """A page cached through one server is a hit on another; an edit purges it on both at once."""
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": redis_url}}):
        from django.core.cache import cache

        cache.clear()
        story = make_article(body="First version of the story.")
        env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": redis_url}
        with servers.app_server(env) as one, servers.app_server(env) as two:
            path = story.get_absolute_url()
            assert _get(one + path)[0] == "miss"
            state, html = _get(two + path)
            assert state == "hit", "the second server must answer from the shared cache"
            assert "First version of the story." in html
            changes.edit(story, by=SYSTEM, values={"body": "Second version of the story."})
            for base in (one, two):
                state, html = _get(base + path)
                assert "Second version of the story." in html, base
            assert _get(one + path)[0] == "hit"
        cache.clear()
