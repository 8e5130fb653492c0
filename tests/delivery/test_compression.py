"""Text responses are sent gzipped to clients that accept it, from stored forms on a cache hit."""

import gzip
import re
import zlib

import pytest

from masthead.delivery import compression
from masthead.delivery.pagecache import TIMING_MARK
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def _no_timer(body: bytes) -> bytes:
    return re.sub(rb"Page Generated in [0-9.]+ sec", b"", body)


def _generated(html: str) -> str:
    return re.search(r"Page Generated in ([0-9.]+) sec", html).group(1)


@pytest.mark.parametrize("marks", [0, 1, 2])
def test_spliced_gzip_is_the_page_with_each_mark_filled(marks):
    """The stored gzip pieces joined with a figure decompress to the text with the figure in place."""
    parts = [b"<p>head " * 500, b"</p><footer>middle", b"</footer>" * 3][: marks + 1]
    body = TIMING_MARK.join(parts)
    pieces = compression.gzip_pieces(body, TIMING_MARK)
    head = parts[0]
    filled = compression.gzip_fill(pieces, head_crc=zlib.crc32(head), head_size=len(head), tail=tuple(parts[1:]),
                                   filler=b"0.0123")
    assert gzip.decompress(filled) == body.replace(TIMING_MARK, b"0.0123")


def test_article_is_gzipped_on_miss_and_hit_with_the_timer_filled(client):
    """The same page as the plain one, with this response's own generation time in its footer."""
    story = make_article(body="A paragraph long enough to be worth compressing. " * 20)
    miss = client.get(story.get_absolute_url(), **GZIP)
    hit = client.get(story.get_absolute_url(), **GZIP)
    plain = client.get(story.get_absolute_url())
    assert (miss["X-Cache"], hit["X-Cache"], plain["X-Cache"]) == ("miss", "hit", "hit")
    for response in (miss, hit):
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        html = gzip.decompress(response.content).decode()
        assert float(_generated(html)) < 1
        assert html.replace(_generated(html), "") == plain.content.decode().replace(_generated(plain.content.decode()), "")
        assert int(response["Content-Length"]) == len(response.content)
    assert len(hit.content) < len(plain.content) / 2
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"]


def test_etags_differ_per_encoding_and_304s_match_their_own(client):
    """Each encoding is its own representation: its own ETag, a 304 only for a copy of it."""
    story = make_article()
    url = story.get_absolute_url()
    plain_etag = client.get(url)["ETag"]
    gzip_etag = client.get(url, **GZIP)["ETag"]
    assert plain_etag != gzip_etag
    assert client.get(url, HTTP_IF_NONE_MATCH=gzip_etag, **GZIP).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=plain_etag).status_code == 304
    changed = client.get(url, HTTP_IF_NONE_MATCH=plain_etag, **GZIP)
    assert changed.status_code == 200, "a gzip client holding the plain copy gets the gzip one"
    assert changed["ETag"] == gzip_etag


def test_gzip_refused_with_q0_is_not_sent(client):
    """``gzip;q=0`` means the client refuses gzip: it gets the plain page."""
    story = make_article()
    response = client.get(story.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert "Content-Encoding" not in response
    assert b"</html>" in response.content


@pytest.mark.parametrize("path", ["/feeds/rss/", "/feeds/atom/", "/feeds/json/", "/sitemap.xml", "/sitemaps/pages.xml",
                                  "/api/v1/articles", "/api/openapi.json", "/robots.txt", "/corrections/"])
def test_feeds_sitemaps_json_and_robots_are_gzipped(client, path):
    """Every cached text answer is gzipped, on the miss that builds it and on each hit."""
    for n in range(3):
        make_article(headline=f"Compressed story {n}")
    for state in ("miss", "hit"):
        response = client.get(path, **GZIP)
        assert response.status_code == 200, path
        assert response["X-Cache"] == state
        assert response["Content-Encoding"] == "gzip", path
        assert _no_timer(gzip.decompress(response.content)) == _no_timer(client.get(path).content)


def test_uncached_pages_are_gzipped_too(client):
    """Search results are not page-cached, yet are compressed as they are sent."""
    make_article(headline="Oil exports rise")
    response = client.get("/search/?q=oil", **GZIP)
    assert response["Content-Encoding"] == "gzip"
    assert "Oil exports rise" in gzip.decompress(response.content).decode()
    assert client.get("/no-such-page/", **GZIP).status_code == 404


def test_head_of_a_cached_page_has_no_body_and_the_full_length(client):
    """HEAD answered from the cache says the length of what GET would send, and sends nothing."""
    story = make_article()
    client.get(story.get_absolute_url())
    head = client.head(story.get_absolute_url(), **GZIP)
    assert head.status_code == 200 and head.content == b""
    assert int(head["Content-Length"]) > 200
