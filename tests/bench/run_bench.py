"""Speed figures (``make bench``): extraction stages on the real-report corpus, and whole builds.

Measured, never asserted: prints a table. Needs ../shared/corpus for the corpus figures (skipped with a
message when absent); ``--build`` also times ``govtargets build`` of the bundled reports.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from govtargets.pipeline import build
from loaders.numbers import find_numbers
from loaders.quantities import find_quantities
from loaders.read import read_report
from loaders.segment import segment
from loaders.vocab import load_vocabulary
from tests.corpus import CORPUS, corpus_rows


def _corpus_stages() -> None:
    vocab = load_vocabulary()
    timings: dict[str, list[float]] = {"read": [], "segment": [], "numbers": [], "quantities": []}
    characters = quantities = 0
    for row in corpus_rows():
        started = time.perf_counter()
        report = read_report(CORPUS / row["file"])
        read_at = time.perf_counter()
        segmentation = segment(report.normalized, int(row["year"]))
        segment_at = time.perf_counter()
        find_numbers(report.normalized)
        numbers_at = time.perf_counter()
        quantities += len(find_quantities(report.normalized, segmentation, vocab))
        done = time.perf_counter()
        characters += len(report.text)
        timings["read"].append(read_at - started)
        timings["segment"].append(segment_at - read_at)
        timings["numbers"].append(numbers_at - segment_at)
        timings["quantities"].append(done - numbers_at)
    reports = len(timings["read"])
    total = sum(sum(values) for values in timings.values()) - sum(timings["numbers"])
    print(f"corpus: {reports} reports, {characters:,} characters, {quantities:,} quantities")
    print(f"{'stage':12} {'total s':>8} {'median ms':>10} {'max ms':>8}")
    for stage, values in timings.items():
        print(
            f"{stage:12} {sum(values):8.2f} {statistics.median(values) * 1e3:10.1f} {max(values) * 1e3:8.1f}"
        )
    print(f"extraction (read+segment+quantities): {total:.2f} s, {characters / total:,.0f} characters/s")


def _bundled_build() -> None:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        summary = build(warehouse=Path(folder) / "govtargets.duckdb", progress=lambda _: None)
        elapsed = time.perf_counter() - started
    targets = sum(r.targets for r in summary.extract.reports)
    print(f"govtargets build (bundled reports, {targets} targets): {elapsed:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", action="store_true", help="also time a whole build of the bundled reports")
    args = parser.parse_args()
    if CORPUS.exists():
        _corpus_stages()
    else:
        print(f"corpus figures skipped: {CORPUS} not found (it lives in ../shared, never in the repository)")
    if args.build:
        _bundled_build()


if __name__ == "__main__":
    main()
