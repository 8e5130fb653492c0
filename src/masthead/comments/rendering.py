"""How a comment's text reaches the page: escaped, links made clickable, then through the one nh3 policy."""

from django.utils.html import linebreaks, urlize

from masthead import sanitize


def comment_html(text: str) -> str:
    """Readers' HTML is shown as text, never run: escape it, link bare URLs, wrap paragraphs.

    The escaped result then passes ``sanitize.reader_html`` too, so a fault in either step alone
    cannot let markup through, and every link carries ``rel="nofollow ugc noopener"``.
    """
    escaped = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
    return sanitize.reader_html(linebreaks(escaped, autoescape=False))
