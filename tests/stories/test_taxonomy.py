"""A change to a section, a tag or an author reaches every cached page that shows it, and no other."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from masthead import search
from masthead.delivery import keys
from masthead.news.models import Article, Author, Section, Tag
from masthead.stories import bulk, taxonomy
from tests.news.factories import make_article, make_author, make_section, make_tag
from tests.stories.factories import make_story

pytestmark = pytest.mark.django_db


def _get(client, path: str) -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response["X-Cache"], response.content.decode()


def _cached(client, *paths: str) -> None:
    for path in paths:
        _get(client, path)
        assert _get(client, path)[0] == "hit", path


@pytest.fixture
def filed():
    """A story filed under a section, a tag and an author, and a story filed under none of them."""
    section = make_section(name="Politics", name_fa="سیاست", slug="politics")
    tag, author = make_tag(name="Oil", slug="oil"), make_author(name="Omar Hassan", slug="omar-hassan", bio="Oil desk.")
    story = make_article(section=section, tags=[tag], authors=[author], headline="Exports rise")
    other = make_article(section=make_section(name="Sport", slug="sport"), tags=[make_tag(name="Football")],
                         authors=[make_author(name="Sara Karimi")], headline="Cup final")
    return section, tag, author, story, other


def _archive(story: Article) -> str:
    return f"/archive/{story.published_at:%Y/%m/%d}/"


def test_every_readers_page_with_the_navigation_carries_the_sections_key(client, filed):
    """Home, story, print view, section, tag, author, archive and corrections pages all list the sections."""
    section, tag, author, story, _ = filed
    for path in ["/", story.get_absolute_url(), story.get_absolute_url() + "print/", "/section/politics/", "/tag/oil/",
                 "/author/omar-hassan/", _archive(story), "/corrections/", "/fa/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert keys.SECTIONS in response["Surrogate-Key"].split(), path


def test_a_story_page_carries_the_keys_of_the_names_it_shows(client, filed):
    """Its tags' and authors' name keys, not their list keys: a publish under the tag leaves it cached."""
    _, tag, author, story, _ = filed
    carried = set(client.get(story.get_absolute_url())["Surrogate-Key"].split())
    assert {keys.tag_name(tag.pk), keys.author_name(author.pk), keys.SECTIONS, story.surrogate_key} <= carried
    assert not {tag.surrogate_key, author.surrogate_key} & carried
    api = set(client.get(f"/api/v1/articles/{story.pk}")["Surrogate-Key"].split())
    assert {keys.tag_name(tag.pk), keys.author_name(author.pk), keys.SECTIONS} <= api


def test_a_new_story_under_a_tag_leaves_the_tags_other_story_pages_cached(client, filed, django_capture_on_commit_callbacks):
    _, tag, author, story, _ = filed
    _cached(client, story.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        make_article(tags=[tag], authors=[author])
    assert _get(client, story.get_absolute_url())[0] == "hit"
    assert _get(client, "/tag/oil/")[0] == "miss"


def test_renaming_a_section_reaches_every_page_that_names_it(client, filed, django_capture_on_commit_callbacks):
    section, tag, author, story, other = filed
    pages = ["/", "/fa/", story.get_absolute_url(), other.get_absolute_url(), "/section/politics/", "/tag/oil/",
             "/author/omar-hassan/", _archive(story), "/feeds/rss/", f"/api/v1/articles/{story.pk}", "/api/v1/sections"]
    _cached(client, *pages)
    with django_capture_on_commit_callbacks(execute=True):
        section.name, section.name_fa = "Politics and Power", "سیاست و قدرت"
        taxonomy.save(section)
    for path in pages:
        state, html = _get(client, path)
        assert state == "miss", path
        assert ("سیاست و قدرت" if path.startswith("/fa/") else "Politics and Power") in html, path


def test_moving_a_section_in_the_navigation_reorders_every_cached_page(client, filed, django_capture_on_commit_callbacks):
    section, _, _, _, other = filed
    sport = other.section
    _cached(client, other.get_absolute_url())
    html = _get(client, other.get_absolute_url())[1]
    assert html.index(">Politics<") < html.index(">Sport<")
    with django_capture_on_commit_callbacks(execute=True):
        section.position = sport.position + 1
        taxonomy.save(section)
    state, html = _get(client, other.get_absolute_url())
    assert state == "miss" and html.index(">Sport<") < html.index(">Politics<")


def test_a_new_section_joins_the_navigation_of_cached_pages(client, filed, django_capture_on_commit_callbacks):
    _, _, _, story, _ = filed
    _cached(client, story.get_absolute_url(), "/")
    with django_capture_on_commit_callbacks(execute=True):
        taxonomy.save(Section(name="Science", slug="science"))
    for path in (story.get_absolute_url(), "/"):
        assert '<a href="/section/science/">Science</a>' in _get(client, path)[1], path


def test_renaming_a_tag_reaches_its_stories_its_page_its_feed_and_search(client, filed, django_capture_on_commit_callbacks):
    """The stories filed under it, its page (at its new address), its feed and the API; other stories stay cached."""
    _, tag, _, story, other = filed
    pages = [story.get_absolute_url(), "/tag/oil/", "/feeds/tag/oil/rss/", f"/api/v1/articles/{story.pk}", "/api/v1/tags"]
    _cached(client, *pages, other.get_absolute_url(), "/section/sport/")
    with django_capture_on_commit_callbacks(execute=True):
        tag.name, tag.slug = "Petroleum", "petroleum"
        taxonomy.save(tag)
    assert client.get("/tag/oil/").status_code == 404
    for path in [story.get_absolute_url(), "/tag/petroleum/", "/feeds/tag/petroleum/rss/", f"/api/v1/articles/{story.pk}",
                 "/api/v1/tags"]:
        state, html = _get(client, path)
        assert state == "miss" and "Petroleum" in html and ">Oil<" not in html, path
    assert _get(client, other.get_absolute_url())[0] == "hit"
    assert _get(client, "/section/sport/")[0] == "hit"
    assert [hit.article.pk for hit in search.search("petroleum", language="en").hits] == [story.pk]
    assert search.search("oil", language="en").hits == []


def test_renaming_an_author_reaches_bylines_their_page_and_search(client, filed, django_capture_on_commit_callbacks):
    _, _, author, story, other = filed
    _cached(client, story.get_absolute_url(), story.get_absolute_url() + "print/", "/author/omar-hassan/",
            f"/api/v1/articles/{story.pk}", other.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        author.name, author.bio = "Omar Hassan Ali", "Energy correspondent."
        taxonomy.save(author)
    for path in (story.get_absolute_url(), story.get_absolute_url() + "print/", f"/api/v1/articles/{story.pk}"):
        state, html = _get(client, path)
        assert state == "miss" and "Omar Hassan Ali" in html, path
    state, html = _get(client, "/author/omar-hassan/")
    assert state == "miss" and "Omar Hassan Ali" in html and "Energy correspondent." in html
    assert _get(client, other.get_absolute_url())[0] == "hit"
    assert [hit.article.pk for hit in search.search("Ali", language="en").hits] == [story.pk]


def test_a_save_that_changes_no_name_leaves_the_search_index_alone(filed):
    """Only a new name relabels the stories: saving a bio reads none of them."""
    _, _, author, _, _ = filed
    author.bio = "Energy correspondent."
    with CaptureQueriesContext(connection) as done:
        taxonomy.save(author)
    assert [q["sql"] for q in done.captured_queries if "article" in q["sql"] or "search" in q["sql"]] == []
    author.name = "Omar Hassan Ali"
    with CaptureQueriesContext(connection) as done:
        taxonomy.save(author)
    assert [q["sql"] for q in done.captured_queries if "search" in q["sql"]]


def test_deleting_a_tag_and_an_author_takes_them_off_their_stories_pages_and_search(
        client, filed, django_capture_on_commit_callbacks):
    _, tag, author, story, other = filed
    _cached(client, story.get_absolute_url(), "/tag/oil/", "/author/omar-hassan/", other.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        assert taxonomy.delete([tag, author]) == 2
    state, html = _get(client, story.get_absolute_url())
    assert state == "miss" and ">Oil<" not in html and "Omar Hassan" not in html
    assert client.get("/tag/oil/").status_code == 404
    assert client.get("/author/omar-hassan/").status_code == 404
    assert _get(client, other.get_absolute_url())[0] == "hit"
    assert search.search("Omar", language="en").hits == []


def test_deleting_a_section_takes_it_out_of_the_navigation_and_one_with_stories_cannot_go(
        client, filed, django_capture_on_commit_callbacks):
    section, _, _, story, _ = filed
    empty = make_section(name="Letters", slug="letters")
    _cached(client, story.get_absolute_url())
    assert '<a href="/section/letters/">Letters</a>' in _get(client, story.get_absolute_url())[1]
    with django_capture_on_commit_callbacks(execute=True):
        taxonomy.delete(Section.objects.filter(pk=empty.pk))
    assert "/section/letters/" not in _get(client, story.get_absolute_url())[1]
    with pytest.raises(ProtectedError, match="Cannot delete some instances of model 'Section'"):
        taxonomy.delete([section])
    assert Section.objects.filter(pk=section.pk).exists()


def test_a_save_is_validated_and_only_sections_tags_and_authors_are_taken(filed):
    section, _, _, _, _ = filed
    with pytest.raises(ValidationError, match="Section with this Slug already exists"):
        taxonomy.save(Section(name="Another", slug="politics"))
    with pytest.raises(TypeError, match="stories.taxonomy changes sections, tags and authors, not Article"):
        taxonomy.save(Article.objects.first())
    tag = taxonomy.save(Tag(name="Nuclear talks"))
    assert tag.slug == "nuclear-talks"


def test_an_import_that_makes_a_section_puts_it_in_the_navigation_of_cached_pages(
        client, filed, django_capture_on_commit_callbacks):
    _, _, _, story, _ = filed
    _cached(client, story.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        bulk.Writer().write(new=[make_story(section="Science")], changed=[], by=None)
    assert '<a href="/section/science/">Science</a>' in _get(client, story.get_absolute_url())[1]


def test_the_model_tells_which_function_to_call():
    for model in (Section, Tag, Author):
        assert "stories.taxonomy.save()" in model.__doc__
