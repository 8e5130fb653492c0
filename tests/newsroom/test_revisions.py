import re

import pytest

from masthead.news.models import Article
from masthead.newsroom import revisions
from masthead.stories import history
from tests.newsroom.factories import make_draft, make_user

pytestmark = pytest.mark.django_db


def _form(article, **changes):
    """The change form's fields as the browser would send them back, with ``changes`` applied."""
    data = {"kicker": article.kicker, "headline": article.headline, "slug": article.slug, "summary": article.summary,
            "body": article.body, "source": article.source, "section": article.section_id, "language": article.language,
            "loaded_version": article.version, "new_tags": "", "lead_image": "", "embargo_until_0": "",
            "embargo_until_1": "", "breaking_until_0": "", "breaking_until_1": ""}
    data.update(changes)
    return data


def _save(client, article, **changes):
    return client.post(f"/newsroom/news/article/{article.pk}/change/", _form(article, **changes))


def test_every_save_keeps_a_revision_with_who_and_what_changed(client):
    editor = make_user("editor", username="ed")
    story = make_draft(by=editor, headline="First headline")
    client.force_login(editor)
    assert _save(client, story, headline="Second headline").status_code == 302
    story.refresh_from_db()
    assert _save(client, story, body="New body.").status_code == 302
    kept = list(story.revisions.order_by("number"))
    assert [(r.number, r.note) for r in kept] == [(1, "Created"), (2, "Edited"), (3, "Edited")]
    assert kept[1].by.username == "ed" and kept[1].changed == ["headline"]
    assert kept[2].changed == ["body"]


def test_diff_between_two_revisions_is_escaped(client):
    """A body holding markup is shown as text in the diff, never run."""
    editor = make_user("editor")
    story = make_draft(by=editor, body="Plain first line.")
    client.force_login(editor)
    _save(client, story, body="Plain first line.\n\n<script>alert(1)</script>")
    story.refresh_from_db()
    _save(client, story, headline="A new headline")
    older, newer = story.revisions.order_by("number")[1:3]
    tables = revisions.diff(older, newer)
    assert [t.label for t in tables] == ["Headline"]
    page = client.get(f"/newsroom/news/article/{story.pk}/revisions/?a=2&b=3").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" not in page  # body unchanged between 2 and 3
    first = history.record(story, by=editor)
    story.body = "Plain first line.\n\nSafe again."
    story.save()
    second = history.record(story, by=editor)
    html = "".join(t.table for t in revisions.diff(first, second))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html


def test_restore_puts_back_the_words_as_a_new_revision(client):
    editor = make_user("editor")
    story = make_draft(by=editor, headline="Original headline", body="Original body.")  # revision 1
    client.force_login(editor)
    _save(client, story, headline="Rewritten headline", body="Rewritten body.")
    response = client.post(f"/newsroom/news/article/{story.pk}/revisions/1/restore/")
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.headline == "Original headline" and story.body == "Original body."
    latest = story.revisions.first()
    assert latest.number == 3 and latest.note == "Restored revision 1"
    assert set(latest.changed) >= {"headline", "body"}


def test_reporter_cannot_restore_a_story_past_draft(client):
    reporter = make_user("reporter")
    story = make_draft(by=reporter)
    Article.objects.filter(pk=story.pk).update(status="review")
    client.force_login(reporter)
    assert client.post(f"/newsroom/news/article/{story.pk}/revisions/1/restore/").status_code == 403


def test_second_editor_saving_a_stale_form_is_told_and_overwrites_nothing(client):
    """Two editors open the same story; the first saves; the second's save is refused with a message."""
    first, second = make_user("editor", username="anna"), make_user("editor", username="bahram")
    story = make_draft(by=first, headline="Opened by both")
    opened = Article.objects.get(pk=story.pk)  # both forms carry this version
    client.force_login(first)
    assert _save(client, opened, headline="Anna's headline").status_code == 302
    client.force_login(second)
    response = _save(client, opened, headline="Bahram's headline")
    assert response.status_code == 200
    page = response.content.decode()
    assert "This story changed under you: anna saved it at" in page
    assert "Your changes are not saved." in page
    story.refresh_from_db()
    assert story.headline == "Anna's headline"
    assert re.search(r'name="loaded_version" value="\d+"', page)
