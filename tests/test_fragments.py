"""Fragments kept once written ({% kept %}, masthead.fragments): reused for the same key, never stale for changed data."""

from datetime import timedelta

import pytest
from django.template import engines
from django.test import override_settings
from django.utils import timezone, translation

from masthead.audience import lists
from masthead.news.models import Section
from tests.audience.factories import make_reads
from tests.news.factories import make_article, make_section


def _template(source: str):
    return engines["jinja2"].env.from_string(source)


def test_a_fragment_is_written_once_per_key_and_language():
    written = []

    def write(name):
        written.append(name)
        return name

    page = _template('{% kept "greeting", name %}<p>{{ write(name) }} {{ _("Search") }}</p>{% endkept %}')
    assert page.render(name="Zarif", write=write) == page.render(name="Zarif", write=write) == "<p>Zarif Search</p>"
    assert written == ["Zarif"]
    assert page.render(name="Araghchi", write=write) == "<p>Araghchi Search</p>"
    with translation.override("fa"):
        assert page.render(name="Zarif", write=write) == f"<p>Zarif {translation.gettext('Search')}</p>" != "<p>Zarif Search</p>"
    assert written == ["Zarif", "Araghchi", "Zarif"]


def test_a_variable_the_page_was_not_given_keys_as_nothing():
    page = _template('{% kept "bare", name %}<p>{{ name }}</p>{% endkept %}')
    assert page.render() == "<p></p>"
    assert page.render(name="Zarif") == "<p>Zarif</p>"


def test_a_changed_setting_forgets_every_fragment():
    page = _template('{% kept "name" %}{{ site_name() }}{% endkept %}')
    from django.conf import settings

    def site_name():
        return settings.SITE_NAME

    with override_settings(SITE_NAME="Tehran Times"):
        assert page.render(site_name=site_name) == "Tehran Times"
    with override_settings(SITE_NAME="Iran Daily"):
        assert page.render(site_name=site_name) == "Iran Daily"


@pytest.mark.django_db
def test_a_model_instance_is_refused_as_a_key():
    """A model hashes by its primary key: a renamed section would find the markup of its old name."""
    page = _template('{% kept "section", section %}{{ section.name }}{% endkept %}')
    with pytest.raises(TypeError, match=r"\{% kept %\} keys are text, numbers or lists of them, not Section: "
                                        r"name the attributes the fragment shows"):
        page.render(section=make_section())


@pytest.mark.django_db
def test_a_renamed_section_shows_in_the_navigation_of_the_next_page(client):
    """The navigation is kept by the sections' names and addresses: the next page written shows a new name."""
    section = make_section(name="Politics", name_fa="سیاست", slug="politics")
    first, second = make_article(section=section), make_article(section=section)
    fa_first, fa_second = (make_article(section=section, language="fa") for _ in range(2))
    assert '<a href="/section/politics/">Politics</a></li>' in client.get(first.get_absolute_url()).content.decode()
    assert '<a href="/fa/section/politics/">سیاست</a></li>' in client.get(fa_first.get_absolute_url()).content.decode()
    Section.objects.filter(pk=section.pk).update(name="World", name_fa="جهان", slug="world")
    page = client.get(second.get_absolute_url()).content.decode()
    assert '<a href="/section/world/">World</a></li>' in page and "Politics" not in page
    fa_page = client.get(fa_second.get_absolute_url()).content.decode()
    assert '<a href="/fa/section/world/">جهان</a></li>' in fa_page and "سیاست" not in fa_page


def _most_read(response) -> str:
    page = response.content.decode()
    return page[page.index('<aside class="related most-read"'):]


@pytest.mark.django_db
@override_settings(MOST_READ_SECONDS=0)
def test_the_most_read_block_follows_its_lists(client):
    """Kept by the lists it shows: new counts, or a story renamed in them, show on the next page."""
    section = make_section(name="Economy")
    now = timezone.now()
    read, later, page_one, page_two = (make_article(section=section, published_at=now - timedelta(minutes=n))
                                       for n in range(1, 5))
    make_reads(read, count=7)
    first = _most_read(client.get(page_one.get_absolute_url()))
    assert f">{read.headline}</a>" in first and "7 reads" in first
    make_reads(later, count=9)
    read.headline = "Rial steady"
    read.save()
    second = _most_read(client.get(page_two.get_absolute_url()))
    assert second.index(later.headline) < second.index("9 reads") < second.index("Rial steady") < second.index("7 reads")
    assert [entry.news_id for entry in lists.block(language="en")["most_read"]] == [later.pk, read.pk]
