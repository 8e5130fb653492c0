"""A password-guessing attack on the newsroom's sign-in, over HTTP against a real server.

    .venv/bin/python -m bench.signin [--tries 300] [--workers 2]

Starts ``masthead serve`` (gunicorn, two workers) on a free loopback port with a throwaway SQLite
database and a throwaway Redis (so both workers count in one place, as in production), makes an
editor, then plays three attackers, each as fast as one connection goes:

1. one address, one account: ``--tries`` wrong passwords, then the right one (the outside attack
   sent 282 at ~150 a minute and then signed in);
2. a new address for every try (``X-Forwarded-For`` behind one proxy hop), one account;
3. one address, a different made-up user name for every try.

For each it prints how many passwords were checked before the first 429, how many tries were
refused, and whether the right password got in at the end. Exits 1 if it did while throttled.
"""

import argparse
import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "the right password 2026"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(port: int, process, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.1)
    raise SystemExit(f"nothing answered on port {port} within {seconds} s")


@contextlib.contextmanager
def site(workers: int):
    """A served site with one editor and a shared Redis; yields its port."""
    work = Path(tempfile.mkdtemp(prefix="masthead-bench-signin-"))
    redis_port, port = _free_port(), _free_port()
    env = {**os.environ, "MASTHEAD_VAR_DIR": str(work), "MASTHEAD_CACHE_URL": f"redis://127.0.0.1:{redis_port}/0",
           "MASTHEAD_PROXY_HOPS": "1", "DJANGO_SETTINGS_MODULE": "masthead.settings"}
    env.pop("MASTHEAD_DATABASE_URL", None)
    masthead = [sys.executable, "-m", "masthead.cli"]
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(work)], stdout=subprocess.DEVNULL)
    server = None
    try:
        subprocess.run([*masthead, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*masthead, "shell", "-v", "0", "-c",
                        "from django.contrib.auth.models import User, Group\n"
                        "for name in ('desk1', 'desk2', 'desk3'):\n"
                        f"    u = User.objects.create_user(name, password={PASSWORD!r}, is_staff=True)\n"
                        "    u.groups.add(Group.objects.get(name='editor'))"], env=env, check=True)
        _wait(redis_port, redis)
        server = subprocess.Popen([*masthead, "serve", "--server", "gunicorn", "--port", str(port), "--workers",
                                   str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(port, server)
        yield port
    finally:
        for process in (server, redis):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


def attempt(port: int, *, username: str, password: str, address: str) -> int:
    """One sign-in as a browser makes it (the form, then its POST with the CSRF cookie); returns the POST's status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"X-Forwarded-For": address}
        connection.request("GET", "/newsroom/login/", headers=headers)
        response = connection.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": TOKEN.search(page).group(1), "username": username,
                                       "password": password, "next": "/newsroom/"})
        connection.request("POST", "/newsroom/login/", body=body, headers={
            **headers, "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def attack(port: int, *, tries: int, account: str, username, address) -> dict:
    statuses, started = [], time.monotonic()
    for n in range(tries):
        statuses.append(attempt(port, username=username(n), password=f"guess {n}", address=address(n)))
    seconds = time.monotonic() - started
    checked = statuses.index(429) if 429 in statuses else len(statuses)
    right = attempt(port, username=account, password=PASSWORD, address=address(tries))
    return {"tries": tries, "checked before the first 429": checked, "refused (429)": statuses.count(429),
            "tries a minute": round(tries / seconds * 60), "right password after": right}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tries", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is needed: apt-get install redis-server")
    failed = False
    with site(args.workers) as port:
        # Each attacker has an account of its own, so none starts on one another has locked.
        attacks = {
            "one address, one account": dict(account="desk1", username=lambda n: "desk1",
                                             address=lambda n: "203.0.113.1"),
            "new address every try, one account": dict(
                account="desk2", username=lambda n: "desk2",
                address=lambda n: f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"),
            "one address, a new user name every try": dict(account="desk3", username=lambda n: f"name{n}",
                                                           address=lambda n: "198.51.100.1"),
        }
        for name, how in attacks.items():
            result = attack(port, tries=args.tries, **how)
            print(f"{name}: {result}", flush=True)
            failed |= result["right password after"] != 429
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
