"""Without Redis, a change made in any process reaches every process of a running server."""

import gzip
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.db import connection

from tests import servers
from tests.news.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str, **headers) -> tuple[str, str]:
    request = urllib.request.Request(url, headers={"Host": "localhost", **headers})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Cache"], response.read().decode()


def _raw_x_cache(base: str, path: str, *lines: str) -> str:
    """X-Cache of a GET sent with extra header ``lines`` as they are (urllib joins repeated headers)."""
    host, port = base.rsplit("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall("\r\n".join([f"GET {path} HTTP/1.1", "Host: localhost", *lines, "Connection: close", "", ""]).encode())
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    found = re.search(rb"(?im)^x-cache: *(\w+)", reply)
    return found.group(1).decode() if found else reply[:200].decode(errors="replace")


def _shell(code: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "masthead.cli", "shell", "-c", code], env=env, check=True, timeout=60,
                   capture_output=True)


@pytest.mark.parametrize("server", ["granian", "uvicorn", "gunicorn"])
def test_an_edit_from_masthead_shell_reaches_every_worker_within_a_second(tmp_path, server):
    """Two workers each hold the page (answered on their event loop); an edit in ``masthead shell`` is on both within 1 s."""
    story = make_article(body="Text before the edit.")
    env = {**os.environ, "MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": ""}
    with servers.app_server(env, workers=2, server=server, start_seconds=90) as base:
        url = base + story.get_absolute_url()
        states = {_get(url)[0] for _ in range(20)}
        assert "hit" in states
        edit = (f"from masthead.stories import changes, rules; "
                f"changes.edit({story.pk}, by=rules.System('shell'), values={{'body': 'Text after the edit.'}})")
        _shell(edit, env)
        edited = time.monotonic()
        seen = []
        while time.monotonic() - edited < 1.0:
            seen.append("Text after the edit." in _get(url)[1])
        assert seen[-20:] == [True] * 20 and seen, seen
        assert all(seen[seen.index(True):]), "once seen, never the old text again from any worker"
        assert "Text before the edit." not in _get(url)[1]


@pytest.mark.parametrize("server", ["granian", "uvicorn", "gunicorn"])
def test_the_front_answers_hits_and_lets_signed_in_readers_and_credentials_through(server):
    """Hits come from the front; a session cookie (in any cookie header) or an Authorization header always reaches Django."""
    story = make_article()
    env = {**os.environ, "MASTHEAD_DATABASE_URL": servers.database_url(connection.settings_dict), "MASTHEAD_CACHE_URL": ""}
    with servers.app_server(env, server=server, start_seconds=90) as base:
        url = base + story.get_absolute_url()
        assert _get(url)[0] == "miss"
        assert _get(url)[0] == "hit"
        assert _get(url, Cookie="sessionid=abc")[0] == "miss"
        assert _get(url, Authorization="Bearer abc")[0] == "miss"
        assert _raw_x_cache(base, story.get_absolute_url(), "Cookie: theme=dark", "Cookie: sessionid=abc") == "miss"
        assert _raw_x_cache(base, story.get_absolute_url(), "Cookie: theme=dark") == "hit"
        request = urllib.request.Request(url, headers={"Host": "localhost", "Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert story.headline in gzip.decompress(response.read()).decode()
