"""PostgreSQL: make a derived table afresh beside the one in use, then swap it in, so that nobody waits.

The search index and the newsroom's headline words are made from the stories, and made again
whole when the rules that make them change. Emptied in place (``TRUNCATE``) they stay locked until
the rebuild commits: at 1,000,000 stories 10 to 12 minutes in which every search waits, and
every save too (a save writes its story's entries). Instead, ``rebuilt(connection, tables)``:

1. makes a shadow of each table (``<table>__next``: its columns, defaults and checks, no index)
   and puts a trigger on each table in use that notes every story written to it from then on;
2. yields the shadows' names, for the caller to fill (``COPY``);
3. gives the shadows the indexes and constraints of the tables in use, and their statistics;
4. in one short transaction (searches and saves wait its few milliseconds; if it cannot have its
   locks within SWAP_WAIT it lets go and tries again, so nobody waits longer), copies the noted
   stories' rows from the tables in use (the saves kept those current), drops them, and gives
   the shadows their names and the names of their indexes and constraints. A foreign key is
   checked after the swap (``VALIDATE``, which holds up nobody).

A rebuild that fails leaves the tables in use as they were and removes what it made; one that is
killed leaves a shadow, which the next one removes. Two rebuilds of a table never run at once (an
advisory lock). Called inside a transaction, every step runs in it (savepoints), which is correct
but holds the locks to its end: call it outside one where others use the site.
"""

import contextlib
import re
import time
import zlib

from django.db import OperationalError, transaction

SUFFIX = "__next"
# The swap waits this long for its locks (seconds) before it lets go and tries again, this many times.
SWAP_WAIT = 0.1
SWAP_TRIES = 300
# Every derived table is keyed by the story it is made of.
KEY = "article_id"


class RebuildRunning(RuntimeError):
    pass


class TablesBusy(RuntimeError):
    pass


def _names(table: str) -> tuple[str, str, str]:
    """The shadow of ``table``, the table of stories noted during its rebuild, and the trigger function noting them."""
    return table + SUFFIX, table + "__noted", table + "__note"


@contextlib.contextmanager
def rebuilt(connection, tables: tuple[str, ...]):
    """Yield {table: shadow} for the caller to fill; swap the filled shadows in when the block ends."""
    lock = zlib.crc32(",".join(tables).encode())  # one rebuild at a time per set of tables
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock])
        if not cursor.fetchone()[0]:
            raise RebuildRunning(f"Another rebuild of {', '.join(tables)} is running; wait for it to end, then try again.")
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            _remove_leftovers(cursor, tables)
            for table in tables:
                _begin(cursor, table)
        try:
            with transaction.atomic(using=connection.alias):
                yield {table: _names(table)[0] for table in tables}
                with connection.cursor() as cursor:
                    names = {table: _index(cursor, table) for table in tables}
            _swap_all(connection, tables, names)
            with connection.cursor() as cursor:
                for statement in (f"ALTER TABLE {_quoted(table)} VALIDATE CONSTRAINT {_quoted(name)}"
                                  for table in tables for name, kind in names[table].values() if kind == "f"):
                    cursor.execute(statement)
        except BaseException:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                _remove_leftovers(cursor, tables)
            raise
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])


def _swap_all(connection, tables: tuple[str, ...], names: dict) -> None:
    """Swap every shadow in, in one transaction, waiting at most SWAP_WAIT for its locks each time it tries.

    Its locks are taken whole at once (a lock raised later could deadlock with a save), the tables a
    foreign key refers to first (dropping the key locks them whole: a save holds the story's row
    before it writes the story's entries). Those queued behind the swap wait at most SWAP_WAIT; a
    try that times out (a long search, a save holding a story) lets go and tries again.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
                       "AND conrelid = ANY(%s::regclass[])", [list(tables)])
        locked = [name for (name,) in cursor.fetchall() if name not in tables] + list(tables)
    for attempt in range(SWAP_TRIES):
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('lock_timeout')")
                before = cursor.fetchone()[0]
                cursor.execute(f"SET LOCAL lock_timeout = '{int(SWAP_WAIT * 1000)}ms'")
                cursor.execute(f"LOCK TABLE {', '.join(_quoted(t) for t in locked)} IN ACCESS EXCLUSIVE MODE")
                # Inside a caller's transaction, rows it wrote may have key checks pending (Django's are
                # deferred to the commit), and PostgreSQL drops no table with checks pending: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in tables:
                    _swap(cursor, table, names[table])
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
            return
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) not in ("55P03", "40P01"):  # lock timeout, deadlock
                raise
            time.sleep(min(1.0, SWAP_WAIT * (attempt + 1)))
    raise TablesBusy(f"{', '.join(tables)} stayed in use through {SWAP_TRIES} tries to swap them; the rebuilt "
                         "tables were dropped, the ones in use are as they were. Try again when the site is quieter.")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _remove_leftovers(cursor, tables) -> None:
    for table in tables:
        shadow, noted, note = _names(table)
        cursor.execute(f"DROP TABLE IF EXISTS {_quoted(shadow)}, {_quoted(noted)}")
        cursor.execute(f"DROP FUNCTION IF EXISTS {_quoted(note)}() CASCADE")  # and its trigger


def _begin(cursor, table: str) -> None:
    shadow, noted, note = _names(table)
    cursor.execute("SELECT 1 FROM pg_constraint WHERE confrelid = %s::regclass", [table])
    if cursor.fetchone():
        raise ValueError(f"{table} is referenced by a foreign key: it cannot be swapped for a shadow.")
    cursor.execute(f"CREATE TABLE {_quoted(shadow)} (LIKE {_quoted(table)} INCLUDING DEFAULTS INCLUDING GENERATED "
                   "INCLUDING IDENTITY INCLUDING STORAGE INCLUDING CONSTRAINTS)")
    cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [table])
    options = cursor.fetchone()[0]
    if options:
        cursor.execute(f"ALTER TABLE {_quoted(shadow)} SET ({', '.join(options)})")
    # The planner's statistics as finely kept as on the table in use (LIKE copies no column's target).
    cursor.execute("SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                   "AND NOT attisdropped AND attstattarget >= 0", [table])
    for column, target in cursor.fetchall():
        cursor.execute(f"ALTER TABLE {_quoted(shadow)} ALTER COLUMN {_quoted(column)} SET STATISTICS {int(target)}")
    cursor.execute(f"CREATE TABLE {_quoted(noted)} ({KEY} bigint NOT NULL)")
    cursor.execute(
        f"CREATE FUNCTION {_quoted(note)}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN INSERT INTO {_quoted(noted)} VALUES (OLD.{KEY}); END IF; "
        f"IF TG_OP <> 'DELETE' THEN INSERT INTO {_quoted(noted)} VALUES (NEW.{KEY}); END IF; "
        "RETURN NULL; END $$")
    cursor.execute(f"CREATE TRIGGER {_quoted(note)} AFTER INSERT OR UPDATE OR DELETE ON {_quoted(table)} "
                   f"FOR EACH ROW EXECUTE FUNCTION {_quoted(note)}()")


def _indexes_and_keys(cursor, table: str) -> list[tuple[str, str, str | None]]:
    """(name, definition, kind) of each index and foreign key of ``table``: kind 'p' or 'u' for the index
    of a primary key or unique constraint (definition: the constraint's), 'f' for a foreign key, None for an index."""
    cursor.execute(
        "SELECT c.relname, coalesce(pg_get_constraintdef(k.oid), pg_get_indexdef(i.indexrelid)), k.contype "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u') "
        "WHERE i.indrelid = %s::regclass "
        "UNION ALL SELECT conname, pg_get_constraintdef(oid), 'f' FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
        "ORDER BY 1", [table, table])
    return cursor.fetchall()


def _index(cursor, table: str) -> dict[str, tuple[str, str | None]]:
    """Give ``table``'s shadow the indexes and keys of ``table`` under temporary names, and its statistics;
    return {temporary name: (name in ``table``, kind)}."""
    shadow = _names(table)[0]
    names = {}
    for n, (name, definition, kind) in enumerate(_indexes_and_keys(cursor, table)):
        temporary = f"{shadow}_{n}"
        if kind in ("p", "u"):
            cursor.execute(f"ALTER TABLE {_quoted(shadow)} ADD CONSTRAINT {_quoted(temporary)} {definition}")
        elif kind == "f":
            # Checked after the swap: a story deleted meanwhile still has rows here until then.
            cursor.execute(f"ALTER TABLE {_quoted(shadow)} ADD CONSTRAINT {_quoted(temporary)} {definition} NOT VALID")
        else:
            found = re.fullmatch(r"CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .*)", definition)
            if found is None:
                raise ValueError(f"Cannot copy the index {name} of {table}: {definition}")
            cursor.execute(f"CREATE {found[1] or ''}INDEX {_quoted(temporary)} ON {_quoted(shadow)} {found[2]}")
        names[temporary] = (name, kind)
    cursor.execute(f"ANALYZE {_quoted(shadow)}")
    return names


def _swap(cursor, table: str, names: dict[str, tuple[str, str | None]]) -> None:
    shadow, noted, note = _names(table)
    cursor.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
                   "AND attgenerated = '' AND attidentity = '' ORDER BY attnum", [table])
    columns = ", ".join(_quoted(name) for (name,) in cursor.fetchall())
    # The stories written while the shadow was filled: their rows as the saves left them.
    cursor.execute(f"DELETE FROM {_quoted(shadow)} WHERE {KEY} IN (SELECT {KEY} FROM {_quoted(noted)})")
    cursor.execute(f"INSERT INTO {_quoted(shadow)} ({columns}) SELECT {columns} FROM {_quoted(table)} "
                   f"WHERE {KEY} IN (SELECT {KEY} FROM {_quoted(noted)})")
    cursor.execute("SELECT a.attname, pg_get_serial_sequence(%s, a.attname), pg_get_serial_sequence(%s, a.attname) "
                   "FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
                   [table, shadow, table])
    sequences = [(old, new) for _column, old, new in cursor.fetchall() if old and new]
    cursor.execute(f"DROP TABLE {_quoted(table)}")  # its trigger with it
    cursor.execute(f"DROP TABLE {_quoted(noted)}")
    cursor.execute(f"DROP FUNCTION {_quoted(note)}()")
    cursor.execute(f"ALTER TABLE {_quoted(shadow)} RENAME TO {_quoted(table)}")
    for temporary, (name, kind) in names.items():
        if kind == "f":
            cursor.execute(f"ALTER TABLE {_quoted(table)} RENAME CONSTRAINT {_quoted(temporary)} TO {_quoted(name)}")
        else:
            cursor.execute(f"ALTER INDEX {_quoted(temporary)} RENAME TO {_quoted(name)}")
    for old, new in sequences:  # each a qualified name, quoted where needed: the new one keeps the old one's name
        name = old.rsplit(".", 1)[-1].strip('"')
        cursor.execute(f"ALTER SEQUENCE {new} RENAME TO {_quoted(name)}")
