"""A section has a name in each edition: the Persian edition shows its Persian name wherever it names
the section (navigation, home blocks, lists, the story's section line, feeds), falling back to the
English name while none is given; the newsroom edits it and the change reaches cached pages."""

import pytest

from masthead.news import demo
from masthead.news.models import Section
from tests.news.factories import make_article, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def politics():
    section = make_section(name="Politics", name_fa="سیاست", slug="politics")
    make_article(section=section, language="fa", headline="ظریف در بغداد")
    make_article(section=section, headline="Zarif in Baghdad")
    return section


def test_persian_pages_name_the_section_in_persian(client, politics):
    """Navigation, teasers, section heading and the story's section line: Persian under /fa/."""
    home = client.get("/fa/").content.decode()
    assert '<a href="/fa/section/politics/">سیاست</a></li>' in home
    assert '<a dir="auto" href="/fa/section/politics/">سیاست</a>' in home  # the teaser's section line
    listing = client.get("/fa/section/politics/").content.decode()
    assert "<h1>سیاست</h1>" in listing
    assert ">Politics<" not in listing
    story = politics.articles.get(language="fa")
    page = client.get(story.get_absolute_url()).content.decode()
    assert '<a class="story-section" href="/fa/section/politics/">سیاست</a>' in page
    assert '"articleSection": "سیاست"' in page


def test_english_pages_keep_the_english_name(client, politics):
    home = client.get("/").content.decode()
    assert '<a href="/section/politics/">Politics</a></li>' in home
    assert "سیاست" not in home
    assert "<h1>Politics</h1>" in client.get("/section/politics/").content.decode()


def test_without_a_persian_name_the_persian_edition_shows_the_english_one(client):
    make_article(section=make_section(name="Science", slug="science"), language="fa", headline="کشف تازه")
    assert "<h1>Science</h1>" in client.get("/fa/section/science/").content.decode()


def test_persian_search_results_name_the_section_in_persian(client, politics):
    html = client.get("/fa/search/", {"q": "ظریف"}).content.decode()
    assert '<a href="/fa/section/politics/">سیاست</a>' in html


@pytest.mark.django_db(transaction=True)
def test_the_newsroom_sets_the_persian_name_and_cached_pages_follow(client, django_user_model):
    """An editor gives a section its Persian name in the newsroom; the cached /fa/ section page and feed show it."""
    section = make_section(name="Economy", slug="economy")
    make_article(section=section, language="fa", headline="ریال ثابت ماند")
    assert "<h1>Economy</h1>" in client.get("/fa/section/economy/").content.decode()
    assert client.get("/fa/section/economy/")["X-Cache"] == "hit"
    client.get("/fa/feeds/section/economy/rss/")
    editor = django_user_model.objects.create_superuser("chief", password="a-long-test-password-1")
    client.force_login(editor)
    response = client.post(f"/newsroom/news/section/{section.pk}/change/", {
        "name": "Economy", "name_fa": "اقتصاد", "slug": "economy", "description": "", "position": 0})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    assert Section.objects.get(pk=section.pk).name_fa == "اقتصاد"
    page = client.get("/fa/section/economy/")
    assert page["X-Cache"] == "miss"
    assert "<h1>اقتصاد</h1>" in page.content.decode()
    assert "<title>اقتصاد · " in client.get("/fa/feeds/section/economy/rss/").content.decode()


def test_the_section_list_in_the_newsroom_edits_persian_names(client, django_user_model):
    make_section(name="Culture", slug="culture")
    client.force_login(django_user_model.objects.create_superuser("chief", password="a-long-test-password-1"))
    html = client.get("/newsroom/news/section/").content.decode()
    assert "Persian name" in html
    assert 'name="form-0-name_fa"' in html


def test_the_demo_names_every_section_in_persian():
    demo.load()
    assert dict(Section.objects.values_list("slug", "name_fa")) == {
        "politics": "سیاست", "economy": "اقتصاد", "sport": "ورزش", "culture": "فرهنگ", "world": "جهان", "science": "دانش"}


def test_reloading_the_demo_fills_a_blank_persian_name_and_keeps_an_editors(client):
    demo.load()
    Section.objects.filter(slug="politics").update(name_fa="")
    Section.objects.filter(slug="sport").update(name_fa="ورزشی")
    demo.load()
    names = dict(Section.objects.values_list("slug", "name_fa"))
    assert names["politics"] == "سیاست"
    assert names["sport"] == "ورزشی"


def test_the_api_lists_each_sections_persian_name(client, politics):
    [section] = client.get("/api/v1/sections").json()["items"]
    assert (section["name"], section["name_fa"]) == ("Politics", "سیاست")


def test_a_persian_name_the_demo_fills_in_reaches_cached_pages(client, django_capture_on_commit_callbacks):
    """The demo loader gives a section its Persian name through stories.taxonomy: cached /fa/ pages show it."""
    demo.load()
    Section.objects.filter(slug="politics").update(name_fa="")  # a paper loaded before sections had Persian names
    client.get("/fa/")
    assert client.get("/fa/")["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        demo.load()
    page = client.get("/fa/")
    assert page["X-Cache"] == "miss" and '<a href="/fa/section/politics/">سیاست</a>' in page.content.decode()
