"""What readers see of live coverage: the article page, its JSON-LD, and the updates answer it polls."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.delivery import pagecache
from masthead.stories import live
from tests.live.factories import make_live_story, post
from tests.news.factories import make_article, make_section
from tests.newsroom.factories import make_user

pytestmark = pytest.mark.django_db


def _json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def _ids(html: str) -> list[str]:
    return re.findall(r'<article class="live-update[^"]*" id="(update-\d+)"', html)


def test_a_running_story_shows_the_badge_key_events_pinned_update_and_stream_newest_first(client):
    editor = make_user("editor")
    story = make_live_story(headline="Earthquake in Kerman")
    post(story, "First reports of a tremor.", headline="Tremor felt")
    post(story, "Rescue teams sent.", by=editor, key_event=True, headline="Rescue under way")
    post(story, "Call this number for news of relatives.", by=editor, pinned=True)
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<strong class="live-badge">Live</strong>' in html and "Coverage has ended" not in html
    assert _ids(html) == ["update-3", "update-2", "update-1"]
    key_events = html.split('class="live-key-events"')[1].split("</nav>")[0]
    assert 'href="#update-2"' in key_events and "Rescue under way" in key_events and "Tremor" not in key_events
    pinned = html.split('class="live-pinned"')[1].split('class="live-stream"')[0]
    assert 'id="pinned-update-3"' in pinned and "Call this number" in pinned
    assert 'href="#update-1"' in html and '<span class="live-author" dir="auto">tests</span>' in html
    # The time in the house style, the machine time beside it.
    first = story.live_updates.get(number=1)
    assert f'<time datetime="{first.created_at:%Y-%m-%dT%H:%M:%S}' in html
    assert re.search(r"\d{4} GMT \w+ \d{1,2}, \d{4}", html.split('id="update-1"')[1])
    assert '<script src="/static/live/live.js" defer></script>' in html


def test_an_ended_story_says_so_and_loads_no_script(client):
    story = make_live_story()
    post(story, "Last word.")
    live.end_coverage(story, by=make_user("editor"))
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Coverage has ended" in html and "live-badge" not in html
    assert "Last word." in html and "live.js" not in html


def test_a_story_never_live_shows_nothing_of_it(client):
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert "live-" not in html and '"@type": "NewsArticle"' in html


def test_a_correction_is_shown_with_the_update_never_silently(client):
    story = make_live_story()
    update = post(story, "Ten hurt.")
    live.correct_update(update, by=make_user("editor"), body="Twelve hurt.", note="Twelve were hurt, not ten.")
    html = client.get(story.get_absolute_url()).content.decode()
    part = html.split('id="update-1"')[1].split("</article>")[0]
    assert "Twelve hurt." in part and "Ten hurt." not in part
    assert "Correction, <time" in part and "Twelve were hurt, not ten." in part


def test_a_deleted_update_is_gone_from_the_page(client):
    story = make_live_story()
    update = post(story, "Unconfirmed rumour.")
    post(story, "Confirmed.")
    live.delete_update(update, by=make_user("editor"))
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Unconfirmed rumour." not in html and _ids(html) == ["update-2"]


def test_a_live_story_describes_itself_as_a_live_blog_posting(client, django_capture_on_commit_callbacks):
    """LiveBlogPosting in place of NewsArticle, with coverage times and each update as a BlogPosting."""
    story = make_live_story(headline="Election night")
    post(story, "Polls close.", headline="Polls closed")
    post(story, "Turnout *high*.")
    data = _json_ld(client.get(story.get_absolute_url()).content.decode())
    assert data["@type"] == "LiveBlogPosting" and data["headline"] == "Election night"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["coverageStartTime"])
    assert "coverageEndTime" not in data
    updates = data["liveBlogUpdate"]
    assert [u["@type"] for u in updates] == ["BlogPosting", "BlogPosting"]
    assert updates[0]["url"].endswith(f"{story.get_absolute_url()}#update-2")
    assert (updates[0]["headline"], updates[0]["articleBody"]) == ("Turnout high.", "Turnout high.")
    assert (updates[1]["headline"], updates[1]["author"]) == ("Polls closed", {"@type": "Person", "name": "tests"})
    with django_capture_on_commit_callbacks(execute=True):
        live.end_coverage(story, by=make_user("editor"))
    ended = _json_ld(client.get(story.get_absolute_url()).content.decode())
    assert ended["coverageEndTime"] >= ended["coverageStartTime"]


def test_the_persian_edition_shows_its_live_story_in_persian(client):
    story = make_live_story(headline="زلزله در کرمان", language="fa", body="گزارش نخست.")
    post(story, "تیم‌های امداد اعزام شدند.")
    html = client.get(story.get_absolute_url()).content.decode()
    assert story.get_absolute_url().startswith("/fa/")
    assert "تیم‌های امداد اعزام شدند." in html
    assert 'class="live-badge">زنده</strong>' in html and "به‌روزرسانی‌های زنده" in html
    assert re.search("[۰-۹]", html.split('id="update-1"')[1].split("</time>")[0])
    assert f'data-updates="/fa/news/{story.pk}/updates/"' in html
    fragment = client.get(f"/fa/news/{story.pk}/updates/?since=0").json()["html"]
    assert "تیم‌های امداد اعزام شدند." in fragment and re.search("[۰-۹]", fragment.split("</time>")[0])


def test_the_updates_answer_holds_only_newer_updates_as_html(client):
    story = make_live_story()
    for n in range(1, 4):
        post(story, f"Update {n}.")
    response = client.get(f"/news/{story.pk}/updates/?since=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    answer = response.json()
    assert (answer["story"], answer["since"], answer["newest"], answer["count"], answer["running"]) == (story.pk, 1, 3, 2, True)
    assert _ids(answer["html"]) == ["update-3", "update-2"] and "Update 1." not in answer["html"]
    nothing = client.get(f"/news/{story.pk}/updates/?since=3").json()
    assert (nothing["newest"], nothing["count"], nothing["html"].strip()) == (3, 0, "")


@pytest.mark.django_db(transaction=True)
def test_the_updates_answer_is_cached_for_one_bucket_and_purged_by_a_post(client):
    """Every reader in a bucket shares one answer; a post purges it, so the next poll sees the update."""
    story = make_live_story()
    post(story, "One.")
    address = f"/news/{story.pk}/updates/?since=1"
    first, second = client.get(address), client.get(address)
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert f"article-{story.pk}" in first["Surrogate-Key"].split()
    max_age = int(re.search(r"s-maxage=(\d+)", first["Cache-Control"]).group(1))
    assert 1 <= max_age <= 5
    post(story, "Two.")
    after = client.get(address)
    assert after["X-Cache"] == "miss" and after.json()["newest"] == 2 and "Two." in after.json()["html"]


@pytest.mark.django_db(transaction=True)
def test_a_post_purges_the_story_and_not_its_section_tag_or_home_pages(client):
    """Exactly the story's pages: its article page and updates answer; home only when coverage starts or ends."""
    section = make_section(slug="quake-desk")
    story = make_live_story(section=section)
    other = make_article(section=section)
    pages = [story.get_absolute_url(), f"/news/{story.pk}/updates/", "/", "/section/quake-desk/",
             other.get_absolute_url()]
    for page in pages:
        client.get(page)
        assert client.get(page)["X-Cache"] == "hit", page
    post(story, "Aftershock.")
    states = {page: client.get(page)["X-Cache"] for page in pages}
    assert states == {story.get_absolute_url(): "miss", f"/news/{story.pk}/updates/": "miss", "/": "hit",
                      "/section/quake-desk/": "hit", other.get_absolute_url(): "hit"}
    live.end_coverage(story, by=make_user("editor"))
    assert client.get("/")["X-Cache"] == "miss"


def test_bad_parameters_are_a_json_400_naming_them_and_a_story_not_live_is_404(client):
    story = make_live_story()
    response = client.get(f"/news/{story.pk}/updates/?since=abc")
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "since" and "abc" in response.json()["error"]["message"]
    unknown = client.get(f"/news/{story.pk}/updates/?page=2")
    assert unknown.status_code == 400 and "unknown parameter" in unknown.json()["error"]["message"]
    assert client.get(f"/news/{make_article().pk}/updates/").status_code == 404
    hidden = make_live_story(published_at=timezone.now() + timedelta(hours=1))
    assert client.get(f"/news/{hidden.pk}/updates/").status_code == 404


def test_the_updates_feed_carries_each_update_as_an_entry(client):
    """Atom, newest first, each entry's id the update's permalink; a correction travels with it."""
    from xml.etree import ElementTree

    story = make_live_story(headline="Floods in the north")
    post(story, "Rivers rising.", headline="Rivers rising")
    second = post(story, "Roads closed.")
    live.correct_update(second, by=make_user("editor"), body="Two roads closed.", note="Only two roads.")
    response = client.get(f"/news/{story.pk}/updates/feed/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    assert f"article-{story.pk}" in response["Surrogate-Key"].split()
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring(response.content)
    assert feed.find(f"{atom}title").text == "Live: Floods in the north"
    entries = feed.findall(f"{atom}entry")
    assert [e.find(f"{atom}id").text.rsplit("#", 1)[1] for e in entries] == ["update-2", "update-1"]
    assert "Only two roads." in entries[0].find(f"{atom}summary").text
    assert client.get(f"/news/{make_article().pk}/updates/feed/").status_code == 404


def test_the_breaking_banner_marks_a_running_live_story(client):
    story = make_live_story(headline="Storm makes landfall")
    from masthead.stories import changes

    changes.flag_breaking(story, by=make_user("editor"), until=timezone.now() + timedelta(hours=1))
    banner = client.get("/").content.decode().split('class="breaking"')[1].split("</aside>")[0]
    assert '<strong class="live-badge">Live</strong>' in banner and "Storm makes landfall" in banner


@pytest.mark.django_db(transaction=True)
def test_a_one_second_bucket_is_still_cached(client, settings):
    """Polled every second, the answer is still shared for the rest of that second, not made per reader."""
    settings.LIVE_POLL_SECONDS = 1
    story = make_live_story()
    address = f"/news/{story.pk}/updates/?since=0"
    assert (client.get(address)["X-Cache"], client.get(address)["X-Cache"]) == ("miss", "hit")
    assert "s-maxage=1" in client.get(address)["Cache-Control"]


def test_the_updates_feed_costs_the_same_queries_for_many_updates(client, django_assert_num_queries):
    story = make_live_story()
    post(story, "One.")
    with django_assert_num_queries(3):  # the story, its coverage, its updates
        client.get(f"/news/{story.pk}/updates/feed/")
    for n in range(10):
        post(story, f"More {n}.")
    pagecache.clear()  # this test's posts purge after a commit it never makes
    with django_assert_num_queries(3):
        client.get(f"/news/{story.pk}/updates/feed/")
