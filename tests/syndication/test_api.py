import json
from datetime import timedelta, timezone as dt_timezone

import pytest
from django.test import Client
from django.utils import timezone

from masthead.stories import changes
from masthead.news.models import Article, Tag
from masthead.syndication.models import ApiToken
from tests.news.factories import make_article, make_author, make_section, make_tag
from tests.syndication.factories import REPORTER, make_token, make_user
from tests.stories.factories import SYSTEM

pytestmark = pytest.mark.django_db


def _ids(response):
    return [int(item["altids"][0]["value"]) for item in response.json()["items"]]


def _error(response, status, parameter):
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["status"] == status and body.get("parameter") == parameter
    return body["message"]


@pytest.fixture
def paper():
    politics, sport = make_section(slug="politics"), make_section(slug="sport")
    iran, author = make_tag(name="Iran", slug="iran"), make_author(slug="sara-karimi")
    now = timezone.now()
    stories = [make_article(section=politics if n % 2 else sport, tags=[iran] if n % 3 == 0 else [],
                            authors=[author] if n == 4 else [], published_at=now - timedelta(hours=n))
               for n in range(1, 8)]
    make_article(section=politics, status=Article.Status.DRAFT, published_at=None, headline="Secret draft")
    return {"stories": stories, "politics": politics, "iran": iran, "author": author}


# Reads --------------------------------------------------------------------------------------

def test_articles_newest_first_with_keyset_pages(client, paper):
    """Following 'next' walks every visible story once, newest first, and never shows a draft."""
    expected = [s.pk for s in paper["stories"]]
    seen, url = [], "/api/v1/articles?limit=3"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += _ids(response)
        url = response.json()["next"]
    assert seen == expected


def test_cursors_keep_every_microsecond(client, paper):
    """Stories a microsecond apart, even at .999999, are each listed once across pages."""
    moment = timezone.now().replace(microsecond=999_999) - timedelta(days=1)
    Article.objects.update(published_at=moment)
    Article.objects.filter(pk=paper["stories"][0].pk).update(published_at=moment.replace(microsecond=999_998))
    seen, url = [], "/api/v1/articles?limit=2"
    while url:
        response = client.get(url)
        seen += _ids(response)
        url = response.json()["next"]
    assert sorted(seen) == sorted(s.pk for s in paper["stories"]) and len(seen) == len(set(seen))


@pytest.mark.parametrize("query,which", [
    ("section=politics", lambda n: n % 2 == 1),
    ("tag=iran", lambda n: n % 3 == 0),
    ("author=sara-karimi", lambda n: n == 4),
    ("section=politics&tag=iran", lambda n: n % 2 == 1 and n % 3 == 0),
    ("language=en&author=sara-karimi", lambda n: n == 4),
    ("tag=iran&author=sara-karimi", lambda n: False),
])
def test_articles_filter_by_section_tag_and_author(client, paper, query, which):
    expected = [s.pk for n, s in enumerate(paper["stories"], start=1) if which(n)]
    assert _ids(client.get(f"/api/v1/articles?{query}")) == expected
    # A page at a time, by the next links: the same stories, each once.
    seen, url = [], f"/api/v1/articles?{query}&limit=1"
    while url:
        response = client.get(url)
        seen += _ids(response)
        url = response.json()["next"]
    assert seen == expected


def test_articles_filter_by_edition_and_the_next_link_keeps_it(client, paper):
    """?language=fa lists the Persian edition's stories only, in pages and in a sync; an unknown language is a 400."""
    now = timezone.now()
    persian = [make_article(section=paper["politics"], language="fa", published_at=now - timedelta(minutes=n))
               for n in range(1, 4)]
    first = client.get("/api/v1/articles?language=fa&limit=2")
    assert _ids(first) == [s.pk for s in persian[:2]]
    assert "language=fa" in first.json()["next"]
    assert _ids(client.get(first.json()["next"])) == [persian[2].pk]
    english = _ids(client.get("/api/v1/articles?language=en&limit=100"))
    assert english == [s.pk for s in paper["stories"]]
    since = (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert sorted(_ids(client.get(f"/api/v1/articles?language=fa&since={since}"))) == sorted(s.pk for s in persian)
    message = _error(client.get("/api/v1/articles?language=de"), 400, "language")
    assert message == "must be one of the editions' languages, en, fa; not 'de'"


def test_an_edition_filter_is_never_answered_from_the_whole_lists_cache(client, paper):
    """With every story's list cached, ?language= is its own page: the edition's stories, or a 400."""
    persian = make_article(section=paper["politics"], language="fa")
    client.get("/api/v1/articles")
    assert client.get("/api/v1/articles")["X-Cache"] == "hit"
    assert _ids(client.get("/api/v1/articles?language=fa")) == [persian.pk]
    _error(client.get("/api/v1/articles?language=5.960464477539063e-08"), 400, "language")


def test_since_gives_every_change_oldest_first_including_withdrawals(client, paper):
    """Incremental sync: edits, stories that became visible, and unpublished ones (pubstatus canceled)."""
    now = timezone.now()
    stories = paper["stories"]
    Article.objects.update(updated_at=now - timedelta(days=1))
    since = now - timedelta(hours=2)
    # Scheduled yesterday for an hour ago: it became visible after `since` without being edited.
    scheduled = make_article(section=paper["politics"], published_at=now - timedelta(hours=1))
    Article.objects.filter(pk=scheduled.pk).update(updated_at=now - timedelta(days=1))
    Article.objects.filter(pk=stories[5].pk).update(updated_at=now - timedelta(minutes=30))
    Article.objects.filter(pk=stories[6].pk).update(status=Article.Status.UNPUBLISHED, updated_at=now - timedelta(minutes=10))
    Article.objects.filter(pk=stories[0].pk).update(status=Article.Status.DRAFT, updated_at=now - timedelta(minutes=5))
    response = client.get("/api/v1/articles", {"since": since.isoformat()})
    items = response.json()["items"]
    assert [(int(i["altids"][0]["value"]), i["pubstatus"]) for i in items] == [
        (scheduled.pk, "usable"), (stories[5].pk, "usable"), (stories[6].pk, "canceled")]
    assert "headlines" not in items[2]  # a withdrawn story gives nothing away
    # Its pages follow the same order.
    first = client.get("/api/v1/articles", {"since": since.isoformat(), "limit": 2}).json()
    second = client.get(first["next"]).json()
    assert [i["uri"] for i in first["items"] + second["items"]] == [i["uri"] for i in items]
    assert second["next"] is None


def test_since_pages_through_stories_changed_at_the_same_moment_by_news_id(client, paper):
    """Stories changed at one moment are paged in News ID order: none is skipped or repeated at a page's edge."""
    moment = timezone.now() - timedelta(minutes=30)
    Article.objects.update(updated_at=moment, published_at=moment - timedelta(hours=1))
    since = (moment - timedelta(minutes=1)).isoformat()
    page = client.get("/api/v1/articles", {"since": since, "limit": 3}).json()
    seen = _ids_of(page)
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += _ids_of(page)
    assert seen == sorted(story.pk for story in paper["stories"])


def _ids_of(page):
    return [int(item["altids"][0]["value"]) for item in page["items"]]


@pytest.mark.parametrize("with_cursor", [False, True])
def test_a_sync_page_is_read_through_the_changed_index_not_by_sorting_every_change(client, paper, with_cursor):
    """The changes since a moment are walked in the article_changed index (a first sync sorted all 1,000,000 stories: 9 s)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from masthead.news import listing

    params = {"since": (timezone.now() - timedelta(days=3650)).isoformat(), "limit": 2}
    if with_cursor:
        story = paper["stories"][-1]
        params["cursor"] = listing.encode(story.updated_at, story.pk)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/api/v1/articles", params).status_code == 200
    (keys,) = [q["sql"] for q in captured.captured_queries if "ORDER BY" in q["sql"] and '"news_article"' in q["sql"]
               and "LIMIT 3" in q["sql"]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table of a few rows is cheaper to sort whole; what matters is that the index serves the query.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + keys.replace("%", "%%"))
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + keys.replace("%", "%%"))
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "article_changed" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def test_since_takes_any_iso_time_zone_even_unencoded(client, paper):
    story = paper["stories"][0]
    Article.objects.exclude(pk=story.pk).update(updated_at=timezone.now() - timedelta(days=2))
    Article.objects.filter(pk=story.pk).update(updated_at=timezone.now())
    at = (timezone.now() - timedelta(minutes=30)).astimezone(timezone.get_fixed_timezone(270))
    for text in (at.isoformat(), at.isoformat().replace("+", " "), at.astimezone(dt_timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")):
        assert _ids(client.get("/api/v1/articles", {"since": text})) == [story.pk], text


def test_article_detail_is_ninjs_by_news_id(client, paper):
    story = paper["stories"][0]
    response = client.get(f"/api/v1/articles/{story.pk}")
    assert response.status_code == 200
    assert response.json()["uri"] == f"http://127.0.0.1:8000/news/{story.pk}/"
    assert response.json()["headlines"][0]["value"] == story.headline


def test_drafts_are_hidden_unless_the_token_may_see_them(client, paper):
    """A draft is for editors' tokens (and its writer's: tests/stories/test_rules.py); others get 404."""
    draft = Article.objects.get(headline="Secret draft")
    assert "no visible story" in _error(client.get(f"/api/v1/articles/{draft.pk}"), 404, None)
    editor = make_token(groups=["editor"])
    response = client.get(f"/api/v1/articles/{draft.pk}", HTTP_AUTHORIZATION=f"Bearer {editor}")
    assert response.status_code == 200 and response.json()["pubstatus"] == "withheld"
    assert "Surrogate-Key" not in response  # never page-cached
    assert response["ETag"] == f'"v{draft.version}"'
    for other in (make_token(), make_token(perms=REPORTER)):
        assert client.get(f"/api/v1/articles/{draft.pk}", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404


@pytest.mark.parametrize("name", ["section", "tag", "author"])
@pytest.mark.parametrize("slug", ["%C3%A9%00%09", "a%00b", "", "%F0%9F%93%B0"])
def test_a_slug_no_section_tag_or_author_can_have_is_a_404_on_every_database(client, paper, name, slug):
    """A NUL, a tab or an emoji is no slug: the list answers 404 naming the parameter, never 500 (PostgreSQL
    refuses to compare U+0000, so such a value must not reach the query)."""
    message = _error(client.get(f"/api/v1/articles?{name}={slug}&language=fa"), 404, name)
    assert message.startswith(f"no {name} with slug ")


@pytest.mark.parametrize("query,parameter,message", [
    ("limit=0", "limit", "must be a whole number from 1 to 100, not '0'"),
    ("limit=abc", "limit", "must be a whole number from 1 to 100, not 'abc'"),
    ("limit=101", "limit", "must be a whole number from 1 to 100, not '101'"),
    ("since=yesterday", "since", "'yesterday' is not an ISO 8601 time like 2021-04-12T05:35:00Z"),
    ("since=2021-04-12T05:35:00", "since", "'2021-04-12T05:35:00' has no time zone; end it with Z for UTC"),
    ("cursor=nonsense", "cursor", "'nonsense' is not a cursor from this site's own 'next' link"),
    ("page=2", "page", "unknown parameter; this endpoint takes author, cursor, language, limit, section, since, tag"),
])
def test_bad_parameters_get_a_400_naming_the_parameter(client, query, parameter, message):
    assert _error(client.get(f"/api/v1/articles?{query}"), 400, parameter) == message


def test_sections_tags_and_authors(client, paper):
    sections = client.get("/api/v1/sections").json()
    assert [s["slug"] for s in sections["items"]] == ["politics", "sport"]
    assert sections["items"][0]["url"] == "http://127.0.0.1:8000/section/politics/"
    assert sections["items"][0]["name_fa"] == ""  # no Persian name given: the Persian edition shows "name"
    assert client.get("/api/v1/tags").json()["items"][0]["slug"] == "iran"
    assert client.get("/api/v1/authors").json()["items"][0]["slug"] == "sara-karimi"
    first = client.get("/api/v1/sections?limit=1").json()
    assert len(first["items"]) == 1 and client.get(first["next"]).json()["items"][0]["slug"] == "sport"
    assert _error(client.get("/api/v1/tags?after=x"), 400, "after") == "must be a whole number from 0 to 9223372036854775807, not 'x'"


def test_public_reads_are_open_to_other_sites_and_drafts_are_not(client, paper):
    """Partners' web apps may read the public API from their pages (CORS); an editor's draft view is not shared."""
    for path in ("/api/v1/articles", f"/api/v1/articles/{paper['stories'][0].pk}", "/api/v1/tags", "/api/openapi.json",
                 "/feeds/json/"):
        assert client.get(path)["Access-Control-Allow-Origin"] == "*", path
    draft = Article.objects.get(headline="Secret draft")
    response = client.get(f"/api/v1/articles/{draft.pk}", HTTP_AUTHORIZATION=f"Bearer {make_token(groups=['editor'])}")
    assert response.status_code == 200 and "Access-Control-Allow-Origin" not in response


def test_every_answer_is_json_even_a_wrong_method(client):
    response = client.delete("/api/v1/articles")
    assert "DELETE is not allowed here" in _error(response, 405, None)
    assert response["Allow"] == "GET, HEAD, POST"


# Writes -------------------------------------------------------------------------------------

def _post(client, path, data=None, token=None, method="post"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return getattr(client, method)(path, data=json.dumps(data or {}), content_type="application/json", **headers)


def test_writes_need_a_valid_token(client, paper):
    assert "needs an API token" in _error(_post(client, "/api/v1/articles", {"headline": "x"}), 401, "Authorization")
    assert "unknown, revoked" in _error(_post(client, "/api/v1/articles", {}, token="mh_wrong"), 401, "Authorization")
    token = make_token(perms=REPORTER)
    ApiToken.objects.update(revoked_at=timezone.now())
    assert "unknown, revoked" in _error(_post(client, "/api/v1/articles", {}, token=token), 401, "Authorization")


def test_a_reporter_drafts_and_edits_but_cannot_publish(client, paper):
    token = make_token(perms=REPORTER)
    response = _post(client, "/api/v1/articles", {
        "headline": "Oil deal signed", "section": "politics", "body": "Ministers **signed**.",
        "tags": ["Oil", "iran"], "authors": ["sara-karimi"]}, token=token)
    assert response.status_code == 201, response.content
    created = response.json()
    news_id = int(created["altids"][0]["value"])
    assert response["Location"] == f"/api/v1/articles/{news_id}"
    assert created["pubstatus"] == "withheld"
    assert "<strong>signed</strong>" in created["bodies"][0]["value"]
    assert {s["name"] for s in created["subjects"] if s["rel"] == "tag"} == {"Oil", "Iran"}
    assert Tag.objects.filter(name="Oil").exists() and Tag.objects.filter(name__iexact="iran").count() == 1
    assert news_id not in _ids(client.get("/api/v1/articles?limit=100"))
    edited = _post(client, f"/api/v1/articles/{news_id}", {"headline": "Oil deal signed in Tehran"}, token=token, method="patch")
    assert edited.status_code == 200 and edited.json()["headlines"][0]["value"] == "Oil deal signed in Tehran"
    assert _error(_post(client, f"/api/v1/articles/{news_id}/publish", token=token), 403, "Authorization") == \
        "this token's user may not do this: Only an editor can publish or schedule a story."
    assert not Article.objects.visible().filter(pk=news_id).exists()
    live = paper["stories"][0]
    assert "Only an editor can change a published or scheduled story." in _error(
        _post(client, f"/api/v1/articles/{live.pk}", {"headline": "x"}, token=token, method="patch"), 403, "Authorization")


@pytest.mark.parametrize("role", [{"groups": ["editor"]}, {"is_superuser": True}, {"perms": ("news.change_article",)},
                                  {"groups": ["Editors"]}])
def test_editors_publish_now_or_schedule(client, paper, role):
    """Who may publish is the newsroom's rule: the editor role or superusers; a group merely named like it is not."""
    user = make_user(**role)
    token = make_token(user)
    draft = Article.objects.get(headline="Secret draft")
    response = _post(client, f"/api/v1/articles/{draft.pk}/publish", token=token)
    if "perms" in role or role.get("groups") == ["Editors"]:  # neither may see, so neither may publish, the draft
        assert _error(response, 404, "news_id") == f"no story with News ID {draft.pk}"
        return
    assert response.status_code == 200 and response.json()["pubstatus"] == "usable"
    assert Article.objects.visible().filter(pk=draft.pk).exists()
    later = make_article(status=Article.Status.DRAFT, published_at=None)
    at = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    scheduled = _post(client, f"/api/v1/articles/{later.pk}/publish", {"at": at.isoformat()}, token=token).json()
    assert scheduled["pubstatus"] == "withheld" and scheduled["embargoed"] == at.isoformat().replace("+00:00", "Z")


def test_write_errors_name_the_field(client, paper):
    token = make_token(perms=REPORTER)
    cases = [
        ({"section": "politics"}, "headline", "is required"),
        ({"headline": "x", "section": "politics", "tags": "iran"}, "tags", "must be a list of non-empty strings"),
        ({"headline": "x", "section": "politics", "language": "xx"}, "language", "language: Value 'xx' is not a valid choice."),
        ({"headline": "x", "section": "politics", "status": "published"}, "status", "is not a writable field; writable: "
         "authors, body, headline, kicker, language, section, slug, source, summary, tags, translation_of"),
        ({"headline": 5, "section": "politics"}, "headline", "must be a string"),
    ]
    cases += [  # well formed, naming what does not exist
        ({"headline": "x", "section": "nowhere"}, "section", "no section with slug 'nowhere'", 404),
        ({"headline": "x", "section": "politics", "authors": ["nobody"]}, "authors", "no author with slug 'nobody'", 404),
    ]
    for data, parameter, message, *status in cases:
        assert _error(_post(client, "/api/v1/articles", data, token=token), *status or [400], parameter) == message
    bad_json = client.post("/api/v1/articles", data="{nope", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert _error(bad_json, 400, "body").startswith("is not valid JSON")
    assert Article.objects.filter(headline="x").count() == 0
    assert not Tag.objects.filter(name="iran ").exists()
    draft = Article.objects.get(headline="Secret draft")
    editor = make_token(groups=["editor"])
    assert _error(_post(client, f"/api/v1/articles/{draft.pk}/publish", {"at": "soon"}, token=editor), 400, "at") == \
        "must be a time like 2021-04-12T05:35:00Z in the years 1900 to 2099, not 'soon'"


def test_a_failed_write_changes_nothing(client, paper):
    """A bad field after a new tag name: neither the story nor the tag is stored."""
    token = make_token(perms=REPORTER)
    _error(_post(client, "/api/v1/articles", {"headline": "x", "section": "politics", "tags": ["Brand new tag"],
                                             "language": "xx"}, token=token), 400, "language")
    assert not Tag.objects.filter(name="Brand new tag").exists()


def test_token_writes_need_no_csrf_token(paper):
    """Writes are token-authenticated, carry no session cookie, and so are exempt from CSRF."""
    client = Client(enforce_csrf_checks=True)
    response = _post(client, "/api/v1/articles", {"headline": "Wire copy", "section": "politics"}, token=make_token(perms=REPORTER))
    assert response.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_api_reads_are_page_cached_and_a_publish_refreshes_them(client):
    section = make_section(slug="politics")
    make_article(section=section)
    client.get("/api/v1/articles")
    assert client.get("/api/v1/articles")["X-Cache"] == "hit"
    draft = changes.create(Article(section=section, headline="Breaking", status=Article.Status.DRAFT), by=SYSTEM)
    response = _post(client, f"/api/v1/articles/{draft.pk}/publish", token=make_token(groups=["editor"]))
    assert response.status_code == 200
    fresh = client.get("/api/v1/articles")
    assert fresh["X-Cache"] == "miss" and draft.pk in _ids(fresh)
