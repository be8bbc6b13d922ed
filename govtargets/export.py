"""Export the marts to Parquet, one file per table, for tools that cannot read DuckDB."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from loaders.errors import LoaderError

MARTS_SCHEMA = "marts"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _export_table(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> Path:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        con.execute(f"COPY {_ident(MARTS_SCHEMA)}.{_ident(table)} TO ? (FORMAT parquet)", [str(temporary)])
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def export_parquet(warehouse: Path, out_dir: Path) -> list[Path]:
    """Write every table of the ``marts`` schema to ``out_dir/<table>.parquet``; return the files.

    The warehouse is opened read-only. Each file is written under a temporary name and renamed into
    place, so a reader of ``out_dir`` sees either the previous export of a table or the new one.
    """
    if not warehouse.is_file():
        raise LoaderError(str(warehouse), "no warehouse here: run `govtargets build` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = ? order by table_name", [MARTS_SCHEMA]
        ).fetchall()
        out_dir.mkdir(parents=True, exist_ok=True)
        return [_export_table(con, table, out_dir / f"{table}.parquet") for (table,) in tables]
