"""Open a DuckDB file read-only with whatever duckdb this python has; print what it can read as JSON.

Run by the compatibility tests with an older DuckDB (``make test`` installs one in .venv-compat): ``python compat_reader.py PATH``
prints ``{"duckdb_version": …, "marts": {table: rows}, "views": {schema.view: rows}}``.
Needs nothing but the ``duckdb`` package.
"""

from __future__ import annotations

import json
import sys

import duckdb


def main(path: str) -> None:
    con = duckdb.connect(path, read_only=True)
    tables = con.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts' order by table_name"
    ).fetchall()
    views = con.execute(
        "select schema_name, view_name from duckdb_views() where not internal order by all"
    ).fetchall()
    report = {
        "duckdb_version": duckdb.__version__,
        "marts": {t: con.execute(f'select count(*) from marts."{t}"').fetchall()[0][0] for (t,) in tables},
        "views": {
            f"{s}.{v}": con.execute(f'select count(*) from "{s}"."{v}"').fetchall()[0][0] for s, v in views
        },
    }
    con.close()
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
