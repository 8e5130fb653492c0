"""``make scale``: the production topology on one machine, its drills, and what it serves.

Brings up a PostgreSQL primary and a streaming replica, Redis, two app hosts each in a network
namespace of its own (veth pairs in 10.88.0.0/16, made and removed here) and Varnish with the
shipped VCL in front of both; then runs the drills and prints a table:

1. publish on host A through the API: the story is on the edge and on host B within 1 s (p99 over
   the publishes), and an edit likewise;
2. kill host A's server during a load run: readers through the edge see no failed request beyond
   those in flight, and A rejoins when restarted;
3. stop Redis: the site keeps serving, and caches again when Redis is back;
4. stop the replica: reads move to the primary;
5. an editor saves and reloads: never the old version.

It also measures cached-article throughput through the edge and from one host (``masthead serve``'s
default server, and granian beside it) against a static nginx file of the same page, and the same
answer from granian with no app behind it (granian's own ceiling; wrk, same run, the five taking
turns over ``--rounds``; medians compared). ``--only throughput`` skips the drills and measures only that. Everything is torn down
at the end; the exit status is 1 if any drill fails or a load run got errors. Run as root
(namespaces, PostgreSQL as the postgres user).
"""

import argparse
import gzip
import http.client
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PACKAGES = {"postgresql": "/usr/lib/postgresql", "redis-server": "/usr/bin/redis-server", "varnish": "/usr/sbin/varnishd",
            "varnish-modules": "/usr/lib/x86_64-linux-gnu/varnish/vmods/libvmod_xkey.so", "wrk": "/usr/bin/wrk",
            "nginx": "/usr/sbin/nginx", "iproute2": "/usr/sbin/ip"}
PREFIX = "10.88"
HOSTS = ("a", "b")
APP_PORT = 8000
# Processes started in a session of their own, killed with their children.
GROUPS = ("app-", "bare", "nginx", "varnish")
BARE_PORT = 8001  # host A's address: granian answering stored bytes (bench/bare_rsgi.py)
GRANIAN_PORT = 8002  # host A's address: masthead serve --server granian, beside the default server


def sh(*argv, check=True, quiet=True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], check=check, text=True,
                          stdout=subprocess.PIPE if quiet else None, stderr=subprocess.PIPE if quiet else None, **kwargs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def install_missing() -> None:
    """Install what the topology needs from Debian's packages, as .ci/run does for the tests."""
    missing = [package for package, path in PACKAGES.items() if not (Path(path).exists() or list(Path("/usr/lib").glob(
        f"*/varnish/vmods/libvmod_xkey.so")) and package == "varnish-modules")]
    if missing:
        print(f"installing {' '.join(missing)} …", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        sh("apt-get", "update", "-qq", env=env)
        sh("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)
        subprocess.run(["service", "postgresql", "stop"], capture_output=True)
        subprocess.run(["service", "nginx", "stop"], capture_output=True)


def pg_bin() -> Path:
    return Path(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)[0]).parent


def as_postgres(*argv) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *[str(a) for a in argv]]


class Topology:
    """Every process and network device of the drill, so that teardown can remove each."""

    def __init__(self, work: Path):
        self.work = work
        self.processes: dict[str, subprocess.Popen] = {}
        self.pg_data: dict[str, Path] = {}
        self.namespaces: list[str] = []
        self.ports = {"primary": free_port(), "replica": free_port(), "redis": free_port(), "varnish": free_port(),
                      "nginx": free_port()}
        self.secret = os.urandom(24).hex()

    # network ---------------------------------------------------------------------------------
    def network(self) -> None:
        for number, host in enumerate(HOSTS, 1):
            namespace, outside, inside = f"mh-scale-{host}", f"mhs{host}0", f"mhs{host}1"
            sh("ip", "netns", "add", namespace)
            self.namespaces.append(namespace)
            sh("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
            sh("ip", "link", "set", inside, "netns", namespace)
            sh("ip", "addr", "add", f"{PREFIX}.{number}.1/24", "dev", outside)
            sh("ip", "link", "set", outside, "up")
            for command in (["ip", "addr", "add", f"{PREFIX}.{number}.2/24", "dev", inside],
                            ["ip", "link", "set", inside, "up"], ["ip", "link", "set", "lo", "up"],
                            ["ip", "route", "add", "default", "via", f"{PREFIX}.{number}.1"]):
                sh("ip", "netns", "exec", namespace, *command)

    @staticmethod
    def gateway(host: str) -> str:
        return f"{PREFIX}.{HOSTS.index(host) + 1}.1"

    @staticmethod
    def address(host: str) -> str:
        return f"{PREFIX}.{HOSTS.index(host) + 1}.2"

    def listen_addresses(self) -> str:
        return ",".join(["127.0.0.1", *(self.gateway(h) for h in HOSTS)])

    # database ----------------------------------------------------------------------------------
    def primary(self) -> None:
        folder = self.work / "pg-primary"
        folder.mkdir()
        shutil.chown(folder, "postgres", "postgres")
        data = self.pg_data["primary"] = folder / "data"
        sh(*as_postgres(pg_bin() / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale",
                        "--no-sync"))
        with open(data / "pg_hba.conf", "a") as hba:
            hba.write(f"host all all {PREFIX}.0.0/16 trust\nhost replication all {PREFIX}.0.0/16 trust\n")
        self._start_pg("primary")

    def replica(self) -> None:
        folder = self.work / "pg-replica"
        folder.mkdir()
        shutil.chown(folder, "postgres", "postgres")
        data = self.pg_data["replica"] = folder / "data"
        sh(*as_postgres(pg_bin() / "pg_basebackup", "-h", "127.0.0.1", "-p", self.ports["primary"], "-U", "postgres",
                        "-D", data, "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"))
        self._start_pg("replica")

    def _start_pg(self, name: str) -> None:
        data = self.pg_data[name]
        options = (f"-p {self.ports[name]} -c listen_addresses='{self.listen_addresses()}' -k {data.parent} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        sh(*as_postgres(pg_bin() / "pg_ctl", "-D", data, "-o", options, "-l", data.parent / "log", "-w", "start"))

    def stop_pg(self, name: str) -> None:
        sh(*as_postgres(pg_bin() / "pg_ctl", "-D", self.pg_data[name], "-m", "immediate", "stop"), check=False)

    def database_url(self, name: str, *, via: str = "127.0.0.1") -> str:
        return f"postgres://postgres@{via}:{self.ports[name]}/postgres"

    # services ---------------------------------------------------------------------------------
    def redis(self) -> None:
        binds = self.listen_addresses().split(",")
        self.processes["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.ports["redis"]), "--bind", *binds, "--protected-mode", "no", "--save", "",
             "--appendonly", "no", "--dir", str(self.work)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port("127.0.0.1", self.ports["redis"])

    def varnish(self) -> None:
        folder = self.work / "varnish"
        folder.mkdir()
        probe = (ROOT / "deploy/varnish/backends.vcl").read_text().split("backend app1", 1)[0]
        backends = "\n".join(f'backend app_{h} {{ .host = "{self.address(h)}"; .port = "{APP_PORT}"; '
                             f'.probe = masthead_health; }}' for h in HOSTS)
        adds = "\n".join(f"    app.add_backend(app_{h});" for h in HOSTS)
        (folder / "backends.vcl").write_text(f"{probe}{backends}\nsub vcl_init {{\n    new app = directors.round_robin();\n"
                                             f"{adds}\n}}\n")
        shutil.chown(folder, "varnish", "varnish")
        listen = [arg for address in self.listen_addresses().split(",")
                  for arg in ("-a", f"{address}:{self.ports['varnish']}")]
        self.processes["varnish"] = subprocess.Popen(
            ["varnishd", "-F", *listen, "-f", str(ROOT / "deploy/varnish/masthead.vcl"), "-p", f"vcl_path={folder}",
             "-n", str(folder / "state"), "-s", "malloc,256m"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        wait_for_port("127.0.0.1", self.ports["varnish"])

    def app_env(self, host: str | None = None) -> dict:
        via = self.gateway(host) if host else "127.0.0.1"
        return {
            **os.environ,
            "MASTHEAD_DATABASE_URL": self.database_url("primary", via=via),
            "MASTHEAD_REPLICA_URL": self.database_url("replica", via=via),
            "MASTHEAD_CACHE_URL": f"redis://{via}:{self.ports['redis']}/0",
            "MASTHEAD_VARNISH_URLS": f"http://{via}:{self.ports['varnish']}",
            "MASTHEAD_VAR_DIR": str(self.work / "shared-var"),  # media and static on storage every host shares
            "MASTHEAD_SECRET_KEY": self.secret,
            "MASTHEAD_SITE_URL": f"http://127.0.0.1:{self.ports['varnish']}",
            "MASTHEAD_ALLOWED_HOSTS": "localhost,127.0.0.1," + ",".join(self.address(h) for h in HOSTS),
            "MASTHEAD_PROXY_HOPS": "1",
        }

    def start_app(self, host: str, *, server: str | None = None, port: int = APP_PORT) -> None:
        """``masthead serve`` on ``host`` with 2 workers: its default server unless ``server`` is named."""
        name = f"app-{host}" + (f"-{server}" if server else "")
        self.processes[name] = subprocess.Popen(
            ["ip", "netns", "exec", f"mh-scale-{host}", str(VENV_BIN / "masthead"), "serve", "--host", self.address(host),
             "--port", str(port), "--workers", "2", *(["--server", server] if server else [])],
            env=self.app_env(host), stdout=subprocess.DEVNULL, stderr=open(self.work / f"{name}.log", "ab"),
            start_new_session=True)
        try:
            wait_for_http(f"http://{self.address(host)}:{port}/robots.txt")
        except RuntimeError as error:
            log = (self.work / f"{name}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{error}; its log ends:\n{log}") from None

    def kill(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                # Servers with workers of their own are killed as a group: nginx's workers outlive a killed master.
                os.killpg(process.pid, signal.SIGKILL) if name.startswith(GROUPS) else process.kill()
            process.wait(timeout=10)

    def static_ceiling(self, page: bytes) -> None:
        folder = self.work / "nginx"
        (folder / "html").mkdir(parents=True)
        (folder / "html" / "article.html").write_bytes(page)
        # The gzipped copy beside it, sent as it is to a client that accepts gzip, as the edge sends its own.
        (folder / "html" / "article.html.gz").write_bytes(gzip.compress(page, compresslevel=6))
        (folder / "nginx.conf").write_text(
            "daemon off; worker_processes 2; pid %s/nginx.pid; error_log %s/error.log;\n"
            "events { worker_connections 1024; }\n"
            "http { access_log off; gzip_static on; gzip_vary on;"
            " server { listen 127.0.0.1:%d; root %s/html; } }\n"
            % (folder, folder, self.ports["nginx"], folder))
        self.processes["nginx"] = subprocess.Popen(["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)],
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                                   start_new_session=True)
        wait_for_port("127.0.0.1", self.ports["nginx"])

    def bare_server(self, host: str, path: str) -> None:
        """Host A's cached answer (its headers and gzipped bytes) from granian with no app behind it,
        started as ``masthead serve`` starts it: the server's own cost of a hit, for comparison."""
        headers, body = fetch_raw(f"http://{self.address(host)}:{APP_PORT}{path}")
        folder = self.work / "bare"
        folder.mkdir()
        (folder / "body").write_bytes(body)
        (folder / "answer.json").write_text(json.dumps({"headers": headers, "body": str(folder / "body")}))
        self.processes["bare"] = subprocess.Popen(
            ["ip", "netns", "exec", f"mh-scale-{host}", str(VENV_BIN / "granian"), "--interface", "rsgi",
             "--host", self.address(host), "--port", str(BARE_PORT), "--workers", "2", "--no-ws",
             "--http1-header-read-timeout", "10000", "--backlog", "4096", "--backpressure", "16384",
             "--log-level", "warning", "bench.bare_rsgi:application"],
            cwd=ROOT, env={**os.environ, "MASTHEAD_BARE_ANSWER": str(folder / "answer.json"), "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL, stderr=open(self.work / "bare.log", "ab"), start_new_session=True)
        wait_for_http(f"http://{self.address(host)}:{BARE_PORT}/")

    def teardown(self) -> None:
        for name in list(self.processes):
            with contextlib.suppress(Exception):
                self.kill(name)
        for name in self.pg_data:
            self.stop_pg(name)
        for namespace in self.namespaces:
            sh("ip", "netns", "del", namespace, check=False)
        for host in HOSTS:
            sh("ip", "link", "del", f"mhs{host}0", check=False)


def wait_for_stop() -> None:
    """Return on Ctrl-C or SIGTERM: a shell starts a background job with SIGINT ignored, so SIGTERM
    is how such a run is ended, and neither may kill the script before its teardown."""
    stopped = []
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stopped.append(True))
    while not stopped:
        signal.pause()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)  # a second Ctrl-C during the teardown leaves nothing behind


def wait_for_port(host: str, port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.3):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on {host}:{port} after {seconds} s")


def wait_for_http(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=1).read()
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def fetch(url: str, *, method: str = "GET", body: dict | None = None, token: str | None = None,
          timeout: float = 5, headers: dict | None = None) -> tuple[int, bytes]:
    headers = {"Host": "localhost", **(headers or {})}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (OSError, http.client.HTTPException):
        return 0, b""  # refused, reset or cut short: the reader got nothing


def fetch_raw(url: str) -> tuple[list[list[str]], bytes]:
    """An answer's headers and body as sent to a client that takes gzip (not unzipped)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        connection.request("GET", parts.path, headers={"Host": "localhost", "Accept-Encoding": "gzip"})
        response = connection.getresponse()
        skip = {"connection", "date", "content-length", "transfer-encoding", "keep-alive", "server"}  # the server adds its own
        return [[k.lower(), v] for k, v in response.getheaders() if k.lower() not in skip], response.read()
    finally:
        connection.close()


def news_id_of(item: dict) -> int:
    return int(next(a["value"] for a in item["altids"] if a["role"] == "newsid"))


def canonical(base: str, path: str) -> str:
    """The path a story's short address redirects to (wrk does not follow redirects)."""
    request = urllib.request.Request(base + path, headers={"Host": "localhost"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return urllib.parse.urlsplit(response.geturl()).path


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("inf")


def until(predicate, *, seconds: float = 5, step: float = 0.01) -> float | None:
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        if predicate():
            return time.perf_counter() - started
        time.sleep(step)
    return None


# set-up -------------------------------------------------------------------------------------------

def prepare(top: Topology, *, articles: int) -> str:
    """Make the schema, the demo paper, an archive and an editor's API token; return the token."""
    env = top.app_env()
    masthead = str(VENV_BIN / "masthead")
    sh(masthead, "migrate", "--noinput", "-v0", env=env)
    sh(masthead, "collectstatic", "--noinput", "-v0", env=env)
    if articles:
        sh(sys.executable, "-m", "bench.run", "--build-only", "--articles", articles, "--database-url",
           top.database_url("primary"), "--var-dir", top.work / "bench-var", env=env, cwd=ROOT)
    sh(masthead, "demo", env=env)
    sh(masthead, "newsroom_account", "--username", "scale-editor", env=env)
    printed = sh(masthead, "api_token", "scale-editor", "--name", "make scale", env=env).stdout
    token = re.search(r"[A-Za-z0-9_\-]{30,}", printed)
    if token is None:
        raise RuntimeError(f"no token in the api_token output: {printed!r}")
    return token.group()


# drills -------------------------------------------------------------------------------------------

def publish_to_live(top: Topology, token: str, *, count: int) -> dict:
    """Publish (then edit) on host A through the API; time until the edge and host B show it."""
    host_a = f"http://{top.address('a')}:{APP_PORT}"
    host_b = f"http://{top.address('b')}:{APP_PORT}"
    edge = f"http://127.0.0.1:{top.ports['varnish']}"
    publish, edit, failures = [], [], []
    for number in range(count):
        status, body = fetch(f"{host_a}/api/v1/articles", method="POST", token=token,
                             body={"headline": f"Scale drill story {number}", "section": "politics",
                                   "body": f"First version {number}."})
        if status != 201:
            failures.append(f"create answered {status}: {body[:200]!r}")
            continue
        news_id = news_id_of(json.loads(body))
        path = f"/news/{news_id}/"
        for base in (edge, host_b):
            fetch(base + path)  # a reader asks before it is out: no cache may keep that answer
        fetch(f"{host_a}/api/v1/articles/{news_id}/publish", method="POST", token=token, body={})
        started = time.perf_counter()
        seen = [until(lambda base=base: fetch(base + path)[0] == 200, seconds=5) for base in (edge, host_b)]
        if None in seen:
            failures.append(f"story {news_id} not live everywhere within 5 s")
            continue
        publish.append(time.perf_counter() - started)
        for base in (edge, host_b):
            fetch(base + path)  # the first version is now cached at the edge and on B
        status, body = fetch(f"{host_a}/api/v1/articles/{news_id}", method="PATCH", token=token,
                             body={"body": f"Second version {number}."})
        started = time.perf_counter()
        seen = [until(lambda base=base: b"Second version" in fetch(base + path)[1], seconds=5) for base in (edge, host_b)]
        if None in seen:
            _, shown = fetch(edge + path)
            failures.append(f"edit of {news_id} (PATCH answered {status}) not live on "
                            f"{'the edge' if seen[0] is None else 'host B'} within 5 s; the edge shows "
                            f"{re.findall(rb'(?:First|Second) version', shown)}")
            continue
        edit.append(time.perf_counter() - started)
    ok = not failures and p99(publish) <= 1 and p99(edit) <= 1
    return {"drill": "1. publish and edit on A: live on the edge and B", "ok": ok,
            "figure": f"publish p99 {p99(publish):.3f} s, edit p99 {p99(edit):.3f} s over {len(publish)} (target ≤ 1 s)",
            "notes": failures[:3]}


def _reader_load(urls: list[str], *, seconds: float, threads: int = 8) -> tuple[int, list[str]]:
    stop = time.monotonic() + seconds
    done, failed, lock = [0], [], threading.Lock()

    def reader(offset: int):
        position = offset
        while time.monotonic() < stop:
            url = urls[position % len(urls)]
            position += threads
            status, _ = fetch(url, timeout=10)
            with lock:
                done[0] += 1
                if status != 200:
                    failed.append(f"{status} {url}")

    workers = [threading.Thread(target=reader, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return done[0], failed


def kill_a_host(top: Topology, story_paths: list[str]) -> dict:
    """Readers through the edge while host A dies and comes back."""
    edge = f"http://127.0.0.1:{top.ports['varnish']}"
    # Search pages are never cached: each one reaches an app host, so the load crosses the kill.
    urls = [edge + path for path in story_paths] + [f"{edge}/search/?q=drill{n}" for n in range(200)]
    killer = threading.Timer(2.0, top.kill, args=("app-a",))
    killer.start()
    done, failed = _reader_load(urls, seconds=8)
    killer.join()
    top.start_app("a")
    rejoined = until(lambda: fetch(f"http://{top.address('a')}:{APP_PORT}/robots.txt")[0] == 200, seconds=20)
    in_flight = 8  # reader threads: at most one request each was on host A when it died
    ok = len(failed) <= in_flight and rejoined is not None
    return {"drill": "2. kill host A under load", "ok": ok,
            "figure": f"{done} requests, {len(failed)} failed (allowed: {in_flight} in flight); A rejoined: {rejoined is not None}",
            "notes": failed[:3]}


def stop_redis(top: Topology, story_paths: list[str]) -> dict:
    """Without Redis the site still answers; with it back, pages are cached again."""
    host_b = f"http://{top.address('b')}:{APP_PORT}"
    top.kill("redis")
    statuses = [fetch(host_b + path)[0] for path in story_paths[:20]]
    top.redis()
    recovered = until(lambda: _x_cache(host_b + story_paths[0]) == "hit", seconds=10)
    ok = all(status == 200 for status in statuses) and recovered is not None
    return {"drill": "3. stop Redis", "ok": ok,
            "figure": f"{statuses.count(200)}/{len(statuses)} pages served without Redis; cached again after: {recovered is not None}",
            "notes": [str(s) for s in statuses if s != 200][:3]}


def _x_cache(url: str) -> str:
    request = urllib.request.Request(url, headers={"Host": "localhost"})
    with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=5) as response:
        return response.headers.get("X-Cache", "")
    return ""


def stop_replica(top: Topology, story_paths: list[str]) -> dict:
    """Pages never read before (so read from the database) still answer once the replica is gone."""
    host_b = f"http://{top.address('b')}:{APP_PORT}"
    top.stop_pg("replica")
    statuses = [fetch(host_b + path)[0] for path in story_paths[20:60]]
    ok = all(status == 200 for status in statuses)
    return {"drill": "4. stop the replica", "ok": ok,
            "figure": f"{statuses.count(200)}/{len(statuses)} uncached pages served from the primary",
            "notes": [str(s) for s in statuses if s != 200][:3]}


def read_your_writes(top: Topology, token: str, *, count: int = 20) -> dict:
    """An editor saves on one host and reloads through the other, or through the edge: never the old version."""
    status, body = fetch(f"http://{top.address('a')}:{APP_PORT}/api/v1/articles", method="POST", token=token,
                         body={"headline": "Read your writes", "section": "politics", "body": "version 0"})
    if status != 201:
        return {"drill": "5. editor saves and reloads", "ok": False, "figure": f"create answered {status}", "notes": []}
    news_id = news_id_of(json.loads(body))
    stale = []
    for number in range(1, count + 1):
        writer, reader = (("a", "b") if number % 2 else ("b", "a"))
        fetch(f"http://{top.address(writer)}:{APP_PORT}/api/v1/articles/{news_id}", method="PATCH", token=token,
              body={"body": f"version {number}"})
        for base in (f"http://{top.address(reader)}:{APP_PORT}", f"http://127.0.0.1:{top.ports['varnish']}"):
            _, seen = fetch(f"{base}/api/v1/articles/{news_id}", token=token)
            if f"version {number}<".encode() not in seen and f"version {number}\\u003c".encode() not in seen \
                    and f"version {number}".encode() not in seen:
                stale.append(f"after version {number}, {base} showed an older one")
    return {"drill": "5. editor saves and reloads", "ok": not stale,
            "figure": f"{count} saves, {len(stale)} reloads showed an older version", "notes": stale[:3]}


TARGETS = ("static nginx", "edge (Varnish)", "host A (2 workers, Redis)", "host A on granian", "granian alone (no app)")
# The share of static nginx each target is to reach (issue 13).
GOALS = {"edge (Varnish)": 0.9, "host A (2 workers, Redis)": 0.5}


def load_average() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def wrk(url: str, *, seconds: int) -> tuple[float, int, int]:
    """Requests per second, requests and non-2xx/3xx answers of ``wrk -t2 -c16`` asking for gzip."""
    output = sh("wrk", "-t2", "-c16", f"-d{seconds}s", "-H", "Host: localhost", "-H", "Accept-Encoding: gzip", url).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    count = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return ((float(match.group(1)) if match else 0.0), (int(count.group(1)) if count else 0),
            (int(errors.group(1)) if errors else 0))


def group_cpu(leader: int) -> float:
    """CPU seconds (user and system) used so far by the live processes of ``leader``'s process group:
    a server started in a session of its own and its workers."""
    used = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == leader:  # its process group
            used += int(fields[11]) + int(fields[12])
    return used / os.sysconf("SC_CLK_TCK")


def throughput(top: Topology, path: str, *, seconds: int, rounds: int = 1) -> dict:
    """wrk on the same page from static nginx, through the edge, from host A alone (``masthead serve``'s
    default server, then granian beside it), and from granian on host A answering host A's stored
    answer with no app behind it.

    wrk asks for gzip, as every browser does: each then sends the compressed copy it
    keeps (a client that asks for no encoding would make the edge unzip every hit). The targets
    take turns within each round, so that other load on the machine falls on all of them alike; the
    result holds each target's rates per round, its median, and its non-2xx answers."""
    _, page = fetch(f"http://{top.address('a')}:{APP_PORT}{path}")
    top.static_ceiling(page)
    top.bare_server("a", path)
    top.start_app("a", server="granian", port=GRANIAN_PORT)
    urls = dict(zip(TARGETS, (f"http://127.0.0.1:{top.ports['nginx']}/article.html",
                              f"http://127.0.0.1:{top.ports['varnish']}{path}",
                              f"http://{top.address('a')}:{APP_PORT}{path}",
                              f"http://{top.address('a')}:{GRANIAN_PORT}{path}",
                              f"http://{top.address('a')}:{BARE_PORT}{path}")))
    for url in urls.values():
        fetch(url, headers={"Accept-Encoding": "gzip"})  # warm every cache in the form wrk asks for
    # Each target's server, as a process group: its CPU per answer does not depend on what else
    # the machine is doing, as its rate does.
    leaders = dict(zip(TARGETS, (top.processes[name].pid for name in ("nginx", "varnish", "app-a", "app-a-granian", "bare"))))
    rates = {name: {"rounds": [], "failed": 0, "cpu_us": []} for name in TARGETS}
    for _ in range(rounds):
        for name, url in urls.items():
            before = group_cpu(leaders[name])
            rate, count, failed = wrk(url, seconds=seconds)
            rates[name]["cpu_us"].append((group_cpu(leaders[name]) - before) / max(count, 1) * 1e6)
            rates[name]["rounds"].append(rate)
            rates[name]["failed"] += failed
    for rate in rates.values():
        rate["median"] = statistics.median(rate["rounds"])
        rate["cpu_us_median"] = statistics.median(rate["cpu_us"])
    return rates


def print_throughput(rates: dict, *, seconds: int) -> None:
    ceiling = rates["static nginx"]["median"] or 1.0
    count = len(rates["static nginx"]["rounds"])
    print(f"\ncached article, wrk -t2 -c16 -d{seconds}s, gzip, {count} round(s) alternating, median:")
    for name, rate in rates.items():
        goal = GOALS.get(name)
        verdict = f"  target ≥ {goal:.0%}: {'met' if rate['median'] / ceiling >= goal else 'missed'}" if goal else ""
        rounds = ", ".join(f"{r:,.0f}" for r in rate["rounds"])
        failed = f"  {rate['failed']} non-2xx" if rate["failed"] else ""
        print(f"  {name:28} {rate['median']:10,.0f} req/s  {rate['median'] / ceiling:6.1%} of static"
              f"  {rate['cpu_us_median']:6.1f} µs CPU/answer{verdict}  ({rounds}){failed}")
    bare = rates.get("granian alone (no app)", {}).get("median")
    if bare:
        print(f"  host A on granian answers {rates['host A on granian']['median'] / bare:.1%} of what granian alone "
              f"answers with the same bytes: the rest of a hit's cost there is granian's and the kernel's")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="stories in the archive (default 10,000)")
    parser.add_argument("--publishes", type=int, default=50, help="publishes in drill 1 (default 50)")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of wrk per target (default 10)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="throughput rounds, the targets taking turns in each; medians are compared (default 3)")
    parser.add_argument("--only", choices=["throughput"],
                        help="run only this part: 'throughput' skips the drills (and the replica's drill set-up)")
    parser.add_argument("--keep", action="store_true", help="leave the topology up (for a look by hand); Ctrl-C or SIGTERM ends it")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("make scale needs root: it makes network namespaces and runs PostgreSQL as the postgres user.")
        return 2
    install_missing()
    work = Path(tempfile.mkdtemp(prefix="masthead-scale-"))
    work.chmod(0o755)
    top = Topology(work)
    results, rates = [], {}
    try:
        print(f"topology in {work} …", flush=True)
        top.network()
        top.primary()
        top.redis()
        token = prepare(top, articles=args.articles)
        top.replica()
        top.varnish()
        for host in HOSTS:
            top.start_app(host)
        wait_for_http(f"http://127.0.0.1:{top.ports['varnish']}/robots.txt")
        status, body = fetch(f"http://{top.address('a')}:{APP_PORT}/api/v1/articles?limit=100")
        story_paths = [canonical(f"http://{top.address('a')}:{APP_PORT}", f"/news/{news_id_of(item)}/")
                       for item in json.loads(body)["items"]]
        if args.only != "throughput":
            print(f"{len(story_paths)} stories to read; drills …", flush=True)
            results.append(publish_to_live(top, token, count=args.publishes))
            results.append(kill_a_host(top, story_paths[:10]))
            results.append(stop_redis(top, story_paths))
            results.append(stop_replica(top, story_paths))
            results.append(read_your_writes(top, token))
        print(f"throughput, {args.rounds} round(s) of {args.seconds} s per target; load average before: "
              f"{load_average()}", flush=True)
        rates = throughput(top, story_paths[0], seconds=args.seconds, rounds=args.rounds)
        print(f"load average after: {load_average()}", flush=True)
        if args.keep:
            print(f"topology up; Ctrl-C or `kill {os.getpid()}` tears it down", flush=True)
            wait_for_stop()
    finally:
        top.teardown()
        logs = Path(tempfile.gettempdir()) / "masthead-scale-logs"
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir()
        for log in work.glob("*.log"):
            shutil.copy(log, logs / log.name)
        shutil.rmtree(work, ignore_errors=True)
    if results:
        print()
        print(f"{'drill':48} {'result':7} figure")
    for result in results:
        print(f"{result['drill']:48} {'ok' if result['ok'] else 'FAILED':7} {result['figure']}")
        for note in result["notes"]:
            print(f"{'':56} {note}")
    if rates:
        print_throughput(rates, seconds=args.seconds)
    measured = bool(rates) and all(rate["median"] > 0 and not rate["failed"] for rate in rates.values())
    if args.only == "throughput":
        return 0 if measured else 1
    return 0 if results and measured and all(result["ok"] for result in results) else 1

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
