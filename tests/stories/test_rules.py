"""One rule of who may do what, met the same at every entrance: the API answers as the desk does."""

import json

import pytest

from masthead.news.models import Article
from masthead.stories import changes
from tests.newsroom.factories import make_draft, make_user
from tests.syndication.factories import make_token

pytestmark = pytest.mark.django_db


def _api(client, method, path, token, data=None, **headers):
    return getattr(client, method)(path, data=json.dumps(data) if data is not None else None,
                                   content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_a_reporters_token_gets_404_for_another_reporters_draft_and_cannot_change_it(client):
    """Reporter A's token cannot read or rewrite reporter B's draft, before or after B submits it, as on the desk."""
    sara, reza = make_user("reporter", username="sara"), make_user("reporter", username="reza")
    draft = make_draft(by=reza, headline="Reza's scoop", body="Only Reza has this.")
    token = make_token(sara)
    for _round in ("draft", "review"):
        read = _api(client, "get", f"/api/v1/articles/{draft.pk}", token)
        assert read.status_code == 404 and read.json()["error"]["message"] == f"no visible story with News ID {draft.pk}"
        write = _api(client, "patch", f"/api/v1/articles/{draft.pk}", token, {"headline": "Sara's now"})
        assert write.status_code == 404 and write.json()["error"]["message"] == f"no story with News ID {draft.pk}"
        published = _api(client, "post", f"/api/v1/articles/{draft.pk}/publish", token, {})
        assert published.status_code == 404
        changes.submit(draft, by=reza) if _round == "draft" else None
    stored = Article.objects.get(pk=draft.pk)
    assert (stored.headline, stored.body, stored.status) == ("Reza's scoop", "Only Reza has this.", "review")
    client.force_login(sara)
    assert client.get(f"/newsroom/news/article/{draft.pk}/preview/").status_code == 404  # the desk's answer, the same


def test_a_story_created_through_the_api_belongs_to_the_tokens_account(client):
    """The reporter who made a story through the API finds it on the desk and may go on editing it there and by API."""
    sara = make_user("reporter", username="sara")
    token = make_token(sara)
    make_draft(by=sara, headline="Filed earlier")  # makes the section the API files under
    section = Article.objects.get(headline="Filed earlier").section
    created = _api(client, "post", "/api/v1/articles", token, {"headline": "Filed by API", "section": section.slug})
    assert created.status_code == 201, created.content
    story = Article.objects.get(headline="Filed by API")
    assert story.created_by == sara
    assert _api(client, "get", f"/api/v1/articles/{story.pk}", token).status_code == 200
    client.force_login(sara)
    assert "Filed by API" in client.get("/newsroom/news/article/").content.decode()
    assert client.get(f"/newsroom/news/article/{story.pk}/change/").status_code == 200


def test_a_reporter_may_not_change_own_story_once_submitted_at_either_entrance(client):
    """In review, the story is the desk's: the API refuses with 403 and the rule's words, as the newsroom form does."""
    sara = make_user("reporter", username="sara")
    story = changes.submit(make_draft(by=sara, headline="Submitted"), by=sara)
    response = _api(client, "patch", f"/api/v1/articles/{story.pk}", make_token(sara), {"headline": "Changed"})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == f"this token's user may not do this: You may not edit story {story.pk}."
    client.force_login(sara)
    assert client.post(f"/newsroom/news/article/{story.pk}/change/",
                       {"headline": "Changed", "section": story.section_id, "language": "en"}).status_code == 403
    assert Article.objects.get(pk=story.pk).headline == "Submitted"


def test_only_the_editor_role_publishes_through_the_api(client):
    """The reporter who wrote a draft may read it but not publish it; an editor's token may."""
    sara, editor = make_user("reporter", username="sara"), make_user("editor", username="ed")
    draft = make_draft(by=sara)
    refused = _api(client, "post", f"/api/v1/articles/{draft.pk}/publish", make_token(sara), {})
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == \
        "this token's user may not do this: Only an editor can publish or schedule a story."
    published = _api(client, "post", f"/api/v1/articles/{draft.pk}/publish", make_token(editor), {})
    assert published.status_code == 200 and published.json()["pubstatus"] == "usable"
