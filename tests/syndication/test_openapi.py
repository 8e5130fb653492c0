"""The OpenAPI document is valid, and every answer it documents is checked against it on a real request."""

import json

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from masthead.epaper import regions
from masthead.stories import changes, live
from masthead.syndication import openapi
from tests.epaper.factories import make_issue
from tests.live.factories import make_live_story, post
from tests.news.factories import make_article, make_author, make_section, make_tag
from tests.stories.factories import SYSTEM
from tests.syndication.factories import REPORTER, make_token

pytestmark = pytest.mark.django_db


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    validate(document)


# Answered by the server before the app, without a body to check: test_contract sends them to a real one.
BEFORE_THE_APP = {"408", "413", "414", "431"}


def _documented(document) -> set[tuple[str, str, str]]:
    return {(path, method, status) for path, item in document["paths"].items()
            for method, operation in item.items() if method != "parameters"
            for status in operation["responses"] if status not in BEFORE_THE_APP}


def _check(document, path, method, status, response):
    assert response.status_code == int(status), (path, method, response.content)
    schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]},
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())]
    assert not errors, (path, method, status, errors)


def test_every_documented_answer_matches_its_schema(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    section = make_section(slug="politics")
    tag, author = make_tag(slug="iran"), make_author(slug="sara-karimi")
    story = make_article(section=section, tags=[tag], authors=[author], kicker="Diplomacy", source="IRNA")
    make_article(section=section)
    withdrawn = make_article(section=section)
    withdrawn = changes.unpublish(withdrawn, by=SYSTEM)
    reporter, editor, reader = make_token(perms=REPORTER), make_token(groups=["editor"]), make_token()
    printed = make_issue(tmp_path, date=story.published_at.date(), number=302, pages=[["Front page"], [story.headline]])
    assert regions.suggest(printed), "the documented answer shows a story on a page"
    regions.confirm(printed.pages.get(number=2).regions.all())
    make_issue(tmp_path, special="Nowruz 1400")
    document = openapi.build()

    def call(method, url, data=None, token=None, **headers):
        headers.update({"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {})
        if method in ("get", "delete"):
            return getattr(client, method)(url, **headers)
        return getattr(client, method)(url, data=json.dumps(data or {}), content_type="application/json", **headers)

    live_story, not_live, ended = make_live_story(section=section), make_article(section=section), make_live_story()
    post(live_story, "First.")
    post(live_story, "Second.")
    live.end_coverage(ended, by=SYSTEM)
    updates, one = f"/api/v1/articles/{live_story.pk}/updates", "/api/v1/articles/{news_id}/updates/{number}"
    draft_id = None
    cases = [
        ("/api/v1/articles/{news_id}/updates", "get", "200", lambda: call("get", updates)),
        ("/api/v1/articles/{news_id}/updates", "get", "400", lambda: call("get", updates + "?since=x")),
        ("/api/v1/articles/{news_id}/updates", "get", "404", lambda: call("get", f"/api/v1/articles/{not_live.pk}/updates")),
        ("/api/v1/articles/{news_id}/updates", "post", "201", lambda: call("post", updates, {"body": "Third."}, editor)),
        ("/api/v1/articles/{news_id}/updates", "post", "400", lambda: call("post", updates, {"body": 5}, editor)),
        ("/api/v1/articles/{news_id}/updates", "post", "401", lambda: call("post", updates, {"body": "x"})),
        ("/api/v1/articles/{news_id}/updates", "post", "403", lambda: call("post", updates, {"body": "x"}, reader)),
        ("/api/v1/articles/{news_id}/updates", "post", "404", lambda: call("post", f"/api/v1/articles/{not_live.pk}/updates",
                                                                          {"body": "x"}, editor)),
        ("/api/v1/articles/{news_id}/updates", "post", "409", lambda: call("post", f"/api/v1/articles/{ended.pk}/updates",
                                                                          {"body": "Too late."}, editor)),
        (one, "patch", "200", lambda: call("patch", f"{updates}/1", {"pinned": True}, editor)),
        (one, "patch", "400", lambda: call("patch", f"{updates}/1", {"colour": "red"}, editor)),
        (one, "patch", "401", lambda: call("patch", f"{updates}/1", {"pinned": True})),
        (one, "patch", "403", lambda: call("patch", f"{updates}/1", {"pinned": True}, reporter)),
        (one, "patch", "404", lambda: call("patch", f"{updates}/99", {"pinned": True}, editor)),
        (one, "patch", "409", lambda: call("patch", f"{updates}/1", {"body": "First!", "note": " "}, editor)),
        (one, "delete", "200", lambda: call("delete", f"{updates}/2", token=editor)),
        (one, "delete", "400", lambda: call("delete", f"{updates}/1?force=1", token=editor)),
        (one, "delete", "401", lambda: call("delete", f"{updates}/1")),
        (one, "delete", "403", lambda: call("delete", f"{updates}/1", token=reporter)),
        (one, "delete", "404", lambda: call("delete", f"{updates}/2", token=editor)),
        ("/api/v1/articles", "get", "200", lambda: call("get", "/api/v1/articles?limit=1")),
        ("/api/v1/articles", "get", "200", lambda: call("get", "/api/v1/articles?since=2000-01-01T00:00:00Z")),
        ("/api/v1/articles", "get", "400", lambda: call("get", "/api/v1/articles?limit=0")),
        ("/api/v1/articles", "post", "201", lambda: call("post", "/api/v1/articles",
                                                         {"headline": "New", "section": "politics", "tags": ["Oil"]}, reporter)),
        ("/api/v1/articles", "post", "400", lambda: call("post", "/api/v1/articles", {"section": "politics"}, reporter)),
        ("/api/v1/articles", "post", "401", lambda: call("post", "/api/v1/articles", {})),
        ("/api/v1/articles", "get", "404", lambda: call("get", "/api/v1/articles?tag=nowhere")),
        ("/api/v1/articles", "post", "404", lambda: call("post", "/api/v1/articles",
                                                         {"headline": "New", "section": "nowhere"}, reporter)),
        ("/api/v1/articles", "post", "403", lambda: call("post", "/api/v1/articles", {}, reader)),
        ("/api/v1/articles", "post", "409", lambda: call("post", "/api/v1/articles", {
            "headline": "New", "section": "politics", "translation_of": story.pk}, editor)),
        ("/api/v1/articles/{news_id}", "get", "200", lambda: call("get", f"/api/v1/articles/{story.pk}")),
        ("/api/v1/articles/{news_id}", "get", "404", lambda: call("get", "/api/v1/articles/999999")),
        ("/api/v1/articles/{news_id}", "get", "400", lambda: call("get", f"/api/v1/articles/{story.pk}?fields=all")),
        ("/api/v1/articles/{news_id}", "get", "401", lambda: call("get", f"/api/v1/articles/{draft_id}", token="mh_wrong")),
        ("/api/v1/articles/{news_id}", "patch", "200", lambda: call("patch", f"/api/v1/articles/{draft_id}", {"kicker": "New"}, reporter)),
        ("/api/v1/articles/{news_id}", "patch", "400", lambda: call("patch", f"/api/v1/articles/{draft_id}", {"language": "xx"}, reporter)),
        ("/api/v1/articles/{news_id}", "patch", "401", lambda: call("patch", f"/api/v1/articles/{draft_id}", {})),
        ("/api/v1/articles/{news_id}", "patch", "403", lambda: call("patch", f"/api/v1/articles/{story.pk}", {"kicker": "x"}, reporter)),
        ("/api/v1/articles/{news_id}", "patch", "404", lambda: call("patch", "/api/v1/articles/999999", {}, reporter)),
        ("/api/v1/articles/{news_id}", "patch", "409", lambda: call("patch", f"/api/v1/articles/{draft_id}",
                                                                    {"kicker": "Late", "version": 1}, reporter)),
        ("/api/v1/articles/{news_id}", "patch", "412", lambda: call("patch", f"/api/v1/articles/{draft_id}", {"kicker": "Late"},
                                                                    reporter, HTTP_IF_MATCH='"v1"')),
        ("/api/v1/articles/{news_id}/publish", "post", "409", lambda: call("post", f"/api/v1/articles/{draft_id}/publish",
                                                                           {"version": 1}, editor)),
        ("/api/v1/articles/{news_id}/publish", "post", "412", lambda: call("post", f"/api/v1/articles/{draft_id}/publish", {},
                                                                           editor, HTTP_IF_MATCH='"v1"')),
        ("/api/v1/articles/{news_id}/publish", "post", "400", lambda: call("post", f"/api/v1/articles/{draft_id}/publish", {"at": 5}, editor)),
        ("/api/v1/articles/{news_id}/publish", "post", "401", lambda: call("post", f"/api/v1/articles/{draft_id}/publish")),
        ("/api/v1/articles/{news_id}/publish", "post", "403", lambda: call("post", f"/api/v1/articles/{draft_id}/publish", {}, reporter)),
        ("/api/v1/articles/{news_id}/publish", "post", "404", lambda: call("post", "/api/v1/articles/999999/publish", {}, editor)),
        ("/api/v1/articles/{news_id}/publish", "post", "200", lambda: call("post", f"/api/v1/articles/{draft_id}/publish", {}, editor)),
        ("/api/v1/sections", "get", "200", lambda: call("get", "/api/v1/sections")),
        ("/api/v1/sections", "get", "400", lambda: call("get", "/api/v1/sections?limit=x")),
        ("/api/v1/tags", "get", "200", lambda: call("get", "/api/v1/tags?limit=1")),
        ("/api/v1/tags", "get", "400", lambda: call("get", "/api/v1/tags?after=x")),
        ("/api/v1/authors", "get", "200", lambda: call("get", "/api/v1/authors")),
        ("/api/v1/authors", "get", "400", lambda: call("get", "/api/v1/authors?sort=name")),
        ("/api/v1/epaper/issues", "get", "200", lambda: call("get", "/api/v1/epaper/issues?limit=1")),
        ("/api/v1/epaper/issues", "get", "400", lambda: call("get", "/api/v1/epaper/issues?date=2021-04-12")),
        ("/api/v1/epaper/issues/{issue_id}", "get", "200", lambda: call("get", f"/api/v1/epaper/issues/{printed.pk}")),
        ("/api/v1/epaper/issues/{issue_id}", "get", "404", lambda: call("get", "/api/v1/epaper/issues/999999")),
        ("/api/v1/epaper/issues/{issue_id}", "get", "400", lambda: call("get", f"/api/v1/epaper/issues/{printed.pk}?page=2")),
    ]
    covered = set()
    for path, method, status, request in cases:
        response = request()
        _check(document, path, method, status, response)
        if (path, status) == ("/api/v1/articles", "201"):
            draft_id = int(response.json()["altids"][0]["value"])
        covered.add((path, method, status))
    assert covered == _documented(document)
    canceled = client.get("/api/v1/articles?since=2000-01-01T00:00:00Z").json()["items"]
    assert "canceled" in {item["pubstatus"] for item in canceled}  # the partial form was validated too
