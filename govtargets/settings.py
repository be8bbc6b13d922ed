"""Where everything lives: the one place that knows the project's folders.

A build is described by ``BuildPaths``: the reports folder it reads, the seed folder it writes, dbt's
target folder and the published warehouse. The bundled reports write the committed ``seeds/extracted``;
any other reports folder gets a work folder of its own under ``build/``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from loaders.vocab import REFERENCE_DIR

PROJECT_DIR = REFERENCE_DIR.parent.parent
BUNDLED_REPORTS = PROJECT_DIR / "reports"
BUNDLED_SEEDS = PROJECT_DIR / "seeds" / "extracted"
SEED_PROPERTIES = "_extracted__seeds.yml"
DEFAULT_WAREHOUSE = PROJECT_DIR / "warehouse" / "govtargets.duckdb"
WORK_ROOT = PROJECT_DIR / "build"


def work_dir(reports_dir: Path) -> Path:
    """Where a build of a reports folder other than the bundled one keeps its seeds and dbt files."""
    digest = hashlib.sha256(str(reports_dir.resolve()).encode()).hexdigest()[:12]
    return WORK_ROOT / f"{reports_dir.resolve().name}-{digest}"


def is_bundled(reports_dir: Path) -> bool:
    return reports_dir.resolve() == BUNDLED_REPORTS.resolve()


def seeds_dir_for(reports_dir: Path) -> Path:
    return BUNDLED_SEEDS if is_bundled(reports_dir) else work_dir(reports_dir) / "seeds"


def target_dir_for(reports_dir: Path) -> Path:
    return PROJECT_DIR / "target" if is_bundled(reports_dir) else work_dir(reports_dir) / "target"


@dataclass(frozen=True)
class BuildPaths:
    """The folders and files one build reads and writes."""

    reports: Path
    seeds: Path
    target: Path
    warehouse: Path

    @classmethod
    def for_reports(cls, reports_dir: Path, warehouse: Path = DEFAULT_WAREHOUSE) -> BuildPaths:
        return cls(
            reports=reports_dir,
            seeds=seeds_dir_for(reports_dir),
            target=target_dir_for(reports_dir),
            warehouse=warehouse.resolve(),
        )
