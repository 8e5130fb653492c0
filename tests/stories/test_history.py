"""Every change leaves a revision and an audit entry naming who made it, whichever entrance it came through."""

import json

import pytest
from django.utils import timezone

from masthead.news.models import Article
from masthead.newsroom.models import Revision, StateChange
from masthead.stories import changes, rules
from tests.news.factories import make_section
from tests.newsroom.factories import make_draft, make_user
from tests.syndication.factories import make_token

pytestmark = pytest.mark.django_db


def _api(client, method, path, token, data=None):
    return getattr(client, method)(path, data=json.dumps(data or {}), content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {token}")


def test_an_api_edit_and_an_api_publish_each_record_a_revision_and_an_audit_entry_naming_the_token(client):
    """The token acts as its account: the revisions and the audit trail say who, as a desk save would."""
    sara, editor = make_user("reporter", username="sara"), make_user("editor", username="ed")
    draft = make_draft(by=sara, headline="First words")
    edited = _api(client, "patch", f"/api/v1/articles/{draft.pk}", make_token(sara), {"headline": "Better words"})
    assert edited.status_code == 200, edited.content
    published = _api(client, "post", f"/api/v1/articles/{draft.pk}/publish", make_token(editor))
    assert published.status_code == 200, published.content
    kept = [(r.number, r.by.username, r.note, r.changed) for r in Revision.objects.filter(article=draft).order_by("number")]
    assert kept[1] == (2, "sara", "Edited", ["headline"])
    assert kept[2][:3] == (3, "ed", "Published") and "status" in kept[2][3]
    trail = [(c.from_state, c.to_state, c.by.username) for c in StateChange.objects.filter(article=draft).order_by("id")]
    assert trail == [("new", "draft", "sara"), ("draft", "published", "ed")]


def test_an_api_created_story_starts_its_history_with_the_tokens_account(client):
    sara = make_user("reporter", username="sara")
    section = make_section(slug="politics")
    response = _api(client, "post", "/api/v1/articles", make_token(sara), {"headline": "Wire copy", "section": section.slug})
    story = Article.objects.get(pk=int(response.json()["altids"][0]["value"]))
    revision = story.revisions.get()
    assert (revision.number, revision.by, revision.note) == (1, sara, "Created")
    assert [(c.from_state, c.to_state, c.by) for c in story.state_changes.all()] == [("new", "draft", sara)]


def test_the_products_own_changes_are_named_in_the_note():
    """A change with no account (the demo loader, a system import) names its actor in the revision and the audit."""
    loader = rules.System("demo loader")
    story = changes.create(Article(headline="Demo story", section=make_section(), status=Article.Status.PUBLISHED,
                                   published_at=timezone.now()), by=loader)
    revision = story.revisions.get()
    assert revision.by is None and revision.note == "Created (demo loader)"
    entry = story.state_changes.get()
    assert (entry.from_state, entry.to_state, entry.by, entry.note) == ("new", "published", None, "Created (demo loader)")
