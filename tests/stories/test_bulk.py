import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from masthead import search
from masthead.news.models import Article, HeadlineWord
from masthead.stories import history as revisions
from masthead.newsroom.models import Revision, StateChange
from masthead.stories import bulk
from tests.newsroom.factories import make_user
from tests.stories.factories import make_story

pytestmark = pytest.mark.django_db


def write(*, new=(), changed=(), by=None, **options) -> bulk.Written:
    with transaction.atomic():
        return bulk.Writer(**options).write(new=list(new), changed=list(changed), by=by)


def search_rows() -> list[tuple]:
    """Every row of the site's search index, as the database holds it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT f.rowid, f.headline, f.standfirst, f.body, f.labels, e.published_at, e.section_id "
                           "FROM search_fts f JOIN search_entry e ON e.article_id = f.rowid ORDER BY f.rowid")
        else:
            cursor.execute("SELECT d.article_id, d.published_at, d.section_id, d.document::text, t.standfirst, t.body "
                           "FROM search_document d JOIN search_text t USING (article_id) ORDER BY d.article_id")
        return cursor.fetchall()


def headline_words() -> list[tuple]:
    return sorted(HeadlineWord.objects.values_list("article_id", "word"))


def test_a_story_written_in_bulk_is_found_by_the_sites_search_and_the_newsrooms_headline_search(client):
    """No rebuild: the search entry and the headline words commit with the story."""
    story, = write(new=[make_story(headline="Harvest festival opens in Shiraz")]).articles
    assert [hit.article.pk for hit in search.search("harvest festival").hits] == [story.pk]
    assert list(HeadlineWord.matching("shir").values_list("article_id", flat=True)) == [story.pk]
    client.force_login(make_user("editor"))
    assert "Harvest festival opens in Shiraz" in client.get("/newsroom/news/article/?q=harv").content.decode()


def test_search_entries_and_headline_words_are_what_a_rebuild_makes():
    """The bulk path indexes exactly what rebuild_search_index would, drafts in headline words only."""
    write(new=[make_story(), make_story(headline="Ports reopen", tags=["Trade", "Oil"], authors=["A. Writer", "Omar Hassan"]),
               make_story(status="draft", published_at=None, headline="Unfinished draft")])
    written = (search_rows(), headline_words())
    assert len(written[0]) == 2 and ("ports" in [w for _, w in written[1]]) and ("unfinished" in [w for _, w in written[1]])
    search.rebuild()
    bulk.rebuild_headline_words()
    assert (search_rows(), headline_words()) == written


def test_each_story_keeps_a_revision_and_an_audit_entry_naming_who_acted():
    """A new story gets revision 1, the newsroom's own snapshot of it, and a move from 'new' to its state."""
    editor = make_user("editor")
    article, = write(new=[make_story(headline="Oil talks resume", note="Imported from wire.jsonl:1")], by=editor).articles
    revision = Revision.objects.get(article=article)
    assert (revision.number, revision.by, revision.note) == (1, editor, "Imported from wire.jsonl:1")
    assert revision.data == revisions.snapshot(Article.objects.get(pk=article.pk))
    assert revision.changed == list(revisions.FIELDS)
    change = StateChange.objects.get(article=article)
    assert (change.from_state, change.to_state, change.by) == ("new", "published", editor)


def test_a_change_keeps_the_next_revision_with_what_changed_and_counts_a_version():
    """Revision 2 names the changed fields; a state move is audited; the version moves on, so a stale desk form is refused."""
    story = make_story(headline="Oil talks resume")
    article, = write(new=[story]).articles
    stored = Article.objects.get(pk=article.pk)
    write(changed=[(stored, replace(story, headline="Oil talks resume in Vienna", status="unpublished"))])
    revision = Revision.objects.get(article=article, number=2)
    assert revision.changed == ["headline", "status"]
    assert revision.data == revisions.snapshot(Article.objects.get(pk=article.pk))
    assert list(StateChange.objects.filter(article=article).values_list("from_state", "to_state").order_by("id")) == [
        ("new", "published"), ("published", "unpublished")]
    assert Article.objects.get(pk=article.pk).version == stored.version == 2
    assert search.search("vienna").total == 0  # unpublished: out of the site's search
    assert list(HeadlineWord.matching("vienna").values_list("article_id", flat=True)) == [article.pk]


def test_the_fields_a_revision_keeps_are_the_newsrooms():
    assert bulk.REVISED == tuple(revisions.FIELDS)


@pytest.mark.parametrize("field, value, message", [
    ("headline", "Oil\x01 talks", "headline holds U+0001 at character 4, a control character that is not text"),
    ("body", "Fine.\n\nBad\x08.", "body holds U+0008 at character 11, a control character that is not text"),
    ("tags", ["Oil", "Ira\x9fq"], "tag 'Ira\\x9fq' holds U+009F at character 4, a control character that is not text"),
])
def test_text_that_is_not_text_is_refused_naming_the_field_and_nothing_is_written(field, value, message):
    with pytest.raises(bulk.Refused, match=re.escape(message)) as refused:
        write(new=[make_story(), make_story(**{field: value})])
    assert refused.value.position == 1
    assert not Article.objects.exists() and not HeadlineWord.objects.exists() and not search_rows()


def test_new_stories_keep_their_news_ids_and_the_others_continue_above():
    written = write(new=[make_story(id=302104), make_story()]).articles
    # Above it (PostgreSQL's sequence only moves forward, so numbers taken by earlier tests are skipped).
    assert written[0].pk == 302104 and written[1].pk > 302104
    assert Article.objects.filter(pk__gt=302104).count() == 1


def test_sections_tags_and_authors_are_found_by_name_or_made_once():
    write(new=[make_story(section="World", tags=["Oil"]), make_story(section="world", tags=["Oil", "oil"])])
    assert Article.objects.filter(section__name="World").count() == 2
    assert list(Article.tags.through.objects.values_list("tag__name", flat=True).distinct()) == ["Oil"]


def test_a_scheduled_story_is_indexed_and_found_from_its_time():
    later = timezone.now() + timedelta(hours=2)
    article, = write(new=[make_story(headline="Budget vote tomorrow", published_at=later)]).articles
    assert StateChange.objects.get(article=article).to_state == "scheduled"
    assert search.search("budget").total == 0
    assert search.search("budget", at=later + timedelta(seconds=1)).total == 1
