"""``LiveBlogPosting`` JSON-LD: a live story describes itself as one, in place of ``NewsArticle``."""

from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from masthead.live.display import live_coverage
from masthead.syndication import metadata
from masthead.syndication.ninjs import rfc3339

# The newest updates listed in the page's JSON-LD; the page itself shows them all.
JSON_LD_UPDATES = 100


def live_blog_posting(article, live) -> dict:
    """The story's NewsArticle data as a LiveBlogPosting with its coverage times and its newest updates."""
    data = {**metadata.news_article(article), "@type": "LiveBlogPosting",
            "coverageStartTime": rfc3339(live.coverage.started_at)}
    if live.coverage.ended_at:
        data["coverageEndTime"] = rfc3339(live.coverage.ended_at)
    url = data["url"]
    data["liveBlogUpdate"] = [{
        "@type": "BlogPosting",
        "@id": f"{url}#{update.anchor}",
        "url": f"{url}#{update.anchor}",
        "headline": update.headline or strip_tags(update.body_html).strip()[:110],
        "articleBody": strip_tags(update.body_html).strip(),
        "datePublished": rfc3339(update.created_at),
        "dateModified": rfc3339(update.edited_at or update.created_at),
        "author": {"@type": "Person", "name": update.author_name},
    } for update in live.updates[:JSON_LD_UPDATES]]
    return data


def live_head(article, head: dict) -> dict:
    """``head`` (from ``syndication.head.article_head``), its JSON-LD a LiveBlogPosting when the story is live."""
    live = live_coverage(article)
    if live is None:
        return head
    return {**head, "json_ld": mark_safe(metadata.script_json(live_blog_posting(article, live)))}
