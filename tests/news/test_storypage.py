from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.news import listing, storypage
from masthead.news.models import Article, Section
from masthead.stories import changes
from masthead.comments.models import Comment
from masthead.syndication.models import LanguageEdition
from tests.comments.factories import make_comment, set_mode
from tests.live.factories import make_live_story
from tests.media.factories import make_image
from tests.news.factories import make_article, make_author, make_section, make_tag
from tests.newsroom.factories import make_user
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db

SHOWN = ["id", "slug", "kicker", "headline", "summary", "body_html", "source", "section_id", "language", "status",
         "published_at", "updated_at", "embargo_until", "breaking_until", "lead_image_id", "corrected_at", "related_ids"]


def test_a_story_reads_as_the_orm_reads_it():
    """Every field the page shows, with its section, authors and tags, matches the ORM's own reading."""
    section = make_section(name="Politics")
    authors = [make_author(name="Zahra Mirzaei"), make_author(name="Ali Karimi")]
    tags = [make_tag(name="Iraq"), make_tag(name="Diplomacy")]
    story = make_article(section=section, authors=authors, tags=tags, kicker="Tehran talks", source="Press TV")
    found = storypage.story(story.pk)
    expected = Article.objects.get(pk=story.pk)
    assert {f: getattr(found, f) for f in SHOWN} == {f: getattr(expected, f) for f in SHOWN}
    with CaptureQueriesContext(connection) as captured:
        assert found.section == section and found.section.name == "Politics"
        assert [a.name for a in found.authors.all()] == ["Ali Karimi", "Zahra Mirzaei"]
        assert [t.name for t in found.tags.all()] == ["Diplomacy", "Iraq"]
        assert list(found.corrections.all()) == []
        assert found.lead_image is None
    assert len(captured) == 0


def test_what_the_rest_of_the_page_would_ask_comes_with_the_story():
    """Whether the story was live or printed, its edition key, comment mode and whether it has
    approved comments: read with the story, as the ORM would read them one by one."""
    plain = storypage.story(make_article().pk)
    assert (plain.known_live, plain.known_printed, plain.known_edition, plain.known_comment_mode,
            plain.known_commented) == (False, False, None, None, False)
    story = make_live_story()
    LanguageEdition.objects.create(article=story, story="zarif-araji")
    set_mode(story, "closed")
    make_comment(story, status=Comment.Status.PENDING)
    pending_only = storypage.story(story.pk)
    assert (pending_only.known_live, pending_only.known_edition, pending_only.known_comment_mode,
            pending_only.known_commented) == (True, "zarif-araji", "closed", False)
    make_comment(story, status=Comment.Status.APPROVED)
    assert storypage.story(story.pk).known_commented is True


def test_a_lead_image_and_corrections_come_with_the_story():
    image = make_image(caption="Azadi Tower at dusk.", credit="IRNA")
    story = make_article(lead_image=image)
    changes.correct(story, by=make_user("editor"), text="Fixed the minister's title.")
    found = storypage.story(story.pk)
    with CaptureQueriesContext(connection) as captured:
        assert (found.lead_image.pk, found.lead_image.alt, found.lead_image.caption, found.lead_image.credit) == (
            image.pk, image.alt, "Azadi Tower at dusk.", "IRNA")
        assert found.lead_image.rendition_url(650, 365) == image.rendition_url(650, 365)
        assert [c.text for c in found.corrections.all()] == ["Fixed the minister's title."]
    assert len(captured) == 0


@pytest.mark.parametrize("change", [
    {"status": Article.Status.DRAFT},
    {"status": Article.Status.UNPUBLISHED},
    {"published_at": timezone.now() + timedelta(hours=1)},
])
def test_a_story_readers_may_not_see_is_not_found(change):
    story = make_article()
    Article.objects.filter(pk=story.pk).update(**change)
    assert storypage.story(story.pk) is None


def test_a_missing_story_is_not_found():
    assert storypage.story(999_999) is None


def test_related_stories_are_the_visible_ones_newest_first():
    tag = make_tag()
    older = make_article(tags=[tag], published_at=timezone.now() - timedelta(days=2))
    newer = make_article(tags=[tag], published_at=timezone.now() - timedelta(days=1))
    withdrawn = make_article(tags=[tag], published_at=timezone.now() - timedelta(hours=5))
    story = make_article(tags=[tag])
    assert set(story.related_ids) == {older.pk, newer.pk, withdrawn.pk}
    withdrawn = changes.unpublish(withdrawn, by=SYSTEM)
    found = storypage.related(storypage.story(story.pk))
    assert [a.pk for a in found] == [newer.pk, older.pk]
    assert found[0].section == newer.section and found[0].headline == newer.headline


def test_related_stories_of_a_story_under_several_tags_are_the_newest_across_them():
    """One newest-first list from every tag's own newest, each story once, the story itself never."""
    iran, oil, quiet = make_tag(), make_tag(), make_tag()
    now = timezone.now()
    old = [make_article(tags=[oil], published_at=now - timedelta(days=900 + n)) for n in range(3)]
    both = make_article(tags=[iran, oil], published_at=now - timedelta(days=2))
    recent = [make_article(tags=[iran], published_at=now - timedelta(hours=n + 1)) for n in range(3)]
    make_article(tags=[iran], published_at=now + timedelta(hours=3))  # scheduled
    make_article(tags=[oil], embargo_until=now + timedelta(hours=3))
    story = make_article(tags=[iran, oil, quiet])
    assert story.related_ids == [*(a.pk for a in recent), both.pk, old[0].pk]


def test_the_sections_are_read_once_per_request():
    make_section(name="World", position=2)
    make_section(name="Economy", position=1)
    request = RequestFactory().get("/")
    with CaptureQueriesContext(connection) as captured:
        first, second = storypage.sections(request), storypage.sections(request)
    assert len(captured) == 1 and first is second
    assert [s.name for s in first] == [s.name for s in Section.objects.all()]


def test_the_home_pages_lists_read_as_the_orm_reads_them():
    """The newest visible stories of the edition and of each section, each with its section and picture."""
    first, second, empty = make_section(name="Politics"), make_section(name="Economy"), make_section(name="Sport")
    image = make_image(alt="Azadi Tower at dusk")
    now = timezone.now()
    for n in range(1, 10):
        make_article(section=first if n % 3 else second, published_at=now - timedelta(minutes=n), lead_image=image if n % 2 else None)
    make_article(section=first, published_at=now + timedelta(hours=1))  # scheduled: not yet
    persian = make_article(section=first, language="fa", published_at=now)
    top, by_section = storypage.newest([first, second, empty], at=now, language="en", size=3)
    visible = Article.objects.visible(at=now).filter(language="en").newest_first()
    assert [a.pk for a in top] == [a.pk for a in visible[:3]]
    assert {pk: [a.pk for a in found] for pk, found in by_section.items()} == {
        section.pk: [a.pk for a in visible.filter(section=section)[:3]] for section in (first, second, empty)}
    assert persian.pk not in {a.pk for a in top}
    shown = [*top, *by_section[first.pk], *by_section[second.pk]]
    expected = [(a.section.name, a.lead_image.alt if a.lead_image else None, a.headline)
                for a in (Article.objects.select_related("section", "lead_image").get(pk=s.pk) for s in shown)]
    with CaptureQueriesContext(connection) as captured:
        assert [(a.section.name, a.lead_image.alt if a.lead_image else None, a.headline) for a in shown] == expected
    assert len(captured) == 0
    assert {a.lead_image.alt for a in shown if a.lead_image} == {"Azadi Tower at dusk"}


def read_as_the_orm_pages(read, orm) -> int:
    """How many stories ``read`` pages through, three a page, older and back newer, each page the same
    stories and cursors as ``listing.paginate`` gives of ``orm``, with the same sections and pictures."""
    def same(params) -> listing.Page:
        mine, theirs = listing.page_of(read, params, size=3), listing.paginate(orm, params, size=3)
        assert ([a.pk for a in mine.items], mine.older, mine.newer) == ([a.pk for a in theirs.items], theirs.older, theirs.newer)
        assert [(a.section.name, a.lead_image_id and a.lead_image.alt) for a in mine.items] == [
            (a.section.name, a.lead_image_id and a.lead_image.alt) for a in theirs.items]
        return mine

    page, seen = same({}), []
    while True:
        seen += [a.pk for a in page.items]
        if page.older is None:
            break
        page = same({"before": page.older})
    assert len(seen) == len(set(seen))
    while page.newer is not None:
        page = same({"after": page.newer})
    assert page.items and page.items[0].pk == seen[0]
    return len(seen)


def test_a_sections_pages_read_as_the_orm_pages_them():
    """Page after page, older and back newer, the same stories and cursors as ``listing.paginate`` gives."""
    section, other = make_section(), make_section()
    image = make_image()
    now = timezone.now()
    for n in range(7):
        make_article(section=section, published_at=now - timedelta(minutes=n + 1), lead_image=image if n % 2 else None)
    for _ in range(3):
        make_article(section=section, published_at=now - timedelta(hours=2))  # one moment: the id orders them
    make_article(section=other)
    make_article(section=section, published_at=now + timedelta(hours=1))  # scheduled: not yet
    orm = Article.objects.visible(at=now).filter(language="en", section=section).select_related("section", "lead_image")
    read = storypage.in_section(section, at=now, language="en")
    assert read_as_the_orm_pages(read, orm) == 10


@pytest.mark.parametrize("kind", ["tag", "author"])
def test_a_tags_and_an_authors_pages_read_as_the_orm_pages_them(kind):
    """The same as the section's, read from the tag's (author's) own rows and their copy of each story's time."""
    owner, other = (make_tag(), make_tag()) if kind == "tag" else (make_author(), make_author())
    filed = (lambda who: {"tags": [who]}) if kind == "tag" else (lambda who: {"authors": [who]})
    image = make_image()
    now = timezone.now()
    for n in range(7):
        make_article(published_at=now - timedelta(minutes=n + 1), lead_image=image if n % 2 else None, **filed(owner))
    for _ in range(3):
        make_article(published_at=now - timedelta(hours=2), **filed(owner))  # one moment: the id orders them
    make_article(**filed(other))
    make_article(published_at=now + timedelta(hours=1), **filed(owner))  # scheduled: not yet
    make_article(language="fa", **filed(owner))  # the other edition
    make_article(embargo_until=now + timedelta(hours=1), **filed(owner))
    withdrawn = make_article(**filed(owner))
    changes.unpublish(withdrawn, by=SYSTEM)
    # Rescheduled through the story service, and moved from long ago to now by SQL: the rows follow either way.
    moved = make_article(published_at=now - timedelta(minutes=30), **filed(owner))
    changes.publish(moved, by=SYSTEM, at=now + timedelta(hours=2))
    Article.objects.filter(pk=make_article(published_at=now - timedelta(days=9), **filed(owner)).pk).update(
        published_at=now - timedelta(seconds=20))
    orm = (Article.objects.visible(at=now).filter(language="en", **{f"{kind}s": owner})
           .select_related("section", "lead_image"))
    read = storypage.filed_under(owner, at=now, language="en")
    assert read_as_the_orm_pages(read, orm) == 11


def test_every_tag_and_author_row_carries_its_story_s_time_however_written(tmp_path):
    """Kept by the database: the story service, an import (bulk rows), tags set later, a new time by SQL."""
    from tests.ingest.factories import ninjs_story, run_import, write_jsonl

    tag, author = make_tag(), make_author()
    story = make_article(tags=[tag], authors=[author])
    story.tags.add(make_tag())
    changes.publish(story, by=SYSTEM, at=timezone.now() + timedelta(days=1))
    run_import(write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(1), ninjs_story(2, versioncreated="2015-03-01T08:00:00Z")]))
    Article.objects.filter(pk=make_article(tags=[tag]).pk).update(published_at=timezone.now() - timedelta(days=30))
    times = {pk: at for pk, at in Article.objects.values_list("pk", "published_at")}
    for field in (Article.tags, Article.authors):
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT "article_id", "published_at" FROM "{field.through._meta.db_table}"')
            found = cursor.fetchall()
        assert found and all(connection.ops.convert_datetimefield_value(at, None, connection) == times[pk]
                             if connection.vendor == "sqlite" else at == times[pk] for pk, at in found), found


def test_the_next_scheduled_time_is_the_soonest_published_story_after_the_moment():
    now = timezone.now()
    assert storypage.next_scheduled_time(now) is None
    soon = make_article(published_at=now + timedelta(minutes=5))
    make_article(published_at=now + timedelta(hours=1))
    draft = make_article(published_at=now + timedelta(minutes=2))
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.DRAFT)
    assert storypage.next_scheduled_time(now) == Article.objects.get(pk=soon.pk).published_at
