"""Searching the printed pages by word and date, and the page text as paragraphs."""

import datetime as dt

import pytest

from masthead.epaper import reading
from masthead.epaper.models import Page
from tests.epaper.factories import make_issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def issues(tmp_path):
    march = make_issue(tmp_path, date=dt.date(2021, 3, 1), pages=[["Oil prices fall"], ["Football"]])
    april = make_issue(tmp_path, date=dt.date(2021, 4, 12), pages=[["Nothing here"], ["OIL exports rise"]])
    return march, april


def test_search_finds_a_word_in_any_case_newest_issue_first(issues):
    march, april = issues
    found = reading.search("oil")
    assert [(p.issue_id, p.number) for p, _ in found.hits] == [(april.pk, 2), (march.pk, 1)]
    assert str(found.hits[0][1]) == "<mark>OIL</mark> exports rise"


def test_search_needs_every_word(issues):
    assert [p.number for p, _ in reading.search("oil exports").hits] == [2]
    assert reading.search("oil tennis").hits == []


def test_search_narrows_by_date_range_in_either_order(issues):
    march, _ = issues
    found = reading.search("oil", since="2021-03-31", until="2021-02-01")
    assert [p.issue_id for p, _ in found.hits] == [march.pk]


def test_search_says_which_date_it_left_out(issues):
    found = reading.search("oil", since="12/04/2021")
    assert found.notes == ["“12/04/2021” is not a date like 2021-04-12, so the from date was left out."]
    assert len(found.hits) == 2


def test_search_reads_the_editors_text_instead_of_a_broken_layer(issues):
    march, _ = issues
    page = Page.objects.get(issue=march, number=1)
    page.corrected_text = "قیمت نفت کاهش یافت"
    page.save()  # as the newsroom's page form saves it
    assert [p.number for p, _ in reading.search("نفت").hits] == [1]
    assert march.pk not in [p.issue_id for p, _ in reading.search("oil").hits]
    assert reading.search("prices").hits == []


def test_a_search_without_letters_says_so():
    found = reading.search("!!! ...")
    assert found.searched is False
    assert found.notes == ["Your search has no letters or digits to look for. Try a word or two."]


def test_the_search_page_links_to_the_page_text_with_the_word_marked(client, issues):
    html = client.get("/epaper/search/?q=exports&from=2021-04-01").content.decode()
    assert '<a href="/epaper/2021-04-12/2/text/?q=exports">April 12, 2021, page 2</a>' in html
    assert "<mark>exports</mark>" in client.get("/epaper/2021-04-12/2/text/?q=exports").content.decode()


def test_text_without_blank_lines_becomes_one_paragraph_per_line():
    assert [str(p) for p in reading.marked_paragraphs("One  line\nTwo <b>", words="two")] == [
        "One line", "<mark>Two</mark> &lt;b&gt;"]
    assert [str(p) for p in reading.marked_paragraphs("A\nB\n\nC", words="")] == ["A B", "C"]


def test_the_sites_search_offers_the_same_search_in_the_printed_pages(client, issues):
    html = client.get("/search/?q=oil&from=2021-03-01").content.decode()
    assert ('<a href="/epaper/search/?q=oil&amp;from=2021-03-01&amp;to=">'
            "Search the printed paper's pages for “oil”</a>") in html
