"""A special edition sent by hand from the newsroom: choose stories, see who gets them, send, over a
real SMTP server on loopback, through the daily digest's templates and send log."""

import io

import pytest
from django.core.management import call_command

from masthead.newsletters import sending
from masthead.newsletters.models import Delivery, Digest
from tests.news.factories import make_article
from tests.newsletters.factories import make_subscriber
from tests.newsroom.factories import make_draft, make_user
from tests.test_html_validity import html_errors

pytestmark = pytest.mark.django_db

SPECIAL = "/newsroom/newsletters/digest/special/"


@pytest.fixture
def editor_client(client, settings):
    settings.DIGEST_AT = {"en": (23, 59), "fa": (23, 59)}  # keep the daily digest out of these tests
    client.force_login(make_user("editor", username="desk"))
    return client


def _parts(message) -> tuple[str, str]:
    return (message.get_body(preferencelist=("plain",)).get_content(),
            message.get_body(preferencelist=("html",)).get_content())


def test_an_editor_picks_stories_confirms_the_count_and_the_edition_goes_out(editor_client, smtp):
    quake = make_article(headline="Earthquake in Kerman", summary="Rescue teams reach the villages.")
    roads = make_article(headline="Roads reopen in the south")
    make_article(headline="Not chosen")
    for address in ("ann@example.org", "bob@example.org"):
        make_subscriber(email=address)
    make_subscriber(email="fa@example.org", edition="fa")

    listing = editor_client.get("/newsroom/newsletters/digest/")
    assert f'href="{SPECIAL}"'.encode() in listing.content
    form = editor_client.get(SPECIAL)
    assert form.status_code == 200 and b"Earthquake in Kerman" in form.content

    chosen = {"edition": "en", "stories": [str(quake.pk)], "more": str(roads.pk), "subject": "Earthquake in Kerman"}
    check = editor_client.post(SPECIAL, chosen)
    assert check.status_code == 200
    assert b"This special edition goes to 2 subscribers of the en edition." in check.content
    assert b"Send to 2 subscribers" in check.content
    assert not Digest.objects.exists() and smtp.messages == []  # nothing before the confirmation

    done = editor_client.post(SPECIAL, {**chosen, "confirmed": "yes"}, follow=True)
    assert done.redirect_chain[-1][0] == "/newsroom/newsletters/digest/"
    assert "The special edition “Earthquake in Kerman” goes out to the en subscribers within five minutes." in \
        done.content.decode()
    digest = Digest.objects.get()
    assert (digest.kind, digest.story_ids, digest.ordered_by.username) == ("special", [quake.pk, roads.pk], "desk")

    out = io.StringIO()
    call_command("send_digest", "--when-due", stdout=out)
    assert f"Special edition {digest.pk} " in out.getvalue() and "sent 2, failed 0" in out.getvalue()
    assert sorted(smtp.recipients) == ["ann@example.org", "bob@example.org"]
    message = smtp.to("ann@example.org")[0]
    assert message["Subject"] == "Earthquake in Kerman"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = _parts(message)
    assert text.index("Rescue teams reach the villages.") < text.index("Roads reopen in the south")
    assert "Not chosen" not in text and "Not chosen" not in html

    again = io.StringIO()
    call_command("send_digest", "--when-due", stdout=again)
    assert again.getvalue() == "Nothing is due.\n" and len(smtp.messages) == 2
    digest.refresh_from_db()
    assert (digest.recipients, digest.sent, digest.failed) == (2, 2, 0) and digest.finished_at


@pytest.mark.parametrize("post, message", [
    ({"edition": "en"}, "Choose at least one story for the special edition."),
    ({"edition": "en", "more": "12, abc"}, "abc is not a News ID: give numbers separated by commas."),
    ({"edition": "en", "more": "999999"}, "Readers cannot see these stories, so a digest cannot carry them: 999999."),
    ({"edition": "xx", "more": "1"}, "Select a valid choice. xx is not one of the available choices."),
])
def test_a_wrong_choice_is_named_and_nothing_is_ordered(editor_client, post, message):
    page = editor_client.post(SPECIAL, post)
    assert page.status_code == 200 and message in page.content.decode()
    assert not Digest.objects.exists()


def test_a_draft_or_a_subject_that_is_not_text_is_refused(editor_client, settings):
    draft = make_draft(by=make_user("reporter"))
    page = editor_client.post(SPECIAL, {"edition": "en", "more": str(draft.pk)})
    assert f"Readers cannot see these stories, so a digest cannot carry them: {draft.pk}." in page.content.decode()
    story = make_article()
    page = editor_client.post(SPECIAL, {"edition": "en", "more": str(story.pk), "subject": "Bad\x01subject"})
    assert "The subject holds a character that is not text (U+0001 at character 4)." in page.content.decode()
    settings.DIGEST_STORIES = 1
    page = editor_client.post(SPECIAL, {"edition": "en", "more": f"{story.pk},{make_article().pk}"})
    assert "A digest carries at most 1 stories; 2 were chosen." in page.content.decode()
    assert not Digest.objects.exists()


def test_a_reporter_may_not_send_a_special_edition(client):
    client.force_login(make_user("reporter"))
    story = make_article()
    assert client.get(SPECIAL).status_code == 403
    assert client.post(SPECIAL, {"edition": "en", "more": str(story.pk), "confirmed": "yes"}).status_code == 403
    assert not Digest.objects.exists()


def test_special_editions_and_the_daily_digest_share_a_day_and_each_its_own_log(smtp, settings):
    story = make_article()
    make_subscriber(email="ann@example.org")
    editor = make_user("editor")
    first = sending.queue_special(edition="en", story_ids=[story.pk], by=editor)
    second = sending.queue_special(edition="en", story_ids=[story.pk], by=editor, subject="Later the same day")
    sending.send(edition="en")
    Delivery.objects.create(digest=second, email="ann@example.org")  # as if a killed run had reached it
    out = io.StringIO()
    call_command("send_digest", "--digest", str(second.pk), stdout=out)
    assert "sent 0, failed 0, already sent 1." in out.getvalue()
    call_command("send_digest", "--digest", str(first.pk), stdout=io.StringIO())
    assert [m["Subject"] for m in smtp.messages][1:] == [first.subject]
    assert first.subject.startswith(f"{settings.SITE_NAME}: special edition, ")
    assert Digest.objects.filter(day=first.day, edition="en").count() == 3


def test_an_unknown_digest_is_named(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="There is no digest 4242: the newsroom's Digests list their IDs."):
        call_command("send_digest", "--digest", "4242")


def test_the_special_edition_pages_are_valid_html(editor_client, tmp_path):
    story = make_article(headline="Earthquake in Kerman")
    make_subscriber()
    pages = {"form": editor_client.get(SPECIAL).content,
             "errors": editor_client.post(SPECIAL, {"edition": "en", "more": "x"}).content,
             "confirm": editor_client.post(SPECIAL, {"edition": "en", "stories": [str(story.pk)]}).content}
    errors = html_errors(pages, tmp_path)
    assert not errors, "\n".join(errors)


def test_the_persian_edition_gets_persian_subjects(smtp, settings):
    settings.SITE_NAME = "Iran Daily"
    story = make_article(language="fa", headline="خبر ویژه")
    make_subscriber(email="fa@example.org", edition="fa")
    special = sending.queue_special(edition="fa", story_ids=[story.pk], by=make_user("editor"))
    assert special.subject.startswith("Iran Daily: ویژه‌نامه، ")
    sending.send(edition="fa")
    daily = Digest.objects.get(kind="daily")
    assert daily.subject.startswith("Iran Daily: خبرهای روز، ")
    assert smtp.to("fa@example.org")[0]["Subject"].strip() == daily.subject  # a folded header keeps its space
