"""The great-expectations suites: a sound set of marts passes, a broken one fails naming mart and rule."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from govtargets.quality import MIN_DISTRICTS, SUITES, run_expectations

SHA = hashlib.sha256(b"report").hexdigest()

STATEMENT_COLUMNS = """
    report_id varchar, district_code varchar, domain_code varchar, unit_code varchar,
    char_start integer, char_end integer, clause varchar, value decimal(38,10), value_upper decimal(38,10),
    multiplier double, comparator varchar, firmness varchar, measure varchar
"""
STATEMENTS = """
    ('r1', '440304', 'education', 'seat', 10, 22, '新增学位3万个以上', 3, null, 1e4, 'ge', 'binding',
        'level'),
    ('r1', '440304', 'economy', 'percent', 40, 52, '增长6%-6.5%', 6, 6.5, 1, 'range', 'aspirational',
        'change'),
    ('r1', '440304', 'economy', 'yuan', 60, 70, '投资超1.3万亿元', 1.3, null, 1e12, 'gt', 'plain',
        'level')
"""

MARTS = f"""
create schema marts;
create table marts.fct_targets (target_id varchar, {STATEMENT_COLUMNS});
insert into marts.fct_targets select 't' || row_number() over (), * from (values {STATEMENTS});
create table marts.fct_results (result_id varchar, {STATEMENT_COLUMNS});
insert into marts.fct_results select 'r' || row_number() over (), * from (values {STATEMENTS});
create table marts.dim_report as
    select 'r1' as report_id, 'futian-2024.txt' as source_file, '{SHA}' as sha256, 5000 as char_count;
create table marts.dim_district as
    select lpad(range::varchar, 6, '0') as district_code, '区' || range as name_zh, 'D' || range as name_en,
        case when range = 0 then 'nation' when range < 35 then 'province' when range < 400 then 'city'
            else 'district' end as level
    from range({MIN_DISTRICTS});
create table marts.dim_domain as
    select * from (values ('education', '教育', 'Education'), ('economy', '经济', 'Economy'))
        t(domain_code, name_zh, name_en);
create table marts.dim_unit as
    select * from (values ('seat', '个', 'seat', 1.0), ('percent', '%', 'percent', 1.0),
        ('yuan', '元', 'yuan', 1.0)) t(unit_code, symbol_zh, base_unit_code, factor_to_base);
create table marts.rpt_targets_by_district_year_domain as
    select * from (values ('440304', 2024, 'education', 1), ('440304', 2024, 'economy', 2))
        t(district_code, report_year, domain_code, target_count);
create table marts.rpt_load_issues (source_file varchar, line integer, message varchar);
"""


@pytest.fixture
def marts(tmp_path: Path) -> Path:
    path = tmp_path / "govtargets.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(MARTS)
    return path


def damage(path: Path, sql: str) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(sql)
    return path


def test_sound_marts_pass_every_expectation(marts: Path) -> None:
    result = run_expectations(marts)
    assert result.failures == []
    assert result.ok
    assert result.evaluated == result.passed == sum(len(suite) for suite in SUITES.values())


def test_broken_fact_fails_naming_mart_expectation_and_column(marts: Path) -> None:
    damage(
        marts,
        """
        insert into marts.fct_targets
        select 't1', report_id, district_code, domain_code, unit_code, char_start, char_end, clause,
            7, 7, multiplier, 'between', firmness, measure
        from marts.fct_targets where target_id = 't2'
        """,
    )
    result = run_expectations(marts)
    assert not result.ok
    assert result.passed == result.evaluated - len(result.failures)
    expected = {
        "marts.fct_targets: expect_column_values_to_be_unique(target_id)",
        "marts.fct_targets: expect_column_values_to_be_in_set(comparator)",
        "marts.fct_targets: expect_column_pair_values_a_to_be_greater_than_b(value_upper, value)",
        "marts.fct_targets: expect_column_values_to_be_null(value_upper where comparator != 'range')",
    }
    for prefix in expected:
        assert any(failure.startswith(prefix) for failure in result.failures), (prefix, result.failures)
    assert len(result.failures) == len(expected)
    assert any(failure.endswith("e.g. between") for failure in result.failures)
    assert any(failure.endswith("e.g. (7.0, 7.0)") for failure in result.failures)


def test_missing_mart_and_too_few_districts_fail(marts: Path) -> None:
    damage(marts, "drop table marts.dim_unit; delete from marts.dim_district where district_code > '000100'")
    result = run_expectations(marts)
    assert sorted(result.failures) == [
        "marts.dim_district: expect_table_row_count_to_be_between() observed 101",
        "marts.dim_unit: table is missing",
    ]


def test_bad_checksum_and_missing_column_are_reported(marts: Path) -> None:
    damage(marts, "update marts.dim_report set sha256 = upper(sha256)")
    damage(marts, "alter table marts.dim_domain drop column name_en")
    failures = run_expectations(marts).failures
    assert failures == [
        f"marts.dim_report: expect_column_values_to_match_regex(sha256) 1 unexpected, e.g. {SHA.upper()}",
        'marts.dim_domain: expect_column_values_to_not_be_null(name_en) error: Error: The column "name_en" '
        "in BatchData does not exist.",
    ]
