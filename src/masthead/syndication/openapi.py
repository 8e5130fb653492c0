"""The OpenAPI 3.1 description of ``/api/v1/``, served at ``/api/openapi.json``.

Its schemas are JSON Schema 2020-12, so a test validates real answers of the API against them.
The ninjs schema is the subset of IPTC ninjs 2.0 the API writes, with the standard's names.
"""

from django.conf import settings
from django.http import JsonResponse

from masthead import parameters
from masthead.delivery import keys
from masthead.news.caching import cacheable
from masthead.syndication.caching import readable_from_any_site


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json_body(name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


STRING = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}
URI = {"type": "string", "format": "uri"}
ID = {"type": "integer", "minimum": 1, "maximum": parameters.MAX_ID}
# What masthead.characters refuses: C0 controls but tab, newline and return; DEL and C1; U+FFFE/U+FFFF.
_TEXT_CHAR = "[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\ufffe\\uffff]"


def _text(*, shortest: int = 0, longest: int | None = None, **more) -> dict:
    """A string of text characters, with its length bounds in the pattern too (generators read them there)."""
    bounds = f"{{{shortest},{'' if longest is None else longest}}}"
    schema = {"type": "string", "pattern": f"^{_TEXT_CHAR}{bounds}$", "minLength": shortest, **more}
    return {**schema, "maxLength": longest} if longest is not None else schema


SLUG = {"type": "string", "minLength": 1, "maxLength": 120, "pattern": "^[-\\w]+$"}
LIMIT = _query("limit", "How many items per page (1–100, default 20).", {"type": "integer", "minimum": 1, "maximum": 100})
NEWS_ID = {"name": "news_id", "in": "path", "required": True, "description": "The News ID.",
           "schema": {**ID, "examples": [302104]}}
# A publication time is written with a year from 1900 to 2099: no year 366, no year 9999.
STORY_TIME = {**TIME, "pattern": parameters.STORY_TIME_PATTERN}
ERRORS = {
    "400": _json_body("Error", "A parameter or field is wrong; `error.parameter` names it."),
    "401": _json_body("Error", "No token, or a token that is unknown or revoked."),
    "403": _json_body("Error", "The token's user may not do this."),
    "404": _json_body("Error", "No such story, or no section, tag or author with the slug given; "
                               "`error.parameter` names which."),
}
# A writer sends back the version it read, so that it cannot overwrite a save made since.
STALE_VERSION = "The `version` given is not the story's: someone saved it since; the message names who."
STALE = {
    "409": _json_body("Error", STALE_VERSION),
    "412": _json_body("Error", "The `If-Match` ETag is not the story's: someone saved it since; the message names who."),
}
# A translation link the stories as they stand refuse (the field itself is well formed).
REFUSED_LINK = {"409": _json_body("Error", "`translation_of` names a story in this story's language.")}
STALE_OR_REFUSED_LINK = {**STALE, "409": _json_body(
    "Error", f"{STALE_VERSION} Or `translation_of` names this story, or one in its language.")}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "description": "The `ETag` of the story as you read it; a stale one is refused with 412.",
            "schema": {"type": "string", "examples": ['"v3"']}}
VERSION = {"type": "integer", "minimum": 1,
           "description": "The story's version as you read it (its `ETag` is `\"v<version>\"`); a stale one is refused with 409."}


def _entries(*, required: tuple, **properties) -> dict:
    return {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                       "required": list(required), "properties": properties}}


def schemas() -> dict:
    """The document's component schemas (read when asked: the languages come from settings)."""
    found = {
        "Error": {
            "type": "object", "required": ["error"], "additionalProperties": False,
            "properties": {"error": {"type": "object", "required": ["status", "message"], "additionalProperties": False,
                                     "properties": {"status": {"type": "integer"}, "message": STRING,
                                                    "parameter": STRING}}},
        },
        "Ninjs": {
            "description": "A story as IPTC ninjs 2.0 (https://www.iptc.org/std/ninjs/ninjs-schema_2.0.json).",
            "type": "object", "required": ["uri", "pubstatus", "version", "versioncreated", "altids"],
            "additionalProperties": False,
            "properties": {
                "uri": URI,
                "standard": {"type": "object", "additionalProperties": False,
                             "properties": {"name": {"const": "ninjs"}, "version": STRING, "schema": URI}},
                "type": {"enum": ["text"]},
                "representationtype": {"enum": ["full", "partial"]},
                "version": STRING,
                "firstcreated": TIME,
                "versioncreated": TIME,
                "embargoed": TIME,
                "pubstatus": {"enum": ["usable", "withheld", "canceled"]},
                "language": STRING,
                "slugline": STRING,
                "copyrightholder": STRING,
                "by": STRING,
                "headlines": _entries(required=("value",), role=STRING, contenttype=STRING, value=STRING),
                "descriptions": _entries(required=("value",), role=STRING, contenttype=STRING, value=STRING),
                "bodies": _entries(required=("value",), role=STRING, contenttype=STRING, value=STRING,
                                   charcount={"type": "number"}, wordcount={"type": "number"}),
                "subjects": _entries(required=("name",), name=STRING, rel={"enum": ["section", "tag"]}, uri=URI, literal=STRING),
                "people": _entries(required=("name",), name=STRING, rel=STRING, uri=URI, literal=STRING),
                "infosources": _entries(required=("name",), name=STRING),
                "altids": _entries(required=("role", "value"), role=STRING, value=STRING),
                "renditions": _entries(required=("name",), name=STRING, href=URI, contenttype=STRING),
                "associations": {
                    **_entries(required=("name", "uri", "language"), name={"const": "translation"},
                               rel={"const": "translation"}, type={"enum": ["text"]}, uri=URI, language=STRING,
                               altids=_entries(required=("role", "value"), role=STRING, value=STRING),
                               headlines=_entries(required=("value",), role=STRING, contenttype=STRING, value=STRING),
                               renditions=_entries(required=("name",), name=STRING, href=URI, contenttype=STRING)),
                    "description": "The same story in the other editions' languages (those the caller may see)."},
            },
        },
        "ArticleList": {
            "type": "object", "required": ["items", "next"], "additionalProperties": False,
            "properties": {"items": {"type": "array", "items": _ref("Ninjs")},
                           "next": {"type": ["string", "null"], "format": "uri",
                                    "description": "The next page, or null on the last one."}},
        },
        "ArticleWrite": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "headline": _text(shortest=1, longest=250), "kicker": _text(longest=80), "summary": _text(),
                "source": _text(longest=120),
                "slug": {"type": "string", "maxLength": 120, "pattern": "^[-\\w]*$",
                         "description": "Letters, digits, hyphens and underscores; empty: made from the headline."},
                "body": _text(description="Markdown; rendered and sanitised on save."),
                "language": {"enum": [code for code, _ in settings.LANGUAGES]},
                "section": {**SLUG, "description": "A section's slug (404 if there is none).", "examples": ["politics"]},
                "tags": {"type": "array", "description": "Tag names; new ones are created.",
                         "items": {"allOf": [_text(shortest=1, longest=80), {"pattern": "[^\\W_]"}],
                                   "description": "At least one letter or digit, which make the tag's address."}},
                "authors": {"type": "array", "items": SLUG, "description": "Authors' slugs (404 if one is unknown)."},
                "translation_of": {"type": ["integer", "null"], "minimum": 1, "maximum": parameters.MAX_ID,
                                   "description": "The News ID of the same story in another edition's language: "
                                                  "each then links to the other (404 if there is no such story you "
                                                  "may see; 409 if it is this story or in this story's language). Null or absent: "
                                                  "links stay as they are."},
                "version": VERSION,
            },
        },
        "Publish": {"type": "object", "additionalProperties": False,
                    "properties": {"at": {**STORY_TIME, "description": "Schedule for this time (a year from 1900 "
                                                                       "to 2099); omit to publish now."},
                                   "version": VERSION}},
        "Section": {"type": "object", "additionalProperties": False,
                    "required": ["id", "name", "name_fa", "slug", "description", "position", "url"],
                    "properties": {"id": {"type": "integer"}, "name": STRING,
                                   "name_fa": {**STRING, "description": "The Persian edition's name for the section; "
                                                                       "empty, it shows `name`."},
                                   "slug": STRING, "description": STRING,
                                   "position": {"type": "integer"}, "url": URI}},
        "Tag": {"type": "object", "additionalProperties": False, "required": ["id", "name", "slug", "url"],
                "properties": {"id": {"type": "integer"}, "name": STRING, "slug": STRING, "url": URI}},
        "Author": {"type": "object", "additionalProperties": False, "required": ["id", "name", "slug", "bio", "url"],
                   "properties": {"id": {"type": "integer"}, "name": STRING, "slug": STRING, "bio": STRING, "url": URI}},
    }
    number = {"type": "number"}
    issue = {"id": {"type": "integer"}, "date": {"type": "string", "format": "date"},
             "kind": {"enum": ["daily", "special"]}, "number": {"type": ["integer", "null"]},
             "title": STRING, "pages": {"type": "integer"}, "url": URI, "pdf": URI, "imported": TIME}
    region = {"type": "object", "additionalProperties": False, "required": ["news_id", "x", "y", "width", "height"],
              "properties": {"news_id": {"type": "integer"}, "x": number, "y": number, "width": number, "height": number}}
    page = {"type": "object", "additionalProperties": False,
            "required": ["number", "width", "height", "url", "text", "pdf", "images", "stories"],
            "properties": {
                "number": {"type": "integer"}, "width": {**number, "description": "In PDF points."},
                "height": number, "url": URI, "pdf": URI,
                "text": {**STRING, "description": "The editor's text of the page, or else its PDF's text layer."},
                "images": {"type": "object", "additionalProperties": False, "required": ["large", "page", "thumb"],
                           "properties": {"large": URI, "page": URI, "thumb": URI}},
                "stories": {"type": "array", "items": region,
                            "description": "Regions of the page that are stories on the site, in points from its top-left."}}}
    found["EpaperIssue"] = {"type": "object", "additionalProperties": False, "required": list(issue), "properties": issue}
    found["EpaperIssueDetail"] = {"type": "object", "additionalProperties": False,
                                  "required": [*issue, "pages_detail"],
                                  "properties": {**issue, "pages_detail": {"type": "array", "items": page}}}
    nullable_time = {"type": ["string", "null"], "format": "date-time"}
    update = {"number": {"type": "integer", "minimum": 1}, "url": URI, "headline": STRING,
              "body": {**STRING, "description": "As written, in Markdown."},
              "html": {**STRING, "description": "The body rendered and sanitised, as the page shows it."},
              "author": STRING, "key_event": {"type": "boolean"}, "pinned": {"type": "boolean"}, "posted": TIME,
              "corrected": {**nullable_time, "description": "When it was last corrected, or null."},
              "correction": {**STRING, "description": "What the last correction changed, as readers read it."},
              "deleted": {"type": "boolean"}}
    found["LiveUpdate"] = {"type": "object", "additionalProperties": False, "required": list(update), "properties": update}
    found["LiveUpdates"] = {
        "type": "object", "additionalProperties": False,
        "required": ["story", "running", "started", "ended", "newest", "version", "items"],
        "properties": {"story": {"type": "integer"}, "running": {"type": "boolean"}, "started": TIME,
                       "ended": nullable_time, "newest": {"type": "integer", "minimum": 0},
                       "version": {"type": "integer", "minimum": 0,
                                   "description": "Counts every change to the coverage; ask `?version=` with it for what changes next."},
                       "items": {"type": "array", "items": _ref("LiveUpdate"), "description": "Newest first."}}}
    found["LiveUpdatePost"] = {
        "type": "object", "additionalProperties": False, "required": ["body"],
        "properties": {"body": _text(shortest=1, description="Markdown; rendered and sanitised on save."),
                       "headline": _text(longest=200), "key_event": {"type": "boolean"}, "pinned": {"type": "boolean"}}}
    found["LiveUpdateChange"] = {
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "dependentRequired": {"headline": ["body"], "note": ["body"], "body": ["note"]},
        "properties": {"body": _text(shortest=1), "headline": _text(longest=200),
                       "note": _text(shortest=1, longest=300, description="What the correction changed; shown with it."),
                       "key_event": {"type": "boolean"}, "pinned": {"type": "boolean"}}}
    for name in ("Section", "Tag", "Author", "EpaperIssue"):
        found[name + "List"] = {
            "type": "object", "required": ["items", "next"], "additionalProperties": False,
            "properties": {"items": {"type": "array", "items": _ref(name)}, "next": {"type": ["string", "null"], "format": "uri"}},
        }
    return found


def _lister(name: str, summary: str) -> dict:
    return {"get": {"summary": summary, "operationId": f"list{name}s",
                    "parameters": [_query("after", "Continue after this id.",
                                          {"type": "integer", "minimum": 0, "maximum": parameters.MAX_ID}), LIMIT],
                    "responses": {"200": _json_body(f"{name}List", f"A page of {name.lower()}s."),
                                  "400": ERRORS["400"]}}}


# Any request can be refused before a view reads it: the server refuses a request line or headers
# longer than it reads (no body), and Django a query of more than 1,000 fields (a JSON 400).
ANY_REQUEST = {
    "400": ERRORS["400"],
    "414": {"description": "The request line (address and query) is longer than the server reads."},
    "431": {"description": "The request's headers are larger than the server reads."},
}
PLAIN = {"text/plain": {"schema": {"type": "string"}}}
# A body is read whole before the app sees it, within a deadline and a size (masthead.delivery.front).
WITH_BODY = {
    "408": {"description": "The body did not arrive in time; send it again.", "content": PLAIN},
    "413": {"description": "The body is larger than the server takes.", "content": PLAIN},
}
METHODS = {"get", "put", "post", "patch", "delete"}


def build() -> dict:
    """The OpenAPI document as a dict."""
    document = _described()
    for item in document["paths"].values():
        for method, operation in item.items():
            if method in METHODS:
                sent = WITH_BODY if "requestBody" in operation else {}
                operation["responses"] = dict(sorted({**ANY_REQUEST, **sent, **operation["responses"]}.items()))
    return document


def _described() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{settings.SITE_NAME} API", "version": "1.0.0",
                 "description": "Stories as IPTC ninjs 2.0, and what they are filed under. Reads are public; "
                                "writes need `Authorization: Bearer <token>` and the token user's permissions."},
        "servers": [{"url": settings.SITE_URL}],
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "A token from `masthead api_token <username>`."}},
        },
        "paths": {
            "/api/v1/articles": {
                "get": {
                    "summary": "Visible stories, newest first; with `since`, every change since then, oldest first.",
                    "operationId": "listArticles",
                    "parameters": [
                        _query("section", "Only this section (slug; 404 if there is none).", STRING),
                        _query("tag", "Only this tag (slug; 404 if there is none).", STRING),
                        _query("author", "Only this author (slug; 404 if there is none).", STRING),
                        _query("language", "Only this edition's stories (its language).",
                               {"enum": [code for code, _ in settings.LANGUAGES]}),
                        _query("since", "Incremental sync: stories published, changed or withdrawn (pubstatus "
                                        "`canceled`) at or after this time, oldest first.", TIME),
                        LIMIT,
                        _query("cursor", "Where the page starts: take it from `next`.",
                               {"type": "string", "pattern": parameters.CURSOR_PATTERN}),
                    ],
                    "responses": {"200": _json_body("ArticleList", "A page of stories."), "400": ERRORS["400"],
                                  "404": ERRORS["404"]},
                },
                "post": {
                    "summary": "Create a draft.", "operationId": "createArticle", "security": [{"token": []}],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "allOf": [_ref("ArticleWrite"), {"required": ["headline", "section"]},
                                  {"not": {"required": ["version"]}}]}}}},
                    "responses": {"201": _json_body("Ninjs", "The new draft."), **ERRORS, **REFUSED_LINK},
                },
            },
            "/api/v1/articles/{news_id}": {
                "parameters": [NEWS_ID],
                "get": {"summary": "One story (with an editor's token, drafts too).", "operationId": "getArticle",
                        "responses": {"200": _json_body("Ninjs", "The story."), "401": ERRORS["401"],
                                      "404": ERRORS["404"]}},
                "patch": {"summary": "Change a story; a published one needs the right to publish.",
                          "operationId": "updateArticle", "security": [{"token": []}], "parameters": [IF_MATCH],
                          "requestBody": {"required": True, "content": {"application/json": {"schema": {
                              "allOf": [_ref("ArticleWrite"), {"minProperties": 1}]}}}},
                          "responses": {"200": _json_body("Ninjs", "The story as saved."), **ERRORS,
                                        **STALE_OR_REFUSED_LINK}},
            },
            "/api/v1/articles/{news_id}/publish": {
                "parameters": [NEWS_ID],
                "post": {"summary": "Publish now, or schedule with `at`.", "operationId": "publishArticle",
                         "security": [{"token": []}], "parameters": [IF_MATCH],
                         "requestBody": {"required": False, "content": {"application/json": {"schema": _ref("Publish")}}},
                         "responses": {"200": _json_body("Ninjs", "The story as published."), **ERRORS, **STALE}},
            },
            "/api/v1/articles/{news_id}/updates": {
                "parameters": [NEWS_ID],
                "get": {"summary": "A live story's coverage and its updates, newest first.", "operationId": "listLiveUpdates",
                        "parameters": [_query("since", "Only updates numbered above this one.",
                                              {"type": "integer", "minimum": 0, "maximum": parameters.MAX_ID}),
                                       _query("version", "Only updates posted or changed after this version of the "
                                                         "coverage (`version` in an earlier answer), deleted ones included.",
                                              {"type": "integer", "minimum": 0, "maximum": parameters.MAX_ID})],
                        "responses": {"200": _json_body("LiveUpdates", "The coverage and its updates."),
                                      "400": ERRORS["400"], "404": _json_body("Error", "No visible live story with this News ID.")}},
                "post": {"summary": "Post an update to a running live story (pinned and key events need an editor).",
                         "operationId": "postLiveUpdate", "security": [{"token": []}],
                         "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("LiveUpdatePost")}}},
                         "responses": {"201": _json_body("LiveUpdate", "The update as posted."), **ERRORS,
                                       "409": _json_body("Error", "The story's coverage is not running.")}},
            },
            "/api/v1/articles/{news_id}/updates/{number}": {
                "parameters": [NEWS_ID, {"name": "number", "in": "path", "required": True, "description": "The update's number.",
                                         "schema": {"type": "integer", "minimum": 0, "maximum": parameters.MAX_ID}}],
                "patch": {"summary": "Correct an update (the whole body and a note readers see), pin it or mark a key event.",
                          "operationId": "changeLiveUpdate", "security": [{"token": []}],
                          "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("LiveUpdateChange")}}},
                          "responses": {"200": _json_body("LiveUpdate", "The update as changed."), **ERRORS,
                                        "409": _json_body("Error", "The change is refused as it stands; the message says why.")}},
                "delete": {"summary": "Take an update off the page; its number is never reused.",
                           "operationId": "deleteLiveUpdate", "security": [{"token": []}],
                           "responses": {"200": _json_body("LiveUpdate", "The update as deleted."), **ERRORS}},
            },
            "/api/v1/sections": _lister("Section", "Every section, by id; `position` is the navigation order."),
            "/api/v1/tags": _lister("Tag", "Every tag."),
            "/api/v1/authors": _lister("Author", "Every author."),
            "/api/v1/epaper/issues": _lister("EpaperIssue", "Printed issues by id; a re-imported issue gets a new id."),
            "/api/v1/epaper/issues/{issue_id}": {
                "parameters": [{"name": "issue_id", "in": "path", "required": True, "description": "The issue's id.",
                                "schema": {"type": "integer"}}],
                "get": {"summary": "One printed issue with its pages and the stories mapped on them.",
                        "operationId": "getEpaperIssue",
                        "responses": {"200": _json_body("EpaperIssueDetail", "The issue."),
                                      "404": _json_body("Error", "No such issue.")}},
            },
        },
    }


def document(request):
    """``/api/openapi.json``."""
    return readable_from_any_site(cacheable(JsonResponse(build(), json_dumps_params={"ensure_ascii": False}), {keys.OPENAPI}))
