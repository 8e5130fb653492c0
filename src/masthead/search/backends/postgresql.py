"""PostgreSQL: a stored, weighted tsvector per published story, with a GIN index.

Weights: headline A, standfirst (kicker and summary) B, body, tags and authors C, ranked by
``ts_rank``. Words are cut and folded in Python (``masthead.search.text``), the same way as for
SQLite, and written as tsvector and tsquery literals, so both backends match the same words in
any language (PostgreSQL's English stemming would make the two disagree; 'simple' is what it
would be for Persian anyway).
"""

import contextlib

from django.db import transaction

from masthead.search import text
from masthead.search.backends import base
from masthead.search.query import Query

# PostgreSQL keeps positions 1..16383 and at most 256 positions of one word.
MAX_POSITION = 16383
MAX_POSITIONS_PER_WORD = 256
# tsvector words are limited to 2 kB (4 bytes a character at most); longer "words" are not indexed.
MAX_WORD_CHARS = 500


def _literal(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def vector_literal(document: text.Document) -> str:
    """A tsvector literal for ``document``: each word with its positions and the weight of its field."""
    entries: dict[str, list[str]] = {}
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
        position += 1  # a gap, so that a phrase cannot run from one field into the next
    return " ".join(f"{_literal(word)}:{','.join(found)}" for word, found in entries.items())


def query_literal(query: Query) -> str:
    """A tsquery literal: each term a quoted word or a phrase (``<->``), ``:*`` for a word beginning, all ANDed."""
    terms = []
    for term in query.terms:
        words = [_literal(word) for word in term.words]
        if term.prefix:
            words[-1] += ":*"
        terms.append("(" + " <-> ".join(words) + ")" if len(words) > 1 else words[0])
    return " & ".join(terms)


class Backend(base.SearchBackend):
    @contextlib.contextmanager
    def _cursor_on_the_index(self):
        """A cursor whose queries find matches through the GIN index.

        The planner does not count the cost of reading each row's vector out of line, so on a
        small table, or for a common word, it picks a sequential scan that reads every vector:
        tens of times slower than the index, whose matches need no vector at all.
        """
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            yield cursor

    def upsert(self, documents) -> None:
        if not documents:
            return
        with self.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_document (article_id, published_at, section_id, document) "
                "VALUES (%s, %s, %s, %s::tsvector) ON CONFLICT (article_id) DO UPDATE SET "
                "published_at = EXCLUDED.published_at, section_id = EXCLUDED.section_id, document = EXCLUDED.document",
                [(doc.article_id, doc.published_at, doc.section_id, vector_literal(doc)) for doc in documents],
            )
            cursor.executemany(
                "INSERT INTO search_text (article_id, standfirst, body) VALUES (%s, %s, %s) ON CONFLICT (article_id) "
                "DO UPDATE SET standfirst = EXCLUDED.standfirst, body = EXCLUDED.body",
                [(doc.article_id, doc.standfirst, doc.body) for doc in documents],
            )

    def remove(self, article_ids) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_document WHERE article_id = ANY(%s)", [list(article_ids)])
            cursor.execute("DELETE FROM search_text WHERE article_id = ANY(%s)", [list(article_ids)])

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_document, search_text")

    def optimize(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE search_document")
            cursor.execute("ANALYZE search_text")

    def _matching(self, query: Query, filters: base.Filters) -> tuple[str, list]:
        where, params = base.filter_sql(filters, connection=self.connection, alias="d")
        sql = f"FROM search_document d WHERE d.document @@ %s::tsquery AND {where}"
        return sql, [query_literal(query), *params]

    def find(self, query, *, filters, order, offset, limit) -> list[int]:
        sql, params = self._matching(query, filters)
        # All matches come from the GIN index (MATERIALIZED: otherwise the planner may walk the
        # primary key backwards, testing every story's vector, to find the newest ones); the
        # newest CANDIDATES by News ID are kept, and only their vectors are read to rank them.
        matches = (f"WITH matches AS MATERIALIZED (SELECT d.article_id, d.published_at {sql}), "
                   "candidates AS (SELECT article_id, published_at FROM matches ORDER BY article_id DESC LIMIT %s) ")
        if order == "newest":
            sql = f"{matches} SELECT article_id FROM candidates ORDER BY published_at DESC, article_id DESC LIMIT %s OFFSET %s"
            arguments = [*params, self.CANDIDATES, limit, offset]
        else:
            sql = (f"{matches} SELECT c.article_id FROM candidates c JOIN search_document d USING (article_id) "
                   "ORDER BY ts_rank(d.document, %s::tsquery) DESC, c.published_at DESC, c.article_id DESC LIMIT %s OFFSET %s")
            arguments = [*params, self.CANDIDATES, query_literal(query), limit, offset]
        with self._cursor_on_the_index() as cursor:
            cursor.execute(sql, arguments)
            return [row[0] for row in cursor.fetchall()]

    def count(self, query, *, filters, cap) -> int:
        sql, params = self._matching(query, filters)
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
