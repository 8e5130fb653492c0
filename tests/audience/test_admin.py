"""The newsroom's audience page: a story's reads per hour as a chart, today's top stories, reads by section."""

import pytest

from masthead.audience import charts, reports
from tests.audience.factories import make_reads, this_hour
from tests.news.factories import make_article, make_section
from tests.newsroom.factories import make_user

pytestmark = pytest.mark.django_db

PAGE = "/newsroom/audience/storyreads/"


def test_a_story_s_reads_per_hour_are_a_chart(client):
    """With ?story=<News ID> the page draws one bar per hour of the last 48, each as tall as its reads."""
    story = make_article(headline="Talks resume in Vienna")
    make_reads(story, count=40)
    make_reads(story, count=10, hours_ago=5)
    client.force_login(make_user("reporter"))
    response = client.get(PAGE, {"story": story.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="reads-chart" role="img"' in html
    assert html.count('class="reads-bar"') == 48
    assert 'data-reads="40"' in html and 'data-reads="10"' in html
    assert "Reads per hour of “Talks resume in Vienna”" in html
    assert "50 reads in 48 hours, at most 40 in an hour" in html
    assert "<table" not in html.split("reads-chart", 1)[1].split("</svg>", 1)[0], "a picture, not a table"


def test_hourly_fills_hours_without_reads_with_zero():
    """Every hour of the chart has a figure, oldest first, ending with the current hour."""
    story = make_article()
    make_reads(story, count=3, hours_ago=2)
    points = reports.hourly(story_id=story.pk, hours=4)
    assert [count for _, count in points] == [0, 3, 0, 0]
    assert points[-1][0] == this_hour()


def test_the_bars_scale_to_the_busiest_hour():
    """The busiest hour's bar fills the plot's height; the others are in proportion."""
    hour = this_hour()
    svg = charts.reads_per_hour([(hour, 10), (hour, 5), (hour, 0)], title="Reads")
    heights = [float(part.split('"', 1)[0]) for part in svg.split('height="')[2:]]
    assert heights == [200.0, 100.0, 0.0]


def test_today_s_top_stories_and_reads_by_section(client):
    """Without a story the page lists today's most read stories and the reads of each section."""
    politics, sport = make_section(name="Politics"), make_section(name="Sport")
    vote, match, other = make_article(section=politics), make_article(section=sport), make_article(section=sport)
    make_reads(vote, count=7)
    make_reads(match, count=3)
    make_reads(other, count=2)
    assert [(row.key, row.reads) for row in reports.top_today()] == [(vote.pk, 7), (match.pk, 3), (other.pk, 2)]
    assert [(row.name, row.reads) for row in reports.by_section()] == [("Politics", 7), ("Sport", 5)]
    client.force_login(make_user("editor"))
    html = client.get(PAGE).content.decode()
    assert html.index(vote.headline) < html.index(match.headline)
    assert f'href="?story={vote.pk}"' in html


@pytest.mark.parametrize("asked, status, message", [
    ("abc", 400, "story: must be a whole number from 1 to 9223372036854775807, not &#x27;abc&#x27;"),
    ("999999", 404, "No story with News ID 999999."),
])
def test_a_bad_news_id_is_named_not_a_500(client, asked, status, message):
    """A News ID that is not a number, or names no story, is answered with the reason, beside the form."""
    client.force_login(make_user("editor"))
    response = client.get(PAGE, {"story": asked})
    assert response.status_code == status
    assert message in response.content.decode()


def test_linked_from_the_story_page_and_the_newsroom_index(client):
    """The story's page links to its chart; the newsroom's index lists the audience page."""
    story = make_article()
    client.force_login(make_user("editor"))
    assert f'href="{PAGE}?story={story.pk}"' in client.get(f"/newsroom/news/article/{story.pk}/change/").content.decode()
    assert f'href="{PAGE}"' in client.get("/newsroom/").content.decode()


def test_readers_and_signed_out_visitors_do_not_see_it(client):
    """A signed-out visitor, or an account that is not in the newsroom, is sent to sign in."""
    assert client.get(PAGE).status_code == 302
    user = make_user(None)
    user.is_staff = False
    user.save()
    client.force_login(user)
    assert client.get(PAGE).status_code == 302
