"""The PostgreSQL backend's own choices: the estimate that sizes its window of newest stories, and the window."""

import io
import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead import search
from masthead.search.backends import postgresql
from masthead.search.backends.base import Filters
from masthead.search.query import parse
from tests.news.factories import make_article

SHARES = {"iran": 0.2, "talks": 0.1, "nuclear": 0.05, "negotiations": 0.02, "negotiators": 0.01}


@pytest.mark.parametrize("text,expected", [
    ("iran", 0.2),
    ("sanctions", 0.005),  # not listed: rarer than the least common listed word
    ('"iran talks"', 0.1),  # a phrase is as common as its rarest word at most
    ("negotia*", 0.02),  # a word beginning: as common as its commonest listed word
    ("zzz*", 0.005),
    ("nuc*", 0.05),
    ("negotiators*", 0.01),
    ("iran talks", 0.02),  # terms taken as independent
])
def test_share_estimates_the_matches_of_a_query(text, expected):
    assert postgresql.share(parse(text), shares=SHARES, least=0.01) == pytest.approx(expected)


def test_the_commonest_word_of_a_beginning_is_found_as_a_pass_over_every_word_would():
    generator = random.Random(7)
    words = {"".join(generator.choice("abcdeشی") for _ in range(generator.randint(1, 7))): generator.random()
             for _ in range(3000)}
    shares = postgresql.Shares(words)
    for beginning in ["a", "ab", "abc", "ش", "شی", "eee", "zz", "", *(word[:3] for word in list(words)[:300])]:
        expected = max((value for word, value in words.items() if word.startswith(beginning)), default=None)
        assert shares.commonest_beginning(beginning) == expected, beginning


@pytest.mark.parametrize("text,expected", [
    ("iran", True), ("sanctions", False), ("iran sanctions", False), ('"iran talks"', True),
    ('"iran sanctions"', False), ("negotia*", True), ("zzz*", True), ("sanctions negotia*", False),
])
def test_listed_says_whether_the_statistics_list_every_word(text, expected):
    assert postgresql.listed(parse(text), SHARES) is expected


class GivenStatistics(postgresql.Backend):
    """The window's choice for statistics given here (TestWindow has PostgreSQL take real ones)."""
    CANDIDATES = 5000

    def __init__(self, stories: int):
        super().__init__(connection)
        self.stories = stories

    def _statistics(self):
        return 1, self.stories, float(self.stories), 0.02, {"iran": 0.2}


class GivenLadder(GivenStatistics):
    """1,000,000 stories, "iran" in a fifth of them, "talks" in 1.7 %, indexes of the newest 100,000, 200,000 and 400,000."""

    def __init__(self):
        super().__init__(1_000_000)

    def _statistics(self):
        return 1, self.stories, float(self.stories), 0.002, {"iran": 0.2, "talks": 0.017}

    def _ladder(self):
        return [600_001, 800_001, 900_001]


def test_a_window_reads_the_narrowest_index_holding_it_and_the_key_only_where_that_pays():
    engine = GivenLadder()
    # A common word: 31,250 IDs hold 6,250 matches; the newest 100,000 hold 20,000 of them. The key's
    # range (31,250 IDs) costs less than the 13,750 rows it keeps unread.
    newest, lowest, walk = engine._window(parse("iran"))
    assert lowest == 968_750
    assert engine._keeping_to(parse("iran"), newest, lowest, walk) == (
        "AND d.article_id + 0 >= %s AND d.article_id >= %s", [900_001, 968_750])
    # A rarer word: 367,647 IDs; the newest 400,000 hold some 550 matches more than the window.
    newest, lowest, walk = engine._window(parse("talks"))
    assert lowest == 632_353
    assert engine._keeping_to(parse("talks"), newest, lowest, walk) == (
        "AND d.article_id + 0 >= %s AND d.article_id + 0 >= %s", [600_001, 632_353])
    # Wider than the widest index: the whole index, read whole, the window kept by a test of each row.
    assert engine._keeping_to(parse("talks"), newest, 500_000, walk) == ("AND d.article_id + 0 >= %s", [500_000])
    assert engine._keeping_to(parse("talks"), newest, 0, walk) == ("", [])


def test_a_window_sized_on_a_guess_is_taken_only_where_it_is_a_small_part_of_the_archive():
    # 1,000,000 stories: a word not listed, guessed at 1 % (10,000 matches), would need 62.5 % of the archive.
    assert GivenStatistics(1_000_000)._window(parse("sanctions")) == (1_000_000, 0, False)
    # 10,000,000 stories: the same guess needs 6.25 % of them.
    assert GivenStatistics(10_000_000)._window(parse("sanctions")) == (10_000_000, 10_000_000 - 625_000, False)
    # A listed word is windowed at any size: 200,000 matches expected, 31,250 stories hold 6,250 of them.
    assert GivenStatistics(1_000_000)._window(parse("iran")) == (1_000_000, 1_000_000 - 31_250, False)


class FewCandidates(postgresql.Backend):
    CANDIDATES = 4


def candidates_statements(queries) -> int:
    return sum("WITH candidates" in query["sql"] for query in queries)


@pytest.mark.django_db
@pytest.mark.postgresql_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own backend")
class TestWindow:
    def stories(self, count: int, headline: str, *, start: int) -> list:
        now = timezone.now()
        return [make_article(headline=f"{headline} {n}", published_at=now - timedelta(hours=start + count - n))
                for n in range(count)]

    def find(self, text: str, order: str = "newest") -> tuple[list[int], int]:
        with CaptureQueriesContext(connection) as queries:
            ids = FewCandidates(connection).find(parse(text), filters=Filters(at=timezone.now()), order=order,
                                                 offset=0, limit=20)
        return ids, candidates_statements(queries)

    def analyse(self):
        postgresql.Backend(connection).optimize()  # ANALYZE, and the statistics this process kept are read again

    def test_a_common_word_is_found_in_a_window_of_the_newest_stories(self):
        stories = self.stories(40, "Harvest report", start=0)
        self.analyse()
        engine = FewCandidates(connection)
        newest, lowest = engine.window(parse("harvest"))
        assert newest == stories[-1].pk and stories[0].pk < lowest <= stories[-5].pk
        assert self.find("harvest") == ([s.pk for s in reversed(stories[-4:])], 1)

    def test_a_window_that_holds_too_few_is_widened_to_the_whole_archive(self):
        """A word common in old stories and absent from new ones: the same newest matches, in more statements."""
        old = self.stories(40, "Harvest report", start=100)
        self.stories(40, "Rain report", start=0)
        self.analyse()
        ids, statements = self.find("harvest")
        assert ids == [s.pk for s in reversed(old[-4:])]
        assert statements > 1

    def test_a_word_in_most_stories_is_found_by_walking_the_window_with_the_same_matches(self):
        """Where the bitmap of every match would cost more than reading the window's vectors, the window is walked
        newest first: the same stories, in the same order, in either order of results."""
        stories = self.stories(30, "Harvest report", start=0)
        self.stories(10, "Rain report", start=100)
        self.analyse()
        by_bitmap = {order: self.find("harvest", order) for order in search.ORDERS}

        class Walking(FewCandidates):
            VECTOR_COST = 0.1

        assert not FewCandidates(connection)._window(parse("harvest"))[2]
        assert Walking(connection)._window(parse("harvest"))[2]
        for order in search.ORDERS:
            with CaptureQueriesContext(connection) as queries:
                ids = Walking(connection).find(parse("harvest"), filters=Filters(at=timezone.now()), order=order,
                                               offset=0, limit=20)
            assert (ids, candidates_statements(queries)) == by_bitmap[order]
            assert any("enable_bitmapscan = off" in query["sql"] for query in queries)
        assert by_bitmap["newest"][0] == [s.pk for s in reversed(stories[-4:])]

    def test_relevance_ranks_the_candidates_by_their_lead_then_newest_first(self):
        body_only = [make_article(headline=f"Roundup {n}", body="The harvest was late.",
                                  published_at=timezone.now() - timedelta(minutes=n)) for n in range(5)]
        in_headline = make_article(headline="Harvest failed", published_at=timezone.now() - timedelta(days=9))
        # The four newest matches by News ID are ranked: the oldest by date first, its headline matching.
        assert self.find("harvest", order="relevance")[0] == [in_headline.pk, *(s.pk for s in body_only[2:])]


class SmallWindowIndex(FewCandidates):
    RECENT_WIDTHS = (10,)


class Ladder(FewCandidates):
    RECENT_WIDTHS = (10, 20)


def harvest_reports(count: int) -> list:
    """``count`` stories holding "harvest", the newest last."""
    now = timezone.now()
    return [make_article(headline=f"Harvest report {n}", published_at=now - timedelta(hours=count - n))
            for n in range(count)]


def recent_indexes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'search_document' AND indexname LIKE %s "
                       "ORDER BY indexname", [postgresql.RECENT_INDEX + "%"])
        return [name for (name,) in cursor.fetchall()]


@pytest.mark.django_db
@pytest.mark.postgresql_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own backend")
class TestWindowIndex:
    """The GIN index of the newest stories: made when the archive spans twice its width, made again
    when it has grown to twice that, never changing an answer. (That the planner reads a window from
    it is shown at 1,000,000 stories in bench/README.md: on a table this small it reads neither GIN index.)"""

    def stories(self, count: int) -> list:
        return harvest_reports(count)

    def test_the_index_covers_the_window_of_a_common_word_and_changes_no_answer(self):
        stories = self.stories(40)
        engine = SmallWindowIndex(connection)
        before = {order: self.find(order) for order in search.ORDERS}
        assert engine.refresh_window_index() == [postgresql.RECENT_INDEX + str(stories[-1].pk - 9)]
        engine.optimize()
        assert recent_indexes() == [postgresql.RECENT_INDEX + str(stories[-1].pk - 9)]
        newest, lowest = engine.window(parse("harvest"))
        assert lowest >= stories[-1].pk - 9, "the window lies inside the index"
        assert {order: self.find(order) for order in search.ORDERS} == before

    def find(self, order: str) -> list[int]:
        return FewCandidates(connection).find(parse("harvest"), filters=Filters(at=timezone.now()), order=order,
                                              offset=0, limit=20)

    def test_the_index_is_made_again_only_once_it_has_grown_to_twice_its_width(self):
        first = self.stories(25)
        engine = SmallWindowIndex(connection)
        assert engine.refresh_window_index() == [postgresql.RECENT_INDEX + str(first[-1].pk - 9)]
        self.stories(5)  # 15 News IDs since the boundary: narrow enough
        assert engine.refresh_window_index() == [postgresql.RECENT_INDEX + str(first[-1].pk - 9)]
        more = self.stories(6)  # 21: made again over the newest 10, the old one dropped
        assert engine.refresh_window_index() == [postgresql.RECENT_INDEX + str(more[-1].pk - 9)]
        assert recent_indexes() == [postgresql.RECENT_INDEX + str(more[-1].pk - 9)]

    def test_a_ladder_of_widths_keeps_one_index_of_each_and_drops_those_made_before_it(self):
        stories = self.stories(45)
        with connection.cursor() as cursor:  # an index of the newest stories as made before the ladder
            cursor.execute(f'CREATE INDEX "{postgresql.OLD_RECENT_INDEX}1" ON search_document USING gin (document) '
                           "WHERE article_id >= 1")
        engine = Ladder(connection)
        newest = stories[-1].pk
        assert engine.refresh_window_index() == [postgresql.RECENT_INDEX + str(newest - 9),
                                                 postgresql.RECENT_INDEX + str(newest - 19)]
        assert recent_indexes() == sorted(engine.refresh_window_index())
        assert engine._ladder() == sorted([newest - 19, newest - 9])
        # The narrower one has grown past twice its width: made again, and it now serves the wider width
        # in place of the wider one, being the narrower of the two.
        more = self.stories(11)
        assert engine.refresh_window_index() == [postgresql.RECENT_INDEX + str(more[-1].pk - 9),
                                                 postgresql.RECENT_INDEX + str(newest - 9)]
        assert recent_indexes() == sorted(engine.refresh_window_index())
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE %s", [postgresql.OLD_RECENT_INDEX + "%"])
            assert cursor.fetchone()[0] == 0
        before = {order: self.find(order) for order in search.ORDERS}
        assert before == {order: FewCandidates(connection).find(parse("harvest"), filters=Filters(at=timezone.now()),
                                                                order=order, offset=0, limit=20)
                          for order in search.ORDERS}

    def test_a_small_archive_needs_none(self):
        self.stories(15)
        assert SmallWindowIndex(connection).refresh_window_index() == []
        assert recent_indexes() == []

    def test_a_rebuild_makes_it_for_the_archive_as_rebuilt(self):
        stories = self.stories(30)
        engine = SmallWindowIndex(connection)
        engine.refresh_window_index()
        engine.rebuild()
        assert recent_indexes() == [postgresql.RECENT_INDEX + str(stories[-1].pk - 9)]

    def test_every_gin_index_takes_a_save_s_words_at_once(self):
        """No pending list (``fastupdate`` off, migration search/0006): a save never merges one into the
        index, and a search never reads through one; the whole index, the newest stories' after a refresh,
        and all of them after a rebuild."""
        stories = self.stories(30)
        engine = SmallWindowIndex(connection)
        engine.refresh_window_index()
        assert gin_options() == {"search_document_gin": ["fastupdate=off"],
                                 postgresql.RECENT_INDEX + str(stories[-1].pk - 9): ["fastupdate=off"]}
        engine.rebuild()
        assert list(gin_options().values()) == [["fastupdate=off"]] * 2


def gin_options() -> dict:
    """{name: storage options} of each GIN index of the search index."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, c.reloptions FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                       "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'gin' AND i.indrelid = 'search_document'::regclass")
        return dict(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own backend")
def test_the_daily_command_builds_it_without_blocking_writes(monkeypatch):
    """``masthead refresh_search_window`` builds concurrently, outside a transaction; an interrupted build is made again."""
    monkeypatch.setattr(postgresql.Backend, "RECENT_WIDTHS", (10,))
    stories = harvest_reports(30)
    name = postgresql.RECENT_INDEX + str(stories[-1].pk - 9)
    with connection.cursor() as cursor:  # what an interrupted CREATE INDEX CONCURRENTLY leaves behind
        cursor.execute(f'CREATE INDEX "{name}" ON search_document USING gin (document) WHERE article_id >= 0')
        cursor.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass", [name])
    out = io.StringIO()
    call_command("refresh_search_window", stdout=out)
    assert out.getvalue() == f"The newest stories are indexed apart in {name}.\n"
    with connection.cursor() as cursor:
        cursor.execute("SELECT indisvalid, pg_get_indexdef(indexrelid) FROM pg_index WHERE indexrelid = %s::regclass", [name])
        valid, definition = cursor.fetchone()
    assert valid and definition.endswith(f"WHERE ((article_id + 0) >= {stories[-1].pk - 9})")
    monkeypatch.undo()  # at its real width the archive needs none, and the next run drops it
    call_command("refresh_search_window", stdout=io.StringIO())
    assert recent_indexes() == []


@pytest.mark.django_db
def test_the_total_is_counted_to_the_cap_on_any_page():
    for n in range(search.PAGE_SIZE + 2):
        make_article(headline=f"Harvest report {n}")
    assert [search.search("harvest", page=page).total for page in (1, 2)] == [search.PAGE_SIZE + 2] * 2


def test_the_lead_is_ranked_by_any_of_the_query_words():
    assert postgresql.rank_literal(parse('iran "nuclear talks" negotia* iran')) == "'iran' | 'nuclear' | 'talks' | 'negotia':*"


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own backend")
def test_emptying_the_stories_table_empties_the_index():
    """``masthead flush`` (TRUNCATE, which fires no row trigger) leaves no entry of a story that no longer exists."""
    harvest_reports(3)
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM search_document), (SELECT count(*) FROM search_text)")
        assert cursor.fetchone() == (0, 0)
