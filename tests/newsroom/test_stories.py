from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.newsroom import workflow
from masthead.newsroom.desk import countdown
from tests.news.factories import make_article
from tests.newsroom.factories import make_draft, make_user

pytestmark = pytest.mark.django_db


def _titles(client, query=""):
    html = client.get("/newsroom/news/article/" + query).content.decode()
    return html


def test_list_searches_by_news_id_and_headline_prefix_whatever_its_case(client):
    make_article(id=302104, headline="Leave the region, Iran FM tells foreign powers")
    make_article(headline="Tehran stocks rise")
    make_article(headline="Rise in Tehran rents")
    client.force_login(make_user("editor"))
    by_id = _titles(client, "?q=302104")
    assert "Leave the region" in by_id and "Tehran stocks rise" not in by_id
    by_prefix = _titles(client, "?q=tehran")
    assert "Tehran stocks rise" in by_prefix and "Rise in Tehran rents" not in by_prefix


def test_list_shows_scheduled_stories_with_a_countdown_and_filters_by_state(client):
    editor = make_user("editor")
    story = make_draft(by=editor, headline="Scheduled budget story")
    workflow.publish(story, by=editor, at=timezone.now() + timedelta(hours=2, minutes=5))
    make_article(headline="Already out")
    client.force_login(editor)
    html = _titles(client, "?state=scheduled")
    assert "Scheduled budget story" in html and "Already out" not in html
    assert "data-countdown>in 2 h 0" in html or "data-countdown>in 2 h 04 min" in html
    assert "Already out" in _titles(client, "?state=published")


def test_countdown_reads_as_a_desk_would_say_it():
    now = timezone.now()
    assert countdown(now + timedelta(seconds=9), now=now) == "in 9 s"
    assert countdown(now + timedelta(minutes=4, seconds=10), now=now) == "in 4 min 10 s"
    assert countdown(now + timedelta(hours=2, minutes=5), now=now) == "in 2 h 05 min"
    assert countdown(now - timedelta(seconds=1), now=now) == "now"
