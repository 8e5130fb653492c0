import multiprocessing

import pytest
from django.db import connection, transaction

from bench import generate
from masthead import sanitize, search
from masthead.news.models import Article, Section
from masthead.stories import bulk, changes
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def built():
    return generate.build(articles=500, seed=7)


def test_builds_visible_stories_with_their_links(built):
    """Every generated story is visible, filed in a section, with 2-5 tags, 1-2 authors and related stories."""
    assert built.articles == Article.objects.visible().count() == 500
    assert built.article_tags == Article.tags.through.objects.count()
    assert built.article_authors == Article.authors.through.objects.count()
    ids = set(Article.objects.values_list("id", flat=True))
    assert ids == set(range(1, 501))
    for story in Article.objects.prefetch_related("tags", "authors").order_by("id")[::25]:
        assert 1 <= len(story.tags.all()) <= 5  # 2-5 drawn; a tag drawn twice is filed once
        assert 1 <= len(story.authors.all()) <= 2
        assert story.pk not in story.related_ids and set(story.related_ids) <= ids
        assert len(story.related_ids) <= generate.RELATED_COUNT
    assert all(len(s.related_ids) == generate.RELATED_COUNT for s in Article.objects.filter(pk__gt=300))
    assert Section.objects.count() == len(generate.SECTIONS)


@pytest.mark.django_db(transaction=True)
def test_a_load_outside_a_transaction_leaves_a_normal_database():
    """Built as `make bench` builds it (its own transaction), every link points at a stored row and the connection is back to its usual settings."""
    with connection.cursor() as cursor:
        before = _settings(cursor)
        generate.build(articles=300, seed=3)
        assert _settings(cursor) == before
        if connection.vendor == "sqlite":
            assert before["journal_mode"] == "wal" and before["foreign_keys"] == 1
        connection.check_constraints()  # raises IntegrityError naming the first broken link
        cursor.execute("SELECT COUNT(*) FROM news_article_tags WHERE tag_id NOT IN (SELECT id FROM news_tag)"
                       " OR article_id NOT IN (SELECT id FROM news_article)")
        assert cursor.fetchone()[0] == 0
    assert Article.objects.visible().count() == 300


def test_a_failure_making_rows_stops_the_load_with_its_cause():
    """An error in the process making rows reaches the writer with its traceback, and nothing is left running."""
    def failing():
        yield generate.Batch([], [], [])
        raise ValueError("no such section")

    batches = generate._in_another_process(failing)
    assert next(batches) == generate.Batch([], [], [])
    with pytest.raises(RuntimeError, match=r"(?s)Making the archive's rows failed:.*ValueError: no such section"):
        next(batches)
    assert not multiprocessing.active_children()


def _settings(cursor) -> dict:
    if connection.vendor != "sqlite":
        cursor.execute("SHOW session_replication_role")
        return {"session_replication_role": cursor.fetchone()[0]}
    found = {}
    for name in ("journal_mode", "foreign_keys", "mmap_size", "synchronous", "cache_size", "temp_store"):
        cursor.execute(f"PRAGMA {name}")
        found[name] = cursor.fetchone()[0]
    return found


def test_body_html_is_what_saving_the_story_would_render(built):
    """The stored HTML is the sanitised rendering of the stored Markdown, 5-8 paragraphs of it."""
    for story in Article.objects.order_by("id")[:: 50]:
        assert story.body_html == sanitize.render_markdown(story.body)
        assert 5 <= story.body_html.count("<p>") <= 8


def test_generated_stories_are_reachable_at_their_urls(client, built):
    """A reader gets each generated story at its canonical URL, with headline, body and related stories."""
    for story in Article.objects.order_by("-id")[:: 97]:
        response = client.get(story.get_absolute_url())
        html = response.content.decode()
        assert response.status_code == 200
        assert f'<h1 id="headline">{story.headline}</h1>' in html
        assert story.body_html.split("</p>")[0] in html
        assert f'<dd class="news-id">{story.pk}</dd>' in html
        assert "Related stories" in html
        assert client.get(f"/news/{story.pk}/").status_code == 301


def test_a_big_section_pages_back_through_its_stories(client, built):
    """Following 'older' links through the biggest section visits each of its stories once, newest first."""
    section = Section.objects.get(slug=generate.SECTIONS[0][1])
    expected = list(Article.objects.visible().filter(section=section).newest_first().values_list("id", flat=True))
    seen, query = [], ""
    for _page in range(len(expected) // 20 + 2):
        response = client.get(section.get_absolute_url() + query)
        assert response.status_code == 200
        page = response.content.decode()
        seen += [pk for pk in expected if f'href="/news/{pk}/' in page]
        if 'rel="next"' not in page:
            break
        query = page.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    assert seen == expected


def test_indexes_come_back_and_new_stories_continue_above(built):
    """The indexes dropped for the load are all there again, and the next story gets the next News ID."""
    names = {name for name, _sql in generate._secondary_indexes(["news_article", "news_article_tags"])}
    assert {"article_visible", "article_section_visible", "article_updated"} <= names
    story = changes.create(Article(headline="After the archive", section=Section.objects.first(), body="Text."), by=SYSTEM)
    assert story.pk == 501


def test_refuses_to_build_into_an_archive_that_has_stories(built):
    """A second build into the same database stops with a message instead of mixing two archives."""
    with pytest.raises(RuntimeError, match="must start empty"):
        generate.build(articles=100)


def _archive_rows() -> dict:
    """What the archive holds of its stories, in a comparable form (times the build cannot share left out)."""
    from tests.stories.test_bulk import headline_words, search_rows

    skipped = {"created_at", "updated_at", "related_ids"}  # related stories are chosen after an import run
    columns = [f.attname for f in Article._meta.concrete_fields if f.attname not in skipped]
    return {
        "articles": list(Article.objects.order_by("id").values_list(*columns)),
        "tags": sorted(Article.tags.through.objects.values_list("article_id", "tag_id")),
        "authors": list(Article.authors.through.objects.order_by("article_id", "pk").values_list("article_id", "author_id")),
        "search": search_rows(),
        "headline_words": headline_words(),
    }


def test_the_archive_holds_what_the_story_services_bulk_path_writes_for_the_same_stories():
    """Stories, links, search entries and headline words: the builder's direct rows are the service's rows."""
    generate.build(articles=240, seed=11)
    built = _archive_rows()
    authors: dict[int, list[str]] = {}
    for article_id, name in Article.authors.through.objects.order_by("pk").values_list("article_id", "author__name"):
        authors.setdefault(article_id, []).append(name)
    stories = [
        bulk.Story(id=a.pk, headline=a.headline, section=a.section.name, kicker=a.kicker, summary=a.summary, body=a.body,
                   source=a.source, status=a.status, published_at=a.published_at, language=a.language, slug=a.slug,
                   tags=[t.name for t in a.tags.all()], authors=authors[a.pk])
        for a in Article.objects.select_related("section").prefetch_related("tags").order_by("id")
    ]
    Article.objects.all().delete()
    search.backend().clear()
    with transaction.atomic():
        writer = bulk.Writer()
        for start in range(0, len(stories), 100):
            writer.write(new=stories[start:start + 100], changed=[], by=None)
    assert len(built["search"]) == len(built["articles"]) == 240
    assert _archive_rows() == built
