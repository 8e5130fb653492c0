from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone

from masthead.news.models import Article
from tests.news.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db


def test_article_page_shows_what_the_paper_shows(client):
    """The article page carries kicker, headline, News ID, house-style Published line, body, byline, source, tags."""
    section = make_section(name="Politics", slug="politics")
    story = make_article(
        id=302104, section=section, kicker="Diplomacy", headline="‘Leave the region,’ Iran FM tells foreign powers",
        summary="Zarif met al-Araji.", body="First paragraph.\n\nSecond paragraph, Press TV reported.",
        source="Press TV", published_at=datetime(2021, 4, 12, 5, 35, tzinfo=dt_timezone.utc),
        tags=[make_tag(name="Iran", slug="iran")], authors=[make_author(name="Sara Karimi", slug="sara-karimi")],
    )
    response = client.get(f"/news/302104/{story.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1 id=\"headline\">‘Leave the region,’ Iran FM tells foreign powers</h1>" in html
    assert '<dt>News ID:</dt> <dd class="news-id">302104</dd>' in html
    assert "0535 GMT April 12, 2021</time>" in html
    assert "<p>Second paragraph, Press TV reported.</p>" in html
    assert "Source: Press TV" in html
    assert 'href="/author/sara-karimi/">Sara Karimi</a>' in html
    assert 'href="/tag/iran/">Iran</a>' in html
    assert 'href="/section/politics/">Politics</a>' in html
    assert f'href="/news/302104/{story.slug}/print/"' in html
    assert "Diplomacy" in html


def test_footer_reports_the_real_generation_time(client):
    """'Page Generated in N sec' is filled in per response and agrees with Server-Timing."""
    story = make_article()
    response = client.get(story.get_absolute_url())
    html = response.content.decode()
    assert "@@MASTHEAD_GENERATED@@" not in html
    import re

    shown = float(re.search(r"Page Generated in (\d+\.\d{4}) sec", html).group(1))
    timing = float(re.search(r"app;dur=([\d.]+)", response["Server-Timing"]).group(1)) / 1000
    assert 0 < shown < 5
    assert shown <= timing + 0.0001


@pytest.mark.parametrize("path", ["/news/{id}/", "/news/{id}/wrong-slug/", "/News/{id}.html",
                                  "/News/{id}.html?catid=3&title=leave-the-region"])
def test_old_and_short_addresses_redirect_permanently(client, path):
    story = make_article(headline="Leave the region")
    response = client.get(path.format(id=story.pk))
    assert response.status_code == 301
    assert response["Location"] == f"/news/{story.pk}/leave-the-region/"


@pytest.mark.parametrize("state", ["draft", "review", "unpublished", "scheduled", "missing"])
def test_invisible_stories_answer_404(client, state):
    """Unpublished, scheduled-for-later and missing News IDs are a 404, never a 500."""
    if state == "missing":
        news_id, slug = 999999, "nothing"
    else:
        fields = {"status": state} if state != "scheduled" else {"published_at": timezone.now() + timedelta(hours=1)}
        story = make_article(**fields)
        news_id, slug = story.pk, story.slug
    for path in (f"/news/{news_id}/{slug}/", f"/news/{news_id}/", f"/News/{news_id}.html"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.content.decode()


def test_home_shows_top_stories_and_sections(client):
    sport = make_section(name="Sport", slug="sport")
    make_article(headline="Persepolis win the derby", section=sport)
    response = client.get("/")
    html = response.content.decode()
    assert "Top stories" in html
    assert "Persepolis win the derby" in html
    assert '<a href="/section/sport/">Sport</a>' in html


def test_section_tag_and_author_pages_list_their_stories(client):
    section, tag, author = make_section(slug="economy"), make_tag(slug="oil"), make_author(slug="ali-rezaei")
    make_article(headline="Oil exports rise", section=section, tags=[tag], authors=[author])
    make_article(headline="Unrelated story")
    for path in ("/section/economy/", "/tag/oil/", "/author/ali-rezaei/"):
        html = client.get(path).content.decode()
        assert "Oil exports rise" in html, path
        assert "Unrelated story" not in html, path


def test_archive_by_date(client):
    make_article(headline="On the twelfth", published_at=datetime(2021, 4, 12, 5, 35, tzinfo=dt_timezone.utc))
    make_article(headline="On the thirteenth", published_at=datetime(2021, 4, 13, 9, 0, tzinfo=dt_timezone.utc))
    day = client.get("/archive/2021/04/12/").content.decode()
    assert "On the twelfth" in day and "On the thirteenth" not in day
    assert "April 12, 2021" in day
    month = client.get("/archive/2021/04/").content.decode()
    assert "On the twelfth" in month and "On the thirteenth" in month
    assert client.get("/archive/2021/13/01/").status_code == 404
    assert client.get("/archive/2021/02/30/").status_code == 404


def test_keyset_pages_walk_the_whole_list_without_gaps_or_repeats(client):
    """Following 'Older stories' visits every story once, even when times tie; 'Newer' walks back."""
    section = make_section(slug="world")
    tie = timezone.now() - timedelta(days=1)
    for n in range(47):
        make_article(section=section, headline=f"World story {n}",
                     published_at=tie if n % 3 == 0 else tie - timedelta(minutes=n))
    import re

    seen, url, pages = [], "/section/world/", []
    while url:
        html = client.get(url).content.decode()
        pages.append(url)
        seen += re.findall(r"World story (\d+)</a>", html)
        older = re.search(r'rel="next" href="\?before=([^"]+)"', html)
        url = f"/section/world/?before={older.group(1)}" if older else None
    assert sorted(map(int, seen)) == list(range(47))
    assert len(pages) == 3
    expected = [s.pk for s in Article.objects.filter(section=section).order_by("-published_at", "-id")]
    assert [int(n) for n in seen] == [int(Article.objects.get(pk=pk).headline.split()[-1]) for pk in expected]
    last = client.get(pages[-1]).content.decode()
    newer = re.search(r'rel="prev" href="\?after=([^"]+)"', last).group(1)
    back = client.get(f"/section/world/?after={newer}").content.decode()
    assert re.findall(r"World story (\d+)</a>", back) == seen[20:40]


def test_malformed_cursor_is_a_404(client):
    make_section(slug="culture")
    assert client.get("/section/culture/?before=garbage").status_code == 404


def test_print_view(client):
    story = make_article(headline="Printable")
    response = client.get(f"/news/{story.pk}/{story.slug}/print/")
    assert response.status_code == 200
    assert 'name="robots" content="noindex"' in response.content.decode()
    assert "Printable" in response.content.decode()


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Go to the front page" in response.content.decode()


def test_server_error_page_needs_no_database(rf):
    from masthead.news.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_cursor_round_trips_to_the_microsecond():
    """A page cursor names its story's time exactly, so no story is skipped or repeated at a page boundary."""
    from masthead.news import listing

    for micro in (0, 1, 499999, 999999, 123457):
        story = Article(id=7, published_at=datetime(2021, 4, 12, 5, 35, 59, micro, tzinfo=dt_timezone.utc))
        assert listing.parse_cursor(listing.cursor(story)) == (story.published_at, 7)
