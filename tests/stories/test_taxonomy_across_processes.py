"""A section, tag or author changed in one process is renamed on the pages other processes hold:
server workers without Redis, servers sharing Redis, and the Varnish edge in front of them."""

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from django.db import connection
from django.test import Client, override_settings

from masthead.news.models import Section
from masthead.stories import taxonomy
from tests import servers
from tests.news.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str) -> tuple[str, str, str]:
    """(X-Cache, X-Edge, body) of a reader's GET (X-Edge is Varnish's, empty without it)."""
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers.get("X-Cache", ""), response.headers.get("X-Edge", ""), response.read().decode()


def _seen_everywhere_within(urls: list[str], text: str, *, seconds: float = 1.0) -> None:
    """Every GET of every url shows ``text`` within ``seconds`` of now, and keeps showing it."""
    started = time.monotonic()
    for url in urls:
        while text not in _get(url)[2]:
            assert time.monotonic() - started < seconds, f"{url} still without {text!r} after {seconds} s"
            time.sleep(0.005)
    for _ in range(10):
        for url in urls:
            assert text in _get(url)[2], f"{url} went back to the old page"


def test_a_section_renamed_in_masthead_shell_is_renamed_on_every_workers_cached_story_page():
    """Without Redis: two granian workers hold a story page; a rename in ``masthead shell`` is on both within 1 s."""
    section = make_section(name="Politics", slug="politics")
    story = make_article(section=section, headline="Exports rise")
    env = {**os.environ, "MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": ""}
    with servers.app_server(env, workers=2, server="granian", start_seconds=90) as base:
        url = base + story.get_absolute_url()
        states = {_get(url)[0] for _ in range(20)}
        assert "hit" in states and all('/section/politics/">Politics</a>' in _get(url)[2] for _ in range(4))
        rename = ("from masthead.news.models import Section; from masthead.stories import taxonomy; "
                  f"s = Section.objects.get(pk={section.pk}); s.name = 'Politics and Power'; taxonomy.save(s)")
        subprocess.run([sys.executable, "-m", "masthead.cli", "shell", "-c", rename], env=env, check=True, timeout=60,
                       capture_output=True)
        _seen_everywhere_within([url], '<a href="/section/politics/">Politics and Power</a>')


def test_a_tag_renamed_in_the_newsroom_is_renamed_on_the_pages_other_servers_hold(redis_url):
    """Two servers share Redis and each holds the story page; the newsroom, in this process, renames its
    tag and author: both servers show the new names within 1 s, and a story without them stays cached."""
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
    with override_settings(CACHES=caches):
        from django.core.cache import cache

        cache.clear()
        tag, author = make_tag(name="Oil", slug="oil"), make_author(name="Omar Hassan", slug="omar-hassan")
        story = make_article(tags=[tag], authors=[author], headline="Exports rise")
        other = make_article(tags=[make_tag(name="Football")], headline="Cup final")
        env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": redis_url}
        with servers.app_server(env, server="granian", start_seconds=90) as one, \
                servers.app_server(env, start_seconds=90) as two:
            pages = [base + path for base in (one, two) for path in (story.get_absolute_url(), other.get_absolute_url())]
            for url in pages + pages:
                _get(url)
            assert {_get(url)[0] for url in pages} == {"hit"}
            editor = Client()
            editor.force_login(_superuser())
            response = editor.post(f"/newsroom/news/tag/{tag.pk}/change/", {"name": "Petroleum", "slug": "petroleum"})
            assert response.status_code == 302, response.content.decode()[:2000]
            response = editor.post(f"/newsroom/news/author/{author.pk}/change/", {
                "name": "Omar Hassan Ali", "slug": "omar-hassan", "bio": "", "user": ""})
            assert response.status_code == 302, response.content.decode()[:2000]
            story_pages = [base + story.get_absolute_url() for base in (one, two)]
            _seen_everywhere_within(story_pages, 'href="/tag/petroleum/">Petroleum</a>')
            _seen_everywhere_within(story_pages, ">Omar Hassan Ali</a>")
            assert {_get(base + other.get_absolute_url())[0] for base in (one, two)} == {"hit"}
        cache.clear()


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("chief", password="a-long-test-password-1")


def test_the_edge_drops_the_story_pages_a_section_or_tag_change_reaches_and_keeps_the_rest(redis_url):
    """Varnish purges by the keys the pages carry: a section's rename every story page, a tag's only its stories'."""
    env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": redis_url}
    with servers.app_server(env) as app, servers.varnish([app]) as front:
        purges = {"page-cache": {"BACKEND": "masthead.delivery.purge.pagecache"},
                  "varnish": {"BACKEND": "masthead.delivery.purge.varnish", "URLS": front}}
        caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
        with override_settings(CACHES=caches, MASTHEAD_PURGE=purges):
            from django.core.cache import cache

            cache.clear()
            tag = make_tag(name="Oil", slug="oil")
            story = make_article(section=make_section(name="Politics", slug="politics"), tags=[tag])
            other = make_article(section=make_section(name="Sport", slug="sport"))
            paths = [story.get_absolute_url(), other.get_absolute_url()]
            for path in paths:
                _get(front + path)
                assert _get(front + path)[1] == "hit", path
            tag.name = "Petroleum"
            taxonomy.save(tag)
            _, edge, html = _get(front + story.get_absolute_url())
            assert edge == "miss" and ">Petroleum</a>" in html
            assert _get(front + other.get_absolute_url())[1] == "hit", "a tag's rename leaves other stories at the edge"
            section = Section.objects.get(slug="sport")
            section.name = "Sports"
            taxonomy.save(section)
            for path in paths:
                _, edge, html = _get(front + path)
                assert edge == "miss" and '<a href="/section/sport/">Sports</a>' in html, path
            cache.clear()
