"""Page to story: regions suggested from headlines on the page, confirmed by a person, tapped by readers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from masthead.epaper import regions
from masthead.epaper.models import Region
from tests.epaper.factories import make_issue
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db
PRINTED = dt.datetime(2021, 4, 11, 20, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def story():
    return make_article(headline="Leave the region, Iran FM says", published_at=PRINTED)


def test_a_headline_printed_on_a_page_is_suggested_where_it_stands(tmp_path, story):
    make_article(headline="Leave the region, Iran FM says again", published_at=PRINTED)  # not on the page
    make_article(headline="Oil exports rise", published_at=PRINTED - dt.timedelta(days=30))  # too old for this issue
    issue = make_issue(tmp_path, pages=[["Front page"], ["LEAVE THE REGION, IRAN FM SAYS", "Oil exports rise"]])
    made = regions.suggest(issue)
    assert [(r.page.number, r.article_id, r.confirmed) for r in made] == [(2, story.pk, False)]
    region = made[0]
    # The factory prints the first line at x = 72 pt, its baseline 96 pt below the top, in 24 pt Helvetica.
    assert 60 <= region.x <= 72 and 62 <= region.y <= 80
    assert 300 <= region.width <= 500 and 20 <= region.height <= 40
    assert regions.suggest(issue) == [], "a story already placed on the page is not suggested twice"


def test_readers_see_only_confirmed_regions_over_the_page_and_in_a_list(client, tmp_path, story,
                                                                      django_capture_on_commit_callbacks):
    """Confirming purges the cached page, which then shows the region and lists the story."""
    issue = make_issue(tmp_path, pages=[["Leave the region, Iran FM says"]])
    [region] = regions.suggest(issue)
    html = client.get("/epaper/2021-04-12/1/").content.decode()
    assert story.get_absolute_url() not in html
    assert client.get("/epaper/2021-04-12/1/")["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        regions.confirm([region])
    html = client.get("/epaper/2021-04-12/1/").content.decode()
    svg = html.split('<svg class="epaper-regions"')[1].split("</svg>")[0]
    assert 'viewBox="0 0 612.0 792.0"' in svg
    assert f'<a href="{story.get_absolute_url()}" class="epaper-region"' in svg
    assert f'<rect x="{region.x}" y="{region.y}" width="{region.width}" height="{region.height}"/>' in svg
    stories = html.split('class="epaper-stories"')[1].split("</ul>")[0]
    assert f'<a href="{story.get_absolute_url()}">Leave the region, Iran FM says</a>' in stories


def test_a_region_off_the_page_is_refused_with_the_pages_size(tmp_path, story):
    page = make_issue(tmp_path).pages.get(number=1)
    region = Region(page=page, article=story, x=500, y=10, width=200, height=50)
    with pytest.raises(ValidationError, match=r"The region runs off the page, which is 612 × 792 points\."):
        region.full_clean()


def test_the_story_page_says_where_it_was_printed_once_confirmed(client, tmp_path, story,
                                                                 django_capture_on_commit_callbacks):
    issue = make_issue(tmp_path, pages=[["Front page"], ["Leave the region, Iran FM says"]])
    [region] = regions.suggest(issue)
    assert "In print" not in client.get(story.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        regions.confirm([region])
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<dt>In print:</dt> <dd><a href="/epaper/2021-04-12/2/">page 2, April 12, 2021</a></dd>' in html
    with django_capture_on_commit_callbacks(execute=True):  # the issue is replaced: its regions go
        make_issue(tmp_path, pages=[["A new front page"]])
    assert "In print" not in client.get(story.get_absolute_url()).content.decode()
