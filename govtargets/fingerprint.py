"""What a warehouse is built with, so that the next build knows whether it may add to it.

A build records ``build_fingerprint`` in ``marts.rpt_build``. The next build of the same warehouse, with
the same fingerprint, starts from a copy of it and rebuilds only the reports that are new, changed or
gone (incremental by report); any other build starts from an empty file. The fingerprint covers all that
decides a row besides the reports themselves: the dbt project (models, macros, tests, reference seeds,
settings), the extractor (``loaders.cache.extractor_version``), the versions of dbt and DuckDB, and the
storage version the file is written in.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import duckdb

from govtargets.settings import PROJECT_DIR, SEED_PROPERTIES
from loaders.cache import extractor_version

# The files of the dbt project that decide what a build makes, relative to the project.
_PROJECT_INPUTS = (
    "dbt_project.yml", "profiles.yml", "models", "macros", "tests/dbt", "seeds/reference",
    f"seeds/extracted/{SEED_PROPERTIES}",
)  # fmt: skip
# dbt-adapters holds the global macros (materializations, is_incremental) and dbt-common their helpers.
_LIBRARIES = ("dbt-core", "dbt-adapters", "dbt-common", "dbt-duckdb", "duckdb")


def _project_files(project: Path) -> list[Path]:
    files = []
    for name in _PROJECT_INPUTS:
        path = project / name
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return files


def build_fingerprint(storage_version: str, project: Path = PROJECT_DIR) -> str:
    """The fingerprint of a build with this project, extractor and libraries, in ``storage_version``."""
    digest = hashlib.sha256()
    for path in _project_files(project):
        digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"extractor={extractor_version()}\0storage={storage_version}\0".encode())
    for library in _LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}\0".encode())
    return digest.hexdigest()


def published_fingerprint(warehouse: Path) -> str | None:
    """The fingerprint recorded in a published warehouse; None when there is none or it cannot be read."""
    if not warehouse.is_file():
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            found = con.execute("select build_fingerprint from marts.rpt_build").fetchall()
    except duckdb.Error:
        return None
    return str(found[0][0]) if len(found) == 1 else None
