"""``python -m govtargets.dbt_main ARGS``: dbt's own command line, run by this environment's Python.

The build starts dbt through it (``govtargets.dbt_runner``) so that dbt is the one installed beside the
build, whatever ``dbt`` the PATH holds. Seeds never pass through Python's csv module: the seed
materialization (macros/materializations/seed.sql) loads them with DuckDB's read_csv, so a report's
whole text fits in a field of any length.
"""

from __future__ import annotations

import sys

from dbt.cli.main import cli

if __name__ == "__main__":
    sys.argv[0] = "dbt"
    sys.exit(cli())
