"""The daily digest to many subscribers, handed to a local SMTP sink, killed half-way and resumed.

    .venv/bin/python -m bench.newsletters [--subscribers 100000] [--kill-after 20]

Builds a throwaway SQLite install under bench/results/ with N confirmed subscribers and a day's
stories, starts an aiosmtpd server on loopback in its own process (it writes each recipient to a
file), runs `masthead send_digest` and SIGKILLs it after --kill-after seconds, runs it again to
the end, then reports messages per second of each run, the resumed sender's peak memory, and how
many addresses got the digest twice (at most the one message in flight at the kill) or not at all.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--kill-after", type=float, default=20.0, help="seconds before the first send is killed")
    args = parser.parse_args()

    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    var = Path(tempfile.mkdtemp(prefix="newsletters-", dir=results))
    port, received = _free_port(), var / "received.txt"
    env = {**os.environ, "MASTHEAD_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "masthead.settings",
           "MASTHEAD_EMAIL_URL": f"smtp://127.0.0.1:{port}"}
    env.pop("MASTHEAD_DATABASE_URL", None)
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port), str(received)])
    try:
        _wait_for(port)
        _prepare(env, args.subscribers)
        command = [sys.executable, "-m", "masthead.cli", "send_digest"]

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
        peak_mib = usage.ru_maxrss / 1024
        sender_cpu = usage.ru_utime + usage.ru_stime
        sink_cpu = _cpu_seconds(sink.pid)

        counts = Counter(line.strip() for line in received.open() if line.strip())
        twice = sum(1 for c in counts.values() if c > 1)
        missing = args.subscribers - len(counts)
        print(f"subscribers: {args.subscribers:,}")
        print(f"run 1 (killed after {first_seconds:.1f} s): {first_count:,} messages, "
              f"{first_count / first_seconds:,.0f} messages/s")
        print(f"run 2 (resumed): {len(counts) - first_count:,} messages in {second_seconds:.1f} s, "
              f"{(len(counts) - first_count) / second_seconds:,.0f} messages/s — {output.strip()}")
        print(f"peak memory of the resumed sender: {peak_mib:.0f} MiB")
        # Wall-clock rates follow the machine's load; CPU time per message moves much less.
        sent = max(len(counts) - first_count, 1)
        print(f"CPU per message of the resumed sender: {sender_cpu / sent * 1000:.2f} ms "
              f"(all of it, start-up included); of the SMTP sink, both runs: {sink_cpu / len(counts) * 1000:.2f} ms; "
              f"load average after: {os.getloadavg()[0]:.1f}")
        print(f"delivered twice: {twice}, never delivered: {missing}")
        # One message may be in flight when the sender is killed: the server has taken it, the
        # sender has not yet read the server's "250" or logged it (RFC 1047). It is sent again.
        if twice > 1 or missing:
            sys.exit(1)
    finally:
        sink.terminate()
        sink.wait()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
