"""Today's desk, the newsroom's first page: what waits, what goes out next, what just went out, for each role."""

import json
import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from masthead.news.models import Article
from masthead.newsroom import today
from masthead.newsroom.models import StateChange
from masthead.stories import changes
from tests import servers
from tests.comments.factories import make_comment
from tests.news.factories import make_article
from tests.newsroom.factories import make_draft, make_user
from tests.syndication.factories import make_token

pytestmark = pytest.mark.django_db(transaction=True)

PAGE_CACHE = {"page-cache": {"BACKEND": "masthead.delivery.purge.pagecache"}}


def _panel(html: str, heading_id: str) -> str:
    """The HTML of one desk panel, from its heading to the end of its section."""
    start = html.index(f'id="{heading_id}"')
    return html[start: html.index("</section>", start)]


def _headlines(panel: str) -> list[str]:
    return re.findall(r'/change/">([^<]+)</a>', panel)


def test_the_first_page_is_the_desk_with_the_review_queue_oldest_first(client):
    """Stories in review are listed by when they were sent, the longest-waiting first, whatever was edited since."""
    editor, reporter = make_user("editor"), make_user("reporter")
    first = make_draft(by=reporter, headline="Sent first")
    second = make_draft(by=reporter, headline="Sent second")
    changes.submit(first, by=reporter)
    changes.submit(second, by=reporter)
    changes.edit(first.pk, by=editor, values={"summary": "Touched after it was sent."})
    client.force_login(editor)
    html = client.get("/newsroom/").content.decode()
    assert "<h1>Today&#x27;s desk</h1>" in html
    assert "Every story in the newsroom." in html
    assert _headlines(_panel(html, "today-review")) == ["Sent first", "Sent second"]
    assert "Nothing waits for review." not in html


def test_scheduled_stories_show_their_time_in_house_style_and_a_countdown(client):
    """A scheduled story shows when it appears (0535 GMT style) and a countdown the script keeps ticking."""
    editor = make_user("editor")
    at = (timezone.now() + timedelta(hours=2, minutes=5)).replace(second=0, microsecond=0)
    story = make_draft(by=editor, headline="Budget vote")
    changes.publish(story, by=editor, at=at)
    client.force_login(editor)
    panel = _panel(client.get("/newsroom/").content.decode(), "today-scheduled")
    assert "Budget vote" in panel
    assert f"{at:%H%M} GMT" in panel
    assert f'<time datetime="{at:%Y-%m-%dT%H:%M:%S}Z" data-countdown ' in panel
    assert '>in 2 h 0' in panel


def test_a_persian_speaking_editors_desk_is_persian_and_counts_down_in_persian(client):
    """The newsroom speaks the language the editor's browser asks for: the desk's headings, and the
    countdown with the Persian words and digits countdown.js ticks with."""
    editor = make_user("editor")
    at = (timezone.now() + timedelta(hours=2, minutes=5)).replace(second=0, microsecond=0)
    changes.publish(make_draft(by=editor, headline="رأی‌گیری بودجه"), by=editor, at=at)
    client.force_login(editor)
    html = client.get("/newsroom/", HTTP_ACCEPT_LANGUAGE="fa-IR,fa;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert "<h1>میز خبر امروز</h1>" in html
    panel = _panel(html, "today-scheduled")
    assert "زمان‌بندی‌شده" in panel
    assert 'data-countdown-digits="۰۱۲۳۴۵۶۷۸۹"' in panel
    assert 'data-countdown-hours="%(h)d ساعت و %(m)02d دقیقهٔ دیگر"' in panel
    assert re.search(r">[۰-۹] ساعت و [۰-۹]{2} دقیقهٔ دیگر</time>", panel)
    assert ">اخبار</a>" in html and ">کتابخانهٔ رسانه</a>" in html, "the apps are named in Persian too"
    english = client.get("/newsroom/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="en" dir="ltr">' in english and ">in 2 h 0" in english


def test_drafts_are_the_signed_in_persons_own(client):
    """The drafts panel lists the signed-in person's drafts, newest first, never a colleague's."""
    editor, other = make_user("editor"), make_user("editor")
    make_draft(by=editor, headline="My older draft")
    make_draft(by=editor, headline="My newer draft")
    make_draft(by=other, headline="A colleague's draft")
    client.force_login(editor)
    panel = _panel(client.get("/newsroom/").content.decode(), "today-drafts")
    assert _headlines(panel) == ["My newer draft", "My older draft"]


def test_breaking_flags_show_their_expiry(client):
    """A flagged story shows when its banner comes down; an expired flag is gone."""
    editor = make_user("editor")
    until = (timezone.now() + timedelta(minutes=30)).replace(microsecond=0)
    flagged = make_article(headline="Quake hits Kerman")
    changes.flag_breaking(flagged, by=editor, until=until)
    make_article(headline="Old banner", breaking_until=timezone.now() - timedelta(minutes=1))
    client.force_login(editor)
    panel = _panel(client.get("/newsroom/").content.decode(), "today-breaking")
    assert _headlines(panel) == ["Quake hits Kerman"]
    assert f"banner until {until:%H%M} GMT" in panel


def test_comments_waiting_and_the_age_of_the_queue(client):
    """Moderators see how many comments wait and how long the oldest has waited."""
    editor = make_user("editor")
    story = make_article()
    make_comment(story, created_at=timezone.now() - timedelta(hours=3, minutes=7))
    make_comment(story)
    make_comment(story, status="approved")
    client.force_login(editor)
    html = client.get("/newsroom/").content.decode()
    assert '<span class="today-count" id="today-comments-waiting">2</span>' in html
    assert '<strong id="today-queue-age">3 h 07 min</strong>' in html


def test_a_reporter_sees_only_their_own_work_and_no_comment_queue(client):
    """Role-aware: a reporter's desk holds their own stories; the comment queue is the moderators'."""
    reporter, colleague, editor = make_user("reporter"), make_user("reporter"), make_user("editor")
    mine = make_draft(by=reporter, headline="My story in review")
    theirs = make_draft(by=colleague, headline="Their story in review")
    changes.submit(mine, by=reporter)
    changes.submit(theirs, by=colleague)
    changes.publish(make_draft(by=reporter, headline="My published story"), by=editor)
    changes.publish(make_draft(by=colleague, headline="Their published story"), by=editor)
    make_comment(make_article())
    client.force_login(reporter)
    html = client.get("/newsroom/").content.decode()
    assert "Your own stories." in html
    assert _headlines(_panel(html, "today-review")) == ["My story in review"]
    assert _headlines(_panel(html, "today-published")) == ["My published story"]
    assert "Their" not in html
    assert "today-comments" not in html


def test_a_publish_from_the_desk_shows_its_publish_to_live_time(client):
    """Publishing records how soon every cache confirmed the purge; the desk lists it beside the story."""
    editor = make_user("editor")
    story = make_draft(by=editor, headline="Rial steadies")
    client.force_login(editor)
    with override_settings(MASTHEAD_PURGE=PAGE_CACHE):
        client.post(f"/newsroom/news/article/{story.pk}/desk/", {"action": "publish"})
    move = StateChange.objects.get(article=story, to_state="published")
    assert move.live_seconds is not None and 0 <= move.live_seconds < 5 and move.live_error == ""
    panel = _panel(client.get("/newsroom/").content.decode(), "today-published")
    assert re.search(r'Rial steadies</a></td>\s*<td>\d{4} GMT [A-Z][a-z]+ \d+, \d{4}</td>\s*'
                     r'<td class="today-live">\d+\.\d\d s</td>', panel), panel


def test_a_publish_through_the_api_is_timed_too(client):
    """The publish-to-live time is kept by the story service, so a publish through the API shows on the desk."""
    editor = make_user("editor")
    story = make_draft(by=editor, headline="Wire story")
    response = client.post(f"/api/v1/articles/{story.pk}/publish", data=json.dumps({}), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {make_token(editor)}")
    assert response.status_code == 200, response.content
    assert StateChange.objects.get(article=story, to_state="published").live_seconds is not None
    assert today.today(user=editor).published[0].live_seconds is not None


def test_a_purge_the_edge_did_not_confirm_is_shown_as_such(client):
    """An unreachable edge: the desk says the story's purge was not confirmed, and by which cache."""
    editor = make_user("editor")
    story = make_draft(by=editor, headline="Edge down")
    purges = {**PAGE_CACHE, "edge": {"BACKEND": "masthead.delivery.purge.varnish",
                                     "URLS": f"http://127.0.0.1:{servers.free_port()}", "TIMEOUT": 1}}
    with override_settings(MASTHEAD_PURGE=purges):
        changes.publish(story, by=editor)
    move = StateChange.objects.get(article=story, to_state="published")
    assert move.live_seconds is None and move.live_error.startswith("edge: URLError")
    client.force_login(editor)
    panel = _panel(client.get("/newsroom/").content.decode(), "today-published")
    assert "not confirmed: edge: URLError" in panel


def test_a_scheduled_story_that_appeared_has_no_purge_time(client):
    """A story that appeared at its scheduled second needed no purge: the desk shows a dash, not a made-up time."""
    editor = make_user("editor")
    story = make_draft(by=editor, headline="Went out on time")
    changes.publish(story, by=editor, at=timezone.now() + timedelta(seconds=1))
    Article.objects.filter(pk=story.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    client.force_login(editor)
    panel = _panel(client.get("/newsroom/").content.decode(), "today-published")
    assert re.search(r'Went out on time</a></td>\s*<td>[^<]+</td>\s*<td class="today-live">—</td>', panel), panel


def test_the_desk_reads_each_list_with_a_few_queries(client, django_assert_max_num_queries):
    """The desk's cost does not grow with the number of stories on it."""
    editor = make_user("editor")
    for n in range(15):
        changes.publish(make_draft(by=editor, headline=f"Story {n}"), by=editor)
        make_draft(by=editor, headline=f"Draft {n}")
    client.force_login(editor)
    with django_assert_max_num_queries(16):
        assert client.get("/newsroom/").status_code == 200


def test_the_days_most_read_stories_of_every_edition_are_on_the_desk(client):
    """Reads counted in the last day put each edition's stories on the desk, most read first; older reads do not."""
    from tests.audience.factories import make_reads

    editor = make_user("editor")
    client.force_login(editor)
    assert 'id="today-most-read"' not in client.get("/newsroom/").content.decode()  # nothing read yet: no panel
    english = make_article(headline="Read by many")
    persian = make_article(headline="خبر خوانده‌شده", language="fa")
    stale = make_article(headline="Read last week")
    make_reads(english, count=40)
    make_reads(persian, count=90, hours_ago=3)
    make_reads(stale, count=500, hours_ago=30)
    panel = _panel(client.get("/newsroom/").content.decode(), "today-most-read")
    assert _headlines(panel) == ["خبر خوانده‌شده", "Read by many"]
    assert ">90<" in panel and ">40<" in panel


def test_my_drafts_are_read_through_the_writers_index_beside_an_imported_archive():
    """An imported archive has no writer. Counted in the writers' index, its stories made SQLite's statistics say
    that every writer wrote all of them, and the desk's drafts read the whole table (1.5 s at 300,000 stories);
    the index holds only written stories, so the plan stays on it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.newsroom.test_stories import _plan

    section = make_article().section
    now = timezone.now()
    Article.objects.bulk_create(
        Article(headline=f"Imported {n}", slug=f"imported-{n}", section=section, body="Imported.",
                status=Article.Status.PUBLISHED, published_at=now - timedelta(days=n)) for n in range(1, 400))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # taken after the import, before anyone wrote here
    reporter = make_user("reporter")
    make_draft(by=reporter, headline="My older draft")
    make_draft(by=reporter, headline="My newest draft")
    with CaptureQueriesContext(connection) as captured:
        desk = today.today(user=reporter)
    assert [story.headline for story in desk.drafts] == ["My newest draft", "My older draft"]
    if connection.vendor == "sqlite":  # PostgreSQL keeps the share of empty values apart and plans a writer's few
        (drafts,) = [q["sql"] for q in captured.captured_queries if "'draft'" in q["sql"]]
        plan = _plan(drafts)
        assert "article_created_by_id" in plan, plan
