import json
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from masthead.news.models import Article
from masthead.stories import changes
from tests.news.factories import make_article
from tests.newsroom.factories import make_draft, make_user
from tests.syndication.factories import make_token

pytestmark = pytest.mark.django_db


def _trail(article):
    return [(c.from_state, c.to_state, c.by.username) for c in article.state_changes.order_by("id")]


def test_reporter_submits_own_draft_and_the_move_is_logged():
    """draft → review, with who and when in the audit trail."""
    reporter = make_user("reporter", username="sara")
    story = make_draft(by=reporter)
    changes.submit(story, by=reporter)
    story.refresh_from_db()
    assert story.status == "review"
    assert _trail(story) == [("new", "draft", "sara"), ("draft", "review", "sara")]


def test_reporter_may_not_submit_someone_elses_draft():
    story = make_draft(by=make_user("reporter"))
    with pytest.raises(PermissionDenied, match="You may submit only your own drafts."):
        changes.submit(story, by=make_user("reporter"))


def test_reporter_may_not_publish_schedule_unpublish_correct_or_flag():
    """Each editor's move is refused to a reporter, with a message naming who may do it."""
    reporter = make_user("reporter")
    story = make_draft(by=reporter)
    later = timezone.now() + timedelta(hours=1)
    for move, message in [
        (lambda: changes.publish(story, by=reporter), "Only an editor can publish or schedule a story."),
        (lambda: changes.publish(story, by=reporter, at=later), "Only an editor can publish or schedule a story."),
        (lambda: changes.unpublish(story, by=reporter), "Only an editor can unpublish a story."),
        (lambda: changes.correct(story, by=reporter, text="x"), "Only an editor can correct a story."),
        (lambda: changes.flag_breaking(story, by=reporter, until=later), "Only an editor can flag breaking news."),
        (lambda: changes.return_to_draft(story, by=reporter), "Only an editor can send a story back to draft."),
    ]:
        with pytest.raises(PermissionDenied, match=message):
            move()
    story.refresh_from_db()
    assert story.status == "draft"


def test_editor_publishes_and_unpublishes():
    """review → published → unpublished; the story is visible in between and gone after."""
    reporter, editor = make_user("reporter", username="sara"), make_user("editor", username="ed")
    story = make_draft(by=reporter)
    changes.submit(story, by=reporter)
    changes.publish(story, by=editor)
    assert Article.objects.visible().filter(pk=story.pk).exists()
    changes.unpublish(story, by=editor)
    assert not Article.objects.visible().filter(pk=story.pk).exists()
    assert _trail(story) == [("new", "draft", "sara"), ("draft", "review", "sara"), ("review", "published", "ed"),
                             ("published", "unpublished", "ed")]


def test_editor_returns_a_story_to_draft():
    reporter, editor = make_user("reporter"), make_user("editor")
    story = make_draft(by=reporter)
    changes.submit(story, by=reporter)
    changes.return_to_draft(story, by=editor, note="Needs a second source")
    story.refresh_from_db()
    assert story.status == "draft"
    assert story.state_changes.first().note == "Needs a second source"


def test_scheduled_story_appears_at_its_second():
    """Visibility is a query: not a microsecond before the scheduled time, and from that second on."""
    editor = make_user("editor")
    story = make_draft(by=editor)
    at = (timezone.now() + timedelta(minutes=30)).replace(microsecond=0)
    changes.publish(story, by=editor, at=at)
    story.refresh_from_db()
    assert story.state == "scheduled"
    assert story.state_changes.first().note == f"Scheduled for {at:%H%M} GMT {at:%B} {at.day}, {at.year}"
    assert not Article.objects.visible(at=at - timedelta(microseconds=1)).filter(pk=story.pk).exists()
    assert Article.objects.visible(at=at).filter(pk=story.pk).exists()


def test_scheduling_in_the_past_is_refused():
    editor = make_user("editor")
    story = make_draft(by=editor)
    with pytest.raises(changes.WorkflowError, match="has already passed: choose a later time, or publish now."):
        changes.publish(story, by=editor, at=timezone.now() - timedelta(minutes=1))


def test_embargo_holds_a_story_published_now_until_its_second():
    """Publishing an embargoed story now schedules it for the embargo; it appears exactly then."""
    editor = make_user("editor")
    embargo = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    story = make_draft(by=editor, embargo_until=embargo)
    changes.publish(story, by=editor)
    story.refresh_from_db()
    assert story.published_at == embargo
    assert story.state == "scheduled"
    assert story.state_changes.first().note.startswith("Held by embargo until")
    assert not Article.objects.visible(at=embargo - timedelta(seconds=1)).filter(pk=story.pk).exists()
    assert Article.objects.visible(at=embargo).filter(pk=story.pk).exists()


def test_the_database_refuses_a_publication_time_before_the_embargo():
    """Even a bulk update that skips save() cannot put a story on the site before its embargo."""
    from django.db import IntegrityError, transaction

    story = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=story.pk).update(embargo_until=timezone.now() + timedelta(hours=1))
    assert Article.objects.visible().filter(pk=story.pk).exists()


def test_correction_is_recorded_shown_at_the_foot_and_listed(client):
    """'Correction, 0910 GMT April 13, 2021: …' at the foot, on /corrections/, and an Updated line."""
    editor = make_user("editor")
    story = make_article(published_at=datetime(2021, 4, 12, 5, 35, tzinfo=dt_timezone.utc), headline="Iran FM visit")
    correction = changes.correct(story, by=editor, text="An earlier version misspelt al-Araji.")
    Article.objects.filter(pk=story.pk).update(corrected_at=datetime(2021, 4, 13, 9, 10, tzinfo=dt_timezone.utc),
                                               updated_at=datetime(2021, 4, 13, 9, 10, tzinfo=dt_timezone.utc))
    type(correction).objects.filter(pk=correction.pk).update(created_at=datetime(2021, 4, 13, 9, 10, tzinfo=dt_timezone.utc))
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Correction, <time" in html
    assert "0910 GMT April 13, 2021</time>:</strong> An earlier version misspelt al-Araji." in html
    assert "<dt>Updated:</dt>" in html and "0910 GMT April 13, 2021" in html
    listing = client.get("/corrections/").content.decode()
    assert "An earlier version misspelt al-Araji." in listing
    assert story.get_absolute_url() in listing


def test_only_a_visible_story_takes_a_correction():
    editor = make_user("editor")
    with pytest.raises(changes.WorkflowError, match="Only a story readers can see takes a correction"):
        changes.correct(make_draft(by=editor), by=editor, text="Wrong date.")
    with pytest.raises(changes.WorkflowError, match="Write the correction"):
        changes.correct(make_article(), by=editor, text="  ")


def test_a_correction_purges_the_corrections_page(client, django_capture_on_commit_callbacks):
    editor = make_user("editor")
    story = make_article()
    assert "No corrections have been published." in client.get("/corrections/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        changes.correct(story, by=editor, text="Fixed the minister's title.")
    assert "Fixed the minister&#39;s title." in client.get("/corrections/").content.decode()


def test_breaking_banner_shows_until_its_expiry_and_bounds_the_home_cache(client):
    """The banner is on the home page, and the cached home page lives no longer than the banner."""
    editor = make_user("editor")
    story = make_article(headline="Earthquake hits Kerman")
    until = timezone.now() + timedelta(seconds=90)
    changes.flag_breaking(story, by=editor, until=until)
    response = client.get("/")
    assert 'class="breaking"' in response.content.decode() and "Earthquake hits Kerman" in response.content.decode()
    assert int(response["Cache-Control"].split("s-maxage=")[1]) <= 90
    assert not Article.objects.breaking(at=until).exists()
    assert Article.objects.breaking(at=until - timedelta(seconds=1)).exists()


def test_breaking_needs_a_future_expiry():
    editor = make_user("editor")
    with pytest.raises(changes.WorkflowError, match="needs an expiry time in the future"):
        changes.flag_breaking(make_article(), by=editor, until=timezone.now())


def _desk_form(article, **changes):
    """The change form as the browser sends it back, from the version ``article`` was read at."""
    data = {"kicker": article.kicker, "headline": article.headline, "slug": article.slug, "summary": article.summary,
            "body": article.body, "source": article.source, "section": article.section_id, "language": article.language,
            "loaded_version": article.version, "new_tags": "", "lead_image": "", "embargo_until_0": "",
            "embargo_until_1": "", "breaking_until_0": "", "breaking_until_1": ""}
    return {**data, **changes}


def _patch(client, article_id, token, data, **headers):
    return client.patch(f"/api/v1/articles/{article_id}", data=json.dumps(data), content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {token}", **headers)


def test_the_api_then_the_desk_racing_the_desk_is_refused_and_nothing_is_lost(client):
    """Both read version 1; the API saves first; the desk's save is refused naming the token's account."""
    anna, bahram = make_user("editor", username="anna"), make_user("editor", username="bahram")
    story = make_draft(by=anna, headline="Opened by both")
    opened = Article.objects.get(pk=story.pk)
    token = make_token(bahram)
    etag = client.get(f"/api/v1/articles/{story.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")["ETag"]
    assert etag == f'"v{opened.version}"'
    saved = _patch(client, story.pk, token, {"headline": "Bahram's headline"}, HTTP_IF_MATCH=etag)
    assert saved.status_code == 200 and saved["ETag"] == f'"v{opened.version + 1}"'
    client.force_login(anna)
    refused = client.post(f"/newsroom/news/article/{story.pk}/change/", _desk_form(opened, headline="Anna's headline"))
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "This story changed under you: bahram saved it at" in page and "Your changes are not saved." in page
    assert Article.objects.get(pk=story.pk).headline == "Bahram's headline"


def test_the_desk_then_the_api_racing_the_api_is_refused_naming_who_saved(client):
    """A stale ETag in If-Match is 412, a stale ``version`` field 409; both name the desk's editor, and change nothing."""
    anna, bahram = make_user("editor", username="anna"), make_user("editor", username="bahram")
    story = make_draft(by=bahram, headline="Opened by both", body="Body as read.")
    read_at = Article.objects.get(pk=story.pk).version
    client.force_login(anna)
    assert client.post(f"/newsroom/news/article/{story.pk}/change/",
                       _desk_form(story, headline="Anna's headline")).status_code == 302
    token = make_token(bahram)
    stale_etag = _patch(client, story.pk, token, {"body": "Bahram's body."}, HTTP_IF_MATCH=f'"v{read_at}"')
    assert stale_etag.status_code == 412
    error = stale_etag.json()["error"]
    assert error["parameter"] == "If-Match"
    assert error["message"].startswith("This story changed under you: anna saved it at ")
    assert f"(version {read_at + 1}; you read version {read_at})" in error["message"]
    stale_field = _patch(client, story.pk, token, {"body": "Bahram's body.", "version": read_at})
    assert stale_field.status_code == 409 and stale_field.json()["error"]["parameter"] == "version"
    assert "anna saved it" in stale_field.json()["error"]["message"]
    stored = Article.objects.get(pk=story.pk)
    assert (stored.headline, stored.body, stored.version) == ("Anna's headline", "Body as read.", read_at + 1)
    fresh = _patch(client, story.pk, token, {"body": "Bahram's body.", "version": read_at + 1})
    assert fresh.status_code == 200 and Article.objects.get(pk=story.pk).body == "Bahram's body."


def test_a_publish_from_a_stale_version_is_refused():
    editor = make_user("editor", username="ed")
    story = make_draft(by=editor)
    changes.edit(story, by=editor, values={"kicker": "Diplomacy"})
    with pytest.raises(changes.StaleVersion, match="ed saved it at"):
        changes.publish(story, by=editor, version=story.version)
    assert Article.objects.get(pk=story.pk).status == "draft"


def test_a_translation_is_linked_to_its_original_both_ways():
    """Linking a Persian story to an English one gives both the same language-edition key."""
    from masthead.syndication.models import LanguageEdition

    editor = make_user(role="editor")
    english = make_article(headline="Zarif meets al-Araji")
    persian = make_article(headline="دیدار ظریف و الاعرجی", language="fa")
    changes.link_translation(persian, of=english, by=editor)
    keys = dict(LanguageEdition.objects.values_list("article_id", "story"))
    assert keys == {english.pk: f"story-{english.pk}", persian.pk: f"story-{english.pk}"}


def test_a_story_cannot_be_the_translation_of_one_in_its_own_language():
    """Two English stories are not each other's translation, and the error names both."""
    editor = make_user(role="editor")
    one, other = make_article(), make_article()
    with pytest.raises(ValueError, match=rf"story {other.pk} and story {one.pk} are both in 'en'"):
        changes.link_translation(other, of=one, by=editor)
