"""Real servers for the tests: a throwaway PostgreSQL and Redis, each in a temp dir, on loopback.

Started with Popen/pg_ctl, waited for until they answer, stopped at the end (as Datasette's
conftest does for its own server).
"""

import contextlib
import glob
import os
import signal
import shutil
import socket
import subprocess
import tempfile
import time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> str | None:
    """The folder of PostgreSQL's server binaries, or None if it is not installed."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if shutil.which("initdb"):
        candidates.append(shutil.which("initdb"))
    return os.path.dirname(candidates[0]) if candidates else None


def _as_postgres(argv: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; sessions and CI are root.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextlib.contextmanager
def postgres():
    """Run a throwaway PostgreSQL server; yield its database URL."""
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    workdir = tempfile.mkdtemp(prefix="masthead-pg-")
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    data, port = os.path.join(workdir, "data"), free_port()
    subprocess.run(_as_postgres([f"{bindir}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                                 "--no-locale", "--no-sync"]), check=True, stdout=subprocess.DEVNULL)
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {workdir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(_as_postgres([f"{bindir}/pg_ctl", "-D", data, "-o", options, "-l", os.path.join(workdir, "log"),
                                 "-w", "start"]), check=True, stdout=subprocess.DEVNULL)
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def redis():
    """Run a throwaway Redis server; yield its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server not found: apt-get install redis-server")
    workdir, port = tempfile.mkdtemp(prefix="masthead-redis-"), free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start within 10 s")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def database_url(settings_dict: dict) -> str:
    """A MASTHEAD_DATABASE_URL for the database Django is connected to (the test database in tests)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user, host, port = settings_dict["USER"], settings_dict["HOST"], settings_dict["PORT"]
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


def wait_for_http(url: str, *, seconds: float = 20) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError:
            return  # it answers, even if with an error status
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not answer within {seconds} s") from None
            time.sleep(0.1)


@contextlib.contextmanager
def app_server(env: dict, *, server: str = "uvicorn", workers: int = 1, start_seconds: float = 90,
               started: list | None = None):
    """Run ``masthead serve`` in its own process with ``env``; yield its base URL once it answers.

    ``server`` is ``masthead serve``'s own default unless a test names another: what an operator
    runs is what is tested, and it starts in less than half the CPU of gunicorn (one Django set-up,
    not one before the exec and one in the worker).

    The server leads a process group of its own; ``started``, if given, receives its Popen, so a test
    can kill the whole server (``os.killpg``) as a crash would. A server that has not answered within
    ``start_seconds`` fails the test; the wait is long because a crowded machine starts Django slowly,
    and it costs nothing when the server is quick."""
    import sys

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "masthead.cli", "serve", "--server", server, "--port", str(port), "--workers", str(workers)],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    if started is not None:
        started.append(process)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/", seconds=start_seconds)
        yield base
    finally:
        # The whole group: a server that never answered may have started workers of its own.
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        # Workers outlive their parent by a moment; one still reading would hold the next test's
        # SQLite file locked.
        deadline = time.monotonic() + 10
        while _signal_group(process, 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        _signal_group(process, signal.SIGKILL)


VCL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "deploy", "varnish", "masthead.vcl")


@contextlib.contextmanager
def varnish(backends: list[str]):
    """Run varnishd with the shipped VCL in front of ``backends`` (base URLs); yield its base URL."""
    binary = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not os.path.exists(binary):
        raise RuntimeError("varnishd not found: apt-get install varnish varnish-modules")
    workdir, port = tempfile.mkdtemp(prefix="masthead-varnish-"), free_port()
    lines = []
    for number, base in enumerate(backends, 1):
        host, backend_port = base.rsplit("//", 1)[1].rsplit(":", 1)
        lines.append(f'backend app{number} {{ .host = "{host}"; .port = "{backend_port}"; .probe = masthead_health; }}')
    adds = "\n".join(f"    app.add_backend(app{number});" for number in range(1, len(backends) + 1))
    with open(os.path.join(VCL.rsplit("/", 1)[0], "backends.vcl")) as example:
        probe = example.read().split("backend app1", 1)[0]
    with open(os.path.join(workdir, "backends.vcl"), "w") as generated:
        generated.write(probe + "\n".join(lines) + f"\nsub vcl_init {{\n    new app = directors.round_robin();\n{adds}\n}}\n")
    if os.geteuid() == 0:
        shutil.chown(workdir, "varnish", "varnish")
    process = subprocess.Popen(
        [binary, "-F", "-a", f"127.0.0.1:{port}", "-f", VCL, "-n", os.path.join(workdir, "state"),
         "-p", f"vcl_path={workdir}", "-s", "malloc,64m", "-p", "default_grace=0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Compiling the VCL takes a C compiler run: slow on a busy machine.
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                # Stopped first: reading the error output of a varnishd still running waits forever.
                process.kill()
                raise RuntimeError(f"varnishd did not start within 60 s: "
                                   f"{process.communicate()[1].decode(errors='replace')[-2000:]}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def postgres_replica(primary_url: str):
    """Run a streaming replica of the PostgreSQL server at ``primary_url``; yield (its URL, its data dir)."""
    bindir = postgres_bin()
    host, port = primary_url.split("@", 1)[1].split("/", 1)[0].split(":")
    database = primary_url.rsplit("/", 1)[1]
    workdir = tempfile.mkdtemp(prefix="masthead-pg-replica-")
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    data, replica_port = os.path.join(workdir, "data"), free_port()
    subprocess.run(_as_postgres([f"{bindir}/pg_basebackup", "-h", host, "-p", port, "-U", "postgres", "-D", data,
                                 "-R", "-X", "stream", "--no-sync", "--checkpoint=fast"]), check=True, stdout=subprocess.DEVNULL)
    options = f"-p {replica_port} -c listen_addresses=127.0.0.1 -k {workdir} -c hot_standby=on"
    subprocess.run(_as_postgres([f"{bindir}/pg_ctl", "-D", data, "-o", options, "-l", os.path.join(workdir, "log"),
                                 "-w", "start"]), check=True, stdout=subprocess.DEVNULL)
    try:
        yield f"postgres://postgres@127.0.0.1:{replica_port}/{database}", data
    finally:
        subprocess.run(_as_postgres([f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(workdir, ignore_errors=True)


def stop_postgres(data: str) -> None:
    """Stop the PostgreSQL server whose data directory is ``data`` at once, as a crash would."""
    subprocess.run(_as_postgres([f"{postgres_bin()}/pg_ctl", "-D", data, "-m", "immediate", "stop"]),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _signal_group(process: subprocess.Popen, number: int) -> bool:
    """Send ``number`` to the server's process group; False if no process of it is left."""
    try:
        os.killpg(process.pid, number)
    except ProcessLookupError:
        return False  # already gone, with its workers
    return True
