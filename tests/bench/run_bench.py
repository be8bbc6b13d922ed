"""Speed figures (``make bench``): extraction on the real-report corpus, and whole builds at scale.

Measured, never asserted: prints tables. Needs ../shared/corpus for the corpus figures (skipped with a
message when absent). It prints:
- extraction stages and characters per second on one core (the 78 corpus reports, in this process),
  and the whole per-report extraction a worker does (the seed rows included);
- a build of 1,014 reports (the corpus × 13, each copy byte-distinct) from a cold extraction cache:
  wall time, stage times and peak RSS;
- the same folder with one more report, built again: the time to add one report (an incremental build,
  from a copy of the published warehouse);
- the explorer of the corpus warehouse (``govtargets site``): its build time, and the time each of its
  pages takes to load in Chromium;
- with ``--build``, a build of the bundled reports.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from govtargets.pipeline import build
from loaders.extract import extract_report
from loaders.manifest import read_manifest
from loaders.numbers import find_numbers
from loaders.quantities import find_quantities
from loaders.read import read_report
from loaders.regions import RegionIndex, default_regions_path
from loaders.segment import segment
from loaders.vocab import load_vocabulary
from tests.corpus import CORPUS, corpus_rows, make_corpus_reports, make_scaled_reports, mark_copy

COPIES = 13
# The build's own lines that open its stages, in order. "dbt" is the dbt build (its start-up included)
# and the check of the candidate (govtargets.publish.check_publishable).
_STAGE_OPENERS = (("extract", "extract: "), ("dbt", "dbt build"), ("expectations", "expectations"))
_PUBLISHED = "published "
# Runs a command and prints the largest resident set of it and its descendants, in KiB.
_PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print(f'peak-rss-kib {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', flush=True)\n"
    "sys.exit(code)\n"
)


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
    print(f"corpus: {reports} reports, {characters:,} characters, {quantities:,} quantities (one process)")
    print(f"{'stage':12} {'total s':>8} {'median ms':>10} {'max ms':>8}")
    for stage, values in timings.items():
        print(
            f"{stage:12} {sum(values):8.2f} {statistics.median(values) * 1e3:10.1f} {max(values) * 1e3:8.1f}"
        )
    print("(numbers is find_numbers alone, for reference: quantities runs it again)")
    print(f"read+segment+quantities: {total:.2f} s, {characters / total:,.0f} characters/s")
    _whole_extraction(characters)


def _whole_extraction(characters: int) -> None:
    """What a worker does per report (extract_report: read, segment, quantities and the seed rows), on
    one core, best of three."""
    with tempfile.TemporaryDirectory(prefix="govtargets-bench-") as folder:
        manifest = read_manifest(
            make_corpus_reports(Path(folder)), RegionIndex.from_csv(default_regions_path())
        )
    vocab = load_vocabulary()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for entry in manifest.entries:
            extract_report(entry, vocab)
        best = min(best, time.perf_counter() - started)
    print(
        f"extraction per core (extract_report, rows included): {best:.2f} s, {characters / best:,.0f} characters/s"
    )


@dataclass
class _Run:
    wall: float
    stages: dict[str, float]
    peak_rss_kib: int
    summary: str


def _timed_build(reports: Path, warehouse: Path, cache: Path) -> _Run:
    """``govtargets build`` in a process of its own: wall time, stage times from its lines, peak RSS."""
    command = [sys.executable, "-c", _PEAK_RSS, str(Path(sys.executable).parent / "govtargets"), "build",
               "--reports", str(reports), "--warehouse", str(warehouse)]  # fmt: skip
    environment = os.environ | {"GOVTARGETS_EXTRACT_CACHE": str(cache)}
    started = time.perf_counter()
    marks: list[tuple[str, float]] = []
    peak, summary = 0, ""
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment) as process:
        assert process.stdout is not None
        for line in process.stdout:
            now = time.perf_counter() - started
            for stage, opener in _STAGE_OPENERS:
                if line.startswith(opener):
                    marks.append((stage, now))
            if line.startswith(_PUBLISHED):
                marks.append(("publish", now))
            if line.startswith("summary:"):
                summary = line.strip()
            if line.startswith("peak-rss-kib "):
                peak = int(line.split()[1])
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"bench build failed ({process.returncode}); run it alone: {' '.join(command[3:])}")
    stages = {"start-up": marks[0][1] if marks else wall}
    for (stage, at), (_, next_at) in itertools.pairwise(marks):
        stages[stage] = next_at - at
    return _Run(wall, stages, peak, summary)


def _print_run(title: str, run: _Run) -> None:
    print(f"\n{title}")
    print(f"  wall {run.wall:.1f} s, peak RSS {run.peak_rss_kib / 1024:,.0f} MiB")
    for stage, seconds in run.stages.items():
        print(f"  {stage:14} {seconds:7.1f} s")
    print(f"  {run.summary}")


def _scaled_builds() -> None:
    with tempfile.TemporaryDirectory(prefix="govtargets-bench-") as folder:
        root = Path(folder)
        reports = make_scaled_reports(root / "reports", COPIES)
        characters = sum(len(read_report(CORPUS / row["file"]).text) for row in corpus_rows()) * COPIES
        size = sum(path.stat().st_size for path in reports.rglob("*") if path.is_file())
        print(f"\nscaled corpus: {COPIES * len(corpus_rows()):,} reports, {characters:,} characters, "
              f"{size / 1e6:.0f} MB of files, {os.cpu_count()} processors")  # fmt: skip
        cold = _timed_build(reports, root / "warehouse.duckdb", root / "cache")
        _print_run("build, cold extraction cache", cold)
        if "extract" in cold.stages:
            print(
                f"  extraction rate {characters / cold.stages['extract']:,.0f} characters/s (all processes)"
            )
        _add_one_report(reports)
        one_more = _timed_build(reports, root / "warehouse.duckdb", root / "cache")
        _print_run("the same folder and one more report (warm cache)", one_more)


def _add_one_report(reports: Path) -> None:
    """A new copy of the first corpus report, with a manifest row of its own."""
    row = corpus_rows()[0]
    file = f"copy{COPIES:02d}/{row['file']}"
    target = reports / file
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CORPUS / row["file"], target)
    mark_copy(target, COPIES)
    with (reports / "manifest.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"{file},{row['district']},{row['year']},{row['title']}\n")


def _site_figures() -> None:
    """The explorer of a warehouse of the 78 corpus reports: build time and page loads in Chromium."""
    from playwright.sync_api import sync_playwright

    from govtargets.site.build import build_site
    from tests.python.test_site import CHROMIUM, CHROMIUM_ARGS

    with tempfile.TemporaryDirectory(prefix="govtargets-bench-") as folder:
        root = Path(folder)
        warehouse = root / "warehouse" / "govtargets.duckdb"
        build(make_corpus_reports(root / "reports"), warehouse, progress=lambda _: None)
        site = build_site(warehouse, root / "site")
        print(f"\nexplorer of the corpus warehouse: {site.reports} report pages, {site.indicators} indicator "
              f"pages, {site.statements:,} statements, built in {site.seconds:.1f} s")  # fmt: skip
        pages = [root / "site" / "index.html", *sorted((root / "site").glob("[ri]*/*.html"))]
        loads = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            browser.new_page().goto(pages[0].as_uri())  # the browser's own start-up is not a page load
            for page_file in pages:
                page = browser.new_page()
                started = time.perf_counter()
                page.goto(page_file.as_uri(), wait_until="load")
                loads.append((time.perf_counter() - started, page_file.relative_to(root / "site")))
                page.close()
            browser.close()
        slowest = max(loads)
        print(f"  page loads in Chromium: {len(loads)} pages, median {statistics.median(t for t, _ in loads):.2f} s, "
              f"slowest {slowest[0]:.2f} s ({slowest[1]})")  # fmt: skip


def _bundled_build() -> None:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        summary = build(warehouse=Path(folder) / "govtargets.duckdb", progress=lambda _: None)
        elapsed = time.perf_counter() - started
    targets = sum(r.targets for r in summary.extract.reports)
    print(f"\ngovtargets build (bundled reports, {targets} targets): {elapsed:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", action="store_true", help="also time a whole build of the bundled reports")
    args = parser.parse_args()
    if CORPUS.exists():
        _corpus_stages()
        _scaled_builds()
        _site_figures()
    else:
        print(f"corpus figures skipped: {CORPUS} not found (it lives in ../shared, never in the repository)")
    if args.build:
        _bundled_build()


if __name__ == "__main__":
    main()
