"""Every answer under /api/ is JSON, errors included, and says what was wrong."""

import json

import pytest

from masthead.news.models import Article
from tests.news.factories import make_article, make_section
from tests.syndication.factories import REPORTER, make_token, make_user

pytestmark = pytest.mark.django_db

HUGE = "9" * 4301


def _error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]


@pytest.mark.parametrize("method,url", [
    ("get", "/api/v1/articles/abc"),
    ("post", "/api/v1/articles/abc/publish"),
    ("patch", "/api/v1/articles/abc"),
    ("get", "/api/v1/articles/99999999999999999999"),
    ("get", "/api/v1/articles/0"),
    ("get", "/api/v1/nothing"),
    ("delete", "/api/"),
])
def test_an_address_that_names_nothing_is_a_json_404(client, method, url):
    error = _error(getattr(client, method)(url), 404)
    assert error["message"] == f"nothing at {url}; the API's addresses are in /api/openapi.json"


@pytest.mark.parametrize("path", ["/api/v1/sections", "/api/v1/tags", "/api/v1/authors"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_to_a_read_only_list_is_a_json_405_with_allow(path, method):
    from django.test import Client

    # A browser's session and CSRF checks on: the answer is still the API's own 405.
    response = getattr(Client(enforce_csrf_checks=True), method)(path, data="{}", content_type="application/json")
    error = _error(response, 405)
    assert response["Allow"] == "GET, HEAD"
    assert error["message"] == f"{method.upper()} is not allowed here; use GET, HEAD."


@pytest.mark.parametrize("query,parameter,message", [
    ("limit=²", "limit", "must be a whole number from 1 to 100, not '²'"),
    (f"limit={HUGE}", "limit", f"must be a whole number from 1 to 100, not '{'9' * 40}…'"),
    ("after=²", "after", "must be a whole number from 0 to 9223372036854775807, not '²'"),
    ("after=99999999999999999999", "after", "must be a whole number from 0 to 9223372036854775807, "
                                            "not '99999999999999999999'"),
])
@pytest.mark.parametrize("path", ["/api/v1/sections", "/api/v1/tags", "/api/v1/authors"])
def test_numbers_in_list_queries_are_a_400_naming_them(client, path, query, parameter, message):
    error = _error(client.get(f"{path}?{query}"), 400)
    assert (error["parameter"], error["message"]) == (parameter, message)


@pytest.mark.parametrize("query,message", [
    ("limit=²", "must be a whole number from 1 to 100, not '²'"),
    ("cursor=1.²", "'1.²' is not a cursor from this site's own 'next' link"),
    ("cursor=99999999999999999999.1", "'99999999999999999999.1' is not a cursor from this site's own 'next' link"),
    ("since=0001-01-01T00:00:00%2B01:00", "'0001-01-01T00:00:00+01:00' is outside the years 1 to 9999 in UTC"),
])
def test_numbers_and_times_in_article_queries_are_a_400(client, query, message):
    assert _error(client.get(f"/api/v1/articles?{query}"), 400)["message"] == message


def test_an_empty_patch_is_refused_and_changes_nothing(client):
    reporter = make_user(perms=REPORTER)
    story = make_article(section=make_section(slug="politics"), status=Article.Status.DRAFT, published_at=None,
                         created_by=reporter)
    token = make_token(reporter)
    for body in ("", "{}"):
        response = client.patch(f"/api/v1/articles/{story.pk}", data=body, content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {token}")
        error = _error(response, 400)
        assert error["parameter"] == "body"
        assert error["message"].startswith("names no field to change; send one or more of authors, body, headline")
    assert Article.objects.get(pk=story.pk).updated_at == story.updated_at


@pytest.mark.parametrize("at,message", [
    ("0366-04-12T05:35:00Z", "must be a time like 2021-04-12T05:35:00Z in the years 1900 to 2099, not '0366-"),
    ("9999-04-12T05:35:00Z", "must be a time like 2021-04-12T05:35:00Z in the years 1900 to 2099, not '9999-"),
])
def test_a_publish_time_outside_the_bounds_is_refused(client, at, message):
    """Year 366 was accepted and made /archive/366/."""
    story = make_article(section=make_section(slug="politics"), status=Article.Status.DRAFT, published_at=None)
    token = make_token(groups=["editor"])
    response = client.post(f"/api/v1/articles/{story.pk}/publish", data=json.dumps({"at": at}),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    error = _error(response, 400)
    assert error["parameter"] == "at" and error["message"].startswith(message)
    assert Article.objects.get(pk=story.pk).status == Article.Status.DRAFT
    assert story.headline not in client.get("/archive/366/").content.decode()


@pytest.mark.parametrize("query,parameter,message", [
    ("section=nowhere", "section", "no section with slug 'nowhere'"),
    ("tag=nowhere", "tag", "no tag with slug 'nowhere'"),
    ("author=nowhere", "author", "no author with slug 'nowhere'"),
    ("section=", "section", "no section with slug ''"),
])
def test_filtering_by_what_does_not_exist_is_a_404_naming_it(client, query, parameter, message):
    error = _error(client.get(f"/api/v1/articles?{query}"), 404)
    assert (error["parameter"], error["message"]) == (parameter, message)


def test_a_parameter_given_twice_is_refused(client):
    """?after=<too big>&after=1 was answered as after=1: the refused value went unchecked."""
    response = client.get("/api/v1/authors?after=9223372036854775808&after=1")
    error = _error(response, 400)
    assert error["parameter"] == "after" and error["message"] == "is given more than once; give it once"


@pytest.mark.parametrize("path", ["/api/v1/tags", "/api/v1/articles/302104", "/api/v1/epaper/issues/1"])
def test_a_query_of_more_fields_than_django_reads_is_a_json_400(client, path):
    error = _error(client.get(f"{path}?{'x=1&' * 1100}"), 400)
    assert error["message"] == "the request cannot be read: too many query fields, or a malformed one"


def test_the_same_query_on_a_page_is_the_html_400(client):
    response = client.get(f"/?{'x=1&' * 1100}")
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")


def test_a_crash_under_the_api_answers_in_its_json(rf):
    from masthead.news import views

    response = views.server_error(rf.get("/api/v1/tags"))
    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    assert json.loads(response.content)["error"]["status"] == 500
    assert views.server_error(rf.get("/"))["Content-Type"].startswith("text/html")
