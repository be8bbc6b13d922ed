"""Where everything lives: the one place that knows the project's folders.

A build is described by ``BuildPaths``: the reports folder it reads, the seed folder it writes, dbt's
target folder and the published warehouse. The bundled reports write the committed ``seeds/extracted``;
any other reports folder gets a work folder of its own under ``build/``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from loaders.vocab import REFERENCE_DIR

PROJECT_DIR = REFERENCE_DIR.parent.parent
BUNDLED_REPORTS = PROJECT_DIR / "reports"
BUNDLED_SEEDS = PROJECT_DIR / "seeds" / "extracted"
SEED_PROPERTIES = "_extracted__seeds.yml"
DEFAULT_WAREHOUSE = PROJECT_DIR / "warehouse" / "govtargets.duckdb"
WORK_ROOT = PROJECT_DIR / "build"
# Extracted reports by file and extractor version (loaders.cache); GOVTARGETS_EXTRACT_CACHE moves it.
EXTRACT_CACHE = Path(os.environ.get("GOVTARGETS_EXTRACT_CACHE") or WORK_ROOT / "extract-cache")
# dbt's files of the explorer's docs (govtargets.site.docs).
DOCS_TARGET = WORK_ROOT / "site-docs" / "target"
# A work folder of another reports folder that no build has touched for this long is removed.
PRUNE_AFTER_SECONDS = 7 * 24 * 3600
_WORK_DIR_NAME = re.compile(r".+-[0-9a-f]{12}")
_PLAIN = re.compile(r"[^\w.-]")  # what a work folder's name does not keep of its reports folder's


def work_dir(reports_dir: Path) -> Path:
    """Where a build of a reports folder other than the bundled one keeps its seeds and dbt files:
    ``build/<folder>-<hash>``, the folder's name with every character but letters, digits, - _ and .
    made a _. The seed files' path reaches SQL (read_csv, which globs it), and no escape makes DuckDB's
    glob match a backslash; the hash of the whole path keeps two folders apart."""
    resolved = reports_dir.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    return WORK_ROOT / f"{_PLAIN.sub('_', resolved.name)}-{digest}"


def prune_work_dirs(max_age: float = PRUNE_AFTER_SECONDS, root: Path = WORK_ROOT) -> list[Path]:
    """Remove work folders (``build/<name>-<hash>``) unused for ``max_age`` seconds and not locked by a
    running build; returns what was removed."""
    removed = []
    now = time.time()
    for folder in sorted(root.glob("*-*")) if root.is_dir() else []:
        if not (_WORK_DIR_NAME.fullmatch(folder.name) and folder.is_dir()):
            continue
        if now - _last_used(folder) > max_age and not _in_use(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _last_used(folder: Path) -> float:
    """When a build last used the folder: its seeds lock is rewritten by every build."""
    lock = folder / ".seeds.lock"
    return (lock if lock.exists() else folder).stat().st_mtime


def _in_use(folder: Path) -> bool:
    """Whether a build holds the lock of the folder's seeds (see govtargets.publish.build_lock)."""
    lock = folder / ".seeds.lock"
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


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
