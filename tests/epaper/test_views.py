"""The e-paper's reader pages: archive, issue, page, text, downloads, legacy addresses; cached and purged."""

import datetime as dt

import feedparser
import pytest
from django.core.management import call_command

from masthead.epaper.models import Page
from tests.epaper.factories import make_issue, write_pdf

pytestmark = pytest.mark.django_db
DAY = dt.date(2021, 4, 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_archive_lists_the_newest_issue_first_with_a_calendar_and_specials_apart(client, tmp_path):
    older = make_issue(tmp_path, date=DAY - dt.timedelta(days=1), number=301)
    newest = make_issue(tmp_path, date=DAY, number=302)
    special = make_issue(tmp_path, date=dt.date(2021, 3, 20), special="Nowruz 1400")
    html = _html(client.get("/epaper/"))
    covers = html.split('class="epaper-covers"')[1].split("</ol>")[0]
    assert covers.index(newest.address()) < covers.index(older.address())
    assert special.address() not in covers
    assert "April 12, 2021" in covers and "No. 302" in covers
    calendar = html.split('class="epaper-calendar"')[1].split("</section>")[0]
    assert "<h2 id=\"epaper-month\">April 2021</h2>" in calendar
    assert f'<a href="/epaper/2021-04-11/">11</a>' in calendar and f'<a href="/epaper/2021-04-12/">12</a>' in calendar
    specials = html.split('class="epaper-specials"')[1].split("</section>")[0]
    assert f'<a href="{special.address()}">Nowruz 1400</a>, March 20, 2021' in specials


def test_the_calendar_shows_any_month_and_links_its_neighbours(client, tmp_path):
    make_issue(tmp_path, date=dt.date(2021, 2, 3))
    make_issue(tmp_path, date=DAY)
    html = _html(client.get("/epaper/?month=2021-02"))
    assert "February 2021" in html and '<a href="/epaper/2021-02-03/">3</a>' in html
    assert 'href="?month=2021-04"' in html and "?month=2021-01" not in html


def test_an_issue_opens_on_its_front_page_with_a_thumbnail_rail(client, tmp_path):
    issue = make_issue(tmp_path, number=302)
    html = _html(client.get("/epaper/2021-04-12/"))
    rail = html.split('class="epaper-rail"')[1].split("</nav>")[0]
    assert [f"/epaper/2021-04-12/{n}/" in rail for n in (1, 2, 3)] == [True] * 3
    assert f'href="/epaper/2021-04-12/1/" aria-current="page"' in rail
    assert issue.scan(1, "thumb") in rail
    assert f'<a href="{issue.scan(1, "large")}" class="epaper-zoom"' in html
    assert "Page 1 of 3" in html and 'href="/epaper/2021-04-12/issue.pdf"' in html


def test_an_issue_links_the_issues_before_and_after_it(client, tmp_path):
    make_issue(tmp_path, date=DAY - dt.timedelta(days=3))
    make_issue(tmp_path, date=DAY)
    make_issue(tmp_path, date=DAY - dt.timedelta(days=1), special="Nowruz 1400")  # specials are apart
    html = _html(client.get("/epaper/2021-04-12/"))
    assert '<a rel="prev" href="/epaper/2021-04-09/">← Issue of April 9, 2021</a>' in html
    issues_nav = html.split('aria-label="Issues"')[1].split("</nav>")[0]
    assert 'rel="next"' not in issues_nav, "the newest issue has none after it"
    older = _html(client.get("/epaper/2021-04-09/"))
    assert '<a rel="next" href="/epaper/2021-04-12/">Issue of April 12, 2021 →</a>' in older


def test_a_page_has_previous_next_zoom_text_and_its_pdf_without_inline_script_or_style(client, tmp_path):
    issue = make_issue(tmp_path)
    html = _html(client.get("/epaper/2021-04-12/2/"))
    assert '<a rel="prev" href="/epaper/2021-04-12/1/">' in html and '<a rel="next" href="/epaper/2021-04-12/3/">' in html
    assert f'href="{issue.scan(2, "large")}"' in html
    assert 'href="/epaper/2021-04-12/2/text/"' in html and 'href="/epaper/2021-04-12/2.pdf"' in html
    assert "<script" not in html and "style=" not in html and "<style" not in html
    last = _html(client.get("/epaper/2021-04-12/3/"))
    assert 'rel="next"' not in last.split('class="epaper-page"')[1]
    assert client.get("/epaper/2021-04-12/4/").status_code == 404
    assert client.get("/epaper/2021-04-13/").status_code == 404
    assert client.get("/epaper/2021-02-30/").status_code == 404


def test_the_scans_are_jpeg_and_cached_for_good(client, tmp_path):
    issue = make_issue(tmp_path)
    response = client.get(issue.scan(2, "page"))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert client.get(issue.scan(2, "huge")).status_code == 404
    assert client.get(f"/epaper/scans/{issue.pk}/0000000000000000/2-page.jpg").status_code == 404


def test_the_text_view_shows_the_editors_text_and_marks_a_searched_word(client, tmp_path):
    issue = make_issue(tmp_path)
    html = _html(client.get("/epaper/2021-04-12/2/text/?q=exports"))
    assert "<p dir=\"auto\">Oil <mark>exports</mark> rise</p>" in html
    Page.objects.filter(issue=issue, number=2).update(corrected_text="Oil <exports> climb")
    html = _html(client.get("/epaper/2021-04-12/2/text/"))
    assert "<p dir=\"auto\">Oil &lt;exports&gt; climb</p>" in html and "rise" not in html.split('class="epaper-text"')[1]


def test_the_downloads_are_pdfs_with_their_file_names(client, tmp_path):
    make_issue(tmp_path)
    whole = client.get("/epaper/2021-04-12/issue.pdf")
    assert whole["Content-Type"] == "application/pdf"
    assert whole["Content-Disposition"] == 'attachment; filename="masthead-daily-2021-04-12.pdf"'
    assert b"".join(whole.streaming_content).startswith(b"%PDF-")
    page = client.get("/epaper/2021-04-12/2.pdf")
    assert page["Content-Type"] == "application/pdf"
    assert page["Content-Disposition"] == 'attachment; filename="masthead-daily-2021-04-12-page-2.pdf"'
    assert client.get("/epaper/2021-04-12/9.pdf").status_code == 404


def test_a_special_lives_under_its_own_address(client, tmp_path):
    make_issue(tmp_path, special="Nowruz 1400")
    html = _html(client.get("/epaper/special/2021-04-12/nowruz-1400/2/"))
    assert "Nowruz 1400, April 12, 2021" in html and "Special issue" in html
    assert 'href="/epaper/special/2021-04-12/nowruz-1400/3/"' in html
    assert client.get("/epaper/2021-04-12/").status_code == 404
    pdf = client.get("/epaper/special/2021-04-12/nowruz-1400/issue.pdf")
    assert pdf["Content-Disposition"] == 'attachment; filename="masthead-daily-2021-04-12-nowruz-1400.pdf"'


def test_the_old_archives_addresses_answer_301(client, tmp_path):
    make_issue(tmp_path, number=302)
    page = client.get("/epaper/?nid=302&pid=3")
    assert (page.status_code, page["Location"]) == (301, "/epaper/2021-04-12/3/")
    issue = client.get("/epaper/?nid=302&pid=99")
    assert (issue.status_code, issue["Location"]) == (301, "/epaper/2021-04-12/")
    assert client.get("/epaper/?nid=999").status_code == 404
    assert client.get("/epaper/?nid=abc").status_code == 404


def test_pages_are_cached_and_an_import_purges_them(client, tmp_path, django_capture_on_commit_callbacks):
    """The page is served from the cache like an article until the issue is imported again."""
    make_issue(tmp_path)
    first = client.get("/epaper/2021-04-12/2/")
    # And the key of the navigation it shows, so a renamed section reaches it too.
    assert first["X-Cache"] == "miss" and first["Surrogate-Key"] == "epaper-2021-04-12 sections"
    assert client.get("/epaper/2021-04-12/2/")["X-Cache"] == "hit"
    assert client.get("/epaper/")["Surrogate-Key"] == "epaper-archive sections"
    assert client.get("/epaper/")["X-Cache"] == "hit"
    source = write_pdf(tmp_path / "new.pdf", [["Front"], ["A new page two"]])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("epaper_import", str(source), "--date", "2021-04-12")
    again = client.get("/epaper/2021-04-12/2/text/")
    assert again["X-Cache"] == "miss" and "A new page two" in again.content.decode()
    assert client.get("/epaper/2021-04-12/2/")["X-Cache"] == "miss"
    assert client.get("/epaper/")["X-Cache"] == "miss"


def test_the_feed_lists_new_issues_with_their_pdfs(client, tmp_path, settings):
    settings.SITE_URL = "https://paper.example"
    make_issue(tmp_path, date=DAY - dt.timedelta(days=1), number=301)
    make_issue(tmp_path, date=DAY, number=302)
    make_issue(tmp_path, date=DAY, special="Nowruz 1400")
    response = client.get("/epaper/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert response["Surrogate-Key"] == "epaper-archive"
    feed = feedparser.parse(response.content)
    assert [e.title for e in feed.entries] == ["Nowruz 1400, April 12, 2021", "April 12, 2021", "April 11, 2021"]
    assert feed.entries[1].link == "https://paper.example/epaper/2021-04-12/"
    assert feed.entries[1].description == "No. 302, 3 pages"
    assert feed.entries[1].enclosures[0].href == "https://paper.example/epaper/2021-04-12/issue.pdf"
    assert 'rel="alternate" type="application/rss+xml"' in client.get("/epaper/").content.decode()


def test_the_archive_pages_back_through_older_issues(client):
    """Thirty issues a page, older ones by ?before=<date>, so page 100 costs what page 1 does."""
    from masthead.epaper.models import Issue

    Issue.objects.bulk_create(Issue(date=DAY - dt.timedelta(days=n), fingerprint=f"{n:064x}", folder=f"epaper/x/{n}")
                              for n in range(45))
    first = _html(client.get("/epaper/"))
    assert first.count('<li><a href="/epaper/') == 30
    assert '<a rel="next" href="?before=2021-03-14">Older issues →</a>' in first
    second = _html(client.get("/epaper/?before=2021-03-14"))
    covers = second.split('class="epaper-covers"')[1].split("</ol>")[0]
    assert covers.count("<li>") == 15 and "/epaper/2021-03-13/" in covers and "/epaper/2021-02-27/" in covers
    assert "Older issues" not in second
