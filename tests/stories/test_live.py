"""Live coverage through the story service: who may do what, numbering, corrections, pins, the trail."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from masthead.live.models import Coverage, LiveUpdate
from masthead.newsroom.models import Revision
from masthead.stories import live
from masthead.stories.changes import WorkflowError
from tests.live.factories import make_live_story, post
from tests.news.factories import make_article
from tests.newsroom.factories import make_draft, make_user

pytestmark = pytest.mark.django_db


def test_an_editor_starts_and_ends_coverage_and_both_are_in_the_revisions():
    """Start and end are kept as revisions naming the editor; an ended story takes no updates."""
    editor = make_user("editor", username="ed")
    story = make_article()
    live.start_coverage(story, by=editor)
    assert Coverage.objects.get(pk=story.pk).ended_at is None
    live.end_coverage(story, by=editor)
    assert Coverage.objects.get(pk=story.pk).ended_at is not None
    notes = list(Revision.objects.filter(article=story).order_by("number").values_list("note", "by__username"))
    assert notes[-2:] == [("Live coverage started", "ed"), ("Live coverage ended", "ed")]
    with pytest.raises(WorkflowError, match=f"Story {story.pk} is not live: start its coverage before posting updates."):
        live.post_update(story, by=editor, body="Too late.")


def test_a_reporter_may_post_but_not_start_end_pin_or_mark_key_events():
    reporter, editor = make_user("reporter"), make_user("editor")
    story = make_article()
    with pytest.raises(PermissionDenied, match="Only an editor can start live coverage."):
        live.start_coverage(story, by=reporter)
    live.start_coverage(story, by=editor)
    update = live.post_update(story, by=reporter, body="Crowds gather in the square.")
    with pytest.raises(PermissionDenied, match="Only an editor can pin an update or mark a key event."):
        live.post_update(story, by=reporter, body="Pinned?", pinned=True)
    with pytest.raises(PermissionDenied, match="Only an editor can pin an update."):
        live.pin_update(update, by=reporter)
    with pytest.raises(PermissionDenied, match="Only an editor can mark a key event."):
        live.mark_key_event(update, by=reporter)
    with pytest.raises(PermissionDenied, match="Only an editor can end live coverage."):
        live.end_coverage(story, by=reporter)


def test_a_reporter_corrects_and_deletes_only_own_updates():
    sara, omid, editor = make_user("reporter"), make_user("reporter"), make_user("editor")
    story = make_live_story()
    mine = live.post_update(story, by=sara, body="Mine.")
    with pytest.raises(PermissionDenied, match="You may correct only your own updates."):
        live.correct_update(mine, by=omid, body="Theirs.", note="x")
    with pytest.raises(PermissionDenied, match="You may delete only your own updates."):
        live.delete_update(mine, by=omid)
    live.correct_update(mine, by=sara, body="Mine, corrected.", note="Fixed a typo.")
    live.correct_update(mine, by=editor, body="Mine, corrected twice.", note="Fixed a name.")
    live.delete_update(mine, by=sara)
    assert LiveUpdate.objects.get(pk=mine.pk).deleted_at is not None


def test_moderators_and_strangers_may_not_post():
    story = make_live_story()
    with pytest.raises(PermissionDenied, match="You may not post live updates."):
        live.post_update(story, by=make_user("moderator"), body="Hello.")


def test_updates_are_numbered_from_one_and_numbers_are_never_reused():
    """A deleted update keeps its number, so an anchor once shared never points at another update."""
    story = make_live_story()
    first, second = post(story, "One."), post(story, "Two.")
    live.delete_update(second, by=make_user("editor"))
    third = post(story, "Three.")
    assert (first.number, second.number, third.number) == (1, 2, 3)
    assert [u.number for u in LiveUpdate.objects.shown().filter(article=story)] == [3, 1]


def test_the_body_is_markdown_sanitised_like_a_story():
    story = make_live_story()
    update = post(story, "**Blast** heard.\n\n<script>alert(1)</script><a href=\"javascript:x()\">x</a>",
                  headline="Explosion")
    assert "<strong>Blast</strong>" in update.body_html
    assert "<script" not in update.body_html and "javascript:" not in update.body_html
    assert update.author_name == "tests" and update.headline == "Explosion"


def test_an_update_posted_by_an_account_is_credited_to_its_name():
    reporter = make_user("reporter", username="sara", first_name="Sara", last_name="Karimi")
    update = post(make_live_story(), "Seen.", by=reporter)
    assert (update.author_name, update.author_id) == ("Sara Karimi", reporter.pk)


def test_bad_text_is_refused_naming_the_field_and_nothing_is_stored():
    story = make_live_story()
    with pytest.raises(WorkflowError, match="Write the update: its body is empty."):
        post(story, "   ")
    with pytest.raises(ValidationError) as refused:
        post(story, "Bad \x01 text.")
    assert "body" in refused.value.message_dict
    assert "control character" in refused.value.message_dict["body"][0]
    with pytest.raises(WorkflowError, match="The update's headline is 201 characters long; keep it to 200."):
        post(story, "Fine.", headline="x" * 201)
    assert not LiveUpdate.objects.filter(article=story).exists()


def test_a_correction_needs_a_note_and_is_kept_with_its_time():
    """Never a silent edit: the note is required, stored with the time, and in the story's revisions."""
    editor = make_user("editor")
    story = make_live_story()
    update = post(story, "Ten hurt.")
    with pytest.raises(WorkflowError, match="Say what the correction changes: readers see it with the update."):
        live.correct_update(update, by=editor, body="Twelve hurt.", note=" ")
    live.correct_update(update, by=editor, body="Twelve hurt.", note="Twelve were hurt, not ten.")
    update.refresh_from_db()
    assert update.body_html == "<p>Twelve hurt.</p>" and update.edited_at is not None
    assert update.correction == "Twelve were hurt, not ten."
    assert Revision.objects.filter(article=story, note="Live update 1 corrected: Twelve were hurt, not ten.").exists()


def test_one_pinned_update_per_story():
    editor = make_user("editor")
    story = make_live_story()
    first = post(story, "First.", by=editor, pinned=True)
    second = post(story, "Second.")
    live.pin_update(second, by=editor)
    assert list(LiveUpdate.objects.filter(article=story, pinned=True).values_list("number", flat=True)) == [2]
    third = post(story, "Third.", by=editor, pinned=True)
    assert list(LiveUpdate.objects.filter(article=story, pinned=True).values_list("number", flat=True)) == [3]
    live.pin_update(third, by=editor, pinned=False)
    assert not LiveUpdate.objects.filter(article=story, pinned=True).exists()
    assert first.number == 1


def test_key_events_are_marked_and_cleared_and_a_deleted_update_loses_them():
    editor = make_user("editor")
    story = make_live_story()
    update = post(story, "Ceasefire agreed.")
    live.mark_key_event(update, by=editor)
    assert LiveUpdate.objects.get(pk=update.pk).key_event
    live.delete_update(update, by=editor)
    assert not LiveUpdate.objects.get(pk=update.pk).key_event
    with pytest.raises(WorkflowError, match=f"Update 1 of story {story.pk} was deleted."):
        live.mark_key_event(update, by=editor)


def test_only_a_published_story_can_go_live_and_only_once_at_a_time():
    editor = make_user("editor")
    draft = make_draft(by=editor)
    with pytest.raises(WorkflowError, match=f"Publish story {draft.pk} before starting its live coverage."):
        live.start_coverage(draft, by=editor)
    story = make_live_story()
    with pytest.raises(WorkflowError, match=f"Story {story.pk} is already live."):
        live.start_coverage(story, by=editor)
    live.end_coverage(story, by=editor)
    with pytest.raises(WorkflowError, match=f"Story {story.pk} is not live, so its coverage cannot end."):
        live.end_coverage(story, by=editor)
    live.start_coverage(story, by=editor)  # coverage may start again after it ended
    assert Coverage.objects.get(pk=story.pk).ended_at is None


def test_an_update_dated_by_a_loader_must_fall_between_the_newest_update_and_now():
    """An earlier date keeps numbers and times in step: not before the newest update, never in the future."""
    from datetime import timedelta

    from django.utils import timezone

    story = make_article()
    started = timezone.now() - timedelta(hours=2)
    live.start_coverage(story, by=make_user("editor"), at=started)
    first = post(story, "One.", at=started + timedelta(minutes=30))
    assert first.created_at == started + timedelta(minutes=30)
    with pytest.raises(WorkflowError, match=f"An update of story {story.pk} can be dated between its coverage's newest "
                                            r"update or start \(.*\) and now, not "):
        post(story, "Before one.", at=started + timedelta(minutes=10))
    with pytest.raises(WorkflowError, match="and now, not "):
        post(story, "Tomorrow.", at=timezone.now() + timedelta(days=1))
    assert LiveUpdate.objects.filter(article=story).count() == 1
