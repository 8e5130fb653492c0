from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from masthead import search
from masthead.news.models import Article, HeadlineWord
from tests.news.factories import make_article, make_section

pytestmark = pytest.mark.django_db


def test_rebuild_search_index_indexes_every_published_story_and_every_headline():
    """The command fills the site's search with published stories and the newsroom's headline words with all."""
    section = make_section()
    make_article(headline="Ceasefire agreed", section=section)
    Article.objects.bulk_create([
        Article(headline=f"Imported harvest report {n}", slug=f"harvest-{n}", section=section,
                status=Article.Status.PUBLISHED, published_at=timezone.now() - timedelta(days=n + 1))
        for n in range(3)
    ] + [Article(headline="Imported harvest draft", slug="draft", section=section)])
    assert search.search("harvest").total == 0
    assert not HeadlineWord.matching("harvest").exists()
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert out.getvalue() == "Search index rebuilt: 4 stories. Headline words rebuilt: 5 stories.\n"
    assert search.search("harvest").total == 3
    assert HeadlineWord.matching("harvest").count() == 4
    assert search.search("ceasefire").total == 1


@pytest.mark.django_db(transaction=True)
def test_refresh_search_window_says_when_no_index_of_the_newest_stories_is_needed():
    """On SQLite, and on PostgreSQL below twice its width, there is nothing to build, and it says so."""
    make_article(headline="Harvest report")
    out = StringIO()
    call_command("refresh_search_window", stdout=out)
    assert out.getvalue() == "No index of the newest stories is needed: the whole index answers quickly at this size.\n"
