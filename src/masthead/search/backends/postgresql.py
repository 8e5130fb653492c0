"""PostgreSQL: a stored, weighted tsvector per published story, with a GIN index.

Weights: headline A, standfirst (kicker and summary) B, body, tags and authors C, ranked by
``ts_rank``. Words are cut and folded in Python (``masthead.search.text``), the same way as for
SQLite, and written as tsvector and tsquery literals, so both backends match the same words in
any language (PostgreSQL's English stemming would make the two disagree; 'simple' is what it
would be for Persian anyway).
"""

from collections import defaultdict

from masthead.search import text
from masthead.search.backends import base
from masthead.search.query import Query

# PostgreSQL keeps positions 1..16383 and at most 256 positions of one word.
MAX_POSITION = 16383
MAX_POSITIONS_PER_WORD = 256
# tsvector entries are limited to 2 kB; longer "words" (base64 blobs, say) are not searched for.
MAX_WORD_BYTES = 1000


def _literal(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def vector_literal(document: text.Document) -> str:
    """A tsvector literal for ``document``: each word with its positions and the weight of its field."""
    positions: dict[tuple[str, str], list[int]] = defaultdict(list)
    position = 0
    for weight, field in (("A", document.headline), ("B", document.standfirst), ("C", document.body),
                          ("C", document.labels)):
        for word in text.words(field):
            position = min(position + 1, MAX_POSITION)
            if len(word.encode()) <= MAX_WORD_BYTES and len(positions[word, weight]) < MAX_POSITIONS_PER_WORD:
                positions[word, weight].append(position)
        position += 1  # a gap, so that a phrase cannot run from one field into the next
    entries: dict[str, list[str]] = defaultdict(list)
    for (word, weight), found in positions.items():
        entries[word].extend(f"{p}{weight}" for p in found)
    return " ".join(f"{_literal(word)}:{','.join(found[:MAX_POSITIONS_PER_WORD])}" for word, found in entries.items())


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
    def upsert(self, documents) -> None:
        if not documents:
            return
        with self.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO search_document (article_id, document, standfirst, body) VALUES (%s, %s::tsvector, %s, %s) "
                "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document, "
                "standfirst = EXCLUDED.standfirst, body = EXCLUDED.body",
                [(doc.article_id, vector_literal(doc), doc.standfirst, doc.body) for doc in documents],
            )

    def remove(self, article_ids) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_document WHERE article_id = ANY(%s)", [list(article_ids)])

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_document")

    def optimize(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE search_document")

    def _matching(self, query: Query, filters: base.Filters) -> tuple[str, list]:
        where, params = base.visibility_sql(filters, connection=self.connection)
        sql = ("FROM search_document d JOIN news_article a ON a.id = d.article_id "
               f"WHERE d.document @@ %s::tsquery AND {where}")
        return sql, [query_literal(query), *params]

    def find(self, query, *, filters, order, offset, limit) -> list[int]:
        sql, params = self._matching(query, filters)
        if order == "newest":
            ordering, extra = "a.published_at DESC, a.id DESC", []
        else:
            ordering, extra = "ts_rank(d.document, %s::tsquery) DESC, a.published_at DESC, a.id DESC", [query_literal(query)]
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT a.id {sql} ORDER BY {ordering} LIMIT %s OFFSET %s", [*params, *extra, limit, offset])
            return [row[0] for row in cursor.fetchall()]

    def count(self, query, *, filters, cap) -> int:
        sql, params = self._matching(query, filters)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {sql} LIMIT %s) found", [*params, cap])
            return cursor.fetchone()[0]

    def texts(self, article_ids) -> dict[int, tuple[str, str]]:
        if not article_ids:
            return {}
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT article_id, standfirst, body FROM search_document WHERE article_id = ANY(%s)",
                           [list(article_ids)])
            return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
