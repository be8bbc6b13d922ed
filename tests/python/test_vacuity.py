"""The check that names dbt tests which had nothing to check, on a hand-made manifest and database."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from govtargets.vacuity import vacuous_dbt_tests


def _model(name: str) -> dict[str, object]:
    return {"resource_type": "model", "schema": "marts", "name": name, "alias": name}


def _test(
    name: str, models: list[str], column: str | None = None, generic: str | None = None
) -> dict[str, object]:
    return {
        "resource_type": "test",
        "name": name,
        "depends_on": {"nodes": [f"model.p.{m}" for m in models]},
        "attached_node": f"model.p.{models[0]}" if column or generic else None,
        "column_name": column,
        "test_metadata": {"name": generic} if generic else None,
    }


TESTS = {
    "test.p.not_null_full_id": _test("not_null_full_id", ["full"], "id", "not_null"),
    "test.p.accepted_full_kind": _test("accepted_full_kind", ["full"], "kind", "accepted_codes"),
    "test.p.accepted_full_upper": _test("accepted_full_upper", ["full"], "upper", "accepted_codes"),
    "test.p.not_null_empty_id": _test("not_null_empty_id", ["empty"], "id", "not_null"),
    "test.p.assert_disjoint": _test("assert_disjoint", ["full", "empty"]),
    "test.p.assert_full_only": _test("assert_full_only", ["full"]),
    "test.p.not_run": _test("not_run", ["empty"]),
}


def _target(tmp_path: Path) -> tuple[Path, Path]:
    target = tmp_path / "target"
    target.mkdir()
    nodes = {"model.p.full": _model("full"), "model.p.empty": _model("empty"), **TESTS}
    (target / "manifest.json").write_text(json.dumps({"nodes": nodes}), encoding="utf-8")
    executed = [{"unique_id": uid, "status": "pass"} for uid in TESTS if uid != "test.p.not_run"]
    executed.append({"unique_id": "unit_test.p.full.some_unit_test", "status": "pass"})
    (target / "run_results.json").write_text(json.dumps({"results": executed}), encoding="utf-8")
    database = tmp_path / "db.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute(
            """
            create schema marts;
            create table marts.full as select 1 as id, 'a' as kind, cast(null as double) as upper;
            create table marts.empty (id integer);
            """
        )
    return target, database


def test_tests_on_empty_models_and_null_columns_are_named(tmp_path: Path) -> None:
    target, database = _target(tmp_path)
    assert vacuous_dbt_tests(target, database) == [
        'dbt test accepted_full_upper: no rows to check in marts."full".upper',
        'dbt test assert_disjoint: no rows to check in marts."empty"',
        'dbt test not_null_empty_id: no rows to check in marts."empty"',
    ]


def test_nothing_is_named_once_every_model_has_rows(tmp_path: Path) -> None:
    target, database = _target(tmp_path)
    with duckdb.connect(str(database)) as con:
        con.execute("insert into marts.empty values (1); update marts.full set upper = 2")
    assert vacuous_dbt_tests(target, database) == []
