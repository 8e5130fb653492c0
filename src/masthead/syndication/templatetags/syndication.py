"""``{% article_meta article %}`` and ``{% page_meta %}``: the metadata a page's ``<head>`` carries."""

from django import template
from django.conf import settings
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from masthead.syndication import metadata
from masthead.syndication.ninjs import changed_at, rfc3339

register = template.Library()


@register.inclusion_tag("syndication/_article_meta.html")
def article_meta(article):
    image, own_image = metadata.image_url(article)
    return {
        "article": article,
        "url": metadata.absolute(article.get_absolute_url()),
        "image": image,
        "own_image": own_image,
        "site_name": settings.SITE_NAME,
        "twitter_site": settings.TWITTER_SITE,
        "og_locale": metadata.OG_LOCALES.get(article.language, article.language),
        "published": rfc3339(article.published_at or article.created_at),
        "modified": rfc3339(changed_at(article)),
        "editions": metadata.editions(article),
        "json_ld": mark_safe(metadata.script_json(metadata.news_article(article))),
    }


@register.inclusion_tag("syndication/_page_meta.html", takes_context=True)
def page_meta(context, kind=None, title="", description=""):
    """Home (``kind`` None), section, tag, author and archive pages (which advertise no feed)."""
    request = context.get("request")
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
        "site_name": settings.SITE_NAME,
        "twitter_site": settings.TWITTER_SITE,
        "og_locale": metadata.OG_LOCALES.get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE),
        "feeds": metadata.feeds_for(kind, slug=slug, name=title) if kind in (None, "section", "tag", "author") else [],
        "json_ld": mark_safe(metadata.script_json(data)),
    }
