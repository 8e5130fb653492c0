"""Fresh installs to restore into, a comment flood over HTTP, and reading any database row by row."""

import contextlib
import http.cookiejar
import json
import os
import sqlite3
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import psycopg
from django.db import connection

from masthead.backups import archive
from tests import servers


@contextlib.contextmanager
def fresh_install(tmp_path: Path):
    """An empty install of the engine under test (a new SQLite file, or a new PostgreSQL database);
    yield the environment that points ``masthead`` at it."""
    var = tmp_path / f"fresh-{uuid.uuid4().hex[:8]}"
    var.mkdir()
    if connection.vendor == "sqlite":
        yield {"MASTHEAD_VAR_DIR": str(var), "MASTHEAD_DATABASE_URL": f"sqlite:///{var / 'masthead.sqlite3'}"}
        return
    name = f"restore_{uuid.uuid4().hex[:12]}"
    params = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"MASTHEAD_VAR_DIR": str(var), "MASTHEAD_DATABASE_URL": servers.database_url({**params, "NAME": name})}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def masthead(*argv: str, env: dict) -> subprocess.CompletedProcess:
    """Run ``masthead ARGV`` as an operator would, in its own process, against ``env``'s install."""
    return subprocess.run([sys.executable, "-m", "masthead.cli", *argv], env={**os.environ, **env},
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600)


@contextlib.contextmanager
def open_database(env: dict):
    """A DB-API connection to the install ``env`` names (not through Django: it is another database)."""
    url = urllib.parse.urlparse(env["MASTHEAD_DATABASE_URL"])
    if url.scheme == "sqlite":
        db = sqlite3.connect(url.path)
    else:
        db = psycopg.connect(host=url.hostname, port=url.port, user=url.username, password=url.password or None,
                             dbname=url.path.lstrip("/"))
    try:
        yield db
    finally:
        db.close()


def rows(db, table: str, *, without=()) -> list[tuple]:
    """Every row of ``table`` (leaving out the columns named in ``without``), as comparable text, sorted."""
    cursor = db.cursor()
    cursor.execute(f'SELECT * FROM "{table}"')
    keep = [i for i, column in enumerate(cursor.description) if column[0] not in without]
    return sorted(tuple(repr(row[i]) for i in keep) for row in cursor.fetchall())


def rewrite_manifest(folder: Path, change) -> None:
    """Edit a backup's manifest and sign it again, as someone would who meant the archive to pass."""
    manifest = json.loads((folder / archive.MANIFEST).read_text())
    change(manifest)
    archive.write_manifest(folder, manifest)


class CommentFlood(threading.Thread):
    """Readers posting comments through a running server, each with a fresh Security Key, until stopped."""

    def __init__(self, base: str, article_ids: list[int]):
        super().__init__(daemon=True)
        self.base, self.article_ids = base, article_ids
        self.posted, self.failures = 0, []
        self.stopping = threading.Event()

    def run(self):
        n = 0
        while not self.stopping.is_set():
            article = self.article_ids[n % len(self.article_ids)]
            n += 1
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
            try:
                opener.open(f"{self.base}/comments/{article}/key/", timeout=30).read()
                answer = opener.open(f"{self.base}/comments/{article}/key/answer", timeout=30).read().decode()
                form = urllib.parse.urlencode({"name": f"Flood reader {n}", "email": "", "body": f"Flood comment {n}.",
                                               "key": answer, "website": ""}).encode()
                with opener.open(f"{self.base}/comments/{article}/post/", data=form, timeout=30) as response:
                    if response.status == 200:
                        self.posted += 1
            except Exception as error:  # the test asserts there were none
                self.failures.append(repr(error))

    def stop(self):
        self.stopping.set()
        self.join(timeout=60)
