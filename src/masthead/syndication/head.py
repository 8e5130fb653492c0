"""What a page's ``<head>`` says about it: the context of ``syndication/_article_meta.html`` and
``syndication/_page_meta.html``, which the readers' templates include."""

from django.conf import settings
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from masthead.syndication import metadata
from masthead.syndication.ninjs import changed_at, rfc3339


def article_head(article) -> dict:
    """Canonical address, OpenGraph and Twitter tags, hreflang editions and NewsArticle JSON-LD of a story."""
    image, width, height = metadata.share_pictures(article)[0]
    lead = article.lead_image if article.lead_image_id else None
    return {
        "url": metadata.absolute(article.get_absolute_url()),
        "image": image,
        "image_width": width,
        "image_height": height,
        "image_alt": lead.alt if lead is not None else article.headline,
        "twitter_site": settings.TWITTER_SITE,
        "og_locale": metadata.OG_LOCALES.get(article.language, article.language),
        "published": rfc3339(article.published_at or article.created_at),
        "modified": rfc3339(changed_at(article)),
        "editions": metadata.editions(article),
        "json_ld": mark_safe(metadata.script_json(metadata.news_article(article))),
    }


def page_head(request, *, kind: str | None = None, title: str = "", description: str = "") -> dict:
    """Home (``kind`` None), section, tag, author and archive pages (which advertise no feed)."""
    path = request.path if request is not None else "/"
    # A later page of a list is its own page, not a copy of the first: it keeps its cursor.
    cursor = {name: request.GET[name] for name in ("before", "after") if request is not None and request.GET.get(name)}
    if cursor:
        path = f"{path}?{urlencode(cursor)}"
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug", "") if match else ""
    if kind is None:
        data = metadata.home()
        title = title or settings.SITE_NAME
    else:
        data = metadata.collection(title=title, description=description, path=path)
    return {
        "url": metadata.absolute(path),
        "title": title,
        "description": description,
        "image": metadata.logo_url(),
        "twitter_site": settings.TWITTER_SITE,
        "og_locale": metadata.OG_LOCALES.get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE),
        "feeds": metadata.feeds_for(kind, slug=slug, name=title) if kind in (None, "section", "tag", "author") else [],
        "json_ld": mark_safe(metadata.script_json(data)),
    }
