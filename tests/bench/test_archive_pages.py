import random
from collections import Counter

import pytest
from django.test import Client

from bench import archive_pages, generate
from bench import search as search_bench
from masthead.news.models import Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    return generate.build(articles=1_200, seed=5)


def test_every_page_the_archive_bench_times_answers_on_a_generated_archive(archive):
    """The section's deepest page, the archive by date, sitemaps, the API's sync and the newsroom list all answer 200."""
    reader, newsroom = Client(), Client()
    newsroom.force_login(archive_pages.editor())
    pages = archive_pages.reader_pages()
    # The biggest section holds about a quarter of 1,200 stories: its last full page is the deepest asked for.
    biggest = max(Section.objects.all(), key=lambda section: section.articles.count())
    assert pages[1][0] == f"section page {biggest.articles.count() // 20}" and "?before=" in pages[1][1]
    measured = archive_pages.time_pages(pages, client=reader, requests=1)
    # The archive has 12 list pages, not 50 (the admin sends a page past the end back to page 1).
    desk = [(label, url) for label, url in archive_pages.newsroom_pages() if label != "newsroom: list, page 50"]
    measured.update(archive_pages.time_pages(desk, client=newsroom, requests=1))
    assert len(measured) == len(pages) + 12
    assert all(row["n"] == 1 and row["p50_ms"] > 0 for row in measured.values())


def test_a_page_that_does_not_answer_200_stops_the_bench_naming_it(archive):
    """A newsroom page asked for without signing in is a redirect to the sign-in form, which the bench reports."""
    with pytest.raises(RuntimeError, match=r"GET /newsroom/news/article/ \(newsroom: list, page 1\) answered 302, not 200"):
        archive_pages.time_pages(archive_pages.newsroom_pages()[:1], client=Client(), requests=1)


def test_search_queries_find_stories_of_the_generated_archive(archive):
    """One-word and two-word queries drawn from the generator's words each find stories, in both orders."""
    measured = archive_pages.time_search(count=5, server_pid=None)
    assert set(measured) == {"search(): one word, relevance", "search(): one word, newest",
                             "search(): two words, relevance", "search(): two words, newest"}
    assert all(row["n"] == 5 and row["mean_results"] > 0 for row in measured.values())


def test_the_search_bench_keeps_a_bounded_uniform_sample_of_headlines(monkeypatch):
    """Query headlines are a sample of at most SAMPLE, each headline equally likely to be kept, whatever the archive's size."""
    monkeypatch.setattr(search_bench, "SAMPLE", 100)
    kept = Counter()
    for round_ in range(1_000):
        sample = search_bench.Sample()
        sample.rng = random.Random(round_)
        for n in range(400):
            sample.add(n)
        assert len(sample.items) == 100 and sample.seen == 400
        kept.update(n // 100 for n in sample.items)
    # Each quarter of the stream kept about as often: a quarter of 1,000 × 100.
    assert sorted(kept) == [0, 1, 2, 3]
    assert all(abs(count / 25_000 - 1) < 0.03 for count in kept.values()), kept
