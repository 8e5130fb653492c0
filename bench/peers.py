"""The uncached story page against Wagtail's at the same archive size, beside a static nginx ceiling, in one run.

    make bench BENCH=peers                                              # 300,000 stories each
    make bench BENCH=peers PEERS_ARGS="--articles 5000 --duration 5"    # a quick check
    .venv/bin/python -m bench.peers --help

Sets up, on this machine and on SQLite for both:

- Wagtail, the latest from PyPI, in a venv of its own (``bench/results/wagtail/venv``), as a stock
  ``wagtail start`` project with the small ``home`` app of ``bench/wagtail_overlay`` (an
  ``ArticlePage`` with headline, published time and a rich-text body), ``DEBUG = False``,
  ``ManifestStaticFilesStorage``, served by gunicorn with 2 sync workers. Its N stories are one
  made through Wagtail's own ``add_child`` and N-1 copies of that row written straight into
  ``wagtailcore_page`` and ``home_articlepage`` in one transaction (treebeard's ``path``, ``depth``
  and ``numchild`` computed here), with the headlines and body HTML of our own archive generator;
- Masthead's archive of N stories (``bench.run``'s builder), served by ``masthead serve --workers 2``
  (granian);
- nginx serving Masthead's story page saved as a file: the ceiling.

Both archives are kept (``bench/results/wagtail/site-<N>``, ``bench/results/var-<N>``) and a later
run at the same N reuses them. Then, in rounds (the three servers in a different order each round),
``wrk`` loads each for a warm-up and a measured run, a different story on every request from a slice
of stories no other run asks for (so Masthead's page cache never answers; Wagtail has none), and
Masthead's own server time (``Server-Timing: app;dur=``) is read one request at a time over stories
never asked for before. The CPU time the server processes used during each measured run is read
from /proc, which a busy machine disturbs far less than req/s. The table gives the median of the
rounds and the verdicts on issue 13's targets: uncached story ≥ 5× Wagtail's req/s, server time
p50 ≤ 2 ms. Every server started is stopped at the end; results go to bench/results/peers-<time>.json.
"""

import argparse
import contextlib
import html
import http.client
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench import load, run

BENCH_DIR = Path(__file__).resolve().parent
OVERLAY = BENCH_DIR / "wagtail_overlay" / "home"
TARGET_RATIO = 5.0  # Masthead's uncached story req/s over Wagtail's
TARGET_SERVER_MS = run.TARGET_SERVER_MS  # the read bench's target for the uncached story, server time p50
NAMES = ("static nginx", "Masthead", "Wagtail")
TREEBEARD_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # django-treebeard's MP_Node default, which Page keeps

# Run by Wagtail's ``manage.py shell``: the first story, made by Wagtail itself, whose rows the rest copy.
SEED = """
import datetime as dt, json, os
from home.models import ArticlePage, HomePage
story = json.loads(os.environ["BENCH_SEED"])
if not ArticlePage.objects.exists():
    when = dt.datetime.fromisoformat(story["published"])
    HomePage.objects.get().add_child(instance=ArticlePage(
        title=story["headline"], slug=story["slug"], headline=story["headline"], published=when, body=story["body"],
        first_published_at=when, last_published_at=when))
"""

LOCAL_SETTINGS = """# Written by bench/peers.py; imported at the end of production.py.
SECRET_KEY = {secret!r}
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench BENCH=peers PEERS_ARGS=…", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300_000, help="stories in each archive (default 300,000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the table gives their median (default 3)")
    parser.add_argument("--duration", type=float, default=15, help="seconds of each measured load run (default 15)")
    parser.add_argument("--warm-up", type=float, default=3, help="seconds of load before each, not counted (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="open connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="server processes of Masthead and of Wagtail (default 2)")
    parser.add_argument("--samples", type=int, default=300,
                        help="stories timed one at a time in each round, for each timing (default 300)")
    parser.add_argument("--build-only", action="store_true", help="set up Wagtail and both archives, then stop")
    parser.add_argument("--var-dir", type=Path, help="Masthead's archive (default bench/results/var-<articles>)")
    parser.add_argument("--wagtail-dir", type=Path, default=run.RESULTS_DIR / "wagtail",
                        help="Wagtail's venv and sites (default bench/results/wagtail)")
    args = parser.parse_args(argv)
    if args.articles < 100:
        parser.error("--articles must be at least 100")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be 1 to 20")
    return args


def log(text: str) -> None:
    print(f"[{datetime.now(timezone.utc):%H:%M:%S}] {text}", flush=True)


def _run(command: list, *, log_to: Path, **kwargs) -> None:
    """Run a set-up step, its output appended to ``log_to``; stop with the log's tail if it fails."""
    with open(log_to, "a") as out:
        out.write(f"$ {' '.join(map(str, command))}\n")
        out.flush()
        finished = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, **kwargs)
    if finished.returncode:
        tail = "\n".join(log_to.read_text().splitlines()[-20:])
        raise SystemExit(f"{command[0]} … failed (exit {finished.returncode}); the end of {log_to}:\n{tail}")


def _get(port: int, path: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(f"http://{load.HOST}:{port}{path}", timeout=30) as response:
        return response.status, response.read()


# ---------------------------------------------------------------- Wagtail

def wagtail_venv(root: Path) -> Path:
    """A venv with Wagtail and gunicorn from PyPI (the latest, when first made); return its bin folder."""
    venv = root / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        log(f"Making a venv for Wagtail in {venv} …")
        _run([sys.executable, "-m", "venv", str(venv)], log_to=root / "setup.log")
    if subprocess.run([str(python), "-c", "import wagtail, gunicorn"], capture_output=True).returncode:
        log("pip install wagtail gunicorn (the latest) …")
        _run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], log_to=root / "setup.log")
        _run([str(python), "-m", "pip", "install", "-q", "wagtail", "gunicorn"], log_to=root / "setup.log")
    return venv / "bin"


def wagtail_versions(bin_dir: Path) -> dict:
    out = subprocess.run([str(bin_dir / "python"), "-c", "import json, wagtail, django, gunicorn; print(json.dumps("
                          "{'wagtail': wagtail.__version__, 'django': django.__version__, 'gunicorn': gunicorn.__version__}))"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def wagtail_site(root: Path, bin_dir: Path, articles: int) -> Path:
    """A stock ``wagtail start`` project with our ``home`` overlay, migrated, static files collected."""
    site = root / f"site-{articles}"
    if not (site / "manage.py").exists():
        log(f"wagtail start newsbench {site}")
        site.mkdir(parents=True, exist_ok=True)
        _run([str(bin_dir / "wagtail"), "start", "newsbench", str(site)], log_to=root / "setup.log")
    shutil.copytree(OVERLAY, site / "home", dirs_exist_ok=True)
    local = site / "newsbench" / "settings" / "local.py"
    if not local.exists():
        local.write_text(LOCAL_SETTINGS.format(secret=uuid.uuid4().hex + uuid.uuid4().hex))
    manage = [str(bin_dir / "python"), "manage.py"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsbench.settings.production"}
    for step in (["makemigrations", "home"], ["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        _run([*manage, *step], log_to=root / "setup.log", cwd=site, env=env)
    return site


def _step(number: int, steplen: int) -> str:
    digits = ""
    while number:
        number, digit = divmod(number, len(TREEBEARD_ALPHABET))
        digits = TREEBEARD_ALPHABET[digit] + digits
    if len(digits) > steplen:
        raise SystemExit(f"more children than treebeard's {steplen}-character step holds")
    return digits.rjust(steplen, "0")


def wagtail_stories(articles: int) -> list[dict]:
    """Headline, slug, body HTML and publication time of each story, newest first, from our generator."""
    from bench import generate

    rng = random.Random(1)
    templates = generate._body_templates(rng)
    headlines, slugs = generate._headlines(rng, articles)
    newest = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(minutes=1)
    return [{"headline": headline, "slug": f"{slug}-{n}", "body": templates[n % len(templates)][1],
             "published": newest - timedelta(minutes=generate.MINUTES_BETWEEN_STORIES * n)}
            for n, (headline, slug) in enumerate(zip(headlines, slugs))]


def fill_wagtail(site: Path, bin_dir: Path, stories: list[dict]) -> dict:
    """The stories under Wagtail's home page; reuse them when the site already holds as many."""
    articles = len(stories)
    db_file = site / "db.sqlite3"
    with contextlib.closing(sqlite3.connect(db_file)) as db:
        have = db.execute("SELECT count(*) FROM home_articlepage").fetchone()[0]
    if have == articles:
        log(f"Reusing Wagtail's {have:,} stories.")
        return {"articles": have, "reused": True}
    if have > 1:
        raise SystemExit(f"{site} holds {have:,} stories, not {articles:,}: remove the folder and run again")
    seed = {**stories[0], "published": stories[0]["published"].isoformat()}
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsbench.settings.production", "BENCH_SEED": json.dumps(seed)}
    _run([str(bin_dir / "python"), "manage.py", "shell", "-c", SEED], log_to=site.parent / "setup.log", cwd=site, env=env)

    log(f"Writing {articles - 1:,} more Wagtail stories in one transaction …")
    started = time.perf_counter()
    db = sqlite3.connect(db_file, isolation_level=None)
    db.row_factory = sqlite3.Row
    try:
        page = dict(db.execute("SELECT p.* FROM wagtailcore_page p JOIN home_articlepage a ON a.page_ptr_id = p.id").fetchone())
        article = dict(db.execute("SELECT * FROM home_articlepage").fetchone())
        home = dict(db.execute("SELECT * FROM wagtailcore_page WHERE path = ?", (page["path"][:-4],)).fetchone())
        steplen = len(page["path"]) - len(home["path"])
        last = db.execute("SELECT max(path) FROM wagtailcore_page WHERE path LIKE ? AND depth = ?",
                          (home["path"] + "_" * steplen, home["depth"] + 1)).fetchone()[0]
        first_step = int(last[-steplen:], len(TREEBEARD_ALPHABET)) + 1
        first_id = db.execute("SELECT max(id) FROM wagtailcore_page").fetchone()[0] + 1
        stamp = page["first_published_at"]  # the text Django wrote, to copy its format
        as_stored = (lambda when: when.strftime("%Y-%m-%d %H:%M:%S")) if len(stamp) == 19 else \
            (lambda when: when.strftime("%Y-%m-%d %H:%M:%S.%f"))
        revised = page["latest_revision_created_at"] is not None
        page.update(latest_revision_id=None, live_revision_id=None, live=1, has_unpublished_changes=0, numchild=0)
        page_columns, article_columns = list(page), list(article)
        pages, rows = [], []
        for n, story in enumerate(stories[1:]):
            pk, when = first_id + n, as_stored(story["published"].astimezone(timezone.utc).replace(tzinfo=None))
            page.update(id=pk, path=home["path"] + _step(first_step + n, steplen), title=story["headline"],
                        draft_title=story["headline"], slug=story["slug"], url_path=f"{home['url_path']}{story['slug']}/",
                        translation_key=uuid.uuid4().hex, first_published_at=when, last_published_at=when,
                        latest_revision_created_at=when if revised else None)
            article.update(page_ptr_id=pk, headline=story["headline"], body=story["body"], published=when)
            pages.append(tuple(page.values()))
            rows.append(tuple(article.values()))
        db.execute("BEGIN")
        db.executemany(f"INSERT INTO wagtailcore_page ({', '.join(page_columns)}) "
                       f"VALUES ({', '.join('?' * len(page_columns))})", pages)
        db.executemany(f"INSERT INTO home_articlepage ({', '.join(article_columns)}) "
                       f"VALUES ({', '.join('?' * len(article_columns))})", rows)
        db.execute("UPDATE wagtailcore_page SET numchild = numchild + ? WHERE id = ?", (len(pages), home["id"]))
        db.execute("COMMIT")
        db.execute("ANALYZE")  # as Masthead's archive builder does after its bulk load
    finally:
        db.close()
    seconds = time.perf_counter() - started
    log(f"Wagtail now holds {articles:,} stories ({seconds:.1f} s for the bulk write).")
    return {"articles": articles, "reused": False, "seconds": round(seconds, 2)}


@contextlib.contextmanager
def gunicorn(bin_dir: Path, site: Path, *, workers: int, log_dir: Path):
    """Wagtail under gunicorn (sync workers) on a free loopback port; yield (port, process group)."""
    from tests.servers import free_port

    port = free_port()
    options = ["--no-control-socket"] if "--no-control-socket" in subprocess.run(
        [str(bin_dir / "gunicorn"), "--help"], capture_output=True, text=True).stdout else []
    argv = [str(bin_dir / "gunicorn"), "newsbench.wsgi:application", "--chdir", str(site), "--bind",
            f"{load.HOST}:{port}", "--workers", str(workers), "--worker-class", "sync", *options]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsbench.settings.production"}
    with run.running(argv, port=port, env=env, log_file=log_dir / "gunicorn-wagtail.log") as process:
        yield port, process.pid


# ---------------------------------------------------------------- measuring

def group_cpu(group: int) -> float:
    """CPU seconds the live processes of a process group have used (user + system)."""
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:
                ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def listener_group(port: int) -> int:
    """The process group of the server listening on loopback ``port`` (each is started in a session of its own)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A" and int(fields[1].split(":")[1], 16) == port:  # 0A: listening
            inodes.add(f"socket:[{fields[9]}]")
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                for fd in os.scandir(Path(entry.path, "fd")):
                    if os.readlink(fd.path) in inodes:
                        return os.getpgid(int(entry.name))
    raise RuntimeError(f"no process listens on port {port}")


def client_time(port: int, paths: list[str]) -> float:
    """Median ms from sending a request to having read the answer, one at a time, a new connection each
    (gunicorn's sync workers close every connection, so both servers are asked alike)."""
    times = []
    for path in paths:
        began = time.perf_counter()
        conn = http.client.HTTPConnection(load.HOST, port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}, not 200")
        times.append(time.perf_counter() - began)
    return round(statistics.median(times) * 1000, 3)


def slices(paths: list[str], count: int, folder: Path, name: str) -> list[Path]:
    """``count`` files of paths, no path in two of them: one for each load run."""
    size = len(paths) // count
    files = []
    for number in range(count):
        file = folder / f"{name}-{number}.txt"
        file.write_text("\n".join(paths[number * size:(number + 1) * size]) + "\n")
        files.append(file)
    return files


def measure(servers: dict, args, work: Path) -> dict:
    """Rounds of warm-up + measured wrk runs on each server, and Masthead's server time, each round."""
    runs = {name: [] for name in servers}
    server_times, client_times = [], []
    files = {name: slices(server["paths"], 2 * args.rounds, work, name.split()[0].lower())
             for name, server in servers.items() if server.get("paths")}
    for number in range(args.rounds):
        order = NAMES[number % 3:] + NAMES[:number % 3]
        log(f"Round {number + 1} of {args.rounds} (load average {os.getloadavg()[0]:.2f}) …")
        for name in order:
            server = servers[name]
            warm_file, file = (files[name][2 * number], files[name][2 * number + 1]) if name in files else (None, None)
            common = {"path": server["path"], "connections": args.connections, "threads": args.threads}
            load.load(server["port"], paths_file=warm_file, duration=args.warm_up, **common)
            cpu = group_cpu(server["group"])
            result = load.load(server["port"], paths_file=file, duration=args.duration, **common).as_dict()
            result["server_cpu_ms_per_request"] = round((group_cpu(server["group"]) - cpu) * 1000
                                                        / max(1, result["requests"]), 3)
            result["distinct_paths"] = len(file.read_text().split()) if file else 1
            result["load_average"] = round(os.getloadavg()[0], 2)
            runs[name].append(result)
            log(f"  {name:13} {result['requests_per_second']:>9,.1f} req/s  p50 {result['p50_ms']:.2f} ms  "
                f"server CPU {result['server_cpu_ms_per_request']:.2f} ms/request  errors {result['errors']}")
        timing = servers["Masthead"]["timing"][number * args.samples:(number + 1) * args.samples]
        measured = load.server_time(servers["Masthead"]["port"], timing, time_limit=60).as_dict()
        server_times.append(measured)
        log(f"  Masthead server time p50 {measured['server_p50_ms']:.2f} ms over {measured['samples']} stories "
            f"(X-Cache {measured['cache']})")
        one_by_one = {}
        for name in ("Masthead", "Wagtail"):
            timing = servers[name]["client_timing"][number * args.samples:(number + 1) * args.samples]
            one_by_one[name] = client_time(servers[name]["port"], timing)
        client_times.append(one_by_one)
        log(f"  one at a time, a new connection each: Masthead {one_by_one['Masthead']:.2f} ms, "
            f"Wagtail {one_by_one['Wagtail']:.2f} ms (client p50)")
    return {"runs": runs, "server_time": server_times, "client_time": client_times}


def summary(measured: dict) -> dict:
    runs = measured["runs"]
    median = {name: {key: statistics.median(r[key] for r in rows)
                     for key in ("requests_per_second", "p50_ms", "p99_ms", "server_cpu_ms_per_request")}
              for name, rows in runs.items()}
    for name, rows in runs.items():
        median[name]["errors"] = sum(r["errors"] for r in rows)
        # A run that asked for more pages than its slice held came back to some: a cache may have answered those.
        median[name]["repeated"] = any(r["requests"] > r["distinct_paths"] for r in rows) if name != "static nginx" else False
    ratios = [m["requests_per_second"] / w["requests_per_second"] for m, w in zip(runs["Masthead"], runs["Wagtail"])]
    return {
        "median": median,
        "ratio_per_round": [round(r, 2) for r in ratios],
        "ratio": round(statistics.median(ratios), 2),
        "cpu_ratio": round(median["Wagtail"]["server_cpu_ms_per_request"]
                           / max(median["Masthead"]["server_cpu_ms_per_request"], 1e-9), 2),
        "server_p50_ms": statistics.median(t["server_p50_ms"] for t in measured["server_time"]),
        "server_p50_ms_per_round": [t["server_p50_ms"] for t in measured["server_time"]],
        "client_p50_ms": {name: statistics.median(t[name] for t in measured["client_time"]) for name in ("Masthead", "Wagtail")},
    }


def report(results: dict) -> str:
    found, settings = results["summary"], results["settings"]
    ceiling = found["median"]["static nginx"]["requests_per_second"] or 1
    lines = [f"\nUncached story page, {results['archive']['articles']:,} stories each, SQLite; wrk -t{settings['threads']} "
             f"-c{settings['connections']} -d{settings['duration']:g}s after {settings['warm_up']:g} s of warm-up; "
             f"median of {settings['rounds']} interleaved rounds",
             f"  {'server':14} {'bytes':>7} {'req/s':>9} {'% static':>9} {'p50 ms':>8} {'p99 ms':>8} "
             f"{'CPU ms/req':>11} {'errors':>7}"]
    for name in NAMES:
        row = found["median"][name]
        lines.append(f"  {name:14} {results['pages'][name]['bytes']:>7,} {row['requests_per_second']:>9,.1f} "
                     f"{100 * row['requests_per_second'] / ceiling:>8.2f}% {row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} "
                     f"{row['server_cpu_ms_per_request']:>11.3f} {row['errors']:>7}"
                     + ("  (some stories asked for twice: fewer stories than requests)" if row["repeated"] else ""))
    lines += [
        f"  (Masthead: granian, {settings['workers']} workers; Wagtail {results['wagtail']['wagtail']}: gunicorn, "
        f"{settings['workers']} sync workers; CPU ms/req is the server processes' CPU over the measured run)",
        "",
        f"Masthead / Wagtail, uncached story req/s: {found['ratio']:.2f}× (rounds: "
        f"{', '.join(f'{r:.2f}' for r in found['ratio_per_round'])}); target ≥ {TARGET_RATIO:g}×: "
        f"{'met' if found['ratio'] >= TARGET_RATIO else 'MISSED'}",
        f"  server CPU per request, Wagtail / Masthead: {found['cpu_ratio']:.2f}×",
        f"  one request at a time, client p50: Masthead {found['client_p50_ms']['Masthead']:.2f} ms, Wagtail "
        f"{found['client_p50_ms']['Wagtail']:.2f} ms ({found['client_p50_ms']['Wagtail'] / found['client_p50_ms']['Masthead']:.2f}×)",
        f"Masthead uncached story server time p50: {found['server_p50_ms']:.2f} ms (rounds: "
        f"{', '.join(f'{p:.2f}' for p in found['server_p50_ms_per_round'])}); target ≤ {TARGET_SERVER_MS:g} ms: "
        f"{'met' if found['server_p50_ms'] <= TARGET_SERVER_MS else 'MISSED'}",
        f"Load average before {results['machine']['load_average'][0]:.2f}, after "
        f"{results['machine']['load_average_after'][0]:.2f} (the machine's other work shows in req/s, less in CPU ms/req)",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- main

def main(argv: list[str]) -> int:
    args = parse_args(argv)
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path("/usr/sbin", tool).exists():
            raise SystemExit(f"{tool} is needed: apt-get install {tool}")
    started = datetime.now(timezone.utc)
    run.RESULTS_DIR.mkdir(exist_ok=True)
    args.wagtail_dir.mkdir(parents=True, exist_ok=True)
    var_dir = (args.var_dir or run.RESULTS_DIR / f"var-{args.articles}").resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    work = run.RESULTS_DIR / f"peers-{started:%Y-%m-%d-%H%M%S}"
    work.mkdir()
    results = {"date": started.isoformat(timespec="seconds"), "command": "python -m bench.peers " + " ".join(argv),
               "machine": run.machine(), "database": "sqlite",
               "settings": {k: getattr(args, k) for k in ("rounds", "duration", "warm_up", "connections", "threads",
                                                          "workers", "samples")}}

    env = {"MASTHEAD_VAR_DIR": str(var_dir), "MASTHEAD_DEBUG": "0"}
    log(f"Masthead's archive in {var_dir} …")
    results["archive"] = run.build_archive(argparse.Namespace(articles=args.articles), env)
    found = run.targets(work)
    masthead_paths = found["article_paths_file"].read_text().split()

    bin_dir = wagtail_venv(args.wagtail_dir)
    results["wagtail"] = wagtail_versions(bin_dir)
    log(f"Wagtail {results['wagtail']['wagtail']} (Django {results['wagtail']['django']}, "
        f"gunicorn {results['wagtail']['gunicorn']})")
    site = wagtail_site(args.wagtail_dir, bin_dir, args.articles)
    stories = wagtail_stories(args.articles)
    results["wagtail_archive"] = fill_wagtail(site, bin_dir, stories)
    wagtail_paths = [f"/{story['slug']}/" for story in stories]
    if args.build_only:
        return 0
    random.Random(2).shuffle(wagtail_paths)
    # As for Masthead: the one-by-one timings ask for stories no load run asks for.
    split = len(wagtail_paths) * 7 // 10
    wagtail_timing, wagtail_paths = wagtail_paths[split:], wagtail_paths[:split]
    # Masthead's one-by-one client times take the second half of its timing stories, its server times the first.
    half = len(found["timing_paths"]) // 2

    server_env = {**os.environ, **env}
    server_env.pop("MASTHEAD_CACHE_URL", None)  # the default: each worker's own memory
    with contextlib.ExitStack() as stack:
        log(f"Serving Masthead (granian, {args.workers} workers) and Wagtail (gunicorn, {args.workers} sync workers) …")
        masthead_port = stack.enter_context(run.serving("granian", env=server_env, workers=args.workers, log_dir=work))
        wagtail_port, wagtail_group = stack.enter_context(gunicorn(bin_dir, site, workers=args.workers, log_dir=work))
        checks = {"Masthead": (masthead_port, found["article"]), "Wagtail": (wagtail_port, random.choice(wagtail_paths)),
                  "Wagtail home": (wagtail_port, "/")}
        pages, bodies = {}, {}
        for name, (port, path) in checks.items():
            status, body = _get(port, path)
            if status != 200:
                raise SystemExit(f"{name} answered {path} with {status}")
            pages[name], bodies[name] = {"path": path, "bytes": len(body)}, body.decode()
        if "template-articlepage" not in bodies["Wagtail"]:
            raise SystemExit(f"Wagtail's {checks['Wagtail'][1]} is not a story page")
        if not any(html.escape(story["headline"]) in bodies["Wagtail home"] for story in stories[:10]):
            raise SystemExit("Wagtail's home page lists none of the newest stories")
        log(f"Wagtail serves {checks['Wagtail'][1]} ({pages['Wagtail']['bytes']:,} bytes) and its home page "
            f"({pages['Wagtail home']['bytes']:,} bytes); Masthead {found['article']} ({pages['Masthead']['bytes']:,} bytes)")
        html_page = _get(masthead_port, found["article"])[1]
        from bench.delivery import nginx

        nginx_port = stack.enter_context(nginx(html_page, found["article"]))
        pages["static nginx"] = {"path": found["article"], "bytes": len(html_page)}
        servers = {
            "static nginx": {"port": nginx_port, "path": found["article"], "group": listener_group(nginx_port)},
            "Masthead": {"port": masthead_port, "path": "/", "paths": masthead_paths, "timing": found["timing_paths"][:half],
                         "client_timing": found["timing_paths"][half:],
                         "group": listener_group(masthead_port)},
            "Wagtail": {"port": wagtail_port, "path": "/", "paths": wagtail_paths, "client_timing": wagtail_timing,
                        "group": wagtail_group},
        }
        if half < args.rounds * args.samples:
            log(f"  (only {half:,} stories for {args.rounds} × {args.samples} one-by-one timings)")
        results["pages"] = pages
        results["measured"] = measure(servers, args, work)
    results["machine"]["load_average_after"] = os.getloadavg()
    results["summary"] = summary(results["measured"])
    print(report(results))
    out = run.RESULTS_DIR / f"peers-{started:%Y-%m-%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nWritten to {out.relative_to(BENCH_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
