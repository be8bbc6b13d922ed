"""A progress line for long builds: reports done out of the total, the rate and the time left, rewritten
in place on a terminal. When the output is not a terminal (CI, a pipe, a log file) it writes nothing."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


class ProgressLine:
    def __init__(
        self,
        what: str,
        total: int,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        every: float = 0.2,
    ) -> None:
        self.what = what
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.shown = self.stream.isatty()
        self.clock = clock
        self.every = every
        self.started = clock()
        self.drawn_at: float | None = None
        self.done = 0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = self.clock()
        if self.shown and (
            self.drawn_at is None or now - self.drawn_at >= self.every or self.done == self.total
        ):
            self.drawn_at = now
            self.stream.write("\r" + self.text(now) + "\x1b[K")
            self.stream.flush()

    def text(self, now: float) -> str:
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = f"{(self.total - self.done) / rate:.0f} s left" if rate > 0 else "time left unknown"
        return f"{self.what} {self.done}/{self.total} · {rate:.0f}/s · {left}"

    def clear(self) -> None:
        """Take the line off the terminal (before another message, or at the end); the next advance
        draws it again."""
        if self.shown and self.drawn_at is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn_at = None
