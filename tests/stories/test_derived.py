from dataclasses import replace

import pytest
from django.db import connection, transaction

from masthead import search
from masthead.news.models import Article, HeadlineWord
from masthead.newsroom.models import Revision
from masthead.stories import bulk, derived, history
from tests.stories.factories import make_story

pytestmark = pytest.mark.django_db


def _stored() -> tuple:
    """Every row the bulk path writes for a story, but the times and numbers of the run that wrote it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT f.headline, f.standfirst, f.body, f.labels, e.language "
                           "FROM search_fts f JOIN search_entry e ON e.article_id = f.rowid ORDER BY f.rowid")
        else:
            cursor.execute("SELECT d.document::text, d.language, t.standfirst, t.body "
                           "FROM search_document d JOIN search_text t USING (article_id) ORDER BY d.article_id")
        index = cursor.fetchall()
    words = sorted(HeadlineWord.objects.values_list("article__slug", "word"))
    revisions = [(r.data, r.changed, r.note) for r in Revision.objects.order_by("article_id")]
    return index, words, revisions


STORIES = [
    {"headline": "Harvest festival opens in Shiraz", "kicker": "Culture", "body": "A *Markdown* body.\n\nTwo paragraphs."},
    {"headline": "Ports reopen after the storm", "body": "<p>An <a href=\"https://example.org\">HTML</a> body.</p>",
     "body_html": "<p>An <a href=\"https://example.org\">HTML</a> body.</p>", "tags": ["Trade", "Oil"]},
    {"headline": "جشنواره برداشت در شیراز آغاز شد", "language": "fa", "summary": "می‌رود", "slug": "jashnvare"},
    {"headline": "Unfinished draft", "status": "draft", "published_at": None},
]


def _write(stories) -> list:
    with transaction.atomic():
        return bulk.Writer().write(new=stories, changed=[], by=None).articles


def test_a_story_derived_beforehand_is_stored_as_one_the_writer_derives_itself():
    """The reading process's work changes nothing stored: search entries, headline words, revisions are the same."""
    stories = [make_story(**fields) for fields in STORIES]
    _write([replace(story) for story in stories])
    by_writer = _stored()
    Article.objects.all().delete()
    search.backend().clear()
    _write([replace(story, derived=derived.derive(story)) for story in stories])
    assert _stored() == by_writer
    assert len(by_writer[0]) == 3 and len(by_writer[2]) == 4


def test_a_persian_story_written_in_bulk_is_found_in_the_persian_edition_only():
    """The search entry carries the story's edition, as a rebuild of the index would."""
    persian, english = _write([make_story(headline="جشنواره برداشت در شیراز آغاز شد", language="fa"),
                               make_story(headline="Harvest festival opens in Shiraz")])
    assert [hit.article.pk for hit in search.search("شیراز", language="fa").hits] == [persian.pk]
    assert [hit.article.pk for hit in search.search("shiraz", language="fa").hits] == []
    assert [hit.article.pk for hit in search.search("shiraz", language="en").hits] == [english.pk]


def test_derive_names_the_field_that_holds_text_that_is_not_text():
    """A refusal is worked out with the rest, and the writer refuses the story for it, writing nothing."""
    story = make_story(summary="Fine\x08 summary")
    story.derived = derived.derive(story)
    assert story.derived.refusal == "summary holds U+0008 at character 5, a control character that is not text: remove it from the source"
    with pytest.raises(bulk.Refused, match="summary holds U\\+0008"):
        _write([make_story(), story])


def test_a_new_storys_revision_holds_what_the_newsrooms_snapshot_of_it_holds():
    """Its words encoded beforehand and its filing encoded by the writer make one whole revision."""
    story, = _write([make_story(headline="Ports \u201creopen\u201d after the storm", kicker="Trade",
                                body='<p>An "HTML" body, \\ and all.</p>', tags=["Trade", "Oil"])])
    revision = Revision.objects.get(article=story)
    assert revision.data == history.snapshot(story)
    assert list(revision.changed) == list(history.FIELDS)
