"""A new story is submitted, published or scheduled from its first screen, through the story service and its rules."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from masthead.news.models import Article
from masthead.newsroom import moments
from masthead.newsroom.models import StateChange
from tests.news.factories import make_section
from tests.newsroom.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

ADD = "/newsroom/news/article/add/"


def _story(section, **extra) -> dict:
    return {"kicker": "", "headline": "Rial steadies", "slug": "", "summary": "", "body": "The rial held.",
            "source": "", "section": section.pk, "language": "en", "new_tags": "", "lead_image": "",
            "embargo_until_0": "", "embargo_until_1": "", **extra}


def _told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_an_editor_publishes_a_new_story_from_its_first_screen(client):
    """Publish now files and publishes in one step, audited as two moves, and lands on the story's desk."""
    editor = make_user("editor")
    client.force_login(editor)
    response = client.post(ADD, _story(make_section(), _move="publish"))
    story = Article.objects.get(headline="Rial steadies")
    assert response.status_code == 302 and response["Location"] == f"/newsroom/news/article/{story.pk}/change/"
    assert story.is_visible()
    assert list(StateChange.objects.filter(article=story).order_by("id").values_list("from_state", "to_state")) == [
        ("new", "draft"), ("draft", "published")]
    told = _told(response)
    assert "Published." in told and any(text.startswith("Live on the site in ") for text in told)
    assert client.get(story.get_absolute_url()).status_code == 200


def test_a_reporter_submits_a_new_story_for_review(client):
    """Submit for review is there for a reporter, and the story is theirs, in review."""
    reporter = make_user("reporter")
    client.force_login(reporter)
    form = client.get(ADD).content.decode()
    assert 'value="submit"' in form and 'value="publish"' not in form and 'value="schedule"' not in form
    response = client.post(ADD, _story(make_section(), _move="submit"))
    story = Article.objects.get(headline="Rial steadies")
    assert (story.status, story.created_by) == ("review", reporter)
    assert "Submitted for review." in _told(response)


def test_a_reporter_cannot_publish_by_sending_the_button_anyway(client):
    """The rules are the story service's: a forged Publish keeps the story as the reporter's draft and says why."""
    client.force_login(make_user("reporter"))
    response = client.post(ADD, _story(make_section(), _move="publish"))
    story = Article.objects.get(headline="Rial steadies")
    assert story.status == "draft" and not story.is_visible()
    assert "Saved as a draft, but not moved: Only an editor can publish or schedule a story." in _told(response)


def test_an_editor_schedules_a_new_story_in_24_hour_gmt(client):
    """The schedule is a date and a 24-hour GMT time; the story appears at that second."""
    client.force_login(make_user("editor"))
    at = (timezone.now() + timedelta(days=1)).replace(hour=17, minute=5, second=0, microsecond=0)
    response = client.post(ADD, _story(make_section(), _move="schedule", schedule_at_0=f"{at:%Y-%m-%d}",
                                       schedule_at_1="1705"))
    story = Article.objects.get(headline="Rial steadies")
    assert (story.state, story.published_at) == ("scheduled", at)
    assert any(text.startswith("Scheduled: it will appear in ") for text in _told(response))


@pytest.mark.parametrize("day, clock, message", [
    ("", "", "Publish at: choose the date and the GMT time to publish at."),
    ("2026-12-02", "5:35 PM", "Publish at: give the time as 24-hour GMT, like 0535 or 17:05."),
    ("02/12/2026", "1705", "Publish at: give the date as year-month-day, like 2026-12-02."),
    ("2021-04-12", "0535", "Publish at: 0535 GMT April 12, 2021 has already passed; choose a later time, or publish now."),
])
def test_a_schedule_that_cannot_be_kept_is_refused_and_nothing_is_lost(client, day, clock, message):
    """The form comes back with everything typed and the reason beside the schedule; no story is filed."""
    client.force_login(make_user("editor"))
    response = client.post(ADD, _story(make_section(), _move="schedule", schedule_at_0=day, schedule_at_1=clock))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'value="Rial steadies"' in html and "The rial held." in html
    assert not Article.objects.exists()


def test_saving_a_new_story_without_a_move_still_files_a_draft(client):
    """Save is still the first button (Enter in a field) and files a draft, going to the list as before."""
    client.force_login(make_user("editor"))
    html = client.get(ADD).content.decode()
    assert html.index('name="_save"') < html.index('name="_move"')
    response = client.post(ADD, _story(make_section(), _save="Save"))
    assert response.status_code == 302 and response["Location"] == "/newsroom/news/article/"
    assert Article.objects.get().status == "draft"


def test_moments_are_read_as_24_hour_gmt():
    """0535, 05:35 and 05:35:20 are read; 24:00 and a 12-hour time are refused with the field named."""
    assert moments.moment(day="2026-12-02", clock="0535", field="At") == datetime(2026, 12, 2, 5, 35, tzinfo=dt_timezone.utc)
    assert moments.moment(day="2026-12-02", clock="17:05:20", field="At") == datetime(2026, 12, 2, 17, 5, 20,
                                                                                       tzinfo=dt_timezone.utc)
    for clock in ("2400", "5:35 pm", "535"):
        with pytest.raises(moments.Unreadable, match="^At: give the time as 24-hour GMT, like 0535 or 17:05.$"):
            moments.moment(day="2026-12-02", clock=clock, field="At")


def test_the_desk_schedules_and_flags_in_24_hour_gmt(client):
    """The desk's Schedule and breaking-news expiry take the same date and 24-hour GMT time; a 12-hour time is refused."""
    from tests.newsroom.factories import make_draft

    editor = make_user("editor")
    client.force_login(editor)
    story = make_draft(by=editor)
    at = (timezone.now() + timedelta(days=2)).replace(hour=6, minute=0, second=0, microsecond=0)
    client.post(f"/newsroom/news/article/{story.pk}/desk/", {"action": "schedule", "at_date": f"{at:%Y-%m-%d}",
                                                              "at_time": "0600"})
    story.refresh_from_db()
    assert (story.state, story.published_at) == ("scheduled", at)
    live = make_draft(by=editor)
    client.post(f"/newsroom/news/article/{live.pk}/desk/", {"action": "publish"})
    response = client.post(f"/newsroom/news/article/{live.pk}/desk/", {"action": "breaking", "until_date": f"{at:%Y-%m-%d}",
                                                                        "until_time": "6:00 PM"})
    assert "Breaking until: give the time as 24-hour GMT, like 0535 or 17:05." in _told(response)
    client.post(f"/newsroom/news/article/{live.pk}/desk/", {"action": "breaking", "until_date": f"{at:%Y-%m-%d}",
                                                            "until_time": "18:00"})
    live.refresh_from_db()
    assert live.breaking_until == at.replace(hour=18)
    page = client.get(f"/newsroom/news/article/{live.pk}/change/").content.decode()
    assert page.count('name="until_time"') == 1 and 'name="breaking_until' not in page
