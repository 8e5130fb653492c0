"""The demo paper's live story: running, a dozen updates, pointed at by the home page, loaded once."""

import pytest
from django.core.management import call_command

from masthead.live import demo
from masthead.live.models import Coverage, LiveUpdate
from masthead.newsroom.models import Revision

pytestmark = pytest.mark.django_db


def test_the_demo_loads_one_running_live_story_the_home_page_points_at_and_adds_nothing_again(settings, tmp_path,
                                                                                                  client, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo")
    assert "1 live stories" in capsys.readouterr().out
    coverage = Coverage.objects.get()
    assert coverage.article_id == demo.NEWS_ID and coverage.is_running() and coverage.ended_at is None
    updates = list(LiveUpdate.objects.filter(article_id=demo.NEWS_ID).order_by("number"))
    assert len(updates) == 12
    assert [u.number for u in updates if u.key_event] == [6, 11] and [u.number for u in updates if u.pinned] == [8]
    times = [u.created_at for u in updates]
    assert times == sorted(times) and coverage.started_at < times[0] and len(set(times)) == 12
    assert {u.author_name for u in updates} == {"Iran Daily live desk"}
    home = client.get("/").content.decode()
    banner = home.split('class="breaking"')[1].split("</aside>")[0]
    assert '<strong class="live-badge">Live</strong>' in banner
    assert f'href="/news/{demo.NEWS_ID}/parliament-votes-on-the-budget-bill/"' in banner
    page = client.get(f"/news/{demo.NEWS_ID}/parliament-votes-on-the-budget-bill/").content.decode()
    assert 'id="pinned-update-8"' in page and page.count('<article class="live-update') == 13  # the stream and the pin
    revisions = Revision.objects.filter(article_id=demo.NEWS_ID).count()
    call_command("demo")
    assert "0 live stories" in capsys.readouterr().out
    assert (Coverage.objects.count(), LiveUpdate.objects.count()) == (1, 12)
    assert Revision.objects.filter(article_id=demo.NEWS_ID).count() == revisions
