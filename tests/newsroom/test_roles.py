"""Each role sees only what it may: every refusal is proved through the newsroom itself."""

import pytest
from django.contrib.auth.models import Group

from masthead.news.models import Article
from masthead.stories import changes
from tests.news.factories import make_article, make_section
from tests.newsroom.factories import make_draft, make_user

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def test_migration_creates_the_four_roles():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"reporter", "editor", "moderator", "admin"} <= names
    reporter = set(Group.objects.get(name="reporter").permissions.values_list("codename", flat=True))
    assert "change_article" in reporter and "publish_article" not in reporter and "edit_any_article" not in reporter


def test_reporter_sees_only_own_stories(client):
    reporter = make_user("reporter")
    mine, theirs = make_draft(by=reporter, headline="Mine"), make_draft(by=make_user("reporter"), headline="Theirs")
    page = _as(client, reporter).get("/newsroom/news/article/").content.decode()
    assert "Mine" in page and "Theirs" not in page
    assert client.get(f"/newsroom/news/article/{theirs.pk}/change/").status_code == 302  # "does not exist"
    assert client.get(f"/newsroom/news/article/{mine.pk}/change/").status_code == 200


def test_reporter_cannot_publish_through_the_desk(client):
    reporter = make_user("reporter")
    story = make_draft(by=reporter)
    response = _as(client, reporter).post(f"/newsroom/news/article/{story.pk}/desk/", {"action": "publish"})
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.status == "draft"


def test_reporter_cannot_edit_a_submitted_story(client):
    """Once in review, the reporter's own story is read-only to them: a POST is refused."""
    reporter = make_user("reporter")
    story = changes.submit(make_draft(by=reporter), by=reporter)
    response = _as(client, reporter).post(f"/newsroom/news/article/{story.pk}/change/",
                                          {"headline": "Changed", "section": story.section_id, "language": "en"})
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.headline != "Changed"


def test_reporter_cannot_see_people_or_manage_sections(client):
    _as(client, make_user("reporter"))
    assert client.get("/newsroom/auth/user/").status_code == 403
    assert client.get("/newsroom/news/section/add/").status_code == 403


def test_editor_cannot_manage_people_or_sections(client):
    _as(client, make_user("editor"))
    assert client.get("/newsroom/auth/user/").status_code == 403
    assert client.get("/newsroom/news/section/add/").status_code == 403
    assert client.get("/newsroom/news/article/").status_code == 200


def test_moderator_sees_no_stories_or_pictures(client):
    _as(client, make_user("moderator"))
    assert client.get("/newsroom/news/article/").status_code == 403
    assert client.get("/newsroom/media/image/").status_code == 403
    assert client.get("/newsroom/news/article/add/").status_code == 403


def test_admin_manages_people_and_sections_but_does_not_write_or_publish(client):
    story = make_article()
    _as(client, make_user("admin"))
    assert client.get("/newsroom/auth/user/").status_code == 200
    assert client.get("/newsroom/news/section/add/").status_code == 200
    assert client.get("/newsroom/news/article/add/").status_code == 403
    # Stories are not the administrator's to move: the desk does not even find them.
    assert client.post(f"/newsroom/news/article/{story.pk}/desk/", {"action": "unpublish"}).status_code == 404
    story.refresh_from_db()
    assert story.is_visible()


def test_editor_publishes_through_the_desk(client):
    story = make_draft(by=make_user("reporter"))
    response = _as(client, make_user("editor")).post(f"/newsroom/news/article/{story.pk}/desk/", {"action": "publish"})
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.is_visible()


def test_a_reporter_writes_a_story_and_it_is_theirs(client):
    """The add form files the story under its writer, as a draft, with new tags made on the fly."""
    reporter = make_user("reporter")
    section = make_section()
    response = _as(client, reporter).post("/newsroom/news/article/add/", {
        "headline": "Tehran metro opens line 10", "body": "## Route\n\n- Azadi\n- Enghelab", "section": section.pk,
        "language": "en", "new_tags": "Tehran, Transport", "kicker": "", "summary": "", "source": "", "slug": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    story = Article.objects.get(headline="Tehran metro opens line 10")
    assert story.created_by == reporter and story.status == "draft"
    assert sorted(story.tags.values_list("name", flat=True)) == ["Tehran", "Transport"]
    assert "<h2>Route</h2>" in story.body_html
    assert [c.to_state for c in story.state_changes.all()] == ["draft"]


def test_editors_may_moderate_comments_by_permission():
    """The editor role carries the comment desk's permissions, as the comments app expects of editors."""
    editor = make_user("editor")
    assert editor.has_perm("comments.moderate_comment")
    assert not make_user("reporter").has_perm("comments.moderate_comment")
