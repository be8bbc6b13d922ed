"""Stops from outside as exceptions: SIGTERM (``timeout``, CI cancellation), SIGHUP (a closed terminal)
and SIGINT (Ctrl-C) raise ``Interrupted`` in the main thread, so every ``finally`` and context manager
of the build runs: dbt's process group is ended and the staging folder removed."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class Interrupted(Exception):
    """The build was stopped by a signal (after it had published to ``published``, when that is set)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.published: str | None = None
        super().__init__(f"stopped by {signal.Signals(signum).name}")


def _raise(signum: int, _frame: FrameType | None) -> None:
    # Further stops while cleaning up are ignored: the clean-up is what they ask for.
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signum)


@contextmanager
def stops_deferred() -> Iterator[None]:
    """Within the block stop signals wait: they arrive, as ``Interrupted``, when it ends (a commit and the
    note that it happened are never torn apart)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def stops_as_exceptions() -> Iterator[None]:
    """Within the block, a stop signal raises ``Interrupted``; the previous handlers come back after."""
    previous = {sig: signal.signal(sig, _raise) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
