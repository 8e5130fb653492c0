"""An update posted in one process is on the pages every worker of a running server serves, at once."""

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from tests import servers
from tests.live.factories import make_live_story, post

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str) -> tuple[str, str]:
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Cache"], response.read().decode()


def _purge_log_size() -> int:
    path = settings.VAR_DIR / "cache" / "purges.log"
    return path.stat().st_size if path.exists() else 0


def _purged_after(offset: int) -> set[str]:
    """The surrogate keys purged, by any process on this machine, since the purge log was ``offset`` bytes."""
    with open(settings.VAR_DIR / "cache" / "purges.log", "rb") as log:
        log.seek(offset)
        return {key for line in log.read().decode().splitlines() if not line.startswith("#") for key in line.split()[1:]}


def test_a_post_from_masthead_shell_reaches_every_worker_and_leaves_the_home_page_cached(tmp_path):
    """Both workers hold the story's page, its updates answer and the home page; a post from another
    process is on the first two within a second, and the home page is still served from the cache.

    Which worker answers is the kernel's choice, and a busy machine may hand one of them every
    request, so the home page is checked by what the post purged (the purge log every process
    reads) and by a hit after it, not by a hit from both workers."""
    story = make_live_story(headline="Floods in Golestan")
    post(story, "Rivers rising.")
    env = {**os.environ, "MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": ""}
    with servers.app_server(env, workers=2) as base:
        page, updates, home = base + story.get_absolute_url(), f"{base}/news/{story.pk}/updates/?since=1", base + "/"
        for url in (page, updates, home):
            assert "hit" in {_get(url)[0] for _ in range(20)}, url
        code = (f"from masthead.stories import live, rules; "
                f"live.post_update({story.pk}, by=rules.System('wire desk'), body='Roads to Gorgan closed.')")
        before = _purge_log_size()
        subprocess.run([sys.executable, "-m", "masthead.cli", "shell", "-c", code], env=env, check=True, timeout=60,
                       capture_output=True)
        posted = time.monotonic()
        seen = []
        while time.monotonic() - posted < 1.0:
            seen.append("Roads to Gorgan closed." in _get(page)[1] and json.loads(_get(updates)[1])["newest"] == 2)
        assert seen and seen[-10:] == [True] * 10, seen
        assert all(seen[seen.index(True):]), "once seen, never the old stream again from any worker"
        purged = _purged_after(before)
        assert f"article-{story.pk}" in purged and "home" not in purged, purged
        assert "hit" in {_get(home)[0] for _ in range(10)}, "a post leaves the home page cached"


def test_a_deletion_and_the_end_from_masthead_shell_reach_every_workers_open_pages():
    """Pages polling from the version before are sent, by every worker within a second, the deletion and the end."""
    story = make_live_story()
    post(story, "A rumour.")
    post(story, "Confirmed.")
    env = {**os.environ, "MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": ""}
    with servers.app_server(env, workers=2, start_seconds=60) as base:
        version = json.loads(_get(f"{base}/news/{story.pk}/updates/?version=0")[1])["version"]
        address = f"{base}/news/{story.pk}/updates/?version={version}"
        assert "hit" in {_get(address)[0] for _ in range(20)}
        code = (f"from masthead.live.models import LiveUpdate; from masthead.stories import live, rules; "
                f"live.delete_update(LiveUpdate.objects.get(article_id={story.pk}, number=1), by=rules.System('desk')); "
                f"live.end_coverage({story.pk}, by=rules.System('desk'))")
        subprocess.run([sys.executable, "-m", "masthead.cli", "shell", "-c", code], env=env, check=True, timeout=60,
                       capture_output=True)
        changed = time.monotonic()
        answers = []
        while time.monotonic() - changed < 1.0:
            answers.append(json.loads(_get(address)[1]))
        assert answers[-10:] and all(a["deleted"] == [1] and a["running"] is False and "Coverage has ended" in a["status"]
                                     for a in answers[-10:]), answers[-1]
