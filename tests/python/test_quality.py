"""The great-expectations suites: sound marts pass; proportions and values out of bounds fail, naming the
suite and column; a suite with nothing to check is reported as vacuous."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from govtargets.quality import MIN_DISTRICTS, SUITES, VALUE_BOUNDS, run_expectations

KINDS = {kind: f"unit_{kind}" for kind in VALUE_BOUNDS}
STATEMENTS = "report_id varchar, domain_code varchar, unit_code varchar, value_base double"


def _marts(path: Path, targets_per_kind: int = 2) -> Path:
    """Marts with one 100,000-character report whose statements cover every bounded quantity kind."""
    rows = ", ".join(
        f"('r1', '{'education' if i % 2 else 'economy'}', '{unit}', {i + 1}.0)"
        for unit in KINDS.values()
        for i in range(targets_per_kind)
    )
    units = ", ".join(f"('{unit}', '{kind}')" for kind, unit in KINDS.items())
    with duckdb.connect(str(path)) as con:
        con.execute(
            f"""
            create schema marts;
            create table marts.fct_targets ({STATEMENTS});
            insert into marts.fct_targets values {rows};
            create table marts.fct_results ({STATEMENTS});
            insert into marts.fct_results select * from marts.fct_targets;
            create table marts.dim_report as select 'r1' as report_id, 100000 as char_count;
            create table marts.dim_unit as select * from (values {units}) t(unit_code, quantity_kind);
            create table marts.dim_domain as select * from (values
                ('economy', false), ('education', false), ('unclassified', true)) t(domain_code, is_fallback);
            create table marts.dim_district as
                select lpad(range::varchar, 6, '0') as district_code from range({MIN_DISTRICTS});
            """
        )
    return path


@pytest.fixture
def marts(tmp_path: Path) -> Path:
    return _marts(tmp_path / "govtargets.duckdb")


def _execute(path: Path, sql: str) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(sql)


def test_sound_marts_pass_every_expectation(marts: Path) -> None:
    result = run_expectations(marts)
    assert result.failures == []
    assert result.vacuous == []
    assert result.evaluated == result.passed == sum(len(suite.expectations) for suite in SUITES)


def test_a_value_out_of_its_kinds_bounds_fails_naming_suite_and_column(marts: Path) -> None:
    _execute(marts, "update marts.fct_targets set value_base = 3e16 where unit_code = 'unit_money'")
    result = run_expectations(marts)
    assert not result.ok
    assert result.failures == [
        "values_money: expect_column_values_to_be_between(value_base) 2 unexpected, e.g. 3e+16, 3e+16"
    ]


def test_too_dense_a_report_and_too_many_unclassified_fail(marts: Path) -> None:
    _execute(
        marts,
        "update marts.dim_report set char_count = 50; update marts.fct_results set domain_code = 'unclassified'",
    )
    failures = run_expectations(marts).failures
    assert [failure.split(" ")[0] for failure in failures] == [
        "statements_per_report:",
        "statements_per_report:",
        "unclassified_share:",
    ]
    assert "(per_10k_chars) 2 unexpected" in failures[0]
    assert "(unclassified_share) 1 unexpected, e.g. 1.0" in failures[1]
    assert failures[2].endswith("1 unexpected, e.g. 1.0")


def test_too_few_districts_fail(marts: Path) -> None:
    _execute(marts, "delete from marts.dim_district where district_code > '000100'")
    assert run_expectations(marts).failures == [
        "districts: expect_table_row_count_to_be_between() observed 101"
    ]


def test_a_suite_without_rows_is_vacuous_but_not_failed(tmp_path: Path) -> None:
    marts = _marts(tmp_path / "govtargets.duckdb", targets_per_kind=1)
    _execute(
        marts,
        "delete from marts.fct_targets where unit_code = 'unit_area'; delete from marts.fct_results where unit_code = 'unit_area'",
    )
    result = run_expectations(marts)
    assert result.ok
    # one statement per kind is fewer than the ten a report needs for its unclassified share
    assert result.vacuous == [
        "statements_per_report: no values to check in unclassified_share",
        "values_area: no rows to check",
    ]


def test_a_missing_column_is_a_failure_not_a_crash(marts: Path) -> None:
    _execute(marts, "alter table marts.dim_domain drop column is_fallback")
    failures = run_expectations(marts).failures
    assert [failure.split(":")[0] for failure in failures] == ["statements_per_report", "unclassified_share"]
    assert all("the query failed" in failure and "is_fallback" in failure for failure in failures)
