"""The article page: one label for section and kicker, related stories before the comments, the share picture."""

import pytest

from masthead.media import describing
from tests.media.factories import make_image
from tests.news.factories import make_article, make_section, make_tag

pytestmark = pytest.mark.django_db


def test_section_and_kicker_read_as_one_label(client):
    story = make_article(kicker="Diplomacy", section=make_section(name="Politics", slug="politics"))
    html = client.get(story.get_absolute_url()).content.decode()
    label = html[html.index('<p class="story-label">'):]
    label = label[:label.index("</p>")]
    assert '<a class="story-section" href="/section/politics/">Politics</a>' in label
    assert '<span class="kicker">Diplomacy</span>' in label
    assert html.count('class="kicker"') == 1


def test_a_story_without_a_kicker_shows_its_section_alone(client):
    story = make_article(kicker="", section=make_section(name="Sport", slug="sport"))
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<p class="story-label"><a class="story-section" href="/section/sport/">Sport</a></p>' in html


def test_related_stories_come_before_the_comment_form(client):
    tag = make_tag()
    older = make_article(tags=[tag], headline="An older story on the same subject")
    story = make_article(tags=[tag])
    html = client.get(story.get_absolute_url()).content.decode()
    assert older.headline in html
    assert html.index('id="related-heading"') < html.index('id="comments"')


def test_the_share_picture_is_cut_around_the_focal_point(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    image = make_image()
    image.focal_x, image.focal_y = 30, 20
    describing.describe(image)
    story = make_article(lead_image=image)
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="http://127.0.0.1:8000/media/imgcache/{image.pk}/1200x675-f30-20.jpg">' in html
    assert client.get(f"/media/imgcache/{image.pk}/1200x675-f30-20.jpg").status_code == 200
