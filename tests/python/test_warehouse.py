"""The published warehouse as its users see it: schemas, documented columns, a second process reading
it read-only, an older DuckDB opening it, and rebuilds that change nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from govtargets.pipeline import build

MARTS = {"fct_targets", "fct_results", "fct_target_outcomes", "dim_report", "dim_report_text", "dim_district",
         "dim_domain", "dim_unit", "dim_indicator", "rpt_targets_by_district_year_domain", "rpt_target_cascade",
         "rpt_indicator_series", "rpt_load_issues", "rpt_build"}  # fmt: skip
COMPILED_TESTS = Path(__file__).resolve().parents[2] / "target" / "compiled" / "govtargets" / "models"


def _query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_a_second_process_opens_it_read_only(warehouse: Path) -> None:
    script = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(c.execute('select count(*) from marts.fct_targets').fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(warehouse)], capture_output=True, text=True, check=True
    )
    assert int(result.stdout) > 0


def test_schemas_and_marts(warehouse: Path) -> None:
    schemas = {row[0] for row in _query(warehouse, "select schema_name from duckdb_schemas()")}
    assert {"seeds", "staging", "intermediate", "marts"} <= schemas
    tables = {
        row[0]
        for row in _query(warehouse, "select table_name from duckdb_tables() where schema_name = 'marts'")
    }
    assert tables == MARTS


def test_every_relation_and_column_is_documented(warehouse: Path) -> None:
    undocumented = _query(
        warehouse,
        """
        select schema_name || '.' || table_name || '.' || column_name
        from duckdb_columns()
        where schema_name in ('seeds', 'staging', 'intermediate', 'marts') and coalesce(comment, '') = ''
        union all
        select schema_name || '.' || table_name from duckdb_tables()
        where schema_name in ('seeds', 'intermediate', 'marts') and coalesce(comment, '') = ''
        union all
        select schema_name || '.' || view_name from duckdb_views()
        where schema_name = 'staging' and coalesce(comment, '') = ''
        """,
    )
    assert undocumented == []


def test_every_target_points_back_to_its_text(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        """
        select r.report_text, t.char_start, t.char_end, t.clause
        from marts.fct_targets t join marts.dim_report_text r using (report_id)
        """,
    )
    assert rows
    assert all(text[start:end] == clause for text, start, end, clause in rows)


@pytest.mark.skipif(
    not os.environ.get("GOVTARGETS_COMPAT_PYTHON"),
    reason="set GOVTARGETS_COMPAT_PYTHON to a python with duckdb 1.4.x (`make test` does)",
)
def test_an_older_duckdb_reads_the_published_warehouse(warehouse: Path) -> None:
    reader = Path(__file__).with_name("compat_reader.py")
    python = os.environ["GOVTARGETS_COMPAT_PYTHON"]
    result = subprocess.run(
        [python, str(reader), str(warehouse)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["duckdb_version"].startswith("1.4")
    assert report["marts"]["fct_targets"] == _query(warehouse, "select count(*) from marts.fct_targets")[0][0]


# Holds the warehouse open read-only and queries it until told to stop on stdin; then reports what it saw.
READER = r"""
import json, sys, threading, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
query = "select count(*) from marts.fct_targets"
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
print(con.execute(query).fetchall()[0][0], flush=True)
queries, errors = 0, []
while not stop.is_set():
    try:
        con.execute(query).fetchall()
        queries += 1
    except Exception as error:
        errors.append(repr(error))
print(json.dumps({"queries": queries, "errors": errors}), flush=True)
"""


@pytest.mark.slow
def test_a_build_publishes_while_a_reader_holds_the_warehouse(warehouse: Path, tmp_path: Path) -> None:
    """A real second process keeps reading the published file while a whole build replaces it; the
    rebuilt marts are identical to the first build's (same target_ids)."""
    published = tmp_path / "govtargets.duckdb"
    shutil.copyfile(warehouse, published)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdin is not None and reader.stdout is not None
    assert int(reader.stdout.readline()) > 0
    build(warehouse=published, progress=lambda _: None)
    reader.stdin.write("stop\n")
    reader.stdin.flush()
    seen = json.loads(reader.stdout.readline())
    reader.wait(timeout=30)
    assert seen["errors"] == []
    assert seen["queries"] > 0
    for mart in ("fct_targets", "dim_report", "rpt_targets_by_district_year_domain"):
        sql = f"select * from marts.{mart} order by all"
        assert _query(published, sql) == _query(warehouse, sql), mart


def test_the_one_scan_not_null_test_names_each_column_with_nulls(warehouse: Path, tmp_path: Path) -> None:
    """not_null_columns (macros/generic_tests) as dbt compiled it for dim_district: nothing on the built
    warehouse, and each column with its count of nulls once some are put in."""
    (compiled,) = (COMPILED_TESTS / "marts" / "_marts__models.yml").glob(
        "not_null_columns_dim_district_*.sql"
    )
    copy = tmp_path / warehouse.name  # the compiled SQL names the catalog after the file
    shutil.copyfile(warehouse, copy)
    sql = compiled.read_text(encoding="utf-8")
    with duckdb.connect(str(copy)) as con:
        assert con.execute(sql).fetchall() == []
        con.execute("update marts.dim_district set name_en = null where district_code = '440300'")
        con.execute("update marts.dim_district set level = null where district_code in ('440304', '440305')")
        assert sorted(con.execute(sql).fetchall()) == [("level", 2), ("name_en", 1)]


def test_the_build_is_recorded(warehouse: Path) -> None:
    from govtargets.fingerprint import build_fingerprint
    from govtargets.publish import configured_storage_version

    ((fingerprint, reports),) = _query(
        warehouse, "select build_fingerprint, report_count from marts.rpt_build"
    )
    assert fingerprint == build_fingerprint(configured_storage_version())
    assert reports == _query(warehouse, "select count(*) from marts.dim_report")[0][0] > 0
