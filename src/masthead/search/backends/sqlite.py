"""SQLite: an FTS5 table of published stories, ranked by BM25 with the headline weighing most.

``search_fts`` (made by the search app's migration) holds each story's folded text in four
columns, its rowid the News ID; ``search_entry`` holds its ``published_at``, section and language, a row
of a few bytes that filters read instead of the article's wide row.
"""

from django.core.exceptions import ImproperlyConfigured

from masthead.search.backends import base
from masthead.search.query import Query

# bm25() column weights, in table order: headline, standfirst (kicker, summary), body, labels (tags, authors).
WEIGHTS = (10.0, 4.0, 1.0, 1.0)
TOKENIZER = "unicode61 remove_diacritics 2"

MISSING_FTS5 = (
    "Search needs SQLite's FTS5 extension, and the SQLite linked into this Python ({version}) lacks it: "
    "{error}. Use a Python built against a SQLite with FTS5 (Debian's python3 and the python.org "
    "builds have it), or set MASTHEAD_DATABASE_URL to a PostgreSQL database."
)


def require_fts5(cursor) -> None:
    """Raise ImproperlyConfigured, saying how to fix it, if this SQLite cannot make FTS5 tables."""
    try:
        cursor.execute("CREATE VIRTUAL TABLE temp.masthead_fts5_probe USING fts5(probe)")
        cursor.execute("DROP TABLE temp.masthead_fts5_probe")
    except Exception as error:  # sqlite3.OperationalError: no such module: fts5
        import sqlite3

        raise ImproperlyConfigured(MISSING_FTS5.format(version=sqlite3.sqlite_version, error=error)) from error


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def match_expression(query: Query) -> str:
    """The FTS5 MATCH expression: every term a quoted string (a phrase, or a word), all required.

    Quoting makes each term a literal to FTS5: AND, OR, NOT, NEAR, ``:``, ``^``, ``-``, ``(`` in a
    reader's text are then words or separators, never syntax.
    """
    return " ".join(_quote(" ".join(term.words)) + ("*" if term.prefix else "") for term in query.terms)


class Backend(base.SearchBackend):
    def upsert(self, documents) -> None:
        if not documents:
            return
        moment = self.connection.ops.adapt_datetimefield_value
        with self.connection.cursor() as cursor:
            # Only a story the index may hold has an entry to replace. Stories are numbered upwards,
            # so an import of new ones has none: it skips a delete from FTS5 for each of them.
            # (FTS5 walks its rows in rowid order on request, so the first row down is found at once.)
            cursor.execute("SELECT max(coalesce((SELECT rowid FROM search_fts ORDER BY rowid DESC LIMIT 1), 0), "
                           "coalesce((SELECT max(article_id) FROM search_entry), 0))")
            highest = cursor.fetchone()[0]
            self.remove([doc.article_id for doc in documents if doc.article_id <= highest])
            cursor.executemany(
                "INSERT INTO search_fts (rowid, headline, standfirst, body, labels) VALUES (%s, %s, %s, %s, %s)",
                [(doc.article_id, doc.headline, doc.standfirst, doc.body, doc.labels) for doc in documents],
            )
            cursor.executemany(
                "INSERT INTO search_entry (article_id, published_at, section_id, language) VALUES (%s, %s, %s, %s)",
                [(doc.article_id, moment(doc.published_at), doc.section_id, doc.language) for doc in documents],
            )

    def remove(self, article_ids) -> None:
        with self.connection.cursor() as cursor:
            for start in range(0, len(article_ids), 500):
                chunk = list(article_ids[start:start + 500])
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})", chunk)
                cursor.execute(f"DELETE FROM search_entry WHERE article_id IN ({marks})", chunk)

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")
            cursor.execute("DELETE FROM search_entry")

    def optimize(self) -> None:
        # Merges the index's b-trees into one: https://sqlite.org/fts5.html#the_optimize_command
        with self.connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")

    def _matching(self, query: Query, filters: base.Filters) -> tuple[str, list]:
        where, params = base.filter_sql(filters, connection=self.connection, alias="e")
        # CROSS JOIN keeps the FTS5 table the outer loop: otherwise SQLite may walk the entries
        # by date and probe the index once for each, which is slow for rare words.
        sql = ("FROM search_fts CROSS JOIN search_entry e ON e.article_id = search_fts.rowid "
               f"WHERE search_fts MATCH %s AND {where}")
        return sql, [match_expression(query), *params]

    def find(self, query, *, filters, order, offset, limit) -> list[int]:
        sql, params = self._matching(query, filters)
        # FTS5 reads matches in rowid (News ID) order, newest first, and stops at CANDIDATES.
        if order == "newest":
            score, ordering = "", "published_at DESC, id DESC"
        else:
            score = f", bm25(search_fts, {', '.join(map(str, WEIGHTS))}) AS score"
            ordering = "score, published_at DESC, id DESC"
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM (SELECT e.article_id AS id, e.published_at AS published_at{score} {sql} "
                f"ORDER BY search_fts.rowid DESC LIMIT %s) ORDER BY {ordering} LIMIT %s OFFSET %s",
                [*params, self.CANDIDATES, limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]

    def count(self, query, *, filters, cap) -> int:
        sql, params = self._matching(query, filters)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 {sql} LIMIT %s)", [*params, cap])
            return cursor.fetchone()[0]

    def texts(self, article_ids) -> dict[int, tuple[str, str]]:
        if not article_ids:
            return {}
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid, standfirst, body FROM search_fts WHERE rowid IN ({', '.join(['%s'] * len(article_ids))})",
                           list(article_ids))
            return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
