"""The whole build: extract → dbt build → expectations → publish.

``extract`` reads the manifest and reports and writes the extracted seed CSVs. ``build`` runs it, then
``dbt build`` into a candidate DuckDB file inside a ``publication`` (see ``govtargets.publish``), which
checks the candidate, audits it with the great-expectations suite and only then replaces the published
warehouse. A failure anywhere leaves the published file as it was.
"""

from __future__ import annotations

import contextlib
import importlib
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from govtargets import postgres
from govtargets.dbt_runner import PGID_FILE, DbtError, DbtTarget, duckdb_target, run_dbt
from govtargets.extraction import Extracted, default_jobs, extract_entries
from govtargets.fingerprint import build_fingerprint, published_fingerprint
from govtargets.progress import ProgressLine
from govtargets.publish import (
    build_lock,
    check_storage_version,
    check_warehouse_path,
    publication,
    stop_orphan,
)
from govtargets.settings import (
    BUNDLED_REPORTS,
    BUNDLED_SEEDS,
    DEFAULT_WAREHOUSE,
    EXTRACT_CACHE,
    PRUNE_AFTER_SECONDS,
    SEED_PROPERTIES,
    BuildPaths,
    prune_work_dirs,
)
from govtargets.signals import Interrupted
from govtargets.vacuity import vacuous_dbt_tests, vacuous_tests
from loaders.cache import ExtractCache
from loaders.errors import LoadIssue
from loaders.extract import RenderedReport, seed_files
from loaders.manifest import read_manifest
from loaders.regions import RegionIndex, default_regions_path
from loaders.seeds import write_seed_set
from loaders.vocab import REFERENCE_DIR

if TYPE_CHECKING:
    from govtargets.quality import QualityResult

Progress = Callable[[str], None]


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
    cached: int = 0  # reports taken from the extraction cache


@dataclass(frozen=True)
class BuildSummary:
    extract: ExtractSummary
    dbt_nodes: dict[str, int]
    expectations_passed: int
    expectations_evaluated: int
    warehouse: Path | str  # the published DuckDB file, or the PostgreSQL database
    incremental: bool  # added to the published warehouse (see ``build``)


def _summarise(report: RenderedReport) -> ReportSummary:
    warnings = []
    if not report.sections:
        warnings.append("no headings found: kinds from sentence cues")
    if not report.targets:
        warnings.append("no targets found")
    return ReportSummary(
        file=report.source_file,
        targets=report.targets,
        results=report.results,
        sections=report.sections,
        sentences=report.sentences,
        warnings=tuple(warnings),
    )


LISTED = 20  # items a listing shows; the rest are counted


def listing(what: str, items: list[str], most: int = LISTED) -> str:
    """A bounded message: the first ``most`` items and how many more."""
    lines = [f"{len(items)} {what}:", *items[:most]]
    if len(items) > most:
        lines.append(f"… and {len(items) - most} more")
    return "\n  ".join(lines)


def _issue_text(issues: list[LoadIssue]) -> str:
    """The input problems, bounded like every other listing."""
    return listing("input problem(s)", [str(issue) for issue in issues])


def extract(
    reports_dir: Path,
    seeds_dir: Path,
    keep_going: bool = False,
    progress: Progress = print,
    jobs: int | None = None,
    cache_dir: Path | None = EXTRACT_CACHE,
) -> ExtractSummary:
    """Read the manifest and every report, write the extracted seeds (all or nothing).

    Reports come from the extraction cache (``cache_dir``; None for none) when it has them; the others
    are extracted by ``jobs`` worker processes (default: one per processor) and cached.
    """
    regions = RegionIndex.from_csv(default_regions_path())
    manifest = read_manifest(reports_dir, regions)
    summary = ExtractSummary(issues=list(manifest.issues))
    cache = ExtractCache(cache_dir) if cache_dir is not None else None
    if cache is not None:
        cache.prune(PRUNE_AFTER_SECONDS)
    line = ProgressLine("extract: reports", len(manifest.entries))
    rejected = 0

    def done(outcome: Extracted) -> None:
        nonlocal rejected
        if outcome.issue is not None:
            rejected += 1
            if rejected <= LISTED:  # the rest are counted below, and listed in the seed rejected_inputs
                line.clear()  # the message stands on a line of its own; the progress line is redrawn below it
                progress(f"  rejected {outcome.issue}")
        line.advance()

    try:
        outcomes = extract_entries(manifest.entries, cache, jobs or default_jobs(), done)
    finally:
        line.clear()
    if rejected > LISTED:
        progress(f"  … and {rejected - LISTED} more rejected")
    extracted: list[RenderedReport] = []
    for outcome in outcomes:
        if outcome.issue is not None:
            summary.issues.append(outcome.issue)
        elif outcome.report is not None:
            extracted.append(outcome.report)
            summary.reports.append(_summarise(outcome.report))
    summary.cached = sum(outcome.cached for outcome in outcomes)
    if summary.issues and not keep_going:
        raise BuildError(
            f"nothing was written (use --keep-going to load the good reports); {_issue_text(summary.issues)}"
        )
    if not extracted:
        raise BuildError(f"no report could be loaded from {reports_dir}; {_issue_text(summary.issues)}")
    write_seed_set(seeds_dir, seed_files(extracted, summary.issues))
    if seeds_dir != BUNDLED_SEEDS:
        shutil.copyfile(BUNDLED_SEEDS / SEED_PROPERTIES, seeds_dir / SEED_PROPERTIES)
    return summary


def check_seeds(reports_dir: Path = BUNDLED_REPORTS) -> list[str]:
    """Names of committed seed files that regenerating from reports_dir would change."""
    with tempfile.TemporaryDirectory() as scratch:
        extract(reports_dir, Path(scratch), progress=lambda _: None, cache_dir=None)  # the extractor itself
        return [
            path.name
            for path in sorted(Path(scratch).glob("*.csv"))
            if not (BUNDLED_SEEDS / path.name).exists()
            or (BUNDLED_SEEDS / path.name).read_bytes() != path.read_bytes()
        ]


def build(
    reports_dir: Path = BUNDLED_REPORTS,
    warehouse: Path = DEFAULT_WAREHOUSE,
    keep_going: bool = False,
    storage_version: str | None = None,
    wait: bool = False,
    progress: Progress = print,
    require_test_data: bool = False,
    jobs: int | None = None,
    cache_dir: Path | None = EXTRACT_CACHE,
    full_refresh: bool = False,
) -> BuildSummary:
    """Extract, build, check and publish; the published warehouse changes only if all of it passed.

    A warehouse built with the same project, extractor and libraries (``govtargets.fingerprint``) is
    added to: the build starts from a copy of it and rebuilds only what the reports feed, and the models
    that are incremental by report take only reports that are new or changed. ``full_refresh`` (or any
    other warehouse) builds from an empty file.

    With ``require_test_data`` a dbt test or an expectation that had no rows to check fails the build
    (see ``govtargets.vacuity``): the fixture build of ``make test`` runs so. ``jobs`` and ``cache_dir``
    are those of ``extract``.
    """
    paths = BuildPaths.for_reports(reports_dir, warehouse)
    check_warehouse_path(paths.warehouse)
    storage_version = check_storage_version(storage_version)
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    prune_work_dirs()
    quality = _Quality(require_test_data)
    fingerprint = build_fingerprint(storage_version)

    def base() -> Path | None:
        """The published warehouse, when the build may add to it."""
        if full_refresh or published_fingerprint(paths.warehouse) != fingerprint:
            return None
        return paths.warehouse

    # The reports folder has a lock of its own: two builds of one folder into different warehouses
    # would otherwise write the same seed and dbt folders.
    with (
        publication(
            paths.warehouse, quality.audit(progress), storage_version=storage_version, wait=wait, base=base
        ) as candidate,
        build_lock(paths.seeds, wait=wait, what=f"reports folder {paths.reports}"),
    ):
        progress(f"extract: {paths.reports}")
        summary = extract(paths.reports, paths.seeds, keep_going, progress, jobs, cache_dir)
        incremental = candidate.copied_from is not None
        _import_in_background("govtargets.quality")  # great-expectations takes seconds: while dbt runs
        progress(f"dbt build{' (incremental)' if incremental else ''}: {candidate.path}")
        try:
            nodes = run_dbt(
                duckdb_target(candidate.path), paths.seeds, paths.target, progress, fingerprint, incremental
            )
        except DbtError as error:
            raise BuildError(str(error)) from None
        if build_fingerprint(storage_version) != fingerprint:
            raise BuildError(
                "the project changed while it was being built (models, macros, seeds or the extractor): "
                "build again"
            )
        if require_test_data and (vacuous := vacuous_dbt_tests(paths.target, candidate.path)):
            raise BuildError(listing("dbt tests had no rows to check", vacuous))
    progress(f"published {paths.warehouse}")
    return BuildSummary(summary, nodes, quality.passed, quality.evaluated, paths.warehouse, incremental)


def build_postgres(
    reports_dir: Path = BUNDLED_REPORTS,
    dsn: str | None = None,
    keep_going: bool = False,
    wait: bool = False,
    progress: Progress = print,
    require_test_data: bool = False,
    jobs: int | None = None,
    cache_dir: Path | None = EXTRACT_CACHE,
) -> BuildSummary:
    """Extract, build, check and publish into a PostgreSQL database (``govtargets.postgres``): dbt builds
    every model in private schemas, and only once every test and expectation passed are they renamed into
    the published ones. Always a whole build: nothing is added to what is published."""
    paths = BuildPaths.for_reports(reports_dir)
    target_dir = paths.target / "postgres"
    target_dir.mkdir(parents=True, exist_ok=True)
    database = postgres.server(dsn)
    fingerprint = build_fingerprint("postgres")
    publication = postgres.Publication()
    try:
        with (
            postgres.build_session(database, wait) as session,
            build_lock(paths.seeds, wait=wait, what=f"reports folder {paths.reports}"),
        ):
            with session.cursor() as cur:
                for warning in postgres.prepare_reader_role(cur, database.name):
                    progress(f"warning: {warning}")
            progress(f"extract: {paths.reports}")
            summary = extract(paths.reports, paths.seeds, keep_going, progress, jobs, cache_dir)
            _import_in_background("govtargets.quality")
            postgres.check_lock(session, database.name)
            rows = postgres.copy_seeds(
                session, [*sorted(REFERENCE_DIR.glob("*.csv")), *sorted(paths.seeds.glob("*.csv"))]
            )
            progress(f"seeds: {rows} rows copied into {database.name}")
            progress(f"dbt build: {database.name}, schemas {postgres.BUILD_PREFIX}*")
            dbt_target = DbtTarget(
                "postgres",
                database.environment
                | {
                    "GOVTARGETS_SCHEMA_PREFIX": postgres.BUILD_PREFIX,
                    "GOVTARGETS_SEED_LOAD_SCHEMA": postgres.LOAD_SCHEMA,
                    "GOVTARGETS_DBT_APPLICATION": postgres.DBT_APPLICATION_NAME,
                },
                target_dir,
            )
            stop_orphan(target_dir / PGID_FILE)  # a dbt left running here by a build killed outright
            postgres.check_lock(session, database.name)
            try:
                nodes = run_dbt(dbt_target, paths.seeds, target_dir, progress, fingerprint)
            except DbtError as error:
                raise BuildError(str(error)) from None
            postgres.check_lock(session, database.name)
            if require_test_data and (vacuous := vacuous_tests(target_dir, postgres.counter(session))):
                raise BuildError(listing("dbt tests had no rows to check", vacuous))
            quality = _Quality(require_test_data)
            quality.audit_postgres(progress, database)
            postgres.publish(session, database.name, publication)
    except Interrupted as stop:
        if publication.committed:
            stop.published = database.name
        raise
    progress(f"published {database.name}")
    return BuildSummary(summary, nodes, quality.passed, quality.evaluated, database.name, incremental=False)


def _import_in_background(module: str) -> None:
    """Start importing a module in a thread; whoever imports it next waits for that import to finish
    (or, if it failed, meets its error again). Only once the extraction's worker processes are gone:
    a process forked while a thread imports would inherit the import lock held."""

    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module(module)

    threading.Thread(target=load, name=f"import {module}", daemon=True).start()


@dataclass
class _Quality:
    """The great-expectations audit of a candidate, and its counts once it has run."""

    require_test_data: bool
    passed: int = 0
    evaluated: int = 0

    def audit(self, progress: Progress) -> Callable[[Path], None]:
        def check(ready: Path) -> None:
            from govtargets import quality  # great-expectations takes seconds to import: only when used

            progress("expectations")
            self._record(quality.run_expectations(ready))

        return check

    def audit_postgres(self, progress: Progress, database: postgres.Server) -> None:
        from govtargets import quality

        progress("expectations")
        try:
            result = quality.run_expectations_postgres(
                database.sqlalchemy_url(), postgres.private_schema("marts")
            )
        except Exception as error:  # GX, SQLAlchemy or the driver: one line, nothing published
            raise BuildError(
                f"the expectations could not run on {database.name}: {postgres.first_line(error)}"
            ) from None
        self._record(result)

    def _record(self, result: QualityResult) -> None:
        if not result.ok:
            raise BuildError(listing("expectations failed", result.failures))
        if self.require_test_data and result.vacuous:
            raise BuildError(listing("expectations had no rows to check", result.vacuous))
        self.passed, self.evaluated = result.passed, result.evaluated
