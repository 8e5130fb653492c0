"""Text that is not text is refused at every entrance, naming the field, and nothing is stored."""

import json

import pytest
from django.core.exceptions import ValidationError

from masthead.news.models import Article, Tag
from masthead.stories import changes
from tests.news.factories import make_section
from tests.newsroom.factories import make_draft, make_user
from tests.stories.factories import SYSTEM
from tests.syndication.factories import make_token

pytestmark = pytest.mark.django_db
REFUSED = "Contains a control character (U+0001 at character 6), which is not text; remove it and save again."


def _form(article, **changes):
    data = {"kicker": article.kicker, "headline": article.headline, "slug": article.slug, "summary": article.summary,
            "body": article.body, "source": article.source, "section": article.section_id, "language": article.language,
            "loaded_version": article.version, "new_tags": "", "lead_image": "", "embargo_until_0": "",
            "embargo_until_1": "", "breaking_until_0": "", "breaking_until_1": ""}
    return {**data, **changes}


def test_the_newsroom_form_refuses_a_headline_with_u0001_naming_the_field(client):
    editor = make_user("editor")
    client.force_login(editor)
    section = make_section()
    new = client.post("/newsroom/news/article/add/", {"headline": "Leave\x01 the region", "section": section.pk,
                                                     "language": "en", "new_tags": ""})
    assert new.status_code == 200
    assert new.context["adminform"].form.errors["headline"] == [REFUSED]
    assert not Article.objects.filter(section=section).exists()
    story = make_draft(by=editor, headline="Leave the region")
    edit = client.post(f"/newsroom/news/article/{story.pk}/change/", _form(story, headline="Leave\x01 the region",
                                                                           new_tags="Iran\x08"))
    assert edit.status_code == 200
    errors = edit.context["adminform"].form.errors
    assert errors["headline"] == [REFUSED]
    assert errors["new_tags"] == [REFUSED.replace("U+0001 at character 6", "U+0008 at character 5")]
    assert Article.objects.get(pk=story.pk).headline == "Leave the region" and not Tag.objects.exists()


def test_the_api_refuses_a_headline_with_u0001_with_a_400_naming_the_field(client):
    sara = make_user("reporter")
    section = make_section(slug="politics")
    token = make_token(sara)
    created = client.post("/api/v1/articles", data=json.dumps({"headline": "Leave\x01 the region", "section": "politics"}),
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert created.status_code == 400
    assert created.json()["error"] == {"status": 400, "parameter": "headline", "message": f"headline: {REFUSED}"}
    assert not Article.objects.filter(section=section).exists()
    story = make_draft(by=sara, section=section, headline="Leave the region")
    edited = client.patch(f"/api/v1/articles/{story.pk}", data=json.dumps({"tags": ["Iran", "Ira\x01q"]}),
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert edited.status_code == 400 and edited.json()["error"]["parameter"] == "tags"
    assert not Tag.objects.exists() and Article.objects.get(pk=story.pk).version == story.version


def test_the_service_itself_refuses_what_an_entrance_let_through():
    """Every change is checked where it is made, so no entrance can forget to."""
    story = make_draft(by=make_user("editor"), body="Clean.")
    with pytest.raises(ValidationError) as refused:
        changes.edit(story, by=SYSTEM, values={"body": "Dirty\x9b text."})
    assert refused.value.message_dict == {"body": [REFUSED.replace("U+0001 at character 6", "U+009B at character 6")]}
    assert Article.objects.get(pk=story.pk).body == "Clean."


def test_a_correction_from_the_desk_with_a_control_character_is_refused_with_its_message(client):
    editor = make_user("editor")
    story = changes.publish(make_draft(by=editor), by=editor)
    client.force_login(editor)
    response = client.post(f"/newsroom/news/article/{story.pk}/desk/", {"action": "correct", "text": "Wrong\x01 date."},
                           follow=True)
    assert [str(m) for m in response.context["messages"]] == [REFUSED]
    assert not story.corrections.exists()
