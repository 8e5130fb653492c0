"""Answering from a cached page (masthead/delivery/hits.py): the timer's figure and the gzip answers kept."""

import gzip
import pickle
import re
import time

from masthead.delivery import hits, pagecache


def _page() -> pagecache.CachedPage:
    body = b"<p>" + b"a story worth reading " * 200 + b"</p><footer>Page Generated in " + pagecache.TIMING_MARK + b" sec</footer>"
    return pagecache.make_page(body=body, headers=[("Content-Type", "text/html; charset=utf-8")], status=200,
                               keys=["article-1"], reads=(), strict=False, etag='"one"',
                               content_type="text/html; charset=utf-8", language="en", rendered_at=time.time(), lifetime=60)


def test_a_gzip_answer_is_kept_per_figure_and_stays_a_valid_gzip_of_the_page():
    """Each answer is a gzip body (its CRC checked on reading) showing its own figure; it is kept under
    that figure for the next hit that takes as long, and only the latest few figures are kept."""
    page = _page()
    for delay in (0.0, 0.0123, 0.0456, 0.0789):
        status, headers, body = hits.whole(page, gzipped=True, head=False, started=time.perf_counter() - delay)
        figure = re.search(rb"Page Generated in (\d\.\d{4}) sec", gzip.decompress(body)).group(1).decode()
        assert status == 200 and dict(headers)["Content-Length"] == str(len(body))
        assert float(figure) >= delay
        assert page.gzip_answers[figure] == (body, str(len(body)))
        assert len(page.gzip_answers) <= pagecache.GZIP_ANSWERS_KEPT


def test_kept_answers_stay_in_the_process_that_made_them():
    """A page written to the shared cache carries no answers or encoded headers of this process, and its size counts them."""
    page = _page()
    hits.whole(page, gzipped=True, head=False, started=time.perf_counter())
    assert page.gzip_answers
    page.wire[True] = b"".join(f"{name}: {value}\r\n".encode() for name, value in page.gzip_headers)  # as hitserver keeps it
    copy = pickle.loads(pickle.dumps(page))
    assert copy.gzip_answers == {} and copy.wire == {}
    assert copy == page
    stored = sum(map(len, page.texts)) + sum(map(len, page.gzip))
    assert page.size >= stored + pagecache.GZIP_ANSWERS_KEPT * sum(map(len, page.gzip))


def test_a_plain_answer_shows_the_figure_and_its_length():
    """Without gzip the text goes out with the figure written in, and the length to match."""
    status, headers, body = hits.whole(_page(), gzipped=False, head=False, started=time.perf_counter())
    assert re.search(rb"Page Generated in \d\.\d{4} sec</footer>$", body)
    assert dict(headers)["Content-Length"] == str(len(body)) and "Content-Encoding" not in dict(headers)
