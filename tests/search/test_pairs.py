"""PostgreSQL: phrases found by way of each story's pairs of words side by side (migration search/0007).

The pairs only narrow which stories are read: every answer is the one the words alone give. So each
test here compares the two ways, and checks that every way an entry is written gives it the pairs
``search_pairs`` makes of its vector.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead import search
from masthead.search import text
from masthead.search.backends import postgresql
from masthead.search.backends.base import Filters
from masthead.search.query import parse
from tests.ingest.factories import ninjs_story, run_import, write_jsonl
from masthead.stories import changes
from tests.news.factories import make_article
from tests.stories.factories import SYSTEM

pytestmark = [pytest.mark.postgresql_only,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own index")]


@pytest.fixture(autouse=True)
def read_afresh():
    """Whether phrases go by their pairs is kept a minute per process (as the statistics are): read afresh."""
    postgresql.Backend(connection)._forget()


def document(headline="", standfirst="", body="", labels="") -> text.Document:
    return text.Document(article_id=1, published_at=timezone.now(), section_id=1, headline=headline,
                         standfirst=standfirst, body=body, labels=labels)


def from_the_vector(vector: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_pairs(%s::tsvector)", [vector])
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize("doc", [
    document("Talks in Vienna", "Talks resume", "The talks in Vienna resumed. Talks talks talks.", "Iran Nuclear"),
    document("", "", "one"),
    document("", "", ""),
    # Persian, with a detached affix folded to its word, and a word too long to be indexed between two others
    document("مذاکرات وین", "می رود", "گفت و گو " + "x" * 600 + " end"),
    # A word past its 256 positions, and words past the last position PostgreSQL keeps (all at 16383)
    document("", "", " ".join(["same"] * 300 + ["w%d" % n for n in range(16500)])),
], ids=["english", "one word", "empty", "persian and a long word", "past the positions kept"])
def test_a_story_s_pairs_are_those_postgresql_makes_of_its_vector(doc):
    vector, pairs = postgresql.indexed(doc)
    assert vector == postgresql.vector_literal(doc)
    assert pairs == from_the_vector(vector)


def test_a_query_s_pairs_are_its_phrases_whole_words_side_by_side():
    pair = postgresql.pair
    assert postgresql.query_pairs(parse("talks vienna")) == []
    assert postgresql.query_pairs(parse('"talks in vienna" iran')) == sorted({pair("talks", "in"), pair("in", "vienna")})
    # The last word of a word beginning stands for many words: no pair with it.
    assert postgresql.query_pairs(parse('"nuclear talks in vien*"')) == sorted({pair("nuclear", "talks"), pair("talks", "in")})
    assert postgresql.query_pairs(parse('"vien*"')) == []


def stored_pairs() -> dict[int, list[int] | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT article_id, pairs FROM search_text ORDER BY article_id")
        return dict(cursor.fetchall())


def made_from_vectors() -> dict[int, list[int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT article_id, search_pairs(document) FROM search_document ORDER BY article_id")
        return dict(cursor.fetchall())


def find(text_: str, order: str, engine=None) -> tuple[list[int], bool]:
    """The first page's News IDs, and whether the statement went by way of the pairs."""
    with CaptureQueriesContext(connection) as queries:
        ids = (engine or postgresql.Backend(connection)).find(parse(text_), filters=Filters(at=timezone.now()),
                                                              order=order, offset=0, limit=20)
    return ids, any("FROM search_text WHERE pairs @>" in query["sql"] for query in queries)


class WordsAlone(postgresql.Backend):
    def _pairs(self, query):
        return []


@pytest.mark.django_db
class TestPhrases:
    def stories(self):
        now = timezone.now()
        said = [make_article(headline=f"Report {n}", body=f"Ministers held talks in Vienna on day {n}.",
                             published_at=now - timedelta(hours=n)) for n in range(6)]
        apart = [make_article(headline=f"Vienna {n}", body="In talks, Vienna was named.",  # the words, not the phrase
                              published_at=now - timedelta(minutes=n)) for n in range(4)]
        headline = make_article(headline="Talks in Vienna stall", published_at=now - timedelta(days=3))
        return said, apart, headline

    @pytest.mark.parametrize("order", search.ORDERS)
    def test_a_phrase_found_by_its_pairs_is_what_its_words_alone_find(self, order):
        said, apart, headline = self.stories()
        for phrase in ('"talks in vienna"', '"held talks" vienna', '"talks in vien*"', '"in vienna on day 3"'):
            by_pairs, went = find(phrase, order)
            assert went, phrase
            assert (by_pairs, False) == find(phrase, order, WordsAlone(connection)), phrase
        found, _ = find('"talks in vienna"', order)
        assert set(found) == {s.pk for s in said} | {headline.pk}
        assert found[0] == (headline.pk if order == "relevance" else said[0].pk)
        assert find('"in vienna on day 3"', order)[0] == [said[3].pk]

    def test_entries_without_pairs_yet_are_found_and_many_of_them_turn_the_pairs_off(self, monkeypatch):
        said, apart, headline = self.stories()
        with connection.cursor() as cursor:  # as the migration leaves the entries it has not reached
            cursor.execute("UPDATE search_text SET pairs = NULL WHERE article_id = ANY(%s)", [[s.pk for s in said[:2]]])
        postgresql.Backend(connection)._forget()
        found, went = find('"talks in vienna"', "newest")
        assert went and set(found) == {s.pk for s in said} | {headline.pk}
        monkeypatch.setattr(postgresql, "UNPAIRED_AT_MOST", 1)
        postgresql.Backend(connection)._forget()
        assert find('"talks in vienna"', "newest") == (found, False)

    def test_the_count_goes_by_the_pairs_too(self):
        said, apart, headline = self.stories()
        with CaptureQueriesContext(connection) as queries:
            total = postgresql.Backend(connection).count(parse('"talks in vienna"'), filters=Filters(at=timezone.now()),
                                                         cap=1000)
        assert total == len(said) + 1 and any("FROM search_text WHERE pairs @>" in query["sql"] for query in queries)


@pytest.mark.django_db
def test_entries_written_before_the_pairs_are_given_theirs_newest_first():
    stories = [make_article(headline=f"Talks in Vienna {n}") for n in range(5)]
    made = stored_pairs()
    assert made == made_from_vectors() and all(made.values())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE search_text SET pairs = NULL")
        cursor.execute("INSERT INTO search_text (article_id, standfirst, body) VALUES (%s, '', '')", [stories[-1].pk + 1])
    engine = postgresql.Backend(connection)
    assert engine.pair_entries(at_most=2) == 2
    assert [pk for pk, pairs in stored_pairs().items() if pairs is not None] == [stories[-1].pk, stories[-1].pk + 1]
    assert engine.pair_entries(batch=2) == 4
    assert stored_pairs() == {**made, stories[-1].pk + 1: []}  # an entry with no vector has no pairs
    assert engine.pair_entries() == 0


@pytest.mark.django_db(transaction=True)
def test_the_daily_command_gives_entries_their_pairs():
    make_article(headline="Talks in Vienna")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE search_text SET pairs = NULL")
    out = io.StringIO()
    call_command("refresh_search_window", stdout=out)
    assert out.getvalue().startswith("1 entries written before phrases were indexed by their pairs of words now have theirs.\n")
    assert stored_pairs() == made_from_vectors()


@pytest.mark.django_db(transaction=True)
def test_every_way_an_entry_is_written_gives_it_the_pairs_of_its_vector(tmp_path):
    """A save through the story service (an upsert), an import (``COPY``), a rebuild (a shadow table,
    its indexes made like those in use), and an edit of a saved story."""
    story = make_article(headline="Talks in Vienna", body="Ministers held talks.")
    assert run_import(write_jsonl(tmp_path / "wire.jsonl", [ninjs_story(n, headline=f"Oil talks in Vienna {n}")
                                                             for n in range(3)])).returncode == 0
    assert len(stored_pairs()) == 4 and stored_pairs() == made_from_vectors()
    changes.edit(story, by=SYSTEM, values={"headline": "Talks in Geneva"})
    assert stored_pairs() == made_from_vectors()
    search.rebuild()
    assert len(stored_pairs()) == 4 and stored_pairs() == made_from_vectors()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_text' ORDER BY indexname")
        assert [name for (name,) in cursor.fetchall()] == ["search_text_pairs", "search_text_pkey", "search_text_unpaired"]
    assert find('"talks in geneva"', "newest")[0] == [story.pk]


def test_a_phrase_is_estimated_as_common_as_its_rarest_pair_where_the_statistics_list_pairs():
    pair = postgresql.pair
    words = {"talks": 0.1, "in": 0.9, "vienna": 0.05}
    without = postgresql.Shares(words)
    shares = postgresql.Shares(words, pairs={pair("talks", "in"): 0.03, pair("in", "vienna"): 0.02}, least_pair=0.01)
    assert postgresql.share(parse('"talks in vienna"'), shares=without, least=0.01) == 0.05
    assert postgresql.share(parse('"talks in vienna"'), shares=shares, least=0.01) == 0.02
    assert postgresql.share(parse('"vienna talks"'), shares=shares, least=0.01) == 0.005  # a pair not listed
    assert postgresql.share(parse("talks vienna"), shares=shares, least=0.01) == 0.1 * 0.05
    assert postgresql.listed(parse('"talks in vienna"'), shares) and postgresql.listed(parse('"talks in vienna"'), without)
    assert not postgresql.listed(parse('"vienna talks"'), shares)
