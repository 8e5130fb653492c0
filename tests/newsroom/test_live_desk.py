"""The live desk: a story's live page in the newsroom, where reporters post and editors run the coverage."""

import pytest
from django.contrib.messages import get_messages

from masthead.live.models import LiveUpdate
from masthead.stories import live
from tests.live.factories import make_live_story, post
from tests.news.factories import make_article
from tests.newsroom.factories import make_user

pytestmark = pytest.mark.django_db


def _told(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def _desk(story) -> str:
    return f"/newsroom/news/article/{story.pk}/live/"


def test_the_story_form_links_to_its_live_desk(client):
    story = make_article()
    client.force_login(make_user("editor"))
    assert f'href="{_desk(story)}"' in client.get(f"/newsroom/news/article/{story.pk}/change/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_editor_starts_coverage_posts_a_pinned_key_event_and_ends_it(client):
    """Each button goes through the story service and says what it did; the stream shows the result."""
    editor = make_user("editor")
    client.force_login(editor)
    story = make_article()
    assert "Start live coverage" in client.get(_desk(story)).content.decode()
    assert ("success", "Live coverage started.") in _told(client.post(_desk(story), {"action": "start"}))
    told = _told(client.post(_desk(story), {"action": "post", "headline": "Polls open", "body": "Queues at *dawn*.",
                                            "key_event": "1", "pinned": "1"}))
    assert ("success", "Update 1 posted.") in told
    assert any(level == "info" and text.startswith("Live on the site in ") for level, text in told)
    update = LiveUpdate.objects.get(article=story, number=1)
    assert (update.key_event, update.pinned, update.author_id, update.body_html) == (True, True, editor.pk,
                                                                                     "<p>Queues at <em>dawn</em>.</p>")
    page = client.get(_desk(story)).content.decode()
    assert 'id="update-1"' in page and "Queues at <em>dawn</em>." in page and "End coverage" in page
    assert ("success", "Live coverage ended.") in _told(client.post(_desk(story), {"action": "end"}))
    assert "Post update" not in client.get(_desk(story)).content.decode()


def test_pin_key_event_correct_and_delete_buttons(client):
    client.force_login(make_user("editor"))
    story = make_live_story()
    post(story, "First.")
    post(story, "Second.")
    assert ("success", "Update 1 pinned.") in _told(client.post(_desk(story), {"action": "pin", "update": "1"}))
    assert ("success", "Update 2 is a key event.") in _told(client.post(_desk(story), {"action": "key", "update": "2"}))
    form = client.get(_desk(story) + "?edit=2").content.decode()
    assert 'name="note"' in form and "Second." in form
    assert ("error", "Say what the correction changes: readers see it with the update.") in _told(
        client.post(_desk(story), {"action": "correct", "update": "2", "body": "Second, fixed.", "note": ""}))
    assert ("success", "Update 2 corrected.") in _told(
        client.post(_desk(story), {"action": "correct", "update": "2", "body": "Second, fixed.", "note": "Typo."}))
    assert ("success", "Update 1 deleted.") in _told(client.post(_desk(story), {"action": "delete", "update": "1"}))
    shown = list(LiveUpdate.objects.shown().filter(article=story).values_list("number", "key_event", "correction"))
    assert shown == [(2, True, "Typo.")]
    assert ("error", f"Story {story.pk} has no update 9.") in _told(client.post(_desk(story), {"action": "pin", "update": "9"}))
    told = _told(client.post(_desk(story), {"action": "pin", "update": "x"}))
    assert [text for level, text in told if level == "error"][-1] == (
        "No such update: must be a whole number from 0 to 9223372036854775807, not 'x'")


def test_a_reporter_posts_to_anyones_live_story_but_may_not_pin_or_end(client):
    reporter = make_user("reporter")
    client.force_login(reporter)
    story = make_live_story()
    page = client.get(_desk(story)).content.decode()
    assert "Post update" in page and "End coverage" not in page and 'name="pinned"' not in page
    assert ("success", "Update 1 posted.") in _told(client.post(_desk(story), {"action": "post", "body": "Seen it."}))
    assert ("error", "Only an editor can pin an update or mark a key event.") in _told(
        client.post(_desk(story), {"action": "post", "body": "Pin me.", "pinned": "1"}))
    assert ("error", "Only an editor can end live coverage.") in _told(client.post(_desk(story), {"action": "end"}))
    assert ("error", "Only an editor can pin an update.") in _told(client.post(_desk(story), {"action": "pin", "update": "1"}))
    assert live.coverage(story).ended_at is None


def test_text_that_is_not_text_is_refused_naming_the_field_and_nothing_posted(client):
    client.force_login(make_user("editor"))
    story = make_live_story()
    told = _told(client.post(_desk(story), {"action": "post", "body": "Bad \x01 byte."}))
    assert any(level == "error" and text.startswith("body: Contains a control character") for level, text in told)
    assert not LiveUpdate.objects.filter(article=story).exists()


def test_moderators_get_no_live_desk(client):
    client.force_login(make_user("moderator"))
    assert client.get(_desk(make_live_story())).status_code == 403


def test_the_desk_costs_a_few_queries_whatever_the_number_of_updates(client, django_assert_max_num_queries):
    """One fast page: the story, its coverage and its updates, plus the admin's own session and user reads."""
    client.force_login(make_user("editor"))
    story = make_live_story()
    for n in range(30):
        post(story, f"Update {n}.")
    with django_assert_max_num_queries(12):
        assert client.get(_desk(story)).status_code == 200
