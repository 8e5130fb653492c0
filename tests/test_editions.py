"""The Persian edition under /fa/: its pages, addresses, language and house style."""

import re
from datetime import datetime, timezone as dt_timezone
from urllib.parse import unquote

import pytest
from django.utils.translation import override

from masthead.syndication.models import LanguageEdition
from tests.news.factories import make_article, make_section

pytestmark = pytest.mark.django_db

NOWRUZ_WEEK = datetime(2021, 4, 12, 5, 35, tzinfo=dt_timezone.utc)


@pytest.fixture
def persian_story():
    return make_article(id=302105, headline="ظریف: نیروهای خارجی باید منطقه را ترک کنند", language="fa",
                        summary="دیدار وزیران خارجه در تهران.", body="بند نخست.\n\nبند دوم.",
                        section=make_section(name="سیاسی", slug="politics"), published_at=NOWRUZ_WEEK)


def test_a_persian_story_lives_under_fa_with_its_persian_slug(persian_story):
    """A Persian story's address is /fa/news/<News ID>/<Persian slug>/."""
    assert persian_story.slug == "ظریف-نیروهای-خارجی-باید-منطقه-را-ترک-کنند"
    assert unquote(persian_story.get_absolute_url()) == f"/fa/news/302105/{persian_story.slug}/"


def test_persian_article_page_is_right_to_left_in_persian_house_style(client, persian_story):
    """lang="fa" dir="rtl", labels in Persian, the Jalali dateline in Tehran time over the UTC
    moment, the News ID and the generation time in Persian digits."""
    response = client.get(persian_story.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "fa"
    assert re.search(r'<html lang="fa" dir="rtl">', html)
    assert '<dt>کد خبر:</dt> <dd class="news-id">۳۰۲۱۰۵</dd>' in html
    assert '<time datetime="2021-04-12T05:35:00Z">۲۳ فروردین ۱۴۰۰ – ۱۰:۰۵</time>' in html
    assert re.search(r"زمان ساخت صفحه [۰-۹]٫[۰-۹]{4} ثانیه", html), html[-400:]


def test_english_pages_stay_english(client):
    """The English edition keeps its language, direction and GMT dateline."""
    story = make_article(published_at=NOWRUZ_WEEK)
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "0535 GMT April 12, 2021</time>" in html
    assert re.search(r"Page Generated in \d\.\d{4} sec", html)


def test_a_story_is_served_only_in_its_own_edition(client, persian_story):
    """A Persian story asked for at the English address, or an English one under /fa/, moves for
    good to its own edition's address."""
    english = make_article()
    wrong_edition = client.get(f"/news/302105/{persian_story.slug}/")
    assert wrong_edition.status_code == 301
    assert wrong_edition["Location"] == persian_story.get_absolute_url()
    moved = client.get(f"/fa/news/{english.pk}/{english.slug}/")
    assert moved.status_code == 301
    assert moved["Location"] == f"/news/{english.pk}/{english.slug}/"


def test_each_edition_has_its_own_home_and_sections(client, persian_story):
    """The Persian home and section pages list Persian stories, the English ones English stories."""
    english = make_article(headline="Zarif meets al-Araji", section=persian_story.section)
    persian_home = client.get("/fa/").content.decode()
    english_home = client.get("/").content.decode()
    assert persian_story.headline in persian_home and english.headline not in persian_home
    assert english.headline in english_home and persian_story.headline not in english_home
    persian_section = client.get("/fa/section/politics/").content.decode()
    assert '<html lang="fa" dir="rtl">' in persian_section
    assert persian_story.headline in persian_section and english.headline not in persian_section


def test_hreflang_links_point_at_each_edition(client, persian_story):
    """A story and its translation link to each other's address in their own edition."""
    english = make_article(headline="Zarif meets al-Araji", language="en")
    for story in (english, persian_story):
        LanguageEdition.objects.create(article=story, story="zarif-araji")
    html = client.get(english.get_absolute_url()).content.decode()
    assert re.search(r'<link rel="alternate" hreflang="fa" href="[^"]*/fa/news/302105/', html)
    html = client.get(persian_story.get_absolute_url()).content.decode()
    assert re.search(rf'<link rel="alternate" hreflang="en" href="[^"]*/news/{english.pk}/', html)


def test_persian_error_page_is_in_persian(client):
    """An unknown address under /fa/ answers the friendly 404 in Persian, right to left."""
    response = client.get("/fa/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fa" dir="rtl">' in html
    assert "رفتن به صفحهٔ نخست" in html


def test_counts_follow_the_edition():
    """Numbers a Persian page prints use Persian digits and separators."""
    from masthead.templating import count

    with override("fa"):
        assert count(12345) == "۱۲٬۳۴۵"
    assert count(12345) == "12,345"


def test_mixed_direction_text_is_isolated(client, persian_story):
    """Latin tag and author names on a Persian page, and what a reader types into the comment form
    or search box, take their own direction (dir="auto") instead of the page's."""
    from tests.news.factories import make_author, make_tag

    story = make_article(language="fa", headline="دیدار در تهران", tags=[make_tag(name="Press TV", slug="press-tv")],
                         authors=[make_author(name="Sara Karimi", slug="sara-karimi")])
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<a rel="tag" dir="auto" href="/fa/tag/press-tv/">Press TV</a>' in html
    assert '<a rel="author" dir="auto" href="/fa/author/sara-karimi/">Sara Karimi</a>' in html
    assert re.search(r'<textarea name="body"[^>]* dir="auto"', html)
    assert re.search(r'<input type="search" name="q"[^>]* dir="auto"|<input id="site-search-q"[^>]* dir="auto"', html)


def test_the_persian_face_is_served_from_the_site_with_its_licence(client):
    """Vazirmatn comes from our own static files, with its OFL licence beside it; the stylesheet
    names no other host."""
    from django.contrib.staticfiles import finders

    css = open(finders.find("masthead/site.css"), encoding="utf-8").read()
    assert 'url("fonts/Vazirmatn-NL-Regular.woff2")' in css and "//" not in css.split("Vazirmatn")[1].split(")")[0]
    for name in ("Vazirmatn-NL-Regular.woff2", "Vazirmatn-NL-Bold.woff2"):
        assert open(finders.find(f"masthead/fonts/{name}"), "rb").read(4) == b"wOF2"
    assert "SIL Open Font License" in open(finders.find("masthead/fonts/OFL.txt"), encoding="utf-8").read()


def test_related_stories_stay_in_the_edition(client):
    """A Persian story's related stories are Persian ones, though English stories share its tags."""
    from masthead.news.models import Article
    from masthead.stories import indexes
    from tests.news.factories import make_tag

    iran = make_tag(name="Iran", slug="iran")
    english = make_article(headline="Iran and Iraq sign a memorandum", tags=[iran])
    other_persian = make_article(language="fa", headline="ایران و عراق یادداشت تفاهم امضا کردند", tags=[iran])
    story = make_article(language="fa", headline="دیدار وزیران در تهران", tags=[iran])
    indexes.refresh(Article.objects.get(pk=story.pk))
    html = client.get(story.get_absolute_url()).content.decode()
    assert other_persian.headline in html
    assert english.headline not in html


def test_a_cached_persian_page_keeps_persian_digits_in_its_footer(client, persian_story):
    """The page cache answers the second reader; the generation time it fills in is still Persian."""
    url = persian_story.get_absolute_url()
    client.get(url)
    again = client.get(url)
    assert again["X-Cache"] == "hit"
    assert re.search(r"زمان ساخت صفحه [۰-۹]٫[۰-۹]{4} ثانیه", again.content.decode())


def test_every_string_of_the_reader_pages_has_its_persian_translation(tmp_path):
    """Each string the templates and views mark (``make messages``) is translated, none left empty or fuzzy.

    The catalogue is read as the site reads it; a string missing from it would show in English on a
    Persian page. The extracted template is compared too, so a new string not yet in the catalogue fails."""
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent
    with open(root / "src/masthead/locale/fa/LC_MESSAGES/django.po", "rb") as source:
        catalog = read_po(source)
    untranslated = [m.id for m in catalog if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple)
                                                                              else [m.string]))]
    assert untranslated == []
    template = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), "extract", "-F", "babel.cfg", "--no-location",
                    "-k", "_", "-k", "gettext", "-k", "gettext_lazy", "-k", "ngettext:1,2", "-o", str(template), "."],
                   cwd=root, check=True, capture_output=True)
    with open(template, "rb") as source:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert sorted(wanted - have) == [], "run `make messages` and translate the new strings"
