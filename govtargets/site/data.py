"""What the explorer shows, read from a published warehouse (read-only) in a few queries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

Row = dict[str, object]

# Every target and result with where it stands in its report: the clause (char_start, char_end), the
# number and its unit (span_start, span_end, from the extracted quantities), the names of its domain and
# unit, and for a target the outcome it is checked against.
_STATEMENTS = """
with statements as (
    select 'target' as kind, target_id as statement_id, * exclude (target_id) from marts.fct_targets
    union all by name
    select 'result' as kind, result_id as statement_id, * exclude (result_id) from marts.fct_results
)

select
    statements.kind,
    statements.statement_id,
    statements.report_id,
    statements.district_code,
    statements.report_year,
    statements.domain_code,
    statements.firmness,
    statements.comparator,
    statements.indicator,
    statements.value,
    statements.value_upper,
    statements.unit_code,
    statements.unit_as_written,
    statements.multiplier,
    statements.number_text,
    statements.clause,
    statements.char_start,
    statements.char_end,
    quantities.span_start,
    quantities.span_end,
    statements.indicator_code,
    statements.is_main_target,
    statements.baseline_value,
    quantities.baseline_number_text,
    units.symbol_zh as unit_symbol,
    units.name_en as unit_name_en,
    outcomes.outcome_value,
    outcomes.attainment,
    outcomes.gap,
    outcomes.outcome_note
from statements
inner join seeds.quantities as quantities on statements.statement_id = quantities.quantity_id
left join marts.dim_unit as units on statements.unit_code = units.unit_code
left join marts.fct_target_outcomes as outcomes on statements.statement_id = outcomes.target_id
order by statements.report_id, statements.char_start, quantities.span_start, statements.item_no
"""

_REPORTS = """
select reports.*, districts.name_zh as district_name_zh, districts.name_en as district_name_en,
    districts.level as district_level
from marts.dim_report as reports
inner join marts.dim_district as districts on reports.district_code = districts.district_code
order by districts.district_code, reports.report_year, reports.source_file
"""


@dataclass(frozen=True)
class Warehouse:
    """The explorer's view of a warehouse: plain rows, keyed as the marts name their columns."""

    reports: list[Row]
    statements: list[Row]
    sections: list[Row]
    domains: list[Row]
    indicators: list[Row]
    series: list[Row]
    cascade: list[Row]
    texts: dict[str, str]  # report_id → report text

    def statements_of(self, report_id: str) -> list[Row]:
        return [row for row in self.statements if row["report_id"] == report_id]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    result = con.execute(sql)
    columns = [column[0] for column in result.description]
    return [dict(zip(columns, values, strict=True)) for values in result.fetchall()]


def read_warehouse(path: Path) -> Warehouse:
    """Read what the explorer shows; the file is opened read-only and never written."""
    with duckdb.connect(str(path), read_only=True) as con:
        return Warehouse(
            reports=_rows(con, _REPORTS),
            statements=_rows(con, _STATEMENTS),
            sections=_rows(
                con,
                "select report_id, section_no, heading_level, section_path, section_title, char_start "
                "from staging.stg_sections order by report_id, char_start",
            ),
            domains=_rows(
                con, "select domain_code, name_zh, name_en from marts.dim_domain order by sort_order"
            ),
            indicators=_rows(
                con,
                "select indicator_code, name_zh, name_en, measure, direction, description "
                "from marts.dim_indicator order by sort_order",
            ),
            series=_rows(con, "select * from marts.rpt_indicator_series order by all"),
            cascade=_rows(con, "select * from marts.rpt_target_cascade order by all"),
            texts=dict(con.execute("select report_id, report_text from marts.dim_report_text").fetchall()),
        )
