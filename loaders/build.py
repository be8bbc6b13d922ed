"""The whole build: extract → dbt build → expectations → publish.

``extract`` reads the manifest and reports and writes the extracted seed CSVs. ``build`` runs it, then
``dbt build`` into a candidate DuckDB file in a private folder, copies the candidate into a file that
older DuckDB readers open, runs the great-expectations suite on that copy, and only when everything has
passed replaces the published warehouse with one atomic rename. A failure anywhere leaves the published
file as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from loaders.errors import LoaderError, LoadIssue
from loaders.extract import ExtractedReport, extract_report, seed_tables
from loaders.manifest import read_manifest
from loaders.publish import build_lock, make_publishable, publish, staging_area
from loaders.quality import run_expectations
from loaders.regions import RegionIndex, default_regions_path
from loaders.seeds import write_seed_set
from loaders.vocab import load_vocabulary

PROJECT_DIR = Path(__file__).resolve().parent.parent
BUNDLED_REPORTS = PROJECT_DIR / "reports"
BUNDLED_SEEDS = PROJECT_DIR / "seeds" / "extracted"
SEED_PROPERTIES = "_extracted__seeds.yml"
DEFAULT_WAREHOUSE = PROJECT_DIR / "warehouse" / "govtargets.duckdb"

Progress = Callable[[str], None]
# dbt output lines worth passing on: seeds and models built, and anything that went wrong.
_DBT_PROGRESS_WORDS = (" OK ", "ERROR", "FAIL", "Failure", "Error", "WARN", "Done.")


class BuildError(Exception):
    """The build stopped; the published warehouse is unchanged."""


@dataclass(frozen=True)
class ReportSummary:
    file: str
    targets: int
    results: int
    sections: int
    sentences: int
    warnings: tuple[str, ...]


@dataclass
class ExtractSummary:
    reports: list[ReportSummary] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)


@dataclass(frozen=True)
class BuildSummary:
    extract: ExtractSummary
    dbt_nodes: dict[str, int]
    expectations_passed: int
    expectations_evaluated: int
    warehouse: Path


def work_dir(reports_dir: Path) -> Path:
    """Where a build of a reports folder other than the bundled one keeps its files."""
    digest = hashlib.sha256(str(reports_dir.resolve()).encode()).hexdigest()[:12]
    return PROJECT_DIR / "build" / f"{reports_dir.resolve().name}-{digest}"


def seeds_dir_for(reports_dir: Path) -> Path:
    if reports_dir.resolve() == BUNDLED_REPORTS.resolve():
        return BUNDLED_SEEDS
    return work_dir(reports_dir) / "seeds"


def _summarise(file: str, report: ExtractedReport) -> ReportSummary:
    kinds: dict[str, int] = {}
    sentence_kind = {row["sentence_id"]: row["statement_kind"] for row in report.rows["sentences"]}
    for row in report.rows["quantities"]:
        kind = str(sentence_kind[row["sentence_id"]])
        kinds[kind] = kinds.get(kind, 0) + 1
    warnings = []
    if not report.rows["sections"]:
        warnings.append("no headings found: the whole text is read as plan")
    if not kinds.get("plan"):
        warnings.append("no targets found")
    return ReportSummary(
        file=file,
        targets=kinds.get("plan", 0),
        results=kinds.get("review", 0),
        sections=report.count("sections"),
        sentences=report.count("sentences"),
        warnings=tuple(warnings),
    )


def _issue_text(issues: list[LoadIssue]) -> str:
    lines = [f"  {i.source}{f':{i.line}' if i.line else ''}: {i.message}" for i in issues]
    return "\n".join(lines)


def extract(
    reports_dir: Path, seeds_dir: Path, keep_going: bool = False, progress: Progress = print
) -> ExtractSummary:
    """Read the manifest and every report, write the extracted seeds (all or nothing)."""
    regions = RegionIndex.from_csv(default_regions_path())
    manifest = read_manifest(reports_dir, regions)
    vocab = load_vocabulary()
    summary = ExtractSummary(issues=list(manifest.issues))
    extracted: list[ExtractedReport] = []
    for entry in manifest.entries:
        try:
            report = extract_report(entry, vocab)
        except LoaderError as error:
            where = f" (manifest.csv line {entry.row})"
            summary.issues.append(LoadIssue(source=entry.file, line=error.line, message=error.detail + where))
            progress(f"  rejected {error}")
            continue
        extracted.append(report)
        summary.reports.append(_summarise(entry.file, report))
        progress(f"  read {entry.file}: {summary.reports[-1].targets} targets")
    if summary.issues and not keep_going:
        raise BuildError(
            f"{len(summary.issues)} input problem(s); nothing was written "
            f"(use --keep-going to load the good reports):\n{_issue_text(summary.issues)}"
        )
    if not extracted:
        raise BuildError(f"no report could be loaded from {reports_dir}:\n{_issue_text(summary.issues)}")
    write_seed_set(seeds_dir, seed_tables(extracted, summary.issues))
    if seeds_dir != BUNDLED_SEEDS:
        shutil.copyfile(BUNDLED_SEEDS / SEED_PROPERTIES, seeds_dir / SEED_PROPERTIES)
    return summary


def check_seeds(reports_dir: Path = BUNDLED_REPORTS) -> list[str]:
    """Names of committed seed files that regenerating from reports_dir would change."""
    with tempfile.TemporaryDirectory() as scratch:
        extract(reports_dir, Path(scratch), progress=lambda _: None)
        return [
            path.name
            for path in sorted(Path(scratch).glob("*.csv"))
            if not (BUNDLED_SEEDS / path.name).exists()
            or (BUNDLED_SEEDS / path.name).read_bytes() != path.read_bytes()
        ]


def dbt_environment(database: Path, seeds_dir: Path) -> dict[str, str]:
    """The variables dbt_project.yml and profiles.yml read. The seed folder is given relative to the
    project: dbt writes each seed's compiled SQL to target/run/<project>/<seed path>, and an absolute
    seed path would make that the seed file itself."""
    env = dict(os.environ)
    env.update(
        GOVTARGETS_DB_PATH=str(database),
        GOVTARGETS_EXTRACTED_SEEDS=str(seeds_dir.resolve().relative_to(PROJECT_DIR)),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def run_dbt(database: Path, seeds_dir: Path, target_dir: Path, progress: Progress) -> dict[str, int]:
    """``dbt build`` into database; returns counts of node statuses; raises BuildError on failure."""
    dbt = Path(sys.executable).parent / "dbt"
    command = [
        str(dbt), "build", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(target_dir), "--log-path", str(target_dir / "logs"), "--no-use-colors",
        "--warn-error-options", '{"error": "all"}',
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        env=dbt_environment(database, seeds_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if any(word in line for word in _DBT_PROGRESS_WORDS):
            progress("  " + line.rstrip())
    process.wait()
    counts = _node_counts(target_dir / "run_results.json")
    if process.returncode != 0:
        raise BuildError(f"dbt build failed ({counts}); see {target_dir / 'logs' / 'dbt.log'}")
    return counts


def _node_counts(run_results: Path) -> dict[str, int]:
    if not run_results.exists():
        return {}
    counts: dict[str, int] = {}
    for result in json.loads(run_results.read_text(encoding="utf-8"))["results"]:
        kind = result["unique_id"].split(".")[0]
        key = f"{kind} {result['status']}"
        counts[key] = counts.get(key, 0) + 1
    return counts


def build(
    reports_dir: Path = BUNDLED_REPORTS,
    warehouse: Path = DEFAULT_WAREHOUSE,
    keep_going: bool = False,
    storage_version: str | None = None,
    wait: bool = False,
    progress: Progress = print,
) -> BuildSummary:
    """Extract, build, check and publish; the published warehouse changes only if all of it passed."""
    warehouse = warehouse.resolve()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    seeds_dir = seeds_dir_for(reports_dir)
    target_dir = seeds_dir.parent / "target" if seeds_dir != BUNDLED_SEEDS else PROJECT_DIR / "target"
    # One lock for the published file, one for the seed and dbt folders of this reports folder (two
    # builds of one folder into different warehouses would otherwise write the same seeds).
    with build_lock(warehouse, wait=wait), build_lock(seeds_dir, wait=wait):
        progress(f"extract: {reports_dir}")
        summary = extract(reports_dir, seeds_dir, keep_going, progress)
        with staging_area(warehouse) as candidate:
            progress(f"dbt build: {candidate}")
            nodes = run_dbt(candidate, seeds_dir, target_dir, progress)
            ready = (
                make_publishable(candidate, storage_version)
                if storage_version
                else make_publishable(candidate)
            )
            progress("expectations")
            quality = run_expectations(ready)
            if not quality.ok:
                raise BuildError("expectations failed:\n  " + "\n  ".join(quality.failures))
            publish(ready, warehouse)
    progress(f"published {warehouse}")
    return BuildSummary(summary, nodes, quality.passed, quality.evaluated, warehouse)
