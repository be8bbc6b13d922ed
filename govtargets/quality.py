"""The great-expectations suites on the marts, run on a candidate warehouse before it is published.

GX's SQL datasource does not work on DuckDB, so each mart is read (read-only) into a pandas data frame
and validated there, in an ephemeral GX context: nothing is written to disk, no data docs, no analytics.
``SUITES`` below is the whole contract, one entry per mart; dbt's own tests run before these.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.expectations import Expectation
from great_expectations.expectations.row_conditions import Column

COMPARATORS = ["eq", "ge", "gt", "le", "lt", "approx", "range"]
FIRMNESS = ["binding", "aspirational", "plain"]
MEASURES = ["level", "change"]
MULTIPLIERS = [10.0**power for power in range(13)]  # 1, 十, 百, 千, 万 … 万亿
DISTRICT_LEVELS = ["nation", "province", "city", "district"]
MIN_DISTRICTS = 3000  # every province, prefecture and county of China
COLUMN_KWARGS = ("column", "column_A", "column_B")  # how an expectation names its columns
MARTS_QUERY = "select table_name from duckdb_tables() where schema_name = 'marts'"


def _key(column: str) -> list[Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=column), gxe.ExpectColumnValuesToBeUnique(column=column)]


def _required(*columns: str) -> list[Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=column) for column in columns]


def _in_set(column: str, values: list) -> list[Expectation]:
    return [*_required(column), gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values)]


def _statements(key: str) -> list[Expectation]:
    """fct_targets and fct_results: one quantified statement per row, pointing back to its clause."""
    return [
        *_key(key),
        *_required("report_id", "district_code", "domain_code", "unit_code", "value"),
        *_in_set("comparator", COMPARATORS),
        *_in_set("firmness", FIRMNESS),
        *_in_set("measure", MEASURES),
        *_in_set("multiplier", MULTIPLIERS),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="char_end", column_B="char_start"),
        gxe.ExpectColumnValueLengthsToBeBetween(column="clause", min_value=2),
        gxe.ExpectColumnValuesToBeBetween(column="value", min_value=0),
        gxe.ExpectColumnValuesToBeNull(column="value_upper", row_condition=Column("comparator") != "range"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="value_upper", column_B="value", ignore_row_if="either_value_is_missing"
        ),
    ]


SUITES: dict[str, list[Expectation]] = {
    "fct_targets": [*_statements("target_id"), gxe.ExpectTableRowCountToBeBetween(min_value=1)],
    "fct_results": _statements("result_id"),
    "dim_report": [
        *_key("report_id"),
        *_key("sha256"),
        gxe.ExpectColumnValuesToMatchRegex(column="sha256", regex=r"^[0-9a-f]{64}$"),
        gxe.ExpectColumnValuesToBeUnique(column="source_file"),
        gxe.ExpectColumnValuesToBeBetween(column="char_count", min_value=1),
    ],
    "dim_district": [
        *_key("district_code"),
        *_required("name_zh", "name_en"),
        *_in_set("level", DISTRICT_LEVELS),
        gxe.ExpectTableRowCountToBeBetween(min_value=MIN_DISTRICTS),
    ],
    "dim_domain": [*_key("domain_code"), *_required("name_zh", "name_en")],
    "dim_unit": [
        *_key("unit_code"),
        *_key("symbol_zh"),
        *_required("base_unit_code"),
        gxe.ExpectColumnValuesToBeBetween(column="factor_to_base", min_value=0, strict_min=True),
    ],
    "rpt_targets_by_district_year_domain": [
        *_required("district_code", "report_year", "domain_code"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["district_code", "report_year", "domain_code"]),
        gxe.ExpectColumnValuesToBeBetween(column="target_count", min_value=1),
    ],
    "rpt_load_issues": _required("source_file", "message"),
}


@dataclass(frozen=True)
class QualityResult:
    evaluated: int
    passed: int
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _context() -> AbstractDataContext:
    """An in-memory GX context: no files, no data docs, no analytics, no progress bars."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def _condition(condition: object) -> str:
    if isinstance(condition, dict) and {"column", "operator", "parameter"} <= condition.keys():
        return f"{condition['column']['name']} {condition['operator']} {condition['parameter']!r}"
    return str(condition)


def _columns(kwargs: dict) -> str:
    names = kwargs.get("column_list") or [kwargs[k] for k in COLUMN_KWARGS if k in kwargs]
    where = f" where {_condition(kwargs['row_condition'])}" if kwargs.get("row_condition") else ""
    return ", ".join(names) + where


def _exception_messages(info: dict) -> list[str]:
    if "exception_message" in info:
        return [info["exception_message"]] if info.get("raised_exception") else []
    return sorted({m for nested in info.values() for m in _exception_messages(nested)})


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(map(_show, value)) + ")"
    return str(value)


def _describe(mart: str, outcome: ExpectationValidationResult) -> str:
    config = outcome.expectation_config
    result = outcome.result or {}
    errors = _exception_messages(outcome.exception_info or {})
    if errors:
        detail = "error: " + "; ".join(errors)
    elif result.get("unexpected_count"):
        examples = ", ".join(_show(value) for value in result.get("partial_unexpected_list", [])[:5])
        detail = f"{result['unexpected_count']} unexpected, e.g. {examples}"
    else:
        detail = f"observed {result.get('observed_value')}"
    return f"marts.{mart}: {config.type}({_columns(config.kwargs)}) {detail}"


def _validate(
    context: AbstractDataContext, mart: str, frame: pd.DataFrame
) -> ExpectationSuiteValidationResult:
    batch = (
        context.data_sources.add_pandas(mart)
        .add_dataframe_asset(mart)
        .add_batch_definition_whole_dataframe(mart)
        .get_batch(batch_parameters={"dataframe": frame})
    )
    return batch.validate(gx.ExpectationSuite(name=mart, expectations=SUITES[mart]))


def run_expectations(db_path: Path) -> QualityResult:
    """Validate every mart of the DuckDB file at ``db_path`` against ``SUITES``."""
    context = _context()
    evaluated = passed = 0
    failures: list[str] = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        present = {name for (name,) in con.execute(MARTS_QUERY).fetchall()}
        for mart in SUITES:
            if mart not in present:
                evaluated += 1
                failures.append(f"marts.{mart}: table is missing")
                continue
            outcome = _validate(context, mart, con.execute(f'select * from marts."{mart}"').df())
            evaluated += outcome.statistics["evaluated_expectations"]
            passed += outcome.statistics["successful_expectations"]
            failures += [_describe(mart, result) for result in outcome.results if not result.success]
    return QualityResult(evaluated, passed, failures)
