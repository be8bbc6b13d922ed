"""Processes and process groups: is one alive, what is it running, and ending a group for good."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

STOP_GRACE_SECONDS = 5.0


def _answers(send: Callable[[int, int], None], target: int) -> bool:
    """Whether signal 0 sent by ``send`` (os.kill or os.killpg) finds ``target``."""
    try:
        send(target, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, but another user's
    return True


def pid_alive(pid: int) -> bool:
    return _answers(os.kill, pid)


def group_alive(pgid: int) -> bool:
    return _answers(os.killpg, pgid)


def command_line(pid: int) -> str:
    """The command line of a live process, or '' when it cannot be read (gone, or not Linux)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return " ".join(raw.decode("utf-8", errors="replace").replace("\0", " ").split())


def stop_group(pgid: int, grace: float = STOP_GRACE_SECONDS) -> None:
    """End a process group: SIGTERM, then SIGKILL after ``grace`` seconds; returns once it is gone."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not group_alive(pgid):
                return
            time.sleep(0.05)
