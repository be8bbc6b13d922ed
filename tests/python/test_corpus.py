"""Every real report in ../shared/corpus (national 1954–2025, 28 provinces 2025) loads and extracts:
no crash, every row points back to its text, and each report splits into plan and review."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from govtargets.pipeline import extract
from tests.corpus import CORPUS, corpus_rows, make_corpus_reports

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} not found: the corpus lives in ../shared and is never committed")
    reports = make_corpus_reports(tmp_path_factory.mktemp("corpus"))
    seeds = tmp_path_factory.mktemp("seeds")
    summary = extract(reports, seeds, progress=lambda _: None)
    assert summary.issues == []
    return seeds


def _rows(seeds: Path, table: str) -> list[dict[str, str]]:
    with (seeds / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_report_loads(corpus_seeds: Path) -> None:
    files = {row["source_file"] for row in _rows(corpus_seeds, "reports")}
    assert len(files) == len(list(CORPUS.glob("*/*.txt")) + list(CORPUS.glob("*/*.docx")))


def test_every_quantity_points_back_to_its_text(corpus_seeds: Path) -> None:
    texts = {row["report_id"]: row["report_text"] for row in _rows(corpus_seeds, "reports")}
    quantities = _rows(corpus_seeds, "quantities")
    assert len(quantities) > 5000
    wrong = [
        q["quantity_id"]
        for q in quantities
        if texts[q["report_id"]][int(q["char_start"]) : int(q["char_end"])] != q["clause_text"]
        or not int(q["char_start"]) <= int(q["span_start"]) < int(q["span_end"]) <= int(q["char_end"])
    ]
    assert wrong == []


def test_recent_reports_have_targets_and_results(corpus_seeds: Path) -> None:
    """Since 2000 every report reviews the past year and plans the next: both kinds must be found."""
    reports = {
        r["report_id"]: (r["source_file"], int(r["report_year"])) for r in _rows(corpus_seeds, "reports")
    }
    kind = {s["sentence_id"]: s["statement_kind"] for s in _rows(corpus_seeds, "sentences")}
    found: dict[str, set[str]] = {}
    for quantity in _rows(corpus_seeds, "quantities"):
        found.setdefault(quantity["report_id"], set()).add(kind[quantity["sentence_id"]])
    missing = [
        (file, sorted(found.get(report_id, set())))
        for report_id, (file, year) in reports.items()
        if year >= 2000 and not {"plan", "review"} <= found.get(report_id, set())
    ]
    assert missing == []


def test_main_expected_targets_of_recent_national_reports(corpus_seeds: Path) -> None:
    """The national 主要预期目标 paragraph always yields a GDP growth target in percent."""
    reports = {r["report_id"]: r["source_file"] for r in _rows(corpus_seeds, "reports")}
    main = {s["sentence_id"] for s in _rows(corpus_seeds, "sentences") if s["in_main_targets"] == "true"}
    with_gdp = {
        reports[q["report_id"]]
        for q in _rows(corpus_seeds, "quantities")
        if q["sentence_id"] in main and "生产总值" in q["indicator"] and q["unit_text"] == "%"
    }
    expected = {f"national/{year}.txt" for year in (2015, 2016, 2017, 2019, 2023, 2024, 2025)}
    assert expected <= with_gdp


def test_the_whole_corpus_builds_into_a_warehouse(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`govtargets build --reports DIR` on the corpus: every report loaded, every dbt test and expectation
    passed, and a per-report summary printed."""
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} not found: the corpus lives in ../shared and is never committed")
    from govtargets.pipeline import build
    from govtargets.settings import work_dir

    reports = make_corpus_reports(REPO / "build" / "test-corpus-reports")
    warehouse = tmp_path_factory.mktemp("corpus-warehouse") / "govtargets.duckdb"
    try:
        summary = build(reports, warehouse, progress=lambda _: None)
    finally:
        shutil.rmtree(work_dir(reports), ignore_errors=True)
        shutil.rmtree(reports, ignore_errors=True)
    assert len(summary.extract.reports) == len(corpus_rows())
    assert summary.extract.issues == []
    empty = [report for report in summary.extract.reports if report.targets + report.results == 0]
    # national/1998.txt has its digits letter-spaced ("7 4 7 7 2 亿元"): no number is read, and the
    # summary says so rather than failing.
    assert len(empty) <= 1
    assert all("no targets found" in report.warnings for report in empty)
    assert not any(status.endswith(("fail", "error")) for status in summary.dbt_nodes)
    assert summary.expectations_passed == summary.expectations_evaluated
