"""The search page, ``/search/?q=…``: a form, and a page of results with snippets.

Each edition searches its own stories (``/fa/search/`` the Persian ones) and links to the same
search in the other editions. Pages of the printed paper that hold the words are listed with
the stories (``in=stories`` or ``in=epaper`` keeps to one), each linking to the page's text.
"""

from datetime import date

from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _, gettext_lazy

from masthead import editions, parameters, search
from masthead.news import storypage
from masthead.search import printed as printed_pages

# What a search may keep to: "" is stories and printed pages together.
SCOPES = {"stories", "epaper"}
# Printed pages listed beside the stories; "in=epaper" lists them all (up to the e-paper search's limit).
PRINTED_BESIDE_STORIES = 5


def _day(value: str, label: str, notes: list[str]) -> date | None:
    if not value:
        return None
    try:
        return parameters.day(value, name=label)
    except parameters.BadParameter:
        notes.append(_("“%(value)s” is not a date like 2021-04-12, so the %(label)s date was left out.")
                     % {"value": value[:40], "label": label})
        return None


def results(request):
    """Search results. Not page-cached: every query is a new address, so caching them would let
    any visitor push the article pages out of the cache, and the index answers in milliseconds."""
    params, notes = request.GET, []
    text = params.get("q", "")
    sections = storypage.sections(request)  # read once, for the navigation too
    section = next((s for s in sections if s.slug == params.get("section")), None)
    if params.get("section") and section is None:
        notes.append(_("There is no such section, so all sections were searched."))
    since = _day(params.get("from", ""), _("from"), notes)
    until = _day(params.get("to", ""), _("to"), notes)
    if since and until and since > until:
        since, until = until, since
    order = params.get("sort") if params.get("sort") in search.ORDERS else "relevance"
    try:
        page = parameters.whole_number(params.get("page", "1"), name="page", low=1, high=10_000)
    except parameters.BadParameter:
        page = 1
    scope = params.get("in") if params.get("in") in SCOPES else ""
    found = search.search(text, language=editions.current(), section=section, since=since, until=until,
                          order=order, page=page if scope != "epaper" else 1)
    if found.query.shortened:
        notes.append(_("Your search was long, so only its beginning was used."))
    if text.strip() and not found.query:
        notes.append(_("Your search has no letters or digits to look for. Try a word or two."))
    filters = {"q": found.query.text, "section": section.slug if section else "", "from": since or "",
               "to": until or "", "sort": order, "in": scope}
    # The printed paper has no sections: a search narrowed to one lists no pages.
    printed = None
    if found.query and scope != "stories" and section is None and found.page == 1:
        printed = printed_pages.search(found.query.text, since=since.isoformat() if since else "",
                                        until=until.isoformat() if until else "")
    response = render(request, "search/results.html", {
        "results": found, "sections": sections, "section": section, "notes": notes, "filters": filters,
        "searched": bool(found.query),
        "previous_url": _page_url(filters, found.page - 1) if found.has_previous else "",
        "next_url": _page_url(filters, found.page + 1) if found.has_next else "",
        "other_editions": other_editions(filters) if found.query else [],
        "scope": scope, "printed": printed,
        "printed_hits": [] if printed is None else printed.hits if scope == "epaper" else printed.hits[:PRINTED_BESIDE_STORIES],
        "all_printed_url": "?" + urlencode({**{k: v for k, v in filters.items() if v}, "in": "epaper"}),
    })
    response["Cache-Control"] = "no-cache"
    return response


# What a reader of one edition calls the others, for the link to search there.
EDITION_NAMES = {"en": gettext_lazy("English"), "fa": gettext_lazy("Persian")}


def other_editions(filters: dict) -> list[tuple[str, str, str]]:
    """``(language, name, url)`` of the same search in each other edition (the section too: sections are shared)."""
    here = editions.current()
    found = []
    for language in editions.languages():
        if language != here:
            with translation.override(language):
                url = reverse("search:results")
            found.append((language, str(EDITION_NAMES.get(language, editions.name(language))),
                          url + "?" + urlencode({k: v for k, v in filters.items() if v})))
    return found


def _page_url(filters: dict, page: int) -> str:
    """The query string of another page of the same search."""
    return "?" + urlencode({**{k: v for k, v in filters.items() if v}, "page": page})
