from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.delivery import pagecache
from masthead.comments.models import Comment
from masthead.syndication.models import LanguageEdition
from tests.audience.factories import warm_lists
from tests.comments.factories import make_comment
from tests.live.factories import make_live_story, post
from tests.media.factories import make_image
from tests.news.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert response["X-Cache"] == "miss"
    return len(captured)


def test_uncached_article_page_costs_a_fixed_number_of_queries(client):
    """Four queries whatever the number of tags, authors or related stories: no N+1.

    The story with its lead image, and whether it was ever live, was printed, has an edition in
    another language, its comment mode and whether it has approved comments; its authors and its
    tags, together; its related stories; the sections, for the navigation and for the story's own
    and its related stories' section links. The "Most read" lists are counted once per edition and
    section every MASTHEAD_MOST_READ_SECONDS, not per page.
    """
    section = make_section()
    tags, authors = [make_tag() for _ in range(8)], [make_author() for _ in range(6)]
    for _ in range(6):
        make_article(section=section, tags=tags[:2])
    small = make_article(section=section, tags=tags[:1], authors=authors[:1])
    big = make_article(section=section, tags=tags, authors=authors)
    assert len(big.related_ids) == len(small.related_ids) == 5
    warm_lists(big, small)
    assert _queries_for(client, big.get_absolute_url()) == _queries_for(client, small.get_absolute_url()) == 4


def test_a_story_with_comments_live_coverage_and_another_edition_asks_for_each_once(client):
    """What most stories lack costs a query only where it is there: approved comments whatever
    their number (one), the other edition (one), live coverage with its updates (two)."""
    section, tag = make_section(), make_tag()
    for _ in range(2):
        make_article(section=section, tags=[tag])
    story = make_live_story(section=section, tags=[tag])
    assert story.related_ids
    post(story, "First update.")
    other = make_article(language="fa", section=section)
    LanguageEdition.objects.create(article=story, story="zarif-araji")
    LanguageEdition.objects.create(article=other, story="zarif-araji")
    for _ in range(3):
        make_comment(story, status=Comment.Status.APPROVED)
    warm_lists(story)
    pagecache.clear()
    assert _queries_for(client, story.get_absolute_url()) == 4 + 1 + 1 + 2


@pytest.mark.parametrize("url", ["/", "/search/?q=story"])
def test_pages_listing_sections_read_them_once(client, url):
    """The home page's section blocks and the search form share the navigation's one read of the sections."""
    make_article(section=make_section())
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert [q["sql"] for q in captured if 'FROM "news_section"' in q["sql"]] == [
        'SELECT "id", "name", "name_fa", "slug" FROM "news_section" ORDER BY "position", "name"']


def _illustrated(count: int, section) -> None:
    """``count`` more stories in ``section``, each with a picture of its own; built pages dropped."""
    now = timezone.now()
    stories = [make_article(section=section, published_at=now - timedelta(minutes=n + 1), lead_image=make_image(alt=f"Picture {n}"))
               for n in range(count)]
    warm_lists(*stories)
    pagecache.clear()


def test_a_list_page_reads_its_stories_and_their_pictures_in_a_fixed_number_of_queries(client, settings, tmp_path):
    """5 illustrated stories or 20, the section page asks the same questions: no query per teaser or picture."""
    settings.MEDIA_ROOT = tmp_path / "media"
    section = make_section()
    _illustrated(5, section)
    few = _queries_for(client, section.get_absolute_url())
    _illustrated(15, section)
    assert _queries_for(client, section.get_absolute_url()) == few
    assert client.get(section.get_absolute_url()).content.count(b"<img ") == 20


def test_the_home_page_reads_every_sections_stories_in_one_query(client, settings, tmp_path):
    """One section's block or four, each with its pictures: the home page asks the same questions."""
    settings.MEDIA_ROOT = tmp_path / "media"
    _illustrated(5, make_section())
    one = _queries_for(client, "/")
    for _ in range(3):
        _illustrated(5, make_section())
    assert _queries_for(client, "/") == one
    assert client.get("/").content.count(b"<img ") == 1 + 4 + 4  # the lead, four thumbnails, one per block
