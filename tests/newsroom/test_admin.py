import re
from datetime import datetime, timezone as dt_timezone

import pytest
from django.core.management import call_command

from masthead.news.models import Article
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
