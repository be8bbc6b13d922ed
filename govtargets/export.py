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
    if out_dir.exists() and not out_dir.is_dir():
        raise LoaderError(str(out_dir), "is a file: name a folder for the Parquet files")
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        raise LoaderError(str(warehouse), _cannot_open(error)) from None
    with con:
        tables = _mart_tables(con, warehouse)
        out_dir.mkdir(parents=True, exist_ok=True)
        return [_export_table(con, table, out_dir / f"{table}.parquet") for table in tables]


def _mart_tables(con: duckdb.DuckDBPyConnection, warehouse: Path) -> list[str]:
    """The tables of the marts schema, by name; an error when there are none, as nothing would be written."""
    tables = con.execute(
        "select table_name from duckdb_tables() where schema_name = ? order by table_name", [MARTS_SCHEMA]
    ).fetchall()
    if tables:
        return [table for (table,) in tables]
    schemas = con.execute("select 1 from duckdb_schemas() where schema_name = ?", [MARTS_SCHEMA]).fetchall()
    if not schemas:
        raise LoaderError(
            str(warehouse),
            f"has no {MARTS_SCHEMA} schema: not a govtargets warehouse; name one with --warehouse",
        )
    raise LoaderError(
        str(warehouse),
        f"its {MARTS_SCHEMA} schema has no tables: build the warehouse again (`govtargets build`)",
    )


def _cannot_open(error: duckdb.Error) -> str:
    text = str(error)
    if "lock" in text.lower():
        return "a process holds the warehouse open for writing; close it (the published file is read-only)"
    if "not a valid DuckDB database" in text or "database file" in text.lower():
        return "not a DuckDB warehouse file"
    return f"cannot open: {text.splitlines()[0]}"
