"""Extract many reports: from the cache where it has them, the rest across worker processes.

The result is in manifest order and identical to a serial run: each report is extracted on its own
(its rows depend on nothing else), and the parent puts the results back in order.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from loaders.cache import ExtractCache
from loaders.errors import LoaderError, LoadIssue
from loaders.extract import RenderedReport, extract_report, render_report
from loaders.manifest import ManifestEntry
from loaders.vocab import load_vocabulary

# Below this many reports to extract, worker processes cost more than they save.
PARALLEL_FROM = 8


@dataclass(frozen=True)
class Extracted:
    """One manifest entry's outcome: its rendered rows, or the issue that rejected it."""

    entry: ManifestEntry
    report: RenderedReport | None
    issue: LoadIssue | None
    cached: bool


def default_jobs() -> int:
    """The processors this process may run on (where the system says; else all of them)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def extract_entries(
    entries: list[ManifestEntry],
    cache: ExtractCache | None,
    jobs: int,
    on_done: Callable[[Extracted], None] = lambda _: None,
) -> list[Extracted]:
    """Every entry's outcome, in manifest order; ``on_done`` hears of each as it is known."""
    outcomes: dict[int, Extracted] = {}
    missing: list[int] = []
    for index, entry in enumerate(entries):
        found = cache.get(entry) if cache is not None else None
        if found is None:
            missing.append(index)
        else:
            outcomes[index] = Extracted(entry, found, None, cached=True)
            on_done(outcomes[index])
    for index, (report, issue) in zip(
        missing, _extract_all([entries[i] for i in missing], jobs), strict=True
    ):
        outcomes[index] = Extracted(entries[index], report, issue, cached=False)
        if report is not None and cache is not None:
            cache.put(entries[index], report)
        on_done(outcomes[index])
    return [outcomes[index] for index in range(len(entries))]


def _extract_all(
    entries: list[ManifestEntry], jobs: int
) -> Iterator[tuple[RenderedReport | None, LoadIssue | None]]:
    if jobs <= 1 or len(entries) < PARALLEL_FROM:
        yield from map(_extract_one, entries)
        return
    pool = multiprocessing.get_context("fork").Pool(min(jobs, len(entries)), initializer=_worker_signals)
    try:
        yield from pool.imap(_extract_one, entries, chunksize=max(1, len(entries) // (jobs * 8)))
        pool.close()
    except BaseException:
        pool.terminate()  # stopped (a signal, an error): the workers go at once
        raise
    finally:
        pool.join()


def _worker_signals() -> None:
    """A worker leaves Ctrl-C to the build, which stops the pool, and dies of a stop signal."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def _extract_one(entry: ManifestEntry) -> tuple[RenderedReport | None, LoadIssue | None]:
    try:
        return render_report(extract_report(entry, load_vocabulary())), None
    except LoaderError as error:
        where = f" (manifest.csv line {entry.row})"
        return None, LoadIssue(source=entry.file, line=error.line, message=error.detail + where)
