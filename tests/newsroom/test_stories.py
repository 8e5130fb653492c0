from datetime import timedelta

import pytest
from django.utils import timezone

from masthead.news.models import Article
from masthead.newsroom.desk import countdown
from masthead.stories import changes
from tests.audience.factories import warm_lists
from tests.news.factories import make_article
from tests.newsroom.factories import make_draft, make_user
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db


def _titles(client, query=""):
    html = client.get("/newsroom/news/article/" + query).content.decode()
    return html


def test_list_searches_by_news_id_and_headline_words_whatever_their_case(client):
    """Each word typed must begin a word of the headline; a number is a News ID."""
    make_article(id=302104, headline="Leave the region, Iran FM tells foreign powers")
    make_article(headline="Tehran stocks rise")
    story = make_article(headline="Rise in Tehran rents")
    client.force_login(make_user("editor"))
    by_id = _titles(client, "?q=302104")
    assert "Leave the region" in by_id and "Tehran stocks rise" not in by_id
    both = _titles(client, "?q=TEHR")
    assert "Tehran stocks rise" in both and "Rise in Tehran rents" in both and "Leave the region" not in both
    one = _titles(client, "?q=tehran+rents")
    assert "Rise in Tehran rents" in one and "Tehran stocks rise" not in one
    changes.edit(story, by=SYSTEM, values={"headline": "Rise in Shiraz rents"})
    assert "Rise in Shiraz rents" not in _titles(client, "?q=tehran") and "Rise in Shiraz" in _titles(client, "?q=shiraz")


def test_list_shows_scheduled_stories_with_a_countdown_and_filters_by_state(client):
    editor = make_user("editor")
    story = make_draft(by=editor, headline="Scheduled budget story")
    changes.publish(story, by=editor, at=timezone.now() + timedelta(hours=2, minutes=5))
    make_article(headline="Already out")
    client.force_login(editor)
    html = _titles(client, "?state=scheduled")
    assert "Scheduled budget story" in html and "Already out" not in html
    assert 'data-countdown-hours="in %(h)d h %(m)02d min"' in html  # the words countdown.js ticks with
    assert '">in 2 h 0' in html or '">in 2 h 04 min' in html
    assert "Already out" in _titles(client, "?state=published")


def test_countdown_reads_as_a_desk_would_say_it():
    now = timezone.now()
    assert countdown(now + timedelta(seconds=9), now=now) == "in 9 s"
    assert countdown(now + timedelta(minutes=4, seconds=10), now=now) == "in 4 min 10 s"
    assert countdown(now + timedelta(hours=2, minutes=5), now=now) == "in 2 h 05 min"
    assert countdown(now - timedelta(seconds=1), now=now) == "now"


def test_countdown_speaks_persian_with_persian_digits_on_a_persian_desk():
    """The countdown's words and digits follow the desk's language, as countdown.js's do."""
    from django.utils import translation

    now = timezone.now()
    with translation.override("fa"):
        assert countdown(now + timedelta(hours=2, minutes=5), now=now) == "۲ ساعت و ۰۵ دقیقهٔ دیگر"
        assert countdown(now + timedelta(minutes=4, seconds=10), now=now) == "۴ دقیقه و ۱۰ ثانیهٔ دیگر"
        assert countdown(now + timedelta(days=3), now=now) == "۳ روز دیگر"
        assert countdown(now, now=now) == "اکنون"


def test_list_filters_by_author_name_id_or_mine_without_listing_every_author(client):
    from tests.news.factories import make_author

    editor = make_user("editor")
    sara, reza = make_author(name="Sara Karimi", user=editor), make_author(name="Reza Ahmadi")
    make_article(headline="By Sara", authors=[sara])
    make_article(headline="By Reza", authors=[reza])
    make_article(headline="By both", authors=[sara, reza])
    client.force_login(editor)
    for query in ("?author=sar", f"?author={sara.pk}", "?author=mine"):
        html = _titles(client, query)
        assert "By Sara" in html and "By both" in html and "By Reza" not in html, query
        assert html.count(">By both<") == 1
    kept = _titles(client, "?author=reza&state=published")
    assert 'type="hidden" name="state" value="published"' in kept


def test_a_django_style_author_lookup_is_the_author_filter_without_a_join_or_distinct(client):
    """?authors__id__exact=7, as Django's admin writes a lookup, lists the same stories as ?author=7, once
    each, through the author filter's subquery: no join and no DISTINCT over every column."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.news.factories import make_author

    editor = make_user("editor")
    sara, reza = make_author(name="Sara Karimi"), make_author(name="Reza Ahmadi")
    make_article(headline="By Sara", authors=[sara])
    make_article(headline="By Reza", authors=[reza])
    make_article(headline="By both", authors=[sara, reza])
    client.force_login(editor)
    with CaptureQueriesContext(connection) as captured:
        html = _titles(client, f"?authors__id__exact={sara.pk}")
    assert "By Sara" in html and html.count(">By both<") == 1 and "By Reza" not in html
    stories = [q["sql"] for q in captured.captured_queries if 'FROM "news_article"' in q["sql"]]
    assert stories and not [sql for sql in stories if "DISTINCT" in sql or "JOIN" in sql], stories


def test_the_published_state_lists_what_readers_see_and_nothing_embargoed_or_scheduled(client):
    """"Published" in the list is visible(): not a story held by its embargo, nor one scheduled."""
    editor = make_user("editor")
    make_article(headline="Out now")
    held = make_draft(by=editor, headline="Held by embargo", embargo_until=timezone.now() + timedelta(hours=3))
    changes.publish(held, by=editor)
    changes.publish(make_draft(by=editor, headline="Scheduled later"), by=editor, at=timezone.now() + timedelta(hours=1))
    client.force_login(editor)
    html = _titles(client, "?state=published")
    assert "Out now" in html and "Held by embargo" not in html and "Scheduled later" not in html
    assert "Held by embargo" in _titles(client, "?state=scheduled")


def test_editor_publishes_a_selection_from_the_list_and_reporter_has_no_such_action(client):
    editor, reporter = make_user("editor"), make_user("reporter")
    drafts = [make_draft(by=reporter) for _ in range(2)]
    client.force_login(reporter)
    page = _titles(client)
    assert "publish_now" not in page
    client.force_login(editor)
    response = client.post("/newsroom/news/article/", {"action": "publish_now", "_selected_action": [d.pk for d in drafts]})
    assert response.status_code == 302
    assert all(d.__class__.objects.get(pk=d.pk).is_visible() for d in drafts)
    assert all(d.state_changes.first().by == editor for d in drafts)


def test_a_corrected_article_page_costs_a_fixed_number_of_queries(client):
    """One query for its corrections, whatever their number."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    editor = make_user("editor")
    counts = []
    for n in (1, 4):
        story = make_article()
        for i in range(n):
            changes.correct(story, by=editor, text=f"Correction {i}.")
        warm_lists(story)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(story.get_absolute_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_list_counts_only_ten_pages_ahead_and_says_so(client, monkeypatch):
    from django.contrib import admin

    from masthead.news.models import Article

    monkeypatch.setattr(admin.site._registry[Article], "list_per_page", 1)
    for _ in range(12):
        make_article()
    client.force_login(make_user("editor"))
    assert "More than 11 stories" in _titles(client)
    assert "More than" not in _titles(client, "?p=2") and "12 stories" in _titles(client, "?p=2")


def test_a_headline_search_reads_the_newest_matches_first(client, monkeypatch):
    """A search of several words reads only the newest SEARCH_MATCHES matching stories, then filters them."""
    from masthead.newsroom import stories

    monkeypatch.setattr(stories, "SEARCH_MATCHES", 2)
    oldest, middle, newest = (make_article(headline=f"Oil talks, round {n}") for n in (1, 2, 3))
    make_article(headline="Gas talks")
    client.force_login(make_user("editor"))
    found = _titles(client, "?q=oil+talk")
    assert "round 3" in found and "round 2" in found and "round 1" not in found and "Gas talks" not in found


def _plan(sql: str) -> str:
    """The plan of ``sql`` (a captured query) on the database at hand, with PostgreSQL's scans of whole tables off:
    a test's table of a few rows is cheaper to read whole; what matters is which index can answer."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql.replace("%", "%%"))
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql.replace("%", "%%"))
        return "\n".join(row[-1] for row in cursor.fetchall())


def test_the_date_filter_lists_every_state_newest_first_and_counts_from_the_date_index(client):
    """"Past 7 days" lists the stories published in the range, whatever their state, newest first; its count reads
    the range of article_published (from article_visible it read every state's stretch: 54 ms at 1,000,000 stories)."""
    from urllib.parse import quote

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    editor = make_user("editor")
    now = timezone.now()
    old = make_article(headline="Two weeks old", published_at=now - timedelta(days=14))
    make_article(headline="Three days old", published_at=now - timedelta(days=3))
    make_article(headline="An hour old")
    held = make_draft(by=editor, headline="Scheduled tomorrow")
    changes.publish(held, by=editor, at=now + timedelta(hours=2))
    # An archive behind them, analysed, so that the planner weighs a week's range against the whole
    # table: over a few rows every index costs the same, and PostgreSQL took one or the other.
    Article.objects.bulk_create(
        Article(headline=f"Archived {n}", slug=f"archived-{n}", section=old.section, body="Archived.",
                status=Article.Status.PUBLISHED, published_at=now - timedelta(days=30 + n)) for n in range(400))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week = f"?published_at__gte={quote(str(today - timedelta(days=7)))}&published_at__lt={quote(str(today + timedelta(days=2)))}"
    client.force_login(editor)
    with CaptureQueriesContext(connection) as captured:
        html = _titles(client, week)
    shown = [title for title in ("Scheduled tomorrow", "An hour old", "Three days old") if title in html]
    assert shown == ["Scheduled tomorrow", "An hour old", "Three days old"] and "Two weeks old" not in html
    assert sorted(shown, key=html.index) == shown  # newest first
    (count,) = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    plan = _plan(count)
    assert "article_published" in plan, plan
