import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.utils import timezone

from masthead.comments import moderation
from masthead.comments.models import Ban, Comment
from tests.comments.factories import make_comment, post_comment, set_mode
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)
DESK = "/newsroom/comments/comment/"


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user("mod", password="a-long-password-1", is_staff=True)
    user.groups.add(moderation.moderator_group())
    return user


@pytest.fixture
def reporter(django_user_model):
    return django_user_model.objects.create_user("rep", password="a-long-password-1", is_staff=True)


def test_the_moderator_role_is_made_by_migration_and_may_run_twice():
    """The data migration makes the group with the desk's permissions (run here on the live registry)."""
    migration = importlib.import_module("masthead.comments.migrations.0002_moderator_group")
    Group.objects.filter(name="moderator").delete()
    migration.create_moderator_group(apps, None)
    migration.create_moderator_group(apps, None)
    codenames = set(Group.objects.get(name="moderator").permissions.values_list("codename", flat=True))
    assert {"moderate_comment", "view_comment", "change_comment", "add_ban"} <= codenames


def test_who_may_moderate(moderator, reporter, django_user_model):
    editor = django_user_model.objects.create_user("ed", is_staff=True)
    editor.groups.add(Group.objects.get_or_create(name="editor")[0])
    boss = django_user_model.objects.create_superuser("boss", password="a-long-password-1")
    outsider = django_user_model.objects.create_user("reader")
    outsider.groups.add(moderation.moderator_group())
    assert [moderation.can_moderate(u) for u in (moderator, editor, boss, reporter, outsider)] == \
        [True, True, True, False, False]


def test_only_moderators_see_the_desk(client, moderator, reporter):
    make_comment(make_article())
    client.force_login(reporter)
    assert client.get(DESK).status_code == 403
    client.force_login(moderator)
    assert client.get(DESK).status_code == 200


def test_the_queue_shows_pending_comments_with_headline_and_age_oldest_first(client, moderator):
    story = make_article(headline="Budget passes parliament")
    now = timezone.now()
    make_comment(story, body="Old one.", created_at=now - timedelta(hours=3))
    make_comment(story, body="New one.", created_at=now - timedelta(minutes=5))
    make_comment(story, body="Already approved.", status="approved")
    client.force_login(moderator)
    html = client.get(DESK).content.decode()
    assert "Budget passes parliament" in html
    assert "2 comments await moderation; the oldest has waited 3\xa0hours" in html
    assert html.index("Old one.") < html.index("New one.")
    assert "Already approved." not in html
    newest_first = client.get(DESK + "?o=-5").content.decode()  # column 5: "waiting"
    assert newest_first.index("New one.") < newest_first.index("Old one.")
    assert "Already approved." in client.get(DESK + "?queue=all").content.decode()


def test_approving_shows_the_comment_at_once_and_purges_only_that_article(client, moderator):
    story, other = make_article(), make_article()
    comment = make_comment(story, body="Worth reading.")
    reader = client.__class__()
    for page in (story, other):
        reader.get(page.get_absolute_url())
    client.force_login(moderator)
    response = client.post(DESK, {"action": "approve", "_selected_action": [comment.pk]}, follow=True)
    assert "1 comment approved." in response.content.decode()
    fresh = reader.get(story.get_absolute_url())
    assert fresh["X-Cache"] == "miss" and "Worth reading." in fresh.content.decode()
    assert reader.get(other.get_absolute_url())["X-Cache"] == "hit"
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by) == ("approved", moderator)


def test_removing_an_approved_comment_takes_it_off_the_page(client, moderator):
    story = make_article()
    comment = make_comment(story, status="approved", body="Regrettable words.")
    reader = client.__class__()
    assert "Regrettable words." in reader.get(story.get_absolute_url()).content.decode()
    client.force_login(moderator)
    client.post(f"{DESK}{comment.pk}/change/", {"_reject": "Reject"})
    assert "Regrettable words." not in reader.get(story.get_absolute_url()).content.decode()
    assert Comment.objects.get().status == "rejected"


def test_bulk_actions_act_on_every_selected_comment(client, moderator):
    story = make_article()
    comments = [make_comment(story) for _ in range(3)]
    client.force_login(moderator)
    client.post(DESK, {"action": "mark_spam", "_selected_action": [c.pk for c in comments[:2]]})
    assert sorted(Comment.objects.values_list("status", flat=True)) == ["pending", "spam", "spam"]


def test_banning_an_address_refuses_its_next_comment(client, moderator):
    story = make_article()
    comment = make_comment(story, ip="127.0.0.1", email="Spam@Example.org")
    client.force_login(moderator)
    client.post(DESK, {"action": "ban_email", "_selected_action": [comment.pk]})
    assert Ban.objects.filter(kind="email", value="spam@example.org").exists()
    assert Comment.objects.get().status == "spam"
    reader = client.__class__()
    assert post_comment(reader, story, email="spam@example.org").status_code == 403
    client.post(f"{DESK}{comment.pk}/change/", {"_ban_ip": "Ban IP address"})
    assert post_comment(reader, story).status_code == 403
    assert Comment.objects.count() == 1


def test_one_at_a_time_from_the_comment_page(client, moderator):
    comment = make_comment(make_article(), body="Approve me.")
    client.force_login(moderator)
    page = client.get(f"{DESK}{comment.pk}/change/").content.decode()
    assert 'name="_approve"' in page and "Approve me." in page
    client.post(f"{DESK}{comment.pk}/change/", {"_approve": "Approve"})
    assert Comment.objects.get().status == "approved"


def test_a_reporter_cannot_act_even_by_posting_directly(client, reporter):
    comment = make_comment(make_article())
    client.force_login(reporter)
    response = client.post(DESK, {"action": "approve", "_selected_action": [comment.pk]})
    assert response.status_code == 403
    assert Comment.objects.get().status == "pending"


def test_changing_an_articles_mode_changes_its_page_at_once(client, moderator):
    story = make_article()
    reader = client.__class__()
    assert 'id="comment-form"' in reader.get(story.get_absolute_url()).content.decode()
    client.force_login(moderator)
    assert client.get("/newsroom/comments/articlecomments/add/").status_code == 200
    response = client.post("/newsroom/comments/articlecomments/add/", {"article": story.pk, "mode": "closed"})
    assert response.status_code == 302
    assert "closed" in reader.get(story.get_absolute_url()).content.decode()
    assert 'id="comment-form"' not in reader.get(story.get_absolute_url()).content.decode()
    set_mode(story, "open")
