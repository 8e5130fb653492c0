"""Progress of a long import: a bar with rate and time left on a terminal, plain lines otherwise."""

import time
from typing import TextIO

BAR_WIDTH = 24


class Progress:
    """Call ``update()`` as often as you like; it redraws at most ``per_second`` times a second."""

    def __init__(self, stream: TextIO, *, total_bytes: int | None, tty: bool, every: float | None = None):
        self.stream = stream
        self.total = total_bytes or None
        self.tty = tty
        self.every = every if every is not None else (0.1 if tty else 5.0)
        self.started = self.shown = time.monotonic()
        self.items = 0
        self.bytes = 0

    def update(self, *, items: int, done_bytes: int) -> None:
        self.items, self.bytes = items, done_bytes
        now = time.monotonic()
        if now - self.shown >= self.every:
            self.shown = now
            self._show(now)

    def finish(self) -> None:
        self._show(time.monotonic(), final=True)

    def line(self, now: float | None = None) -> str:
        """``[######------]  48%  120,000 items  2,510/s  0:00:52 left`` (no bar when the size is unknown)."""
        elapsed = max((now or time.monotonic()) - self.started, 1e-6)
        rate = self.items / elapsed
        parts = []
        if self.total:
            fraction = min(self.bytes / self.total, 1.0)
            filled = int(fraction * BAR_WIDTH)
            parts.append(f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {fraction:4.0%}")
            if 0 < fraction < 1:
                left = elapsed / fraction * (1 - fraction)
                parts.append(f"{self.items:,} items  {rate:,.0f}/s  {_clock(left)} left")
            else:
                parts.append(f"{self.items:,} items  {rate:,.0f}/s  {_clock(elapsed)} taken")
        else:
            parts.append(f"{self.items:,} items  {rate:,.0f}/s  {_clock(elapsed)} taken")
        return "  ".join(parts)

    def _show(self, now: float, *, final: bool = False) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line(now) + ("\n" if final else ""))
        elif final or self.items:
            self.stream.write(self.line(now) + "\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
