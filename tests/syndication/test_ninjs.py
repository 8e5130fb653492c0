from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone

from masthead.news.models import Article
from masthead.syndication import ninjs
from tests.news.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db


def _fresh(article):
    return Article.objects.select_related("section").prefetch_related("tags", "authors").get(pk=article.pk)


@pytest.fixture
def story():
    return _fresh(make_article(
        id=302104, section=make_section(name="Politics", slug="politics"), kicker="Diplomacy",
        headline="‘Leave the region,’ Iran FM tells foreign powers", summary="Zarif met al-Araji.",
        body="Zarif said the region can keep itself **secure**.", source="Press TV",
        published_at=datetime(2021, 4, 12, 5, 35, tzinfo=dt_timezone.utc),
        tags=[make_tag(name="Iran", slug="iran")],
        authors=[make_author(name="Sara Karimi", slug="sara-karimi"), make_author(name="Ali Rezaei", slug="ali-rezaei")],
    ))


def test_a_story_in_ninjs_2(story):
    item = ninjs.to_ninjs(story)
    assert item["uri"] == "http://127.0.0.1:8000/news/302104/"
    assert item["standard"] == {"name": "ninjs", "version": "2.0", "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json"}
    assert item["type"] == "text" and item["pubstatus"] == "usable"
    assert item["firstcreated"] == "2021-04-12T05:35:00Z"
    assert item["versioncreated"].endswith("Z")
    assert item["version"].isdigit()
    assert item["headlines"] == [{"role": "main", "contenttype": "text/plain", "value": story.headline},
                                 {"role": "kicker", "contenttype": "text/plain", "value": "Diplomacy"}]
    assert item["bodies"][0]["contenttype"] == "text/html"
    assert "<strong>secure</strong>" in item["bodies"][0]["value"]
    assert item["bodies"][0]["wordcount"] == 8
    assert item["by"] == "Ali Rezaei and Sara Karimi"  # authors in the byline's order (by name)
    assert [p["literal"] for p in item["people"]] == ["ali-rezaei", "sara-karimi"]
    assert item["subjects"] == [
        {"name": "Politics", "rel": "section", "literal": "politics", "uri": "http://127.0.0.1:8000/section/politics/"},
        {"name": "Iran", "rel": "tag", "literal": "iran", "uri": "http://127.0.0.1:8000/tag/iran/"}]
    assert item["descriptions"] == [{"role": "summary", "contenttype": "text/plain", "value": "Zarif met al-Araji."}]
    assert item["altids"] == [{"role": "newsid", "value": "302104"}]
    assert item["renditions"][0]["href"] == "http://127.0.0.1:8000" + story.get_absolute_url()
    assert item["infosources"] == [{"name": "Press TV"}]
    assert item["language"] == "en" and item["slugline"] == story.slug


def test_drafts_are_withheld_and_scheduled_stories_embargoed():
    draft = _fresh(make_article(status=Article.Status.DRAFT, published_at=None))
    assert ninjs.to_ninjs(draft)["pubstatus"] == "withheld"
    at = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)  # ninjs times are whole seconds
    scheduled = _fresh(make_article(published_at=at))
    item = ninjs.to_ninjs(scheduled)
    assert item["pubstatus"] == "withheld"
    assert item["embargoed"] == ninjs.rfc3339(at)
    back = ninjs.from_ninjs(item)
    assert (back["status"], back["published_at"]) == (Article.Status.PUBLISHED, at)
    assert ninjs.to_ninjs(_fresh(make_article(status=Article.Status.UNPUBLISHED)))["pubstatus"] == "canceled"


def test_ninjs_round_trips_to_the_same_article_fields(story):
    """What to_ninjs writes, from_ninjs reads back: importers can take our own output."""
    fields = ninjs.from_ninjs(ninjs.to_ninjs(story))
    assert fields == {
        "id": 302104, "headline": story.headline, "kicker": "Diplomacy", "summary": "Zarif met al-Araji.",
        "body_html": story.body_html, "slug": story.slug, "language": "en", "source": "Press TV",
        "status": Article.Status.PUBLISHED, "published_at": story.published_at,
        "section": {"name": "Politics", "slug": "politics"}, "tags": ["Iran"],
        "authors": [{"name": "Ali Rezaei", "slug": "ali-rezaei"}, {"name": "Sara Karimi", "slug": "sara-karimi"}],
    }


def test_from_ninjs_reads_a_wire_item_and_names_what_is_wrong():
    wire = {"uri": "urn:newsml:wire.example:20210412:abc", "headlines": [{"value": "Quake hits Bushehr"}],
            "bodies": [{"contenttype": "text/plain", "value": "plain"}, {"contenttype": "text/html", "value": "<p>html</p>"}],
            "firstcreated": "2021-04-12T05:35:00+04:30", "pubstatus": "usable"}
    fields = ninjs.from_ninjs(wire)
    assert fields["id"] is None and fields["headline"] == "Quake hits Bushehr" and fields["body_html"] == "<p>html</p>"
    assert fields["published_at"] == datetime(2021, 4, 12, 1, 5, tzinfo=dt_timezone.utc)
    with pytest.raises(ValueError, match="a ninjs object needs a 'uri'"):
        ninjs.from_ninjs({"headlines": [{"value": "x"}]})
    with pytest.raises(ValueError, match="urn:x: no headline"):
        ninjs.from_ninjs({"uri": "urn:x"})
    with pytest.raises(ValueError, match="has no time zone"):
        ninjs.from_ninjs({"uri": "urn:x", "headlines": [{"value": "x"}], "firstcreated": "2021-04-12T05:35:00"})
