import re
from datetime import datetime, timezone as dt_timezone

import pytest
from django.core.management import call_command
from django.test import Client

from masthead import search
from masthead.news.models import Article, Author, Section, Tag
from tests.news.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("chief", password="a-long-test-password-1")
    client.force_login(user)
    return client


def test_article_list_shows_news_id_status_section_and_house_date(editor_client):
    make_article(id=302104, headline="Leave the region", section=make_section(name="Politics"),
                 published_at=datetime(2021, 4, 12, 5, 35, tzinfo=dt_timezone.utc))
    html = editor_client.get("/newsroom/news/article/").content.decode()
    assert "302104" in html and "Leave the region" in html and "Politics" in html
    assert "0535 GMT April 12, 2021" in html


def test_search_by_news_id_finds_exactly_that_story(editor_client):
    wanted = make_article(id=302104, headline="Leave the region")
    make_article(id=302105, headline="Story mentioning 302104 in its headline")
    html = editor_client.get("/newsroom/news/article/", {"q": "302104"}).content.decode()
    assert "Leave the region" in html
    assert "Story mentioning" not in html
    html = editor_client.get("/newsroom/news/article/", {"q": "region"}).content.decode()
    assert f"/newsroom/news/article/{wanted.pk}/change/" in html


def test_editor_writes_and_publishes_a_story_that_readers_see_at_once(editor_client, client):
    """The form files the story; the desk's Publish now puts it on the site and purges the cached section."""
    section, tag, author = make_section(slug="economy"), make_tag(), make_author()
    client.get("/section/economy/")  # cached before the story exists
    response = editor_client.post("/newsroom/news/article/add/", {
        "kicker": "", "headline": "Rial steadies", "slug": "", "summary": "The rial held.",
        "body": "The rial held **steady** on Monday.", "source": "Staff", "section": section.pk,
        "authors": [author.pk], "tags": [tag.pk], "language": "en",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    story = Article.objects.get(headline="Rial steadies")
    assert story.body_html == "<p>The rial held <strong>steady</strong> on Monday.</p>"
    assert story.status == "draft"  # states move only through the desk
    response = editor_client.post(f"/newsroom/news/article/{story.pk}/desk/", {"action": "publish"})
    assert response.status_code == 302
    editor_client.logout()
    assert "Rial steadies" in client.get("/section/economy/").content.decode()
    page = client.get(story.get_absolute_url()).content.decode()
    assert author.name in page and tag.name in page


def test_publish_and_unpublish_actions(editor_client, client):
    story = make_article(status="draft")
    response = editor_client.post("/newsroom/news/article/", {"action": "publish_now", "_selected_action": [story.pk]})
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == "published"
    editor_client.post("/newsroom/news/article/", {"action": "unpublish", "_selected_action": [story.pk]})
    story.refresh_from_db()
    assert story.status == "unpublished"


def test_readers_cannot_enter_the_newsroom(client):
    response = client.get("/newsroom/news/article/")
    assert response.status_code == 302
    assert response["Location"].startswith("/newsroom/login/")


def test_first_account_has_a_one_time_password_and_is_made_once(capsys, django_user_model):
    call_command("newsroom_account")
    first = capsys.readouterr().out
    assert "one-time password" in first
    call_command("newsroom_account")
    assert "existing account" in capsys.readouterr().out
    assert django_user_model.objects.filter(is_superuser=True).count() == 1


def test_story_text_fields_follow_the_direction_of_what_is_typed(editor_client):
    """Headline, summary and body in the newsroom take the direction of their text (dir="auto"),
    so a Persian story is edited right to left in the English newsroom."""
    story = make_article(language="fa", headline="دیدار در تهران")
    html = editor_client.get(f"/newsroom/news/article/{story.pk}/change/").content.decode()
    for name in ("headline", "summary", "body"):
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', html).group()
        assert 'dir="auto"' in tag, tag


def test_the_newsroom_says_story_where_people_read_it(editor_client):
    """Titles, the newsroom's index and the comment screens name stories, not articles."""
    assert "<title>Add story |" in editor_client.get("/newsroom/news/article/add/").content.decode()
    assert "<title>Select story to change |" in editor_client.get("/newsroom/news/article/").content.decode()
    index = editor_client.get("/newsroom/").content.decode()
    assert ">Stories</a>" in index and "Story comment modes" in index
    assert not re.search(r">\s*Articles?\b", index)


# Sections, tags and authors: every way the newsroom changes one reaches the readers' cached pages.

@pytest.fixture
def reader():
    """A reader's browser, apart from the signed-in editor's (whose pages are never cached)."""
    return Client()


@pytest.fixture
def filed():
    section = make_section(name="Politics", slug="politics")
    tag, author = make_tag(name="Oil", slug="oil"), make_author(name="Omar Hassan", slug="omar-hassan")
    story = make_article(section=section, tags=[tag], authors=[author], headline="Exports rise")
    return section, tag, author, story


def _held(reader, *paths) -> None:
    for path in paths:
        reader.get(path)
        assert reader.get(path)["X-Cache"] == "hit", path


def _read(reader, path) -> str:
    response = reader.get(path)
    assert response["X-Cache"] == "miss", f"{path} was answered from the cache"
    return response.content.decode()


def test_renaming_a_section_in_its_form_renames_it_on_every_cached_story_page(
        editor_client, reader, filed, django_capture_on_commit_callbacks):
    section, _, _, story = filed
    other = make_article(headline="Cup final")
    _held(reader, story.get_absolute_url(), other.get_absolute_url(), "/")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/newsroom/news/section/{section.pk}/change/", {
            "name": "Politics and Power", "name_fa": "", "slug": "politics", "description": "", "position": 0})
    assert response.status_code == 302, response.content.decode()[:2000]
    for path in (story.get_absolute_url(), other.get_absolute_url(), "/"):
        assert '<a href="/section/politics/">Politics and Power</a>' in _read(reader, path), path


def test_the_section_lists_editable_columns_reach_cached_pages(editor_client, reader, filed,
                                                                django_capture_on_commit_callbacks):
    """A Persian name and a new order saved from the list are on the cached pages of both editions."""
    section, _, _, story = filed
    make_section(name="Sport", slug="sport", position=1)
    persian = make_article(section=section, language="fa", headline="صادرات نفت")
    _held(reader, story.get_absolute_url(), persian.get_absolute_url())
    rows = list(Section.objects.order_by("position", "name"))
    form = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows)), "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000", "_save": "Save"}
    for number, row in enumerate(rows):
        form.update({f"form-{number}-id": str(row.pk), f"form-{number}-name_fa": row.name_fa,
                     f"form-{number}-position": str(row.position)})
        if row.pk == section.pk:
            form.update({f"form-{number}-name_fa": "سیاست", f"form-{number}-position": "5"})
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post("/newsroom/news/section/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Section.objects.get(pk=section.pk).name_fa == "سیاست"
    html = _read(reader, story.get_absolute_url())
    assert html.index(">Sport<") < html.index(">Politics<")
    assert '<a href="/fa/section/politics/">سیاست</a>' in _read(reader, persian.get_absolute_url())


def test_renaming_a_tag_and_an_author_in_their_forms_reaches_the_story_page_and_search(
        editor_client, reader, filed, django_capture_on_commit_callbacks):
    _, tag, author, story = filed
    _held(reader, story.get_absolute_url(), "/author/omar-hassan/")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/newsroom/news/tag/{tag.pk}/change/", {"name": "Petroleum", "slug": "petroleum"})
        assert response.status_code == 302, response.content.decode()[:2000]
        response = editor_client.post(f"/newsroom/news/author/{author.pk}/change/", {
            "name": "Omar Hassan Ali", "slug": "omar-hassan", "bio": "Energy correspondent.", "user": ""})
        assert response.status_code == 302, response.content.decode()[:2000]
    html = _read(reader, story.get_absolute_url())
    assert '<a rel="tag" dir="auto" href="/tag/petroleum/">Petroleum</a>' in html
    assert ">Omar Hassan Ali</a>" in html
    assert "Energy correspondent." in _read(reader, "/author/omar-hassan/")
    assert [hit.article.pk for hit in search.search("petroleum", language="en").hits] == [story.pk]


def test_deleting_a_tag_in_the_newsroom_takes_it_off_its_stories_cached_pages(
        editor_client, reader, filed, django_capture_on_commit_callbacks):
    _, tag, _, story = filed
    _held(reader, story.get_absolute_url(), "/tag/oil/")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/newsroom/news/tag/{tag.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Tag.objects.filter(pk=tag.pk).exists()
    assert 'href="/tag/oil/"' not in _read(reader, story.get_absolute_url())
    assert reader.get("/tag/oil/").status_code == 404


def test_the_delete_selected_action_on_authors_takes_them_off_cached_bylines(
        editor_client, reader, filed, django_capture_on_commit_callbacks):
    _, _, author, story = filed
    second = make_author(name="Sara Karimi")
    story_two = make_article(authors=[second])
    _held(reader, story.get_absolute_url(), story_two.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post("/newsroom/news/author/", {
            "action": "delete_selected", "_selected_action": [author.pk, second.pk], "post": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not Author.objects.filter(pk__in=[author.pk, second.pk]).exists()
    assert "Omar Hassan" not in _read(reader, story.get_absolute_url())
    assert "Sara Karimi" not in _read(reader, story_two.get_absolute_url())


def test_the_delete_selected_action_on_an_empty_section_takes_it_out_of_the_navigation(
        editor_client, reader, filed, django_capture_on_commit_callbacks):
    _, _, _, story = filed
    letters = make_section(name="Letters", slug="letters")
    _held(reader, story.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post("/newsroom/news/section/", {
            "action": "delete_selected", "_selected_action": [letters.pk], "post": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "/section/letters/" not in _read(reader, story.get_absolute_url())
