"""BI access to the published warehouse, tested as a BI tool connects: a separate process using
SQLAlchemy 2.0 + duckdb-engine, read-only, with no connection pool (tests/python/bi_client.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

CLIENT = Path(__file__).with_name("bi_client.py")


@pytest.fixture(scope="module")
def seen(warehouse: Path) -> dict:
    result = subprocess.run(
        [sys.executable, str(CLIENT), str(warehouse)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_lists_the_marts_and_staging_views(seen: dict) -> None:
    assert {"marts", "staging", "intermediate", "seeds"} <= {name.split(".")[-1] for name in seen["schemas"]}
    assert {"fct_targets", "fct_results", "dim_district", "dim_unit", "rpt_load_issues"} <= set(seen["marts"])
    assert "stg_quantities" in seen["staging_views"]


def test_column_comments_from_dbt_descriptions_reach_the_client(seen: dict, warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        expected = dict(
            connection.execute(
                "select column_name, comment from duckdb_columns() "
                "where schema_name = 'marts' and table_name = 'fct_targets'"
            ).fetchall()
        )
    assert seen["columns"] == expected
    assert all(seen["columns"].values())
    assert "(原文)" in seen["columns"]["clause"]
    assert seen["table_comment"].startswith("One row per quantified target")


def test_a_dashboard_query_runs(seen: dict) -> None:
    rows = seen["dashboard"]
    assert rows and all(len(row) == 3 for row in rows)
    assert {row[0] for row in rows} == {"福田区", "罗湖区"}
    assert sum(row[2] for row in rows) > 0


def test_the_connection_is_read_only(seen: dict) -> None:
    assert "read-only" in seen["write"]
