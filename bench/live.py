"""Live coverage: how soon an update reaches open readers, and what their polling costs the server.

    .venv/bin/python -m bench.live [--readers 200] [--poll 1] [--posts 20] [--duration 5] [--server granian]

Builds a throwaway SQLite install under bench/results/ with one live story, serves it with
`masthead serve --workers 2` on a free loopback port, then:

1. throughput (wrk -t2 -c16, --duration s each) of the cached article page and of the cached
   updates answer a reader's script polls (`/news/<id>/updates/?since=<n>`);
2. --readers polling clients (threads, each asking every --poll s from a random phase, as the
   page's script does) while an editor posts --posts updates through the API one to two seconds
   apart: for every reader and update, the time from the POST being sent (the editor's click) to
   the reader's first answer holding it; p50, p99, max;
3. the cached article page's throughput again while those readers poll, against step 1;
4. the share of the server that 10,000 readers polling every --poll s would take, from step 1.

With --crowd N it measures instead of extrapolating: the cached article page's throughput (wrk
-t2 -c16 at the app, --duration s) without readers, then with N simulated readers polling
(`bench/crowd.py`: one asyncio process, each reader asking `?version=<v>` every --poll s from a
random phase, over at most --connections keep-alive connections), then without again; the cost
is the drop against the mean of the two runs without. While the crowd polls, the editor posts
--posts updates, and for each update and reader the time from the POST to the reader's first
answer holding it gives the post-to-screen p50 and p99.

With --crowd N --sse the N readers each hold a stream (``/news/<id>/updates/stream/``, Server-Sent
Events; `bench/crowd.py --sse`) instead of polling, and an editor posts an update every one to two
seconds through every measured window, with readers and without (``_sse_run``): the cached article
page's throughput without and with the streams open, the app's CPU a second for the readers, and
post to received p50 and p99 over every reader and update.

Everything runs on 127.0.0.1 and is bounded in time; the install is removed at the end.
"""

import argparse
import contextlib
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

from bench.crowd import raise_open_files
from bench.load import load
from bench.scale import free_port, group_cpu, wait_for_http

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def _prepare(env: dict) -> dict:
    code = textwrap.dedent("""
        import json, django; django.setup()
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
        from datetime import timedelta
        from django.contrib.auth.models import Group, User
        from django.utils import timezone
        from masthead.news.models import Article, Section
        from masthead.stories import changes, live, rules
        from masthead.syndication.models import ApiToken
        rules.ensure_roles()
        system = rules.System("bench")
        section = Section.objects.create(name="World", slug="world")
        story = changes.create(Article(headline="Storm reaches the coast", summary="Live coverage.", body="Body. " * 200,
                                       section=section, status="published",
                                       published_at=timezone.now() - timedelta(hours=1)), by=system)
        live.start_coverage(story, by=system)
        for n in range(20):
            live.post_update(story, by=system, body=f"Update {n}: " + "wind and rain along the shore. " * 8)
        editor = User.objects.create_user("bench-editor", password="not-used-here-1", is_staff=True)
        editor.groups.add(Group.objects.get(name="editor"))
        token = ApiToken.objects.create_for(editor, name="bench")[1]
        print(json.dumps({"id": story.pk, "path": story.get_absolute_url(), "token": token}))
    """)
    done = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Host": "localhost"}), timeout=10) as response:
        return json.loads(response.read())


def _post(base: str, story: dict, body: str) -> None:
    request = urllib.request.Request(f"{base}/api/v1/articles/{story['id']}/updates", method="POST",
                                     data=json.dumps({"body": body}).encode(),
                                     headers={"Host": "localhost", "Authorization": f"Bearer {story['token']}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201, response.status


def _readers(base: str, story: dict, *, count: int, poll: float, stop: threading.Event, seen: dict) -> list[threading.Thread]:
    """Polling clients like the page's script: each remembers the newest number it has and asks for newer ones."""
    def reader(number: int):
        newest = _get_json(f"{base}/news/{story['id']}/updates/?since=0")["newest"]
        time.sleep(random.uniform(0, poll))
        while not stop.is_set():
            try:
                answer = _get_json(f"{base}/news/{story['id']}/updates/?since={newest}")
            except OSError:
                time.sleep(poll)
                continue
            now = time.monotonic()
            for n in range(newest + 1, answer["newest"] + 1):
                seen.setdefault(n, []).append(now)
            newest = max(newest, answer["newest"])
            stop.wait(poll)

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(count)]
    for thread in threads:
        thread.start()
    return threads


def _backend_requests() -> int:
    """Requests the Varnish edge has sent to the app so far (varnishstat MAIN.backend_req)."""
    state = max(glob.glob(os.path.join(tempfile.gettempdir(), "masthead-varnish-*", "state")), key=os.path.getmtime)
    out = subprocess.run(["varnishstat", "-n", state, "-1", "-f", "MAIN.backend_req"], capture_output=True, text=True,
                         check=True).stdout
    return int(out.split()[1])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _crowd_run(args, *, story: dict, port: int, base: str, workdir: Path, server_group: int) -> dict:
    """Cached article throughput without and with --crowd readers polling, in turns; post-to-screen while they poll.

    The machine is shared, so its other load moves the throughput from one run to the next: the
    runs without and with the readers alternate (--rounds times, and once more without at the
    end), and the cost compares each run with readers to the mean of the runs either side of it.
    The app's CPU time gives a steadier second figure: the CPU the readers alone cost the app
    each second (a window with the crowd and no wrk), as a share of the CPU it spends serving
    cached articles flat out (the runs without readers).
    """
    load_before = os.getloadavg()
    for path in (story["path"], f"/news/{story['id']}/updates/?version=0"):  # each worker builds its copy first
        load(port, path=path, duration=1, connections=4, threads=2, headers={"Host": "localhost"})

    def article():
        return load(port, path=story["path"], duration=args.duration, connections=16, threads=2,
                    headers={"Host": "localhost"})

    # Each reader first asks at its random phase, so the crowd's rate is steady from its start:
    # two seconds for its connections to open before anything is measured.
    settle = 2
    def measured(run):
        cpu = group_cpu(server_group)
        started = time.monotonic()
        result = run()
        return result, group_cpu(server_group) - cpu, time.monotonic() - started

    _, cpu, took = measured(lambda: time.sleep(args.duration))
    idle_cpu = cpu / took  # what the server spends a second with nobody asking (its timers, the purge fan-out)
    first, cpu, _ = measured(article)
    without, with_crowd, crowds, posted = [first], [], [], {}
    article_cpu = [(cpu, first.requests)]  # (app CPU seconds, articles served) per run without readers
    crowd_cpu = []  # app CPU seconds per second while only the crowd polled
    app_requests = 0 if args.edge else None
    for round_number in range(args.rounds):
        last = round_number == args.rounds - 1
        seconds = settle + 2 * args.duration + (1 + args.posts * 2.0 + args.poll + 2 if last else 0.5)
        out = workdir / f"crowd-{round_number}.json"
        requests_before = _backend_requests() if args.edge else None
        crowd = subprocess.Popen([sys.executable, "-m", "bench.crowd", "--port", base.rsplit(":", 1)[1],
                                  "--story", str(story["id"]), "--readers", str(args.crowd), "--poll", str(args.poll),
                                  "--connections", str(args.connections), "--seconds", str(seconds), "--out", str(out)],
                                 cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        time.sleep(settle)
        _, cpu, took = measured(lambda: time.sleep(args.duration))
        crowd_cpu.append(cpu / took)
        with_crowd.append(article())
        if last:
            time.sleep(1)
            for n in range(21, 21 + args.posts):
                posted[n] = time.time()
                _post(base, story, f"Bench update {n}.")
                time.sleep(random.uniform(1.0, 2.0))
        if crowd.wait(timeout=seconds + 120) != 0:
            raise SystemExit(f"bench.crowd exited with {crowd.returncode}")
        if args.edge:
            app_requests += _backend_requests() - requests_before
        crowds.append(json.loads(out.read_text()))
        after, cpu, _ = measured(article)
        without.append(after)
        article_cpu.append((cpu, after.requests))
    seen = crowds[-1].pop("seen")
    for other in crowds[:-1]:
        other.pop("seen")
    latencies = [at - posted[n] for n in posted for at in seen.get(str(n), [])]
    missed = sum(args.crowd - len(seen.get(str(n), [])) for n in posted)
    costs = [100 * (1 - w.requests_per_second / ((without[i].requests_per_second + without[i + 1].requests_per_second) / 2))
             for i, w in enumerate(with_crowd)]
    # The CPU the app spends a second serving cached articles flat out, and what the crowd alone takes of it.
    cpu_per_article = sum(c for c, _ in article_cpu) / sum(n for _, n in article_cpu)
    mean_without = sum(t.requests_per_second for t in without) / len(without)
    cpu_flat_out = cpu_per_article * mean_without
    return {
        "server": args.server, "workers": 2, "edge": "varnish" if args.edge else None, "readers": args.crowd,
        "poll_seconds": args.poll, "connections": args.connections, "posts": args.posts, "rounds": args.rounds,
        "article_cached_without_readers_rps": [round(t.requests_per_second) for t in without],
        "article_cached_with_readers_rps": [round(t.requests_per_second) for t in with_crowd],
        "cost_percent_per_round": [round(c, 1) for c in costs],
        "cost_percent": round(sum(costs) / len(costs), 1),
        "app_cpu_ms_per_cached_article": round(1000 * cpu_per_article, 3),
        "app_cpu_seconds_per_second_serving_articles": round(cpu_flat_out, 3),
        "app_cpu_seconds_per_second_for_the_crowd": [round(c, 3) for c in crowd_cpu],
        "app_cpu_seconds_per_second_idle": round(idle_cpu, 3),
        "cost_percent_by_cpu": round(100 * (sum(crowd_cpu) / len(crowd_cpu) - idle_cpu) / cpu_flat_out, 1),
        "article_runs": {"without": [t.as_dict() for t in without], "with": [t.as_dict() for t in with_crowd]},
        "crowd": crowds, "app_requests_while_crowd_polled": app_requests,
        "post_to_visible_s": {"p50": round(_percentile(latencies, 0.5), 3) if latencies else None,
                              "p99": round(_percentile(latencies, 0.99), 3) if latencies else None,
                              "max": round(max(latencies), 3) if latencies else None,
                              "samples": len(latencies), "missed": missed},
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
    }


class _Poster:
    """An editor posting an update through the API every one to two seconds while ``running``; when each was sent."""

    def __init__(self, base: str, story: dict, *, first: int):
        self.base, self.story, self.number = base, story, first
        self.posted: dict[int, float] = {}
        self.running = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._post, daemon=True)
        self.thread.start()

    def _post(self) -> None:
        while not self.stopped.is_set():
            if not self.running.wait(0.1):
                continue
            self.posted[self.number] = time.time()
            _post(self.base, self.story, f"Bench update {self.number}.")
            self.number += 1
            self.stopped.wait(random.uniform(1.0, 2.0))

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=15)


def _sse_run(args, *, story: dict, port: int, base: str, workdir: Path, server_group: int) -> dict:
    """Cached article throughput and the app's CPU without and with --crowd readers each holding a stream.

    As with polling (``_crowd_run``), runs without and with the readers alternate, the cost of each
    run with them is set against the mean of the runs either side. An editor posts an update every
    one to two seconds through every measured window, with readers or without, so what differs is the
    readers alone: the streams held, their heartbeats, and each update written to every one of them.
    Every reader's receipt of every update posted while it held its stream is a post-to-screen sample.
    """
    load_before = os.getloadavg()
    for path in (story["path"], f"/news/{story['id']}/updates/?version=0"):
        load(port, path=path, duration=1, connections=4, threads=2, headers={"Host": "localhost"})

    def article():
        return load(port, path=story["path"], duration=args.duration, connections=16, threads=2,
                    headers={"Host": "localhost"})

    def measured(run):
        cpu = group_cpu(server_group)
        started = time.monotonic()
        result = run()
        return result, group_cpu(server_group) - cpu, time.monotonic() - started

    poster = _Poster(base, story, first=21)
    try:
        poster.running.set()
        _, cpu, took = measured(lambda: time.sleep(args.duration))
        base_cpu = cpu / took  # the app's CPU a second with the editor posting and nobody reading
        first, cpu, _ = measured(article)
        without, with_crowd, crowds, windows = [first], [], [], []
        article_cpu = [(cpu, first.requests)]
        crowd_cpu = []
        for round_number in range(args.rounds):
            poster.running.clear()
            ready, until = workdir / f"ready-{round_number}", workdir / f"until-{round_number}"
            out = workdir / f"crowd-{round_number}.json"
            crowd = subprocess.Popen([sys.executable, "-m", "bench.crowd", "--sse", "--port", base.rsplit(":", 1)[1],
                                      "--story", str(story["id"]), "--readers", str(args.crowd),
                                      "--seconds", str(600), "--ready", str(ready), "--until", str(until),
                                      "--out", str(out)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
            deadline = time.monotonic() + 300
            while not ready.exists():
                if crowd.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("bench.crowd --sse did not open its streams")
                time.sleep(0.2)
            time.sleep(1)
            poster.running.set()
            window_start = time.time()
            _, cpu, took = measured(lambda: time.sleep(args.duration))
            crowd_cpu.append(cpu / took)
            with_crowd.append(article())
            time.sleep(2)  # the last update posted reaches every reader before the streams close
            poster.running.clear()
            time.sleep(2)
            windows.append((window_start, time.time()))
            until.write_text("")
            if crowd.wait(timeout=120) != 0:
                raise SystemExit(f"bench.crowd exited with {crowd.returncode}")
            crowds.append(json.loads(out.read_text()))
            poster.running.set()
            after, cpu, _ = measured(article)
            without.append(after)
            article_cpu.append((cpu, after.requests))
    finally:
        poster.close()
    latencies, missed = [], 0
    for report, (start, end) in zip(crowds, windows):
        seen = report.pop("seen")
        for number, at in poster.posted.items():
            if start <= at <= end - 4:  # posted while this round's readers held their streams
                times = seen.get(str(number), [])
                latencies += [t - at for t in times]
                missed += report["opened"] - len(times)
    costs = [100 * (1 - w.requests_per_second / ((without[i].requests_per_second + without[i + 1].requests_per_second) / 2))
             for i, w in enumerate(with_crowd)]
    cpu_per_article = sum(c for c, _ in article_cpu) / sum(n for _, n in article_cpu)
    mean_without = sum(t.requests_per_second for t in without) / len(without)
    cpu_flat_out = cpu_per_article * mean_without
    cost_by_cpu = 100 * (sum(crowd_cpu) / len(crowd_cpu) - base_cpu) / cpu_flat_out
    p99 = _percentile(latencies, 0.99) if latencies else None
    throughput_cost = sum(costs) / len(costs)
    # Issue #16's targets. The throughput comparison also counts the crowd itself (a client process
    # on the same two cores), so the app's own CPU is the measure of what the readers cost the server.
    targets = {
        "post to received p99 <= 2 s": "met" if p99 is not None and p99 <= 2.0 and not missed else "not met",
        "readers' cost <= 10 % of the app's CPU serving cached articles": "met" if cost_by_cpu <= 10 else "not met",
        "cached-article throughput with readers >= 90 % of without (crowd on the same cores)":
            "met" if throughput_cost <= 10 else "not met",
    }
    for target, verdict in targets.items():
        print(f"{target}: {verdict}", file=sys.stderr)
    return {
        "targets": targets,
        "server": args.server, "workers": 2, "transport": "sse", "readers": args.crowd, "rounds": args.rounds,
        "article_cached_without_readers_rps": [round(t.requests_per_second) for t in without],
        "article_cached_with_readers_rps": [round(t.requests_per_second) for t in with_crowd],
        "cost_percent_per_round": [round(c, 1) for c in costs],
        "cost_percent": round(throughput_cost, 1),
        "app_cpu_ms_per_cached_article": round(1000 * cpu_per_article, 3),
        "app_cpu_seconds_per_second_serving_articles": round(cpu_flat_out, 3),
        "app_cpu_seconds_per_second_for_the_crowd": [round(c, 3) for c in crowd_cpu],
        "app_cpu_seconds_per_second_posting_without_readers": round(base_cpu, 3),
        "cost_percent_by_cpu": round(cost_by_cpu, 1),
        "article_runs": {"without": [t.as_dict() for t in without], "with": [t.as_dict() for t in with_crowd]},
        "crowd": crowds, "posts": len(poster.posted),
        "post_to_received_s": {"p50": round(_percentile(latencies, 0.5), 3) if latencies else None,
                               "p99": round(p99, 3) if latencies else None,
                               "max": round(max(latencies), 3) if latencies else None,
                               "samples": len(latencies), "missed": missed},
        "load_average_before": load_before, "load_average_after": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=200, help="polling clients to simulate (threads)")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between a reader's polls (MASTHEAD_LIVE_POLL_SECONDS)")
    parser.add_argument("--posts", type=int, default=20, help="updates the editor posts")
    parser.add_argument("--duration", type=float, default=5, help="seconds per throughput run")
    parser.add_argument("--server", default="granian", choices=["granian", "gunicorn"])
    parser.add_argument("--edge", action="store_true", help="readers poll through the shipped Varnish VCL in front")
    parser.add_argument("--crowd", type=int, default=0,
                        help="keep this many simulated readers polling (bench/crowd.py) and measure their cost")
    parser.add_argument("--connections", type=int, default=64, help="the crowd's keep-alive connections at most")
    parser.add_argument("--rounds", type=int, default=3, help="with --crowd: runs with the readers, between runs without")
    parser.add_argument("--sse", action="store_true",
                        help="with --crowd: each reader holds a stream (Server-Sent Events) instead of polling")
    args = parser.parse_args()
    if args.sse and (args.edge or not args.crowd):
        parser.error("--sse goes with --crowd N, straight at the app")
    raise_open_files()  # the server and the crowd inherit it: a stream is a socket at each end

    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="live-", dir=results))
    env = {**os.environ, "MASTHEAD_VAR_DIR": str(workdir / "var"), "MASTHEAD_DATABASE_URL": f"sqlite:///{workdir}/db.sqlite3",
           "MASTHEAD_DEBUG": "0", "MASTHEAD_CACHE_URL": "", "MASTHEAD_LIVE_POLL_SECONDS": str(max(1, round(args.poll))),
           "DJANGO_SETTINGS_MODULE": "masthead.settings", "PYTHONPATH": str(ROOT / "src"),
           "MASTHEAD_LIVE_STREAMS": str(max(args.crowd, 1))}
    port = free_port()
    server = None
    edge = contextlib.ExitStack()
    try:
        story = _prepare(env)
        app_base = f"http://{HOST}:{port}"
        edge_base = None
        if args.edge:
            from tests.servers import varnish

            edge_base = edge.enter_context(varnish([app_base]))
            env["MASTHEAD_VARNISH_URLS"] = edge_base
        server = subprocess.Popen([sys.executable, "-m", "masthead.cli", "serve", "--server", args.server, "--port", str(port),
                                   "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        wait_for_http(app_base + "/", seconds=60)
        base = edge_base or app_base  # where readers ask
        reader_port = int(base.rsplit(":", 1)[1])
        if args.sse:
            report = _sse_run(args, story=story, port=port, base=base, workdir=workdir, server_group=server.pid)
            print(json.dumps(report, indent=2))
            (results / f"live-sse-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(report, indent=2))
            return
        if args.crowd:
            report = _crowd_run(args, story=story, port=port, base=base, workdir=workdir, server_group=server.pid)
            print(json.dumps(report, indent=2))
            (results / f"live-crowd-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(report, indent=2))
            return
        updates_path = f"/news/{story['id']}/updates/?since=20"
        for path in (story["path"], updates_path):  # each worker builds its copy first
            load(port, path=path, duration=1, connections=4, threads=2, headers={"Host": "localhost"})
        article = load(port, path=story["path"], duration=args.duration, connections=16, threads=2, headers={"Host": "localhost"})
        polls = load(reader_port, path=updates_path, duration=args.duration, connections=16, threads=2,
                     headers={"Host": "localhost"})
        app_requests_before = _backend_requests() if args.edge else None

        stop, seen, posted = threading.Event(), {}, {}
        threads = _readers(base, story, count=args.readers, poll=args.poll, stop=stop, seen=seen)
        time.sleep(args.poll + 1)
        during = load(port, path=story["path"], duration=args.duration, connections=16, threads=2,
                      headers={"Host": "localhost"})
        for n in range(21, 21 + args.posts):
            posted[n] = time.monotonic()
            _post(base, story, f"Bench update {n}.")
            time.sleep(random.uniform(1.0, 2.0))
        time.sleep(args.poll + 2)
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        app_requests = (_backend_requests() - app_requests_before) if args.edge else None
        latencies = [at - posted[n] for n in posted for at in seen.get(n, [])]
        missed = sum(args.readers - len(seen.get(n, [])) for n in posted)
        readers_rate = 10_000 / args.poll
        report = {
            "server": args.server, "workers": 2, "edge": "varnish" if args.edge else None,
            "app_requests_during_readers_and_posts": app_requests, "poll_seconds": args.poll, "readers": args.readers, "posts": args.posts,
            "article_cached": article.as_dict(), "updates_cached": polls.as_dict(),
            "article_cached_while_polled": during.as_dict(),
            "post_to_visible_s": {"p50": round(_percentile(latencies, 0.5), 3), "p99": round(_percentile(latencies, 0.99), 3),
                                  "max": round(max(latencies), 3), "samples": len(latencies), "missed": missed},
            "ten_thousand_readers": {"requests_per_second": readers_rate,
                                     "share_of_article_throughput": round(readers_rate / article.requests_per_second, 3)},
            "load_before_after": os.getloadavg(),
        }
        print(json.dumps(report, indent=2))
        (results / f"live-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(report, indent=2))
    finally:
        edge.close()
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
