"""The newsroom links a story to its translation from the story form (or starts a translation with
the link filled in), refuses a link that cannot be, and readers' pages follow at once."""

import pytest

from masthead.syndication.models import LanguageEdition
from tests.news.factories import make_article, make_section
from tests.newsroom.factories import make_draft, make_user

pytestmark = pytest.mark.django_db


def _form(article, **changes):
    data = {"kicker": article.kicker, "headline": article.headline, "slug": article.slug, "summary": article.summary,
            "body": article.body, "source": article.source, "section": article.section_id, "language": article.language,
            "loaded_version": article.version, "new_tags": "", "lead_image": "", "embargo_until_0": "",
            "embargo_until_1": "", "breaking_until_0": "", "breaking_until_1": "", "translation_of": ""}
    data.update(changes)
    return data


def _linked(a: int, b: int) -> bool:
    keys = dict(LanguageEdition.objects.filter(article_id__in=[a, b]).values_list("article_id", "story"))
    return len(keys) == 2 and keys[a] == keys[b]


@pytest.fixture
def editor(client):
    user = make_user("editor", username="ed")
    client.force_login(user)
    return user


@pytest.mark.django_db(transaction=True)
def test_an_editor_links_a_translation_and_both_pages_link_each_other(client, editor):
    """Saving the Persian story with the English one's News ID links them; the cached English page then says "Read in Persian"."""
    section = make_section(slug="politics")
    english = make_article(id=302104, section=section, headline="Zarif in Baghdad")
    persian = make_article(id=302106, section=section, language="fa", headline="ظریف در بغداد")
    assert "Read in Persian" not in client.get(english.get_absolute_url()).content.decode()  # cached now
    response = client.post(f"/newsroom/news/article/{persian.pk}/change/", _form(persian, translation_of=302104))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _linked(302104, 302106)
    client.logout()
    page = client.get(english.get_absolute_url()).content.decode()
    assert f'<p class="story-translation"><a href="{persian.get_absolute_url()}" hreflang="fa" ' \
           'rel="alternate">Read in Persian</a></p>' in page
    persian_page = client.get(persian.get_absolute_url()).content.decode()
    assert f'href="{english.get_absolute_url()}" hreflang="en" rel="alternate">خواندن به انگلیسی</a>' \
        in persian_page


def test_the_form_shows_the_link_it_has(client, editor):
    english = make_article(id=700)
    persian = make_draft(by=editor, language="fa", headline="پیش‌نویس")
    client.post(f"/newsroom/news/article/{persian.pk}/change/", _form(persian, translation_of=700))
    html = client.get(f"/newsroom/news/article/{persian.pk}/change/").content.decode()
    assert 'name="translation_of" value="700"' in html
    assert _linked(english.pk, persian.pk)


def test_a_translation_can_be_started_with_the_link_filled_in(client, editor):
    make_article(id=701)
    html = client.get("/newsroom/news/article/add/?translation_of=701&language=fa").content.decode()
    assert 'name="translation_of" value="701"' in html


@pytest.mark.parametrize("value,message", [
    ("999999", "No story has News ID 999999."),
    ("{same_language}", "Story {same_language} is in this story&#x27;s language too: a translation is in the other edition&#x27;s language."),
    ("{itself}", "A story cannot be its own translation."),
    ("abc", "Enter a whole number."),
])
def test_a_link_that_cannot_be_is_refused_naming_the_field(client, editor, value, message):
    story = make_draft(by=editor, headline="English draft")
    other = make_article(headline="Another English story")
    value = value.format(same_language=other.pk, itself=story.pk)
    response = client.post(f"/newsroom/news/article/{story.pk}/change/", _form(story, translation_of=value))
    assert response.status_code == 200
    html = response.content.decode()
    assert message.format(same_language=other.pk) in html
    assert 'id="id_translation_of"' in html and "errorlist" in html
    assert not LanguageEdition.objects.exists()


def test_a_reporter_who_may_not_edit_the_original_saves_but_is_told_why_it_is_not_linked(client):
    reporter = make_user("reporter", username="rep")
    original = make_article(id=702, headline="Published English story")
    draft = make_draft(by=reporter, language="fa", headline="ترجمه")
    client.force_login(reporter)
    response = client.post(f"/newsroom/news/article/{draft.pk}/change/", _form(draft, translation_of=702), follow=True)
    assert "The story was saved, but not linked to story 702: You may not edit story 702." in response.content.decode()
    assert not _linked(original.pk, draft.pk)


def test_the_groups_of_translations_are_shown_but_written_only_through_the_story(client, editor):
    """The list of translation groups is there to look at; adding, changing or deleting a row there would skip
    the story service's checks and purges, so the newsroom offers none of them, even to a superuser."""
    from django.contrib.auth import get_user_model

    english, persian = make_article(), make_article(language="fa")
    LanguageEdition.objects.create(article=english, story="group-1")
    LanguageEdition.objects.create(article=persian, story="group-1")
    row = LanguageEdition.objects.get(article=english)
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "a-long-password-1"))
    listing = client.get("/newsroom/syndication/languageedition/")
    assert listing.status_code == 200 and "group-1" in listing.content.decode()
    assert client.get("/newsroom/syndication/languageedition/add/").status_code == 403
    assert client.post(f"/newsroom/syndication/languageedition/{row.pk}/change/",
                       {"story": "hijacked", "article": persian.pk}).status_code == 403
    assert client.post(f"/newsroom/syndication/languageedition/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert LanguageEdition.objects.get(pk=row.pk).story == "group-1"
