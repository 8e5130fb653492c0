import logging
import queue

import pytest

from masthead.stories import changes
from masthead.news.models import Article
from masthead.syndication import websub
from tests.news.factories import make_author, make_section, make_tag
from tests.syndication.hub import drain, hub
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)


def _story(**fields):
    section = make_section(slug="politics")
    return changes.create(Article(section=section, headline="Zarif meets al-Araji", status=Article.Status.DRAFT,
                                   **fields), by=SYSTEM, tags=[make_tag(slug="iran")], authors=[make_author(slug="sara-karimi")])


def test_publishing_notifies_the_hub_of_every_feed_that_lists_the_story(settings):
    """One publish notification per feed: the paper's, its section's, tag's and author's, and the legacy ones."""
    with hub() as (url, received):
        settings.WEBSUB_HUB = url
        story = _story()
        assert received.empty()  # a draft is on no feed
        story = changes.publish(story, by=SYSTEM)
        expected = set(websub.topics(story))
        notes = drain(received, len(expected))
        assert {note["hub.url"][0] for note in notes} == expected
        assert all(note["hub.mode"] == ["publish"] for note in notes)
        assert notes[0]["content_type"] == "application/x-www-form-urlencoded"
    site = "http://127.0.0.1:8000"
    assert {f"{site}/feeds/rss/", f"{site}/feeds/atom/", f"{site}/feeds/json/",
            f"{site}/feeds/section/politics/rss/", f"{site}/feeds/tag/iran/atom/",
            f"{site}/feeds/author/sara-karimi/json/", f"{site}/News/Feed",
            f"{site}/News/Feed?id={story.section_id}"} <= expected


def test_unpublishing_notifies_the_hub_too(settings):
    with hub() as (url, received):
        settings.WEBSUB_HUB = url
        story = _story()
        story = changes.publish(story, by=SYSTEM)
        drain(received, len(websub.topics(story)))
        story = changes.unpublish(story, by=SYSTEM)
        assert drain(received, 1)[0]["hub.mode"] == ["publish"]


def test_a_failing_hub_is_logged_and_publishing_goes_on(settings, caplog):
    """A hub answering 500 costs a log line, never the publish."""
    with hub(status=500) as (url, received), caplog.at_level(logging.WARNING, logger="masthead.syndication.websub"):
        settings.WEBSUB_HUB = url
        story = _story()
        story = changes.publish(story, by=SYSTEM)
        drain(received, len(websub.topics(story)))
        assert websub.notify(url, ["http://127.0.0.1:8000/feeds/rss/"]) == 0
    assert Article.objects.visible().filter(pk=story.pk).exists()
    assert "refused or missed the update of http://127.0.0.1:8000/feeds/rss/" in caplog.text


def test_an_unreachable_hub_is_logged(caplog):
    with hub() as (url, received):
        pass  # the server is gone: its port refuses connections
    with caplog.at_level(logging.WARNING, logger="masthead.syndication.websub"):
        assert websub.notify(url, ["http://127.0.0.1:8000/feeds/rss/"]) == 0
    assert f"WebSub hub {url} refused or missed the update" in caplog.text


def test_no_hub_configured_sends_nothing(settings):
    with hub() as (url, received):
        settings.WEBSUB_HUB = ""
        changes.publish(_story(), by=SYSTEM)
        with pytest.raises(queue.Empty):
            received.get(timeout=0.5)
