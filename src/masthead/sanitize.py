"""The one HTML sanitising policy (nh3): everything that reaches a page from outside passes here."""

import markdown as _markdown
import nh3

ARTICLE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "em", "figcaption", "figure",
    "h2", "h3", "h4", "hr", "i", "img", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}
ARTICLE_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "srcset", "sizes", "loading"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}
READER_TAGS = {"a", "b", "br", "em", "i", "p", "strong", "blockquote", "code"}


def article_html(html: str) -> str:
    """Sanitise editors' or imported HTML for an article body."""
    return nh3.clean(html, tags=ARTICLE_TAGS, attributes=ARTICLE_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener")


def render_markdown(text: str) -> str:
    """Render an article body written in Markdown to sanitised HTML."""
    html = _markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return article_html(html)


def reader_html(html: str) -> str:
    """Sanitise what a reader wrote: a few inline tags, links marked nofollow and ugc."""
    return nh3.clean(html, tags=READER_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https"},
                     link_rel="nofollow ugc noopener")
