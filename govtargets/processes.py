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
    """Whether a process of the group is alive. A zombie is not: a killed process whose parent is gone
    waits for init to reap it, which can take seconds, and it can no longer do anything."""
    if not _answers(os.killpg, pgid):
        return False
    proc = Path("/proc")
    if not proc.is_dir():
        return True  # not Linux: the signal's answer is all there is
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so split after its end
            state, _, group = stat.read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if int(group) == pgid and state != "Z":
            return True
    return False


def command_line(pid: int) -> str:
    """The command line of a live process, or '' when it cannot be read (gone, or not Linux)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return " ".join(raw.decode("utf-8", errors="replace").replace("\0", " ").split())


def stop_group(pgid: int, grace: float = STOP_GRACE_SECONDS) -> None:
    """End a process group: SIGTERM, then SIGKILL after ``grace`` seconds (at once when ``grace`` is 0);
    returns once it is gone, or ``STOP_GRACE_SECONDS`` after SIGKILL."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, STOP_GRACE_SECONDS)):
        if not wait:
            continue
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not group_alive(pgid):
                return
            time.sleep(0.01)
