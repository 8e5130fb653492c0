from datetime import datetime, timezone

import pytest

from masthead.ingest import html
from masthead.ingest.items import ImportFailed
from masthead.news.models import Article
from tests.ingest.factories import SAMPLES, run_import

OG_ONLY = b"""<!doctype html><html lang="en"><head><title>Tehran Times</title>
<meta property="og:title" content="Snow closes mountain roads north of Tehran">
<meta property="og:url" content="https://old.example.com/News/302301.html?catid=3">
<meta property="article:published_time" content="2021-01-20T08:30:00+03:30">
<meta property="article:section" content="Society"><meta property="article:tag" content="Weather">
<meta name="author" content="Ali Rezaei"></head>
<body><div class="menu"><a href="/">Home</a></div><div class="story">
<p>Heavy snow closed the Chalus road and two other mountain routes north of Tehran on Wednesday, the police said.</p>
<p>Drivers were told to carry chains and to avoid travelling after dark until the roads are cleared.</p>
<p>Rescue teams helped more than 300 stranded drivers overnight, the Red Crescent said in a statement.</p>
</div><div class="comments">Security Key: Captcha refresh</div></body></html>"""


def test_reads_newsarticle_json_ld_first():
    """Headline, exact time, authors, section and keywords come from the NewsArticle JSON-LD."""
    item = html.parse((SAMPLES / "oil-exports.html").read_bytes(), name="oil-exports.html")
    assert item.news_id == 302200  # from the canonical /news/302200/oil-exports-rise/
    assert item.headline == "Oil exports rise to three-year high"
    assert item.published_at == datetime(2021, 4, 13, 6, 10, tzinfo=timezone.utc)
    assert item.authors == ["Sara Karimi"]
    assert item.section == "Economy" and item.tags == ["Oil", "Exports"]
    assert item.summary == "Crude shipments climbed in March."
    assert item.body.startswith("<p>Iran's crude oil exports rose")
    assert "<h2>Buyers in Asia</h2>" in item.body
    for furniture in ("Home", "Copyright", "alert", "<script", "<h1>"):
        assert furniture not in item.body


def test_reads_opengraph_when_there_is_no_json_ld():
    """The legacy /News/<id>.html address gives the News ID; the time zone offset is kept exactly."""
    item = html.parse(OG_ONLY, name="snow.html")
    assert item.news_id == 302301
    assert item.headline == "Snow closes mountain roads north of Tehran"
    assert item.published_at == datetime(2021, 1, 20, 5, 0, tzinfo=timezone.utc)
    assert item.section == "Society" and item.tags == ["Weather"] and item.authors == ["Ali Rezaei"]
    assert "Chalus road" in item.body and "Security Key" not in item.body


def test_a_page_with_no_id_and_no_address_is_refused():
    page = OG_ONLY.replace(b'<meta property="og:url" content="https://old.example.com/News/302301.html?catid=3">', b"")
    with pytest.raises(ImportFailed) as failure:
        html.parse(page, name="saved/snow.html")
    assert str(failure.value) == ("saved/snow.html: has no News ID and no canonical address: "
                                  "nothing tells this story apart from another")


def test_the_news_id_can_come_from_the_path_the_page_was_saved_under():
    page = OG_ONLY.replace(b"/News/302301.html?catid=3", b"/story")
    assert html.parse(page, name="mirror/News/302777.html").news_id == 302777


def test_a_page_without_a_time_is_a_draft_and_says_so():
    page = OG_ONLY.replace(b'<meta property="article:published_time" content="2021-01-20T08:30:00+03:30">', b"")
    item = html.parse(page, name="snow.html")
    assert item.status == "draft" and item.published_at is None
    assert item.warnings == ["snow.html: the page gives no publication time: imported as a draft without one"]
    dated = html.parse(page.replace(b"<title>", b'<meta name="date" content="2021-01-20"><title>'), name="snow.html")
    assert dated.status == "draft" and dated.published_at == datetime(2021, 1, 20, tzinfo=timezone.utc)
    assert dated.warnings == ["snow.html: the page gives the day 2021-01-20 but no time: imported as a draft, dated 00:00 GMT"]


@pytest.mark.django_db
def test_imported_html_is_sanitised_and_renders_as_stored(tmp_path):
    """The stored body is sanitised HTML, and rendering it as Markdown (as an edit would) changes nothing."""
    from masthead import sanitize

    path = tmp_path / "hostile.html"
    path.write_bytes(OG_ONLY.replace(b"<p>Drivers", b'<p onclick="x()">Drivers <a href="javascript:alert(1)">here</a>'
                                     b'<img src=x onerror=alert(1)>'))
    assert run_import(path).returncode == 0
    article = Article.objects.get(pk=302301)
    assert "onclick" not in article.body_html and "javascript:" not in article.body_html
    assert "onerror" not in article.body_html
    assert sanitize.render_markdown(article.body) == article.body_html
