import time
from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.stories import changes
from masthead.news.models import Article
from tests.news.factories import make_article, make_section, make_tag
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)


def test_second_anonymous_read_is_a_cache_hit_with_cdn_headers(client):
    tag = make_tag()
    story = make_article(tags=[tag])
    first = client.get(story.get_absolute_url())
    second = client.get(story.get_absolute_url())
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert first["ETag"] == second["ETag"]
    assert "public" in second["Cache-Control"] and "s-maxage=" in second["Cache-Control"]
    # Its tag's name, not its tag's list (tag-N): a story published under the tag leaves this page cached.
    assert second["Surrogate-Key"] == f"article-{story.pk} sections tag-name-{tag.pk}"
    assert second["Last-Modified"]
    assert 'cache;desc="hit"' in second["Server-Timing"]
    assert b"Page Generated in 0.0" in second.content
    assert second["X-Frame-Options"] == "DENY"


def test_conditional_get_answers_304(client):
    story = make_article()
    etag = client.get(story.get_absolute_url())["ETag"]
    response = client.get(story.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    modified = client.get(story.get_absolute_url())["Last-Modified"]
    assert client.get(story.get_absolute_url(), HTTP_IF_MODIFIED_SINCE=modified).status_code == 304


def test_signed_in_editors_bypass_the_cache(client, django_user_model):
    story = make_article()
    client.get(story.get_absolute_url())
    user = django_user_model.objects.create_user("ed", password="x-long-password-1")
    client.force_login(user)
    assert client.get(story.get_absolute_url())["X-Cache"] == "miss"


def test_publish_appears_at_once_on_home_section_and_tag_pages(client):
    section, tag = make_section(slug="economy"), make_tag(slug="oil")
    make_article(section=section, tags=[tag], headline="Older story")
    pages = ["/", "/section/economy/", "/tag/oil/"]
    for page in pages:
        client.get(page)
        assert client.get(page)["X-Cache"] == "hit"
    draft = Article(section=section, headline="Breaking: oil deal signed", status=Article.Status.DRAFT)
    draft = changes.create(draft, by=SYSTEM, tags=[tag])
    for page in pages:
        assert "Breaking: oil deal signed" not in client.get(page).content.decode()
    draft = changes.publish(draft, by=SYSTEM)
    for page in pages:
        response = client.get(page)
        assert "Breaking: oil deal signed" in response.content.decode(), page
        assert response["X-Cache"] == "miss"


def test_edit_shows_new_text_at_once(client):
    story = make_article(body="Original text.")
    assert "Original text." in client.get(story.get_absolute_url()).content.decode()
    changes.edit(story, by=SYSTEM, values={"body": "Corrected text."})
    assert "Corrected text." in client.get(story.get_absolute_url()).content.decode()


def test_unpublish_answers_404_at_once(client):
    section = make_section(slug="sport")
    story = make_article(section=section, headline="Derby result")
    url = story.get_absolute_url()
    assert client.get(url).status_code == 200
    client.get("/section/sport/")
    story = changes.unpublish(story, by=SYSTEM)
    assert client.get(url).status_code == 404
    assert "Derby result" not in client.get("/section/sport/").content.decode()


def test_purge_touches_only_the_pages_of_the_story(client):
    one, other = make_article(), make_article()
    client.get(one.get_absolute_url())
    client.get(other.get_absolute_url())
    changes.edit(one, by=SYSTEM, values={"body": "Changed."})
    assert client.get(other.get_absolute_url())["X-Cache"] == "hit"
    assert client.get(one.get_absolute_url())["X-Cache"] == "miss"


def test_moving_a_story_purges_its_old_section(client):
    old, new = make_section(slug="old-desk"), make_section(slug="new-desk")
    story = make_article(section=old, headline="Moving story")
    client.get("/section/old-desk/")
    changes.edit(story, by=SYSTEM, values={"section": new})
    assert "Moving story" not in client.get("/section/old-desk/").content.decode()


def test_scheduled_story_appears_on_time_without_anyone_touching_it(client):
    """A story scheduled 2 s ahead bounds the cache's lifetime and appears by itself."""
    section, tag = make_section(slug="world"), make_tag(slug="iran")
    make_article(section=section, tags=[tag])
    scheduled = make_article(section=section, tags=[tag], headline="Scheduled story",
                             published_at=timezone.now() + timedelta(seconds=2))
    pages = ["/", "/section/world/", "/tag/iran/"]
    for page in pages:
        assert "Scheduled story" not in client.get(page).content.decode()
        assert client.get(page)["X-Cache"] == "hit"
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    time.sleep(max(0, (scheduled.published_at - timezone.now()).total_seconds()) + 0.2)
    for page in pages:
        assert "Scheduled story" in client.get(page).content.decode(), page
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_requests_with_credentials_bypass_the_cache(client):
    """A client sending Authorization is never answered from, or stored in, the readers' cache."""
    story = make_article()
    client.get(story.get_absolute_url())
    assert client.get(story.get_absolute_url(), HTTP_AUTHORIZATION="Token abc")["X-Cache"] == "miss"
