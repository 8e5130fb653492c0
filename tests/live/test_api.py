"""Live updates through the JSON API: the same service and rules as the live desk."""

import json

import pytest

from masthead.live.models import LiveUpdate
from masthead.newsroom.models import Revision
from tests.live.factories import make_live_story, post
from tests.syndication.factories import REPORTER, make_token, make_user

pytestmark = pytest.mark.django_db


def _send(client, method, url, data=None, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if data is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json", **headers)


def test_an_editor_posts_pins_corrects_and_deletes_through_the_api(client):
    editor = make_user(groups=["editor"], username="ed")
    token = make_token(editor)
    story = make_live_story()
    url = f"/api/v1/articles/{story.pk}/updates"
    made = _send(client, "post", url, {"body": "Polls *open*.", "headline": "Polls", "key_event": True}, token)
    assert made.status_code == 201 and made["Cache-Control"] == "private, no-store"
    assert {k: made.json()[k] for k in ("number", "html", "key_event", "author", "corrected")} == {
        "number": 1, "html": "<p>Polls <em>open</em>.</p>", "key_event": True, "author": "ed", "corrected": None}
    assert made.json()["url"].endswith(f"{story.get_absolute_url()}#update-1")
    pinned = _send(client, "patch", f"{url}/1", {"pinned": True}, token).json()
    assert pinned["pinned"] is True
    corrected = _send(client, "patch", f"{url}/1", {"body": "Polls open at 8.", "note": "Added the time."}, token).json()
    assert (corrected["body"], corrected["correction"], corrected["headline"]) == ("Polls open at 8.", "Added the time.", "Polls")
    assert corrected["corrected"] is not None
    gone = _send(client, "delete", f"{url}/1", token=token)
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert _send(client, "delete", f"{url}/1", token=token).status_code == 404
    notes = set(Revision.objects.filter(article=story, by=editor).values_list("note", flat=True))
    assert {"Live update 1 posted", "Live update 1 pinned", "Live update 1 corrected: Added the time.",
            "Live update 1 deleted"} <= notes


def test_the_public_read_lists_updates_newest_first_and_since(client):
    story = make_live_story()
    for n in range(1, 4):
        post(story, f"Update {n}.")
    answer = _send(client, "get", f"/api/v1/articles/{story.pk}/updates").json()
    assert ([u["number"] for u in answer["items"]], answer["running"], answer["ended"]) == ([3, 2, 1], True, None)
    newer = _send(client, "get", f"/api/v1/articles/{story.pk}/updates?since=2").json()
    assert ([u["number"] for u in newer["items"]], newer["newest"]) == ([3], 3)


def test_a_reporter_posts_but_may_not_pin_or_change_anothers_update(client):
    reporter = make_token(perms=REPORTER)
    story = make_live_story()
    url = f"/api/v1/articles/{story.pk}/updates"
    assert _send(client, "post", url, {"body": "Seen."}, reporter).status_code == 201
    refused = _send(client, "post", url, {"body": "Pinned.", "pinned": True}, reporter)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == ("this token's user may not do this: "
                                                  "Only an editor can pin an update or mark a key event.")
    theirs = post(story, "By the desk.")
    changed = _send(client, "patch", f"{url}/{theirs.number}", {"body": "Mine now.", "note": "x"}, reporter)
    assert changed.status_code == 403 and "You may correct only your own updates." in changed.json()["error"]["message"]


def test_bad_fields_are_named_and_nothing_is_posted(client):
    token = make_token(groups=["editor"])
    story = make_live_story()
    url = f"/api/v1/articles/{story.pk}/updates"
    for data, parameter, message in [
        ({"headline": "No body"}, "body", "is required: the update's text, in Markdown"),
        ({"body": "x", "colour": "red"}, "colour", "is not a field here; the fields are body, headline, key_event, pinned"),
        ({"body": "x", "pinned": "yes"}, "pinned", "must be true or false"),
        ({"body": "Bad \u0001 byte."}, "body", None),
    ]:
        response = _send(client, "post", url, data, token)
        assert response.status_code == 400, data
        error = response.json()["error"]
        assert error["parameter"] == parameter
        assert message is None and "control character" in error["message"] or error["message"] == message
    assert not LiveUpdate.objects.filter(article=story).exists()
    patch = _send(client, "patch", f"{url}/1", {"note": "Only a note."}, token)
    assert patch.status_code == 404  # no update 1 yet
    post(story, "One.")
    patch = _send(client, "patch", f"{url}/1", {"note": "Only a note."}, token)
    assert patch.status_code == 400 and patch.json()["error"]["message"] == (
        "a correction sends the whole corrected body, with a note saying what changed")


@pytest.mark.django_db(transaction=True)
def test_changes_made_through_the_api_reach_the_pages_already_open(client):
    """A page on the version before an API correction, pin and deletion is sent each of them by its next poll."""
    token = make_token(make_user(groups=["editor"]))
    story = make_live_story()
    post(story, "Ten hurt.")
    post(story, "A rumour.")
    page = client.get(f"/news/{story.pk}/updates/?version=0").json()["version"]
    address = f"/news/{story.pk}/updates/?version={page}"
    assert client.get(address).json()["changed"] is False
    url = f"/api/v1/articles/{story.pk}/updates"
    assert _send(client, "patch", f"{url}/1", {"body": "Twelve hurt.", "note": "Twelve, not ten.", "pinned": True},
                 token).status_code == 200
    assert _send(client, "delete", f"{url}/2", token=token).status_code == 200
    answer = client.get(address).json()
    assert (answer["changed"], answer["version"], answer["numbers"], answer["deleted"]) == (True, page + 3, [1], [2])
    assert "Twelve, not ten." in answer["html"] and 'id="pinned-update-1"' in answer["pinned"]


def test_the_api_lists_what_changed_after_a_version_deleted_updates_included(client):
    """``?version=`` gives the updates posted or changed since, a deleted one flagged; ``version`` says where to go on."""
    token = make_token(make_user(groups=["editor"]))
    story = make_live_story()
    post(story, "One.")
    post(story, "Two.")
    post(story, "Three.")
    url = f"/api/v1/articles/{story.pk}/updates"
    before = client.get(url).json()["version"]
    _send(client, "patch", f"{url}/1", {"body": "One, corrected.", "note": "Fixed."}, token)
    _send(client, "delete", f"{url}/2", token=token)
    answer = client.get(f"{url}?version={before}").json()
    assert answer["version"] == before + 2
    assert [(i["number"], i["deleted"], i["correction"]) for i in answer["items"]] == [(2, True, ""), (1, False, "Fixed.")]
    assert client.get(f"{url}?version={answer['version']}").json()["items"] == []
    bad = client.get(f"{url}?version=x")
    assert bad.status_code == 400 and bad.json()["error"]["parameter"] == "version"
    assert "must be a whole number from 0 to" in bad.json()["error"]["message"]
