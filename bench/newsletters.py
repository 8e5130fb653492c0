"""The daily digest to many subscribers, handed to a local SMTP sink, killed half-way and resumed.

    .venv/bin/python -m bench.newsletters [--subscribers 100000] [--kill-after 20] [--connections 1,4]

Builds a throwaway SQLite install under bench/results/ with N confirmed subscribers and a day's
stories, starts an aiosmtpd server on loopback in its own process (it writes each recipient to a
file), runs `masthead send_digest` and SIGKILLs it after --kill-after seconds, runs it again to
the end, then reports messages per second of each run, the resumed sender's peak memory, and how
many addresses got the digest twice (at most one message in flight per connection at the kill) or
not at all. With --connections 1,4 it does all of that over one connection, then again over four
(a fresh install and sink each time), so the two can be compared in one session.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SINK = textwrap.dedent("""
    import asyncio, sys
    from aiosmtpd.controller import Controller
    out = open(sys.argv[2], "a", buffering=1)
    class Handler:
        async def handle_DATA(self, server, session, envelope):
            out.write("\\n".join(envelope.rcpt_tos) + "\\n")
            return "250 OK"
    Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1])).start()
    asyncio.get_event_loop().run_forever() if False else __import__("threading").Event().wait()
""")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the SMTP sink did not start")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _prepare(env: dict, subscribers: int) -> None:
    code = textwrap.dedent(f"""
        import django; django.setup()
        from datetime import timedelta
        from django.core.management import call_command
        from django.utils import timezone
        call_command("migrate", verbosity=0)
        from masthead.news.models import Article, Section
        from masthead.newsletters.models import Subscriber
        from masthead.stories import changes, rules
        section = Section.objects.create(name="World", slug="world")
        for n in range(8):
            changes.create(Article(headline=f"Story {{n}} of the day", summary="A summary of two lines of text, " * 4,
                                   body="Body.", section=section, status="published",
                                   published_at=timezone.now() - timedelta(hours=n + 1)), by=rules.System("bench"))
        now = timezone.now()
        Subscriber.objects.bulk_create((Subscriber(email=f"reader{{n:06}}@example.org", edition="en", confirmed_at=now,
                                                   source="bench") for n in range({subscribers})), batch_size=5000)
    """)
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def _run(args, connections: int) -> dict:
    """One throwaway install, sink and kill-and-resume over ``connections`` mail connections."""
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    var = Path(tempfile.mkdtemp(prefix="newsletters-", dir=results))
    port, received = _free_port(), var / "received.txt"
    env = {**os.environ, "MASTHEAD_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "masthead.settings",
           "MASTHEAD_EMAIL_URL": f"smtp://127.0.0.1:{port}", "MASTHEAD_DIGEST_CONNECTIONS": str(connections)}
    env.pop("MASTHEAD_DATABASE_URL", None)
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port), str(received)])
    try:
        _wait_for(port)
        _prepare(env, args.subscribers)
        command = [sys.executable, "-m", "masthead.cli", "send_digest"]
        load_before = os.getloadavg()[0]

        started = time.monotonic()
        first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        try:
            first.wait(timeout=args.kill_after)
        except subprocess.TimeoutExpired:
            first.send_signal(signal.SIGKILL)
            first.wait()
        first_seconds = time.monotonic() - started
        first_count = sum(1 for _ in received.open()) if received.exists() else 0

        started = time.monotonic()
        second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        output = second.stdout.read()
        _pid, status, usage = os.wait4(second.pid, 0)  # this process's own peak, not the set-up's
        second_seconds = time.monotonic() - started
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"send_digest failed: {output}")
        sink_cpu = _cpu_seconds(sink.pid)
        counts = Counter(line.strip() for line in received.open() if line.strip())
        return {"connections": connections, "first_count": first_count, "first_seconds": first_seconds,
                "second_count": len(counts) - first_count, "second_seconds": second_seconds,
                "output": output.strip(), "peak_mib": usage.ru_maxrss / 1024,
                "sender_cpu": usage.ru_utime + usage.ru_stime, "sink_cpu": sink_cpu, "received": len(counts),
                "twice": sum(1 for c in counts.values() if c > 1), "missing": args.subscribers - len(counts),
                "load": (load_before, os.getloadavg()[0])}
    finally:
        sink.terminate()
        sink.wait()
        shutil.rmtree(var, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--kill-after", type=float, default=20.0, help="seconds before the first send is killed")
    parser.add_argument("--connections", default="1,4",
                        help="mail connections at once; several, comma-separated, are run one after another "
                             "(default 1,4)")
    args = parser.parse_args()
    runs = [int(n) for n in args.connections.split(",")]

    print(f"subscribers: {args.subscribers:,}")
    failed = False
    for connections in runs:
        run = _run(args, connections)
        second = max(run["second_count"], 1)
        print(f"--- {connections} connection(s); load average {run['load'][0]:.1f} before, {run['load'][1]:.1f} after")
        print(f"run 1 (killed after {run['first_seconds']:.1f} s): {run['first_count']:,} messages, "
              f"{run['first_count'] / run['first_seconds']:,.0f} messages/s")
        print(f"run 2 (resumed): {run['second_count']:,} messages in {run['second_seconds']:.1f} s, "
              f"{run['second_count'] / run['second_seconds']:,.0f} messages/s — {run['output']}")
        print(f"peak memory of the resumed sender: {run['peak_mib']:.0f} MiB")
        # Wall-clock rates follow the machine's load; CPU time per message moves much less.
        print(f"CPU per message of the resumed sender: {run['sender_cpu'] / second * 1000:.2f} ms "
              f"(all of it, start-up included); of the SMTP sink, both runs: "
              f"{run['sink_cpu'] / max(run['received'], 1) * 1000:.2f} ms")
        print(f"delivered twice: {run['twice']} (at most {connections} allowed), never delivered: {run['missing']}")
        # Each connection may have one message in flight when the sender is killed: the server
        # has taken it, the sender has not yet read the server's "250" or logged it (RFC 1047).
        # The resumed run sends it again.
        failed |= run["twice"] > connections or run["missing"] > 0
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
