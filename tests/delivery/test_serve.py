"""``masthead serve`` with no MASTHEAD_SITE_URL: the site's own links name the port it serves on."""

import json
import re
import urllib.request

import pytest
from django.db import connection
from lxml import etree

from masthead.delivery.management.commands.serve import own_address
from tests import servers
from tests.news.factories import make_article, make_author

# Which address the server names, not SQL: run once, in the SQLite run (see tests/run.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.protocol]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


@pytest.mark.parametrize("server", ["uvicorn", "gunicorn"])
def test_every_absolute_link_follows_the_port_served_on(monkeypatch, server):
    """Canonical, og:url, JSON-LD, feeds, sitemaps, robots.txt, the API, OpenAPI and the print view name the served port.

    uvicorn with one worker, what ``make run`` starts, serves from the process that read the settings;
    gunicorn's workers are processes of their own."""
    monkeypatch.delenv("MASTHEAD_SITE_URL", raising=False)
    story = make_article(headline="Port story", authors=[make_author()])
    env = {"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict)}
    with servers.app_server(env, server=server) as base:
        assert not base.endswith(":8000")
        page = _get(base + story.get_absolute_url())
        own = base + story.get_absolute_url()
        assert f'<link rel="canonical" href="{own}">' in page
        assert re.search(rf'<meta property="og:url" content="{re.escape(own)}"', page)
        ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
        assert ld["url"] == own and ld["publisher"]["url"] == base + "/"
        rss = etree.fromstring(_get(base + "/feeds/rss/").encode())
        assert rss.findtext("channel/link") == base + "/"
        assert rss.findtext("channel/item/guid") == f"{base}/news/{story.pk}/"
        assert rss.findtext("channel/item/link") == own
        atom = _get(base + "/feeds/atom/")
        assert f'href="{base}/feeds/atom/"' in atom
        assert json.loads(_get(base + "/feeds/json/"))["feed_url"] == base + "/feeds/json/"
        assert f"<loc>{own}</loc>" in _get(base + f"/sitemaps/articles-{story.pk // 50_000}.xml")
        assert f"<loc>{base}/sitemaps/pages.xml</loc>" in _get(base + "/sitemap.xml")
        assert f"Sitemap: {base}/sitemap.xml" in _get(base + "/robots.txt")
        assert json.loads(_get(f"{base}/api/v1/articles/{story.pk}"))["uri"] == f"{base}/news/{story.pk}/"
        assert json.loads(_get(base + "/api/openapi.json"))["servers"] == [{"url": base}]
        assert f'<span dir="ltr">{own}</span>' in _get(f"{base}/news/{story.pk}/{story.slug}/print/")
        assert ":8000" not in page


def test_own_address_of_a_listening_host():
    """Every-interface hosts are reached on loopback; IPv6 hosts are bracketed."""
    assert own_address(host="0.0.0.0", port=8100) == "http://127.0.0.1:8100"
    assert own_address(host="localhost", port=8101) == "http://localhost:8101"
    assert own_address(host="::1", port=8102) == "http://[::1]:8102"


def test_the_server_may_open_every_file_the_system_allows():
    """Each open live stream is a connection: started under a low open-files limit, the server raises it to the hard one
    (granian does so itself; gunicorn does not)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    low = min(hard, 256)
    if low == hard:
        pytest.skip("the hard open-files limit is too low to tell a raised limit from a low one")
    started = []
    resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard))
    try:
        with servers.app_server({"MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict)}, server="gunicorn",
                                started=started):
            with open(f"/proc/{started[0].pid}/limits") as limits:
                line = next(line for line in limits if line.startswith("Max open files"))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert line.split()[3] == str(hard), line
