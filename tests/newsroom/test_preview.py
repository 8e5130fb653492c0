import pytest

from tests.newsroom.factories import make_draft, make_user

pytestmark = pytest.mark.django_db


def test_author_and_editor_preview_an_unpublished_story_as_readers_will_see_it(client):
    reporter = make_user("reporter")
    story = make_draft(by=reporter, headline="Budget talks stall", body="**Bold** words.")
    for user in (reporter, make_user("editor")):
        client.force_login(user)
        response = client.get(f"/newsroom/news/article/{story.pk}/preview/")
        html = response.content.decode()
        assert response.status_code == 200
        assert '<h1 id="headline">Budget talks stall</h1>' in html and "<strong>Bold</strong>" in html
        assert "Preview: readers cannot see this page." in html
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "no-store" in response["Cache-Control"]


def test_readers_search_engines_and_other_reporters_get_404(client):
    story = make_draft(by=make_user("reporter"))
    url = f"/newsroom/news/article/{story.pk}/preview/"
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_USER_AGENT="Googlebot/2.1").status_code == 404
    client.force_login(make_user("reporter"))
    assert client.get(url).status_code == 404
    client.force_login(make_user("moderator"))
    assert client.get(url).status_code == 404
