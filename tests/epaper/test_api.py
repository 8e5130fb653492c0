"""The printed issues in the JSON API (their shapes are checked against the OpenAPI document in tests/syndication)."""

import datetime as dt

import pytest

from masthead.epaper import regions
from tests.epaper.factories import make_issue
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://paper.example"


def test_issues_are_listed_by_id_with_a_next_link(client, tmp_path):
    first = make_issue(tmp_path, number=302)
    second = make_issue(tmp_path, special="Nowruz 1400")
    page = client.get("/api/v1/epaper/issues?limit=1").json()
    assert page["items"] == [{
        "id": first.pk, "date": "2021-04-12", "kind": "daily", "number": 302, "title": "", "pages": 3,
        "url": "https://paper.example/epaper/2021-04-12/", "pdf": "https://paper.example/epaper/2021-04-12/issue.pdf",
        "imported": first.imported_at.isoformat()}]
    assert page["next"] == f"https://paper.example/api/v1/epaper/issues?after={first.pk}&limit=1"
    rest = client.get(page["next"].removeprefix("https://paper.example")).json()
    assert [i["id"] for i in rest["items"]] == [second.pk] and rest["next"] is None


def test_an_issue_gives_its_pages_text_and_the_stories_on_them(client, tmp_path):
    story = make_article(headline="Oil exports rise", published_at=dt.datetime(2021, 4, 11, 20, tzinfo=dt.timezone.utc))
    issue = make_issue(tmp_path, pages=[["Front page"], ["Oil exports rise"]])
    regions.confirm(regions.suggest(issue))
    found = client.get(f"/api/v1/epaper/issues/{issue.pk}").json()
    second = found["pages_detail"][1]
    assert (second["number"], second["text"], second["width"], second["height"]) == (2, "Oil exports rise", 612.0, 792.0)
    assert second["images"]["thumb"] == "https://paper.example" + issue.scan(2, "thumb")
    assert [s["news_id"] for s in second["stories"]] == [story.pk]


def test_bad_parameters_and_unknown_issues_are_named(client):
    assert client.get("/api/v1/epaper/issues?limit=500").json() == {
        "error": {"status": 400, "message": "must be a whole number from 1 to 100, not '500'", "parameter": "limit"}}
    missing = client.get("/api/v1/epaper/issues/99")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"].startswith("No issue with id 99; a re-imported issue has a new id")
    assert client.post("/api/v1/epaper/issues").status_code == 405
