"""PostgreSQL: a stored, weighted tsvector per published story, with a GIN index.

Weights: headline A, standfirst (kicker and summary) B, body, tags and authors C. Words are cut
and folded in Python (``masthead.search.text``), the same way as for SQLite, and written as
tsvector and tsquery literals, so both backends match the same words in any language
(PostgreSQL's English stemming would make the two disagree; 'simple' is what it would be for
Persian anyway).

Ranking reads ``lead``, the headline and standfirst part of the vector (a generated column kept
in the row), not the whole vector: ``ts_rank`` of a story's whole vector means reading it out of
line, some 2 kB a story, and 5,000 of those cost more than the target of a whole query. So
headline matches come first, then standfirst matches (``ts_rank`` of the lead, weights A and B),
then stories matching in body, tags or authors only, newest first.
"""

import bisect
import contextlib
import functools
import time

from django.db import transaction

try:  # CPython's own md5: a third of the time of OpenSSL's for the few bytes of a pair of words
    from _md5 import md5
except ImportError:  # pragma: no cover - other Pythons
    from hashlib import md5

from masthead import shadowtables
from masthead.search import text
from masthead.search.backends import base
from masthead.search.query import Query

# What a rebuild makes afresh, in the order a save writes them.
TABLES = ("search_document", "search_text")
# PostgreSQL keeps positions 1..16383 and at most 256 positions of one word.
MAX_POSITION = 16383
MAX_POSITIONS_PER_WORD = 256
# tsvector words are limited to 2 kB (4 bytes a character at most); longer "words" are not indexed.
MAX_WORD_CHARS = 500
# The GIN index knows which stories hold a word, not where: a phrase of common words ("of the", "the
# president") had the positions of every story holding all its words read and tested, at 1,000,000
# stories up to 100,000 vectors (about a second). So each story's pairs of words side by side are
# indexed too (migration search/0007: ``search_pairs(document)``, made from the vector), as numbers:
# the first PAIR_BITS bits of the md5 of "first second", a million of them, few enough for a small
# index, many enough that two common pairs seldom share one. A phrase reads only the stories holding
# every pair it is made of, nearly all of which match.
PAIR_BITS = 20
PAIR_SHIFT = 24 - PAIR_BITS  # of the digest's first three bytes
# Entries written before the pairs were (migration search/0007) have none until they are given theirs
# (``pair_entries``): a phrase reads them all, as well as those holding its pairs, and while there are
# more than this it is found as before, by its words alone.
UNPAIRED_AT_MOST = 5_000


def _literal(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def vector_literal(document: text.Document) -> str:
    """A tsvector literal for ``document``: each word with its positions and the weight of its field."""
    return indexed(document)[0]


def indexed(document: text.Document) -> tuple[str, list[int]]:
    """``document``'s tsvector literal, and its pairs (see PAIR_BITS): each two words the vector holds side
    by side, as ``'a' <-> 'b'`` finds them, as ``search_pairs`` gives them from the vector."""
    entries: dict[str, list[str]] = {}
    at: dict[int, list[str]] = {}  # the words at each position the vector keeps
    position = 0
    for weight, field in (("A", document.headline), ("B", document.standfirst), ("C", document.body),
                          ("C", document.labels)):
        for word in text.words(field):
            position = min(position + 1, MAX_POSITION)
            found = entries.get(word)
            if found is None:
                if len(word) > MAX_WORD_CHARS:
                    continue
                found = entries[word] = []
            if len(found) < MAX_POSITIONS_PER_WORD:
                found.append(f"{position}{weight}")
                at.setdefault(position, []).append(word)
        position += 1  # a gap, so that a phrase cannot run from one field into the next
    vector = " ".join(f"{_literal(word)}:{','.join(found)}" for word, found in entries.items())
    side_by_side = {f"{first} {second}" for position, firsts in at.items() for first in firsts
                    for second in at.get(position + 1, ())}
    return vector, sorted({_numbered(both) for both in side_by_side})


def pair(first: str, second: str) -> int:
    """The number standing for ``first`` followed by ``second``: the first PAIR_BITS bits of the md5 of
    "first second", as ``search_pairs`` (migration search/0007) writes it."""
    return _numbered(f"{first} {second}")


def _numbered(both: str) -> int:
    return int.from_bytes(md5(both.encode()).digest()[:3], "big") >> PAIR_SHIFT


def query_pairs(query: Query) -> list[int]:
    """The pairs every story matching ``query`` holds: those of each phrase's whole words side by side."""
    return sorted({found for term in query.terms for found in _pairs_of(term)})


def _pairs_of(term) -> list[int]:
    whole = term.words[:len(term.words) - term.prefix]
    return [pair(first, second) for first, second in zip(whole, whole[1:])]


def query_literal(query: Query) -> str:
    """A tsquery literal: each term a quoted word or a phrase (``<->``), ``:*`` for a word beginning, all ANDed."""
    terms = []
    for term in query.terms:
        words = [_literal(word) for word in term.words]
        if term.prefix:
            words[-1] += ":*"
        terms.append("(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0])
    return " & ".join(terms)


def rank_literal(query: Query) -> str:
    """A tsquery literal of any of the query's words, to rank a lead by: a headline holding one
    of two words still ranks above a story holding both in its body only (``ts_rank`` of an AND
    query is nil for a lead that lacks a word)."""
    words = {}
    for term in query.terms:
        for n, word in enumerate(term.words):
            words.setdefault(_literal(word) + (":*" if term.prefix and n == len(term.words) - 1 else ""), None)
    return " | ".join(words)


# A window of the newest News IDs is sized to hold this many times CANDIDATES matches by the
# statistics (a sample of 30,000 stories: a few per cent off for the words that need a window);
# if it holds fewer, it is widened this many times, until it is the whole archive.
WINDOW_MARGIN = 1.25
WINDOW_GROWTH = 4
# A word the statistics do not list holds fewer stories than the least listed share, but how many
# fewer they cannot say: a window sized on that guess mostly holds too few and is read again,
# widened. Such a window is taken only where it is at most this part of the archive, where it saves
# far more than a second statement costs (1,000,000 stories, 1,000 words listed: the guess gives a
# window of two thirds of the archive, so a rare word reads all of its few matches at once).
GUESSED_WINDOW = 1 / WINDOW_GROWTH

# The planner's statistics on the vectors (refreshed by ANALYZE, which autovacuum runs): the most
# common words and the share of stories holding each (PostgreSQL keeps the least share listed
# after the words: https://www.postgresql.org/docs/15/view-pg-stats.html).
STATISTICS = """
SELECT (SELECT min(article_id) FROM search_document), (SELECT max(article_id) FROM search_document),
       (SELECT reltuples FROM pg_class WHERE oid = 'search_document'::regclass),
       words.most_common_elems::text::text[], words.most_common_elem_freqs,
       pairs.most_common_elems::text::int[], pairs.most_common_elem_freqs
FROM (SELECT) one
LEFT JOIN pg_stats words
     ON words.schemaname = current_schema() AND words.tablename = 'search_document' AND words.attname = 'document'
LEFT JOIN pg_stats pairs
     ON pairs.schemaname = current_schema() AND pairs.tablename = 'search_text' AND pairs.attname = 'pairs'
"""
# Reading them costs a search 2-6 ms (most of it planning the pg_stats view), so each process keeps
# what it read this long, or until ``optimize`` analyses the table. They only size the window of
# newest stories: a copy out of date costs at most a widened window, never a different answer.
STATISTICS_SECONDS = 60
_statistics: dict[tuple[str, str, str], tuple[float, object]] = {}

# The GIN index cannot be asked for a range of News IDs: a word in a third of 1,000,000 stories is a
# posting list of 330,000 entries, read whole (about 50 ms) before the window keeps 6,000 of them.
# GIN indexes over the newest stories only (partial indexes, ``WHERE article_id + 0 >= N``) answer
# a window inside them from a posting list that much shorter: a statement names the narrowest that
# holds its window by the same condition (which the primary key cannot answer, so the planner
# cannot AND the index with the key's range; see _keeping_to), and the planner reads the whole
# index where none holds it. An index out of date is never wrong, only larger.
# ``refresh_window_index`` (``optimize``, and ``masthead refresh_search_window`` daily) keeps a
# ladder of them, one of each width here where the archive spans twice that, each made again once
# it has grown to twice its width: a window up to the widest lies in an index at most twice as wide
# as itself (1,000,000 stories: 49, 98 and 196 MB beside the whole index's 491 MB).
RECENT_WIDTHS = (100_000, 200_000, 400_000)
RECENT_INDEX = "search_document_newest_"
OLD_RECENT_INDEX = "search_document_recent_"  # made by earlier versions, on article_id itself: dropped


class Shares(dict):
    """The listed words' shares ({word: share}), with the words in order for finding those a word beginning begins;
    and the listed pairs' shares ({pair: share}) with the least of them (see PAIR_BITS), if the statistics have them."""

    def __init__(self, words=(), *, pairs: dict[int, float] | None = None, least_pair: float | None = None):
        super().__init__(words)
        self.pairs = pairs or {}
        self.least_pair = least_pair

    def commonest_beginning(self, beginning: str) -> float | None:
        """The share of the commonest listed word beginning ``beginning``, None if none does.

        Such words are side by side in order: found by bisection instead of a pass over the
        10,000 listed words (about 1 ms of Python a search).
        """
        words = self.in_order
        commonest = None
        for at in range(bisect.bisect_left(words, beginning), len(words)):
            if not words[at].startswith(beginning):
                break
            commonest = max(commonest or 0.0, self[words[at]])
        return commonest

    @functools.cached_property
    def in_order(self) -> list[str]:
        return sorted(self)


def share(query: Query, *, shares: dict[str, float], least: float) -> float:
    """The estimated share of stories matching ``query``, from the shares of its words.

    A word not listed is rarer than the least common listed one; a word beginning is as common
    as its commonest listed word; a phrase as its rarest word; terms are taken as independent.
    """
    unlisted = least / 2
    shares = shares if isinstance(shares, Shares) else Shares(shares)
    estimate = 1.0
    for term in query.terms:
        words = list(term.words)
        found = []
        if term.prefix:
            commonest = shares.commonest_beginning(words.pop())
            found.append(unlisted if commonest is None else commonest)
        found += [shares.get(word, unlisted) for word in words]
        if shares.least_pair:  # a phrase is as common as its rarest pair at most, too
            found += [shares.pairs.get(pair, shares.least_pair / 2) for pair in _pairs_of(term)]
        estimate *= min(found)
    return estimate


def listed(query: Query, shares: dict[str, float]) -> bool:
    """Whether the statistics list every whole word of ``query``, and every pair of its phrases where they list
    pairs. A word beginning stands for every word it begins, rare ones included, so the least share does not
    bound it: it is estimated as before."""
    pairs = shares.pairs if isinstance(shares, Shares) and shares.least_pair else None
    return all(all(word in shares for word in term.words[:len(term.words) - term.prefix])
               and (pairs is None or all(pair in pairs for pair in _pairs_of(term))) for term in query.terms)


class Backend(base.SearchBackend):
    def __init__(self, connection):
        super().__init__(connection)
        # What the last find() learnt of how many stories match: (query, filters, count or None).
        self._matched = None

    # What reading one story's vector (out of line, decompressed) costs, in matches of the GIN
    # index's bitmap: about 4 µs against 0.2 µs (1,000,000 stories, two words in 70 % of them).
    VECTOR_COST = 20
    # See RECENT_WIDTHS (a class attribute, so that a test can make them small).
    RECENT_WIDTHS = RECENT_WIDTHS
    # What one News ID of a window costs, in rows read from the table, when the primary key's range
    # is made a bitmap to keep the rows outside the window unread: about 70 ns against 2 µs
    # (1,000,000 stories). Worth it for a common word (a window of 20,000 IDs keeps 6,000 of 29,000
    # matches in the newest 100,000), not for a rarer one (366,000 IDs, 28 ms, to skip 500 rows).
    KEY_COST = 0.035

    @contextlib.contextmanager
    def _cursor_on_the_index(self, *, walk: bool = False):
        """A cursor whose queries find matches through the GIN index, as a bitmap; or, with ``walk``, by walking
        the window's stories newest first and testing each one's vector, until enough match.

        The planner does not count the cost of reading each row's vector out of line, so on a
        small table, or for a common word, it picks a sequential scan, or a walk of the primary
        key newest first, that reads a vector for every story it passes: tens of times slower
        than the index, whose matches need no vector at all. But the bitmap holds every match in
        the archive, however narrow the window: for words in most stories the walk is cheaper,
        and its cost does not grow with the archive (see ``window``).
        """
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"SET LOCAL {'enable_bitmapscan' if walk else 'enable_indexscan'} = off")
            # Compiling a statement (PostgreSQL's JIT, for plans it costs high) took 40-110 ms where the
            # statement itself took less: never worth it for the few thousand rows a search reads.
            cursor.execute("SET LOCAL jit = off")
            yield cursor

    def upsert(self, documents) -> None:
        if not documents:
            return
        entries, texts = self.prepare(documents)
        with self.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_document (article_id, published_at, section_id, language, document) "
                "VALUES (%s, %s, %s, %s, %s::tsvector) ON CONFLICT (article_id) DO UPDATE SET "
                "published_at = EXCLUDED.published_at, section_id = EXCLUDED.section_id, language = EXCLUDED.language, "
                "document = EXCLUDED.document",
                entries,
            )
            cursor.executemany(
                "INSERT INTO search_text (article_id, standfirst, body, pairs) VALUES (%s, %s, %s, %s::int[]) "
                "ON CONFLICT (article_id) DO UPDATE SET standfirst = EXCLUDED.standfirst, body = EXCLUDED.body, "
                "pairs = EXCLUDED.pairs",
                texts,
            )

    @contextlib.contextmanager
    def rebuilding(self):
        """Write the index afresh beside the one in use and swap it in (``masthead.shadowtables``):
        searches and saves go on meanwhile, and wait only the few milliseconds of the swap.

        The new tables are filled by ``COPY`` with no index, then the GIN index is built once: kept up
        row by row, it takes each story's words one by one (``fastupdate`` is off, migration
        search/0006, so that no save waits for a merge); built once over 1,000,000 stories it took
        70 s. The indexes of the newest stories are copied with the others, then kept or made afresh
        for the archive as it now is.
        """
        with shadowtables.rebuilt(self.connection, TABLES) as tables:
            yield lambda prepared: self.insert(prepared, tables=tables)
        self.refresh_window_index(concurrently=not self.connection.in_atomic_block)  # and forgets the statistics

    def prepare(self, documents):
        entries, texts = [], []
        for doc in documents:
            vector, pairs = indexed(doc)
            entries.append((doc.article_id, doc.published_at, doc.section_id, doc.language, vector))
            texts.append((doc.article_id, doc.standfirst, doc.body, pairs))
        return entries, texts

    def insert(self, prepared, *, tables: dict[str, str] | None = None) -> None:
        """Copy new entries in (``COPY``: a fraction of the cost of an upsert a row), into ``tables``
        ({table: the one to write}) if given."""
        entries, texts = prepared
        tables = tables or {}
        self.connection.ensure_connection()
        with self.connection.connection.cursor() as cursor:
            for table, columns, rows in (("search_document", "article_id, published_at, section_id, language, document", entries),
                                         ("search_text", "article_id, standfirst, body, pairs", texts)):
                with cursor.copy(f'COPY "{tables.get(table, table)}" ({columns}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)

    def remove(self, article_ids) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_document WHERE article_id = ANY(%s)", [list(article_ids)])
            cursor.execute("DELETE FROM search_text WHERE article_id = ANY(%s)", [list(article_ids)])

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_document, search_text")

    def optimize(self) -> None:
        self.refresh_window_index()
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE search_document")
            cursor.execute("ANALYZE search_text")
        self._forget()

    def refresh_window_index(self, *, concurrently: bool = False) -> list[str]:
        """Keep the ladder of GIN indexes of the newest stories (see RECENT_WIDTHS): make each the archive
        needs and lacks, or has grown too wide, and drop the others. Return the names of those in use.

        ``concurrently`` builds them without blocking writes (``CREATE INDEX CONCURRENTLY``), which cannot
        run inside a transaction: for the daily command, not for a rebuild.
        """
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT min(article_id), max(article_id) FROM search_document")
            oldest, newest = cursor.fetchone()
            # An index whose concurrent build was interrupted is left invalid, unused: it goes, and is made again.
            found = self._window_indexes(cursor)
            for name, valid in found:
                if not valid or name.startswith(OLD_RECENT_INDEX):
                    cursor.execute(f'DROP INDEX {"CONCURRENTLY " if concurrently else ""}"{name}"')
            existing = {int(name[len(RECENT_INDEX):]): name for name, valid in found
                        if valid and name.startswith(RECENT_INDEX)}
            wanted = set()
            for width in sorted(self.RECENT_WIDTHS):
                if newest is None or newest - oldest + 1 < 2 * width:
                    break  # the whole index, or a wider one of the ladder, is small enough
                # One as wide as this, or grown to twice that at most (one index may serve two widths).
                kept = [boundary for boundary in existing if width <= newest - boundary + 1 <= 2 * width]
                wanted.add(max(kept) if kept else newest - width + 1)
            for boundary in sorted(wanted - set(existing)):
                cursor.execute(f'CREATE INDEX {"CONCURRENTLY " if concurrently else ""}"{RECENT_INDEX}{boundary}" '
                               f"ON search_document USING gin (document) WITH (fastupdate = off) WHERE article_id + 0 >= {int(boundary)}")
            for boundary, name in existing.items():
                if boundary not in wanted:
                    cursor.execute(f'DROP INDEX {"CONCURRENTLY " if concurrently else ""}"{name}"')
        self._forget()
        return [RECENT_INDEX + str(boundary) for boundary in sorted(wanted, reverse=True)]

    def _matching(self, query: Query, filters: base.Filters, pairs: list[int]) -> tuple[str, list]:
        """The FROM and WHERE of the stories matching ``query``; by way of the stories holding ``pairs`` if any."""
        where, params = base.filter_sql(filters, connection=self.connection, alias="d")
        if pairs:
            # The stories holding the pairs, newest first, each tested by its vector with ``ts_match_vq``, the
            # function behind ``@@``, which no index answers: with ``@@`` the planner took the words' GIN index
            # instead and tested every story holding the words (at 1,000,000 stories, 3 to 8 s for a phrase of
            # one). In that order the statement stops testing at its CANDIDATES-th match.
            return ("FROM (SELECT article_id FROM search_text WHERE pairs @> %s::int[] OR pairs IS NULL "
                    "ORDER BY article_id DESC) t JOIN search_document d ON d.article_id = t.article_id "
                    f"WHERE ts_match_vq(d.document, %s::tsquery) AND {where}",
                    [pairs, query_literal(query), *params])
        return f"FROM search_document d WHERE d.document @@ %s::tsquery AND {where}", [query_literal(query), *params]

    def _pairs(self, query: Query) -> list[int]:
        """The pairs to find ``query``'s stories by (see PAIR_BITS): none where it has no phrase, where the index of
        pairs is not made (or not valid), or where more than UNPAIRED_AT_MOST entries have no pairs yet."""
        found = query_pairs(query)
        if not found:
            return []

        def read():
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT (SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('search_text_pairs')), "
                               "(SELECT count(*) FROM (SELECT FROM search_text WHERE pairs IS NULL LIMIT %s) unpaired)",
                               [UNPAIRED_AT_MOST + 1])
                valid, unpaired = cursor.fetchone()
                return bool(valid) and unpaired <= UNPAIRED_AT_MOST

        return found if self._kept("pairs", read) else []

    def pair_entries(self, *, at_most: int | None = None, batch: int = 10_000) -> int:
        """Give the entries written before migration search/0007 their pairs, from their vectors (``search_pairs``),
        newest first, a batch a transaction so that saves go on meanwhile; ``at_most`` so many. Return how many."""
        done = 0
        with self.connection.cursor() as cursor:
            while at_most is None or done < at_most:
                size = batch if at_most is None else min(batch, at_most - done)
                with transaction.atomic(using=self.connection.alias):
                    cursor.execute(
                        "UPDATE search_text t SET pairs = coalesce((SELECT search_pairs(d.document) FROM search_document d "
                        "WHERE d.article_id = t.article_id), '{}') WHERE t.article_id IN "
                        "(SELECT article_id FROM search_text WHERE pairs IS NULL ORDER BY article_id DESC LIMIT %s)", [size])
                    done += cursor.rowcount
                if cursor.rowcount < size:
                    break
            if done:
                cursor.execute("ANALYZE search_text")  # the pairs' statistics size a phrase's window (see ``share``)
        self._forget()
        return done

    def window(self, query: Query) -> tuple[int, int]:
        """The newest News ID indexed, and the least of the newest stories likely to hold CANDIDATES matches (0: all).

        A word in a tenth of the archive matches 30,000 of 300,000 stories, and each match is a
        row to read before the newest 5,000 can be chosen. Within a window of the newest News IDs
        sized by the planner's statistics to hold about 5,000 of them, the GIN index and the
        primary key, ANDed as bitmaps, give only those rows.
        """
        newest, lowest, _walk = self._window(query)
        return newest, lowest

    def _window(self, query: Query) -> tuple[int, int, bool]:
        """``window``, and whether to walk it rather than read the GIN index's bitmap of every match.

        The bitmap costs the matches in the whole archive; the walk, the window's stories at
        VECTOR_COST each. Two words in 70 % of 1,000,000 stories: a bitmap of 700,000 matches
        (130 ms), or a walk of 7,000 stories (27 ms); at 100,000 stories the bitmap is cheaper.
        """
        oldest, newest, stories, least, shares = self._statistics()
        if newest is None or not least or not stories or stories < 0:
            return newest or 0, 0, False  # empty, or never analysed: no estimate
        expected = share(query, shares=shares, least=least) * stories
        if expected <= self.CANDIDATES * WINDOW_MARGIN:
            return newest, 0, False
        lowest = newest - int((newest - oldest + 1) * self.CANDIDATES * WINDOW_MARGIN / expected)
        if lowest <= oldest:
            return newest, 0, False
        if not listed(query, shares) and newest - lowest + 1 > (newest - oldest + 1) * GUESSED_WINDOW:
            return newest, 0, False
        return newest, lowest, (newest - lowest + 1) * self.VECTOR_COST < expected

    def _database(self) -> tuple[str, str]:
        return self.connection.alias, str(self.connection.settings_dict["NAME"])

    def _kept(self, what: str, read):
        """What ``read()`` returns, kept STATISTICS_SECONDS per database of this process (see STATISTICS)."""
        key = (*self._database(), what)
        now = time.monotonic()
        kept = _statistics.get(key)
        if kept is None or now - kept[0] >= STATISTICS_SECONDS:
            kept = _statistics[key] = (now, read())
        return kept[1]

    def _forget(self) -> None:
        """Read the statistics and the ladder afresh at the next search (after ANALYZE, or the ladder changed)."""
        for what in ("statistics", "ladder", "pairs"):
            _statistics.pop((*self._database(), what), None)

    def _statistics(self) -> tuple[int | None, int | None, float, float | None, Shares]:
        """The oldest and newest News IDs indexed, the stories counted, the least listed share, and the
        listed words' shares."""
        def read():
            with self.connection.cursor() as cursor:
                cursor.execute(STATISTICS)
                oldest, newest, stories, words, shares, pairs, pair_shares = cursor.fetchone()
            words, shares, pairs, pair_shares = words or [], shares or [], pairs or [], pair_shares or []
            least = shares[len(words)] if len(shares) > len(words) else None
            least_pair = pair_shares[len(pairs)] if len(pair_shares) > len(pairs) else None
            return oldest, newest, stories, least, Shares(zip(words, map(float, shares)), least_pair=least_pair,
                                                          pairs=dict(zip(pairs, map(float, pair_shares))))

        return self._kept("statistics", read)

    def _window_indexes(self, cursor) -> list[tuple[str, bool]]:
        """(name, valid) of each index of the newest stories, of this form or the earlier one."""
        cursor.execute("SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                       "WHERE i.indrelid = 'search_document'::regclass AND (c.relname LIKE %s OR c.relname LIKE %s)",
                       [RECENT_INDEX + "%", OLD_RECENT_INDEX + "%"])
        return cursor.fetchall()

    def _ladder(self) -> list[int]:
        """The News IDs the valid indexes of the newest stories start from (kept as the statistics are)."""
        def read():
            with self.connection.cursor() as cursor:
                return sorted(int(name[len(RECENT_INDEX):]) for name, valid in self._window_indexes(cursor)
                              if valid and name.startswith(RECENT_INDEX))

        return self._kept("ladder", read)

    def _keeping_to(self, query: Query, newest: int, lowest: int, walk: bool) -> tuple[str, list]:
        """SQL (and parameters) keeping a statement to the window of News IDs from ``lowest`` (0: all).

        The narrowest index of the newest stories that holds the window is read (the planner picks it
        for a window inside it). Its matches outside the window are kept out by the primary key's
        range as a bitmap only where that costs less than reading them (KEY_COST): PostgreSQL's
        planner takes the two conditions as independent and would make a bitmap of 366,000 IDs to
        skip 500 rows. ``+ 0`` keeps the key out, and names the index by its own condition.
        """
        if lowest <= 0:
            return "", []
        if walk:
            return "AND d.article_id >= %s", [lowest]
        oldest, _newest, stories, least, shares = self._statistics()
        start = max((boundary for boundary in self._ladder() if boundary <= lowest), default=None)
        index = ("AND d.article_id + 0 >= %s ", [start]) if start is not None else ("", [])
        per_id = share(query, shares=shares, least=least) * stories / max(1, newest - oldest + 1)
        if (newest - lowest + 1) * self.KEY_COST < per_id * (lowest - (start or oldest)):
            return index[0] + "AND d.article_id >= %s", [*index[1], lowest]
        return index[0] + "AND d.article_id + 0 >= %s", [*index[1], lowest]

    def find(self, query, *, filters, order, offset, limit) -> list[int]:
        pairs = self._pairs(query)
        sql, params = self._matching(query, filters, pairs)
        # The newest CANDIDATES matches, by News ID (which grows with publication), are
        # ranked or date-sorted; their count tells whether the window held enough of them.
        score = "ts_rank(d.lead, %s::tsquery)" if order == "relevance" else "0"
        ordering = "score DESC, published_at DESC, article_id DESC" if order == "relevance" else "published_at DESC, article_id DESC"
        newest, lowest, walk = self._window(query)
        walk = walk and not pairs  # a phrase's stories are those holding its pairs: never walked to
        with self._cursor_on_the_index(walk=walk) as cursor:
            while True:
                window, bounds = (("AND t.article_id >= %s", [lowest]) if pairs and lowest > 0
                                  else self._keeping_to(query, newest, lowest, walk))
                statement = (
                    f"WITH candidates AS MATERIALIZED (SELECT d.article_id, d.published_at, {score} AS score {sql} "
                    f"{window} ORDER BY d.article_id DESC LIMIT %s) "
                    "SELECT (SELECT count(*) FROM candidates), article_id "
                    f"FROM (SELECT article_id FROM candidates ORDER BY {ordering} LIMIT %s OFFSET %s) page"
                )
                arguments = [*([rank_literal(query)] if order == "relevance" else []), *params, *bounds,
                             self.CANDIDATES, limit, offset]
                cursor.execute(statement, arguments)
                rows = cursor.fetchall()
                if lowest <= 0 or (rows and rows[0][0] >= self.CANDIDATES):
                    self._matched = (query, filters, rows[0][0] if rows else None)
                    return [row[1] for row in rows]
                lowest = max(0, newest - (newest - lowest + 1) * WINDOW_GROWTH)

    def count(self, query, *, filters, cap) -> int:
        # The candidates of the page just found are the newest matches, all of them if fewer than
        # CANDIDATES (which is more than any cap): their count is the answer, without a query.
        if cap <= self.CANDIDATES and self._matched and self._matched[:2] == (query, filters) and self._matched[2] is not None:
            return min(self._matched[2], cap)
        sql, params = self._matching(query, filters, self._pairs(query))
        with self._cursor_on_the_index() as cursor:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {sql} LIMIT %s) found", [*params, cap])
            return cursor.fetchone()[0]

    def texts(self, article_ids) -> dict[int, tuple[str, str]]:
        if not article_ids:
            return {}
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT article_id, standfirst, body FROM search_text WHERE article_id = ANY(%s)",
                           [list(article_ids)])
            return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
