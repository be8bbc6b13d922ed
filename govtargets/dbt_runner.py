"""Run ``dbt build`` as a child process against a given DuckDB file (or PostgreSQL database) and seed folder.

dbt runs in a process group of its own. When the build is stopped (an exception, Ctrl-C, or SIGTERM or
SIGHUP turned into ``Interrupted`` by ``govtargets.signals``), the whole group is ended before the
build's folders are cleaned up, so no dbt process outlives its build. The group id is written to a file in
the build's staging folder, so that the next build can end the dbt of a build that was killed outright
(SIGKILL), whose own clean-up never ran (see ``govtargets.publish.remove_stale_builds``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from govtargets.processes import STOP_GRACE_SECONDS, stop_group
from govtargets.settings import PROJECT_DIR
from loaders.cache import extractor_version

Progress = Callable[[str], None]
# dbt output lines worth passing on: seeds and models built, and anything that went wrong.
_DBT_PROGRESS_WORDS = (" OK ", "ERROR", "FAIL", "Failure", "Error", "WARN", "Done.")
PGID_FILE = "dbt.pgid"


class DbtError(Exception):
    """dbt build failed; the message says where its log is."""


@dataclass(frozen=True)
class DbtTarget:
    """Where dbt builds: an output of profiles.yml, the variables it reads, and the folder dbt runs in."""

    output: str
    variables: dict[str, str]
    work_dir: Path


def duckdb_target(database: Path) -> DbtTarget:
    """A DuckDB file, given by its name alone, dbt running in its folder: every build's candidate is in a
    folder of its own, and a profile that names it in full would differ from build to build, which makes
    dbt parse the whole project again instead of only what changed."""
    return DbtTarget("dev", {"GOVTARGETS_DB_PATH": database.name}, database.parent)


def dbt_environment(target: DbtTarget, seeds_dir: Path, fingerprint: str = "none") -> dict[str, str]:
    """The variables dbt_project.yml and profiles.yml read. The seed folder is given relative to the
    project: dbt writes each seed's compiled SQL to target/run/<project>/<seed path>, and an absolute
    seed path would make that the seed file itself. The build's fingerprint (``govtargets.fingerprint``)
    goes into marts.rpt_build, and the extractor's version into each report's version (stg_reports)."""
    env = dict(os.environ)
    env.update(
        target.variables,
        GOVTARGETS_EXTRACTED_SEEDS=str(seeds_dir.resolve().relative_to(PROJECT_DIR)),
        GOVTARGETS_BUILD_FINGERPRINT=fingerprint,
        GOVTARGETS_EXTRACTOR_VERSION=extractor_version(),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


# An incremental build reloads the extracted seeds and rebuilds and tests what depends on them. The
# reference seeds, the models only they feed, their tests and the unit tests (which read no warehouse
# data) passed in the build it adds to, with the same project (the same fingerprint).
INCREMENTAL_SELECTION = ("--select", "tag:extracted+", "--exclude-resource-type", "unit_test")


def _command(output: str, target_dir: Path, incremental: bool) -> list[str]:
    return [
        sys.executable, "-m", "govtargets.dbt_main", "build",
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--target", output,
        "--target-path", str(target_dir), "--log-path", str(target_dir / "logs"), "--no-use-colors",
        "--warn-error-options", '{"error": "all"}',
        *(INCREMENTAL_SELECTION if incremental else ()),
    ]  # fmt: skip


def run_dbt(
    target: DbtTarget,
    seeds_dir: Path,
    target_dir: Path,
    progress: Progress,
    fingerprint: str = "none",
    incremental: bool = False,
) -> dict[str, int]:
    """``dbt build`` into the target (only what the extracted seeds feed, when ``incremental``); returns
    counts of node statuses; raises DbtError on failure."""
    process = subprocess.Popen(
        _command(target.output, target_dir, incremental),
        env=dbt_environment(target, seeds_dir, fingerprint),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        cwd=target.work_dir,
    )
    pgid_file = target.work_dir / PGID_FILE
    try:
        pgid_file.write_text(f"{process.pid}\n", encoding="ascii")
        assert process.stdout is not None
        for line in process.stdout:
            if any(word in line for word in _DBT_PROGRESS_WORDS):
                progress("  " + line.rstrip())
        process.wait()
    finally:
        # A stop from outside (or any error here) must not leave dbt's group writing on. After dbt has
        # exited, what is left in its group is helpers (multiprocessing's resource tracker, which ignores
        # SIGTERM): they are killed at once.
        stop_group(process.pid, grace=0 if process.poll() is not None else STOP_GRACE_SECONDS)
        process.wait()
        pgid_file.unlink(missing_ok=True)
    counts = node_counts(target_dir / "run_results.json")
    if process.returncode != 0:
        raise DbtError(f"dbt build failed ({counts}); see {target_dir / 'logs' / 'dbt.log'}")
    return counts


def node_counts(run_results: Path) -> dict[str, int]:
    """Counts of 'kind status' (``test pass``, ``model success`` …) in dbt's run_results.json."""
    if not run_results.exists():
        return {}
    counts: dict[str, int] = {}
    for result in json.loads(run_results.read_text(encoding="utf-8"))["results"]:
        kind = result["unique_id"].split(".")[0]
        key = f"{kind} {result['status']}"
        counts[key] = counts.get(key, 0) + 1
    return counts
