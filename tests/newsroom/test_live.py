"""After a publish or an edit, the desk tells the editor when the site (and the edge) confirmed it, or warns."""

import pytest
from django.contrib.messages import get_messages
from django.test import override_settings

from masthead.news.models import Article
from tests import servers
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)

PAGE_CACHE = {"page-cache": {"BACKEND": "masthead.delivery.purge.pagecache"}}


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("chief", password="a-long-test-password-1"))
    return client


def _told(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def _publish(editor_client) -> list[tuple[str, str]]:
    story = make_article(status=Article.Status.DRAFT, published_at=None)
    return _told(editor_client.post(f"/newsroom/news/article/{story.pk}/desk/", {"action": "publish"}))


def test_a_publish_says_how_soon_it_was_live(editor_client):
    """With only the site's own cache, the editor reads how long the purge took."""
    with override_settings(MASTHEAD_PURGE=PAGE_CACHE):
        told = _publish(editor_client)
    assert ("success", "Published.") in told
    assert any(level == "info" and text.startswith("Live on the site in ") and text.endswith(" s.") for level, text in told)


def test_the_edge_confirming_the_purge_is_said(editor_client):
    """With a real Varnish edge in front, the message says the edge confirmed."""
    with servers.varnish(["http://127.0.0.1:9"]) as edge:
        purges = {**PAGE_CACHE, "edge": {"BACKEND": "masthead.delivery.purge.varnish", "URLS": edge}}
        with override_settings(MASTHEAD_PURGE=purges):
            told = _publish(editor_client)
    assert any(level == "info" and text.endswith("s: the edge confirmed the purge.") for level, text in told), told


def test_an_edge_that_does_not_answer_is_a_warning(editor_client):
    """An edge that cannot be reached: the publish stands, and the editor is warned how long readers may wait."""
    purges = {**PAGE_CACHE, "edge": {"BACKEND": "masthead.delivery.purge.varnish",
                                     "URLS": f"http://127.0.0.1:{servers.free_port()}", "TIMEOUT": 1}}
    with override_settings(MASTHEAD_PURGE=purges, PAGE_CACHE_SECONDS=300):
        told = _publish(editor_client)
    assert ("success", "Published.") in told
    warnings = [text for level, text in told if level == "warning"]
    assert warnings and warnings[0].startswith("Saved, but edge did not confirm the purge (URLError")
    assert warnings[0].endswith("readers there may see the old version for up to 5 minutes.")


def test_a_draft_move_is_not_announced_as_live(editor_client):
    """Submitting a draft changes nothing readers see: no live message."""
    story = make_article(status=Article.Status.DRAFT, published_at=None)
    with override_settings(MASTHEAD_PURGE=PAGE_CACHE):
        told = _told(editor_client.post(f"/newsroom/news/article/{story.pk}/desk/", {"action": "submit"}))
    assert not any(text.startswith("Live on the site") for _, text in told)
