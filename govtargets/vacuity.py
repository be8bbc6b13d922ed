"""Checks that check nothing: a dbt test or an expectation whose model (or column) has no rows to look at.

A test on an empty model passes whatever the model's logic does. ``vacuous_dbt_tests`` reads dbt's
``manifest.json`` and ``run_results.json`` after a build and names every executed data test whose model
has no rows, or, for a column test other than ``not_null``, whose column has no non-null value. A build of
a reports folder made to exercise every test (``tests/fixtures/reports``) runs with this check, so a test
that has nothing to check fails the build.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

# Tests whose point is the presence of nulls: a column of nulls gives them something to check.
_NULL_TESTS = frozenset({"not_null"})


@dataclass(frozen=True)
class _TestedRelation:
    test: str
    relation: str  # schema.name, without the catalog
    column: str | None


def _relation(node: dict[str, Any]) -> str:
    return f'{node["schema"]}."{node.get("alias") or node["name"]}"'


def _tested_relations(manifest: dict[str, Any], executed: set[str]) -> list[_TestedRelation]:
    nodes = manifest["nodes"]
    tested = []
    for unique_id in sorted(executed):
        test = nodes.get(unique_id)
        if test is None or test["resource_type"] != "test":
            continue  # unit tests bring their own rows
        models = [nodes[n] for n in test["depends_on"]["nodes"] if n in nodes]
        attached = nodes.get(test.get("attached_node") or "")
        metadata = test.get("test_metadata") or {}
        column = test.get("column_name") if metadata.get("name") not in _NULL_TESTS else None
        for model in [attached] if attached else models:
            tested.append(
                _TestedRelation(test["name"], _relation(model), column if model is attached else None)
            )
    return tested


def _count_query(relation: str, column: str | None) -> str:
    what = f'count("{column}")' if column else "count(*)"
    return f"select {what} from {relation}"


def vacuous_tests(target_dir: Path, count: Callable[[str], int]) -> list[str]:
    """Executed data tests of the last dbt run in ``target_dir`` that had no rows to check, ``count``
    running a count query in the database they ran in."""
    manifest = json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))["results"]
    executed = {result["unique_id"] for result in results}
    vacuous = []
    for tested in _tested_relations(manifest, executed):
        if count(_count_query(tested.relation, tested.column)) == 0:
            where = f"{tested.relation}.{tested.column}" if tested.column else tested.relation
            vacuous.append(f"dbt test {tested.test}: no rows to check in {where}")
    return vacuous


def vacuous_dbt_tests(target_dir: Path, database: Path) -> list[str]:
    """``vacuous_tests`` of a build into the DuckDB file ``database``."""
    with duckdb.connect(str(database), read_only=True) as con:

        def count(query: str) -> int:
            row = con.execute(query).fetchone()
            return int(row[0]) if row else 0

        return vacuous_tests(target_dir, count)
