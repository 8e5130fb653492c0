"""Readers' pages show stories' pictures, sized for their place, without shifting the page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.media.factories import make_image
from tests.news.factories import make_article, make_author, make_section, make_tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _imgs(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


def _stories(count: int, *, image, **fields):
    now = timezone.now()
    return [make_article(published_at=now - timedelta(minutes=n + 1), lead_image=image, **fields) for n in range(count)]


def test_home_shows_the_lead_story_large_and_the_others_as_thumbnails(client):
    image = make_image(alt="Azadi Tower at dusk")
    stories = _stories(5, image=image, section=make_section(name="Politics", slug="politics"))
    older = make_article(published_at=timezone.now() - timedelta(days=1), lead_image=image,
                         section=make_section(name="Economy", slug="economy"))
    html = client.get("/").content.decode()
    lead = html[html.index('class="lead"'):html.index("</article>", html.index('class="lead"'))]
    assert stories[0].headline in lead
    assert f'src="/media/imgcache/{image.pk}/650x365.jpg"' in lead and 'width="650" height="365"' in lead
    assert 'loading="eager"' in lead
    top = html[html.index('class="top-stories"'):html.index("</section>")]
    assert top.count("teaser-thumb") == 4 and top.count(f'src="/media/imgcache/{image.pk}/320x180.jpg"') == 4
    # Below the fold the section blocks load their thumbnail lazily.
    blocks = html[html.index('class="section-grid"'):]
    assert older.headline in blocks
    assert 'loading="lazy"' in _imgs(blocks)[0] and 'width="320" height="180"' in _imgs(blocks)[0]
    assert all('alt="Azadi Tower at dusk"' in img for img in _imgs(html))


def test_section_tag_author_and_archive_lists_show_thumbnails_lazy_below_the_first_few(client):
    image = make_image()
    tag, author, section = make_tag(slug="oil"), make_author(slug="sara"), make_section(slug="economy")
    stories = _stories(5, image=image, section=section, tags=[tag], authors=[author])
    day = stories[0].published_at
    for url in ["/section/economy/", "/tag/oil/", "/author/sara/", f"/archive/{day:%Y}/{day:%m}/"]:
        imgs = _imgs(client.get(url).content.decode())
        assert len(imgs) >= 5, url
        assert ['loading="lazy"' in img for img in imgs[:5]] == [False, False, False, True, True], url
        assert all('width="320" height="180"' in img and "srcset=" in img for img in imgs), url


def test_a_story_without_a_picture_has_no_empty_frame(client):
    make_article(section=make_section(slug="plain"))
    html = client.get("/section/plain/").content.decode()
    assert "<img" not in html and "teaser-picture" not in html


def test_the_article_shows_its_picture_with_caption_and_credit(client):
    image = make_image(alt="Azadi Tower at dusk", caption="The tower lit for Nowruz.", credit="IRNA")
    story = make_article(lead_image=image)
    html = client.get(story.get_absolute_url()).content.decode()
    figure = html[html.index('<figure class="lead-image">'):html.index("</figure>")]
    assert 'width="650" height="365"' in figure and 'loading="eager"' in figure
    assert "The tower lit for Nowruz." in figure and '<small class="credit">IRNA</small>' in figure


def test_pages_carry_the_key_of_each_picture_they_show(client):
    """So a new caption or focal point purges exactly the pages showing that picture."""
    image = make_image()
    story = make_article(lead_image=image, section=make_section(slug="keyed"))
    for url in ["/", "/section/keyed/", story.get_absolute_url()]:
        assert f"image-{image.pk}" in client.get(url)["Surrogate-Key"].split(), url
