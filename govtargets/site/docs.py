"""The dbt docs of a warehouse (``dbt docs generate --static``): lineage and column documentation in one
self-contained HTML file, for the explorer to link to.

dbt's catalog step opens the database read-write, and the published file is read-only by contract, so
docs are generated from a copy. dbt keeps its parse in ``build/site-docs``, so a second run parses only
what changed; a lock keeps two runs from writing it at once.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from govtargets.dbt_runner import dbt_environment, duckdb_target
from govtargets.processes import STOP_GRACE_SECONDS, stop_group
from govtargets.publish import build_lock
from govtargets.settings import BUNDLED_SEEDS, DOCS_TARGET, PROJECT_DIR
from loaders.errors import LoaderError


class DocsError(LoaderError):
    """dbt docs generate failed; the message says where its log is."""


def generate_docs(warehouse: Path, scratch: Path, out_file: Path) -> None:
    """Write the static dbt docs of ``warehouse`` to ``out_file``, working in the folder ``scratch``."""
    copy = scratch / warehouse.name  # the catalog is named after the file, as in the build
    shutil.copyfile(warehouse, copy)
    command = [
        sys.executable, "-m", "govtargets.dbt_main", "docs", "generate", "--static",
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(DOCS_TARGET), "--log-path", str(DOCS_TARGET / "logs"), "--no-use-colors",
    ]  # fmt: skip
    DOCS_TARGET.mkdir(parents=True, exist_ok=True)
    with build_lock(DOCS_TARGET, wait=True, what="dbt docs folder"):
        process = subprocess.Popen(
            command,
            env=dbt_environment(duckdb_target(copy), BUNDLED_SEEDS),
            cwd=scratch,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            process.wait()
        finally:
            # stopped from outside (or an error here): dbt's group goes too, as in a build
            stop_group(process.pid, grace=0 if process.poll() is not None else STOP_GRACE_SECONDS)
        if process.returncode != 0:
            raise DocsError(
                str(warehouse), f"dbt docs generate failed; see {DOCS_TARGET / 'logs' / 'dbt.log'}"
            )
        shutil.copyfile(DOCS_TARGET / "static_index.html", out_file)
