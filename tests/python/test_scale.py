"""Extraction at scale: worker processes give what one process gives, the extraction cache never serves
a stale row, and the progress line shows only on a terminal."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from govtargets import extraction
from govtargets.pipeline import extract
from govtargets.progress import ProgressLine
from loaders.cache import ExtractCache, extractor_version
from loaders.vocab import REFERENCE_DIR, VOCABULARY_FILES, load_vocabulary

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "reports"
COPIES = 10


def _reports(folder: Path) -> Path:
    """COPIES byte-distinct copies of the fixture district report, each with its own manifest row."""
    folder.mkdir()
    text = (FIXTURES / "nanshan-2024-fixture.txt").read_bytes()
    rows = []
    for copy in range(COPIES):
        name = f"nanshan-{copy}.txt"
        (folder / name).write_bytes(text + b"\n" * copy)
        rows.append({"file": name, "district": "深圳市南山区", "year": "2024", "title": f"copy {copy}"})
    _write_manifest(folder, rows)
    return folder


def _write_manifest(folder: Path, rows: list[dict[str, str]]) -> None:
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "district", "year", "title"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _seed_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.csv"))}


def _quiet(_: str) -> None:
    pass


def test_worker_processes_write_the_same_seeds_as_one_process(tmp_path: Path) -> None:
    reports = _reports(tmp_path / "reports")
    assert COPIES >= extraction.PARALLEL_FROM  # so that two jobs do use worker processes
    extract(reports, tmp_path / "serial", progress=_quiet, jobs=1, cache_dir=None)
    extract(reports, tmp_path / "parallel", progress=_quiet, jobs=2, cache_dir=None)
    serial = _seed_files(tmp_path / "serial")
    assert serial == _seed_files(tmp_path / "parallel")
    assert serial["quantities.csv"].count(b"\n") > COPIES * 20


def test_a_rebuild_takes_unchanged_reports_from_the_cache_and_re_extracts_the_rest(tmp_path: Path) -> None:
    reports = _reports(tmp_path / "reports")
    cache = tmp_path / "cache"
    first = extract(reports, tmp_path / "first", progress=_quiet, cache_dir=cache)
    again = extract(reports, tmp_path / "again", progress=_quiet, cache_dir=cache)
    assert (first.cached, again.cached) == (0, COPIES)
    assert _seed_files(tmp_path / "first") == _seed_files(tmp_path / "again")

    # one file's bytes change, another report's manifest row changes: both are extracted again
    changed = reports / "nanshan-3.txt"
    changed.write_bytes(
        changed.read_bytes().replace("新增公办学位9000个".encode(), "新增公办学位9100个".encode())
    )
    with (reports / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[5]["title"] = "a new title"
    _write_manifest(reports, rows)
    changed_run = extract(reports, tmp_path / "changed", progress=_quiet, cache_dir=cache)
    extract(reports, tmp_path / "fresh", progress=_quiet, cache_dir=None)
    assert changed_run.cached == COPIES - 2
    assert _seed_files(tmp_path / "changed") == _seed_files(tmp_path / "fresh")
    seeds = _seed_files(tmp_path / "changed")
    assert b"a new title" in seeds["reports.csv"]
    assert "9100个".encode() in seeds["quantities.csv"]


def test_an_unreadable_cache_entry_is_a_miss(tmp_path: Path) -> None:
    reports = _reports(tmp_path / "reports")
    cache = tmp_path / "cache"
    extract(reports, tmp_path / "first", progress=_quiet, cache_dir=cache)
    for entry in sorted(cache.iterdir())[:3]:
        entry.write_bytes(b"not an entry")
    again = extract(reports, tmp_path / "again", progress=_quiet, cache_dir=cache)
    assert again.cached == COPIES - 3
    assert _seed_files(tmp_path / "first") == _seed_files(tmp_path / "again")


def _reference_copy(folder: Path) -> Path:
    shutil.copytree(REFERENCE_DIR, folder)
    return folder


def test_a_change_to_a_vocabulary_seed_changes_the_extractor_version(tmp_path: Path) -> None:
    reference = _reference_copy(tmp_path / "reference")
    assert extractor_version(reference) == extractor_version()
    with (reference / "kind_cues.csv").open("a", encoding="utf-8") as handle:
        handle.write("本年度,plan,2,,\n")
    assert extractor_version(reference) != extractor_version()


def test_a_change_to_a_seed_the_extractor_does_not_read_keeps_the_cache(tmp_path: Path) -> None:
    reference = _reference_copy(tmp_path / "reference")
    with (reference / "indicator_aliases.csv").open("a", encoding="utf-8") as handle:
        handle.write("经济总量,contains,gdp_level,,,,false,9,\n")
    assert extractor_version(reference) == extractor_version()


def test_a_change_to_the_loaders_code_changes_the_extractor_version(tmp_path: Path) -> None:
    loaders = tmp_path / "loaders"
    shutil.copytree(REPO / "loaders", loaders, ignore=shutil.ignore_patterns("__pycache__"))
    assert extractor_version(REFERENCE_DIR, loaders) == extractor_version()
    with (loaders / "quantities.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# a change\n")
    assert extractor_version(REFERENCE_DIR, loaders) != extractor_version()


def test_the_vocabulary_files_are_all_the_extractor_reads(tmp_path: Path) -> None:
    """load_vocabulary from a folder holding only VOCABULARY_FILES: a file it read beyond them would be
    missing, and a change to it would not reach the cache key."""
    reference = tmp_path / "reference"
    reference.mkdir()
    for name in VOCABULARY_FILES:
        shutil.copyfile(REFERENCE_DIR / name, reference / name)
    assert load_vocabulary(reference) == load_vocabulary()


def test_a_cache_keeps_no_entry_unused_for_longer_than_its_age(tmp_path: Path) -> None:
    reports = _reports(tmp_path / "reports")
    cache_dir = tmp_path / "cache"
    extract(reports, tmp_path / "seeds", progress=_quiet, cache_dir=cache_dir)
    cache = ExtractCache(cache_dir)
    assert cache.prune(max_age=3600) == 0
    assert cache.prune(max_age=-1) == COPIES
    assert not list(cache_dir.iterdir())


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("terminal", [True, False])
def test_the_progress_line_shows_on_a_terminal_only(terminal: bool) -> None:
    stream = _Terminal() if terminal else io.StringIO()
    ticks = iter([0.0, 1.0, 2.0, 3.0, 4.0])
    line = ProgressLine("extract: reports", 4, stream=stream, clock=lambda: next(ticks))
    for _ in range(4):
        line.advance()
    line.clear()
    if terminal:
        assert "\rextract: reports 4/4 · 1/s · 0 s left" in stream.getvalue()
        assert "extract: reports 2/4 · 1/s · 2 s left" in stream.getvalue()
    else:
        assert stream.getvalue() == ""


def test_a_cache_that_cannot_be_written_never_fails_the_extraction(tmp_path: Path) -> None:
    reports = _reports(tmp_path / "reports")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    summary = extract(reports, tmp_path / "seeds", progress=_quiet, cache_dir=blocker / "cache")
    assert (len(summary.reports), summary.cached) == (COPIES, 0)
    assert _seed_files(tmp_path / "seeds") == _seed_files(_fresh(reports, tmp_path / "fresh"))


def _fresh(reports: Path, seeds: Path) -> Path:
    extract(reports, seeds, progress=_quiet, cache_dir=None)
    return seeds
