"""PostgreSQL: snapshots with ``pg_dump`` (custom format), restores with ``pg_restore`` through ``psql``.

The client programs must be those of the server's major version (an older ``pg_dump`` refuses a
newer server). They are looked for in ``MASTHEAD_PG_BIN_DIR``, else in Debian's
``/usr/lib/postgresql/<major>/bin``.
"""

import os
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from masthead.backups.archive import BackupError
from masthead.backups.tables import applied_migrations, quote, row_counts

FILE = "database.pgdump"


def _major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def program(name: str) -> str:
    """The path of a PostgreSQL client program of the server's major version."""
    major = _major()
    folder = Path(settings.PG_BIN_DIR or f"/usr/lib/postgresql/{major}/bin")
    path = folder / name
    if not os.access(path, os.X_OK):
        raise BackupError(f"{name} for PostgreSQL {major} is not at {path}: install postgresql-client-{major}, "
                          "or set MASTHEAD_PG_BIN_DIR to the folder that holds it.")
    return str(path)


def _environment() -> dict[str, str]:
    # Connection details go through the environment, so the password never shows in a process list.
    params = connection.settings_dict
    env = {**os.environ, "PGDATABASE": params["NAME"], "PGCONNECT_TIMEOUT": "10"}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if params.get(key):
            env[variable] = str(params[key])
    if params.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = params["OPTIONS"]["sslmode"]
    return env


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, env=_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    if done.returncode:
        raise BackupError(f"{Path(argv[0]).name} failed (exit status {done.returncode}): {done.stderr.strip()[-2000:]}")
    return done


def snapshot(*, target: Path) -> dict:
    """Dump the live database to ``target`` and count its rows, all in one snapshot; describe it.

    The counts are taken in a repeatable-read transaction whose snapshot ``pg_dump`` adopts
    (``--snapshot``), so the manifest describes exactly the rows in the dump while the site goes
    on writing.
    """
    dump = program("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot_id, version = cursor.fetchone()
        tables = row_counts(cursor, connection.introspection.table_names(cursor))
        migrations = applied_migrations(cursor)
        # Compression level 1: at 300,000 stories pg_dump used 7.5 s of CPU for 213 MB, against
        # 37 s for 188 MB at its default level 6 (bench/README.md, "Backup and restore").
        _run([dump, "--format=custom", "--compress=1", f"--snapshot={snapshot_id}", "--no-owner",
              "--no-privileges", f"--file={target}"])
    return {"tables": tables, "migrations": migrations, "server_version": version}


def restore(*, backup: Path) -> None:
    """Replace this database's tables with the backup's, in one transaction: all of it or none.

    The tables already there (a freshly migrated schema, or with ``--replace`` a whole site) are
    dropped in the same transaction as the restore. ``pg_restore``'s script is fed to ``psql``
    between our own BEGIN and COMMIT, and COMMIT is sent only once ``pg_restore`` has finished
    well: a script cut short by a failure is rolled back, never half applied.
    """
    with connection.cursor() as cursor:
        existing = connection.introspection.table_names(cursor)
    connection.close()
    env = {**_environment(), "PGOPTIONS": "-c client_min_messages=warning"}
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        script = subprocess.Popen([program("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                   "--file=-", str(backup)], env=env, stdout=subprocess.PIPE, stderr=restore_errors)
        psql = subprocess.Popen([program("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-"],
                                env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_errors)
        try:
            psql.stdin.write(b"BEGIN;\n")
            if existing:
                psql.stdin.write(f"DROP TABLE IF EXISTS {', '.join(quote(t) for t in existing)} CASCADE;\n".encode())
            while chunk := script.stdout.read(1 << 20):
                psql.stdin.write(chunk)
            if script.wait() == 0:
                psql.stdin.write(b"COMMIT;\n")
            psql.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped at an error; its status and message say which
        finally:
            script.stdout.close()
            script.wait()
            psql.wait()
        if script.returncode:
            restore_errors.seek(0)
            raise BackupError(f"pg_restore failed (exit status {script.returncode}), nothing was restored: "
                              f"{restore_errors.read().decode(errors='replace').strip()[-2000:]}")
        if psql.returncode:
            psql_errors.seek(0)
            raise BackupError(f"psql failed (exit status {psql.returncode}), nothing was restored: "
                              f"{psql_errors.read().decode(errors='replace').strip()[-2000:]}")


def current_tables() -> dict[str, int]:
    """Rows per table of this database."""
    with connection.cursor() as cursor:
        return row_counts(cursor, connection.introspection.table_names(cursor))
