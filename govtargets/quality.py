"""The great-expectations suites: what dbt's tests do not express well, run on a candidate before it is published.

dbt's tests guard keys, codes, relationships and row-level rules. The expectations here guard
distributions and proportions, with thresholds taken from the real-report corpus (78 reports, 1954–2025,
measured with ``make corpus``):

- per report and statement kind, statements per 10,000 characters: at most 134 in a whole report of the
  corpus, and 527 in the densest excerpt of the development gold (a single review paragraph, as a news
  site quotes it); the bound, 1,000, is one statement per ten characters;
- per report and statement kind, the share of the ``unclassified`` domain: at most 0.24 in the corpus
  (reports with 10 statements or more); over all statements, 0.045 for targets and 0.024 for results;
- per quantity kind, values in the base unit within physical bounds: a ratio level of 百分之五百 and a
  ratio change of 522% occur; 3,650万亿元 (Shanghai's financial-market turnover) is the largest sum.

On PostgreSQL each suite is a query asset of GX's SQL datasource, validated where the data is
(``run_expectations_postgres``). GX's SQL datasource does not work on DuckDB, so there each suite's query
runs read-only and its result is validated as a pandas data frame (``run_expectations``). Either way the
GX context is ephemeral: nothing is written to disk.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
import sqlalchemy
from great_expectations.core import ExpectationValidationResult
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.datasource.fluent import GxDatasourceWarning
from great_expectations.datasource.fluent.interfaces import Batch
from great_expectations.expectations import Expectation
from great_expectations.expectations.expectation import ColumnMapExpectation

MIN_DISTRICTS = 3000  # every province, prefecture and county of China
MAX_STATEMENTS_PER_10K_CHARS = 1000.0
MAX_UNCLASSIFIED_SHARE_PER_REPORT = 0.5  # for reports with at least MIN_STATEMENTS_FOR_SHARE statements
MIN_STATEMENTS_FOR_SHARE = 10
MAX_UNCLASSIFIED_SHARE = 0.15
# Upper bounds of value_base (value × multiplier in the base unit) per quantity kind.
VALUE_BOUNDS: dict[str, float] = {
    "ratio": 1_000.0,  # percent
    "count": 1e12,
    "money": 1e16,  # yuan
    "people": 1e11,
    "households": 1e10,
    "mass": 1e13,  # kilograms
    "area": 1e13,  # square metres: China is 9.6e12
    "length": 1e11,  # metres
}
COLUMN_KWARGS = ("column", "column_A", "column_B")  # how an expectation names its columns


def _statements(marts: str) -> str:
    return f"""
    select report_id, 'target' as statement_kind, domain_code, unit_code, value_base from {marts}.fct_targets
    union all
    select report_id, 'result', domain_code, unit_code, value_base from {marts}.fct_results
"""


@dataclass(frozen=True)
class Suite:
    """Expectations on the rows of one query over the marts."""

    name: str
    query: str
    expectations: list[Expectation]


def _density_suite(marts: str) -> Suite:
    query = f"""
        with statements as ({_statements(marts)}),
        per_report as (
            select
                statements.report_id,
                statements.statement_kind,
                count(*) as statements,
                count(*) filter (where domains.is_fallback) as unclassified
            from statements
            inner join {marts}.dim_domain as domains on statements.domain_code = domains.domain_code
            group by statements.report_id, statements.statement_kind
        )
        select
            per_report.*,
            per_report.statements * 10000.0 / reports.char_count as per_10k_chars,
            case when per_report.statements >= {MIN_STATEMENTS_FOR_SHARE}
                then cast(per_report.unclassified as double precision) / per_report.statements
            end as unclassified_share
        from per_report
        inner join {marts}.dim_report as reports on per_report.report_id = reports.report_id
    """
    return Suite(
        "statements_per_report",
        query,
        [
            gxe.ExpectColumnValuesToBeBetween(
                column="per_10k_chars", min_value=0, max_value=MAX_STATEMENTS_PER_10K_CHARS
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="unclassified_share", min_value=0, max_value=MAX_UNCLASSIFIED_SHARE_PER_REPORT
            ),
        ],
    )


def _unclassified_suite(marts: str) -> Suite:
    query = f"""
        with statements as ({_statements(marts)})
        select
            statements.statement_kind,
            avg(cast(domains.is_fallback as integer)) as unclassified_share
        from statements
        inner join {marts}.dim_domain as domains on statements.domain_code = domains.domain_code
        group by statements.statement_kind
    """
    return Suite(
        "unclassified_share",
        query,
        [gxe.ExpectColumnValuesToBeBetween(column="unclassified_share", max_value=MAX_UNCLASSIFIED_SHARE)],
    )


def _value_suite(marts: str, kind: str, upper: float) -> Suite:
    query = f"""
        with statements as ({_statements(marts)})
        select statements.statement_kind, statements.value_base
        from statements
        inner join {marts}.dim_unit as units on statements.unit_code = units.unit_code
        where units.quantity_kind = '{kind}'
    """
    return Suite(
        f"values_{kind}",
        query,
        [gxe.ExpectColumnValuesToBeBetween(column="value_base", min_value=0, max_value=upper)],
    )


def _district_suite(marts: str) -> Suite:
    return Suite(
        "districts",
        f"select district_code from {marts}.dim_district",
        [gxe.ExpectTableRowCountToBeBetween(min_value=MIN_DISTRICTS)],
    )


def marts_suites(marts: str = "marts") -> list[Suite]:
    """The suites, their queries reading the marts in the schema ``marts`` (a build's private one, say)."""
    return [
        _density_suite(marts),
        _unclassified_suite(marts),
        *(_value_suite(marts, kind, upper) for kind, upper in VALUE_BOUNDS.items()),
        _district_suite(marts),
    ]


SUITES = marts_suites()


@dataclass(frozen=True)
class QualityResult:
    evaluated: int
    passed: int
    failures: list[str] = field(default_factory=list)
    vacuous: list[str] = field(default_factory=list)  # expectations that had no rows to check

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


def _columns(kwargs: dict[str, object]) -> str:
    return ", ".join(str(kwargs[k]) for k in COLUMN_KWARGS if k in kwargs)


def _exception_messages(info: dict[str, object]) -> list[str]:
    if "exception_message" in info:
        return [str(info["exception_message"])] if info.get("raised_exception") else []
    nested = [value for value in info.values() if isinstance(value, dict)]
    return sorted({message for inner in nested for message in _exception_messages(inner)})


def _describe(suite: str, outcome: ExpectationValidationResult) -> str:
    config = outcome.expectation_config
    assert config is not None
    result = outcome.result or {}
    errors = _exception_messages(outcome.exception_info or {})
    if errors:
        detail = "error: " + "; ".join(errors)
    elif result.get("unexpected_count"):
        examples = ", ".join(str(value) for value in result.get("partial_unexpected_list", [])[:5])
        detail = f"{result['unexpected_count']} unexpected, e.g. {examples}"
    else:
        detail = f"observed {result.get('observed_value')}"
    return f"{suite}: {config.type}({_columns(config.kwargs)}) {detail}"


def _map_columns(suite: Suite) -> list[str]:
    return sorted({str(e.column) for e in suite.expectations if isinstance(e, ColumnMapExpectation)})


def _vacuous(suite: Suite, rows: int, values: dict[str, int]) -> list[str]:
    """The expectations of a suite that have nothing to check: no rows, or a column of nulls only
    (``values``: the non-null values of each column the suite's column expectations read)."""
    if rows == 0:
        return [f"{suite.name}: no rows to check"]
    return [f"{suite.name}: no values to check in {column}" for column, count in values.items() if count == 0]


def _frame_batch(context: AbstractDataContext, suite: Suite, frame: pd.DataFrame) -> Batch:
    return (
        context.data_sources.add_pandas(suite.name)
        .add_dataframe_asset(suite.name)
        .add_batch_definition_whole_dataframe(suite.name)
        .get_batch(batch_parameters={"dataframe": frame})
    )


@dataclass
class _Tally:
    """The outcome of the suites so far."""

    evaluated: int = 0
    passed: int = 0
    failures: list[str] = field(default_factory=list)
    vacuous: list[str] = field(default_factory=list)

    def query_failed(self, suite: Suite, error: BaseException) -> None:
        self.evaluated += len(suite.expectations)
        self.failures.append(f"{suite.name}: the query failed: {str(error).strip()}")

    def validate(self, suite: Suite, batch: Batch) -> None:
        outcome = batch.validate(gx.ExpectationSuite(name=suite.name, expectations=suite.expectations))
        self.evaluated += outcome.statistics["evaluated_expectations"]
        self.passed += outcome.statistics["successful_expectations"]
        self.failures += [_describe(suite.name, result) for result in outcome.results if not result.success]

    def result(self) -> QualityResult:
        return QualityResult(self.evaluated, self.passed, self.failures, self.vacuous)


def run_expectations(db_path: Path, suites: list[Suite] | None = None) -> QualityResult:
    """Validate the marts of the DuckDB file at ``db_path`` against ``suites`` (default: ``SUITES``)."""
    context = _context()
    tally = _Tally()
    with duckdb.connect(str(db_path), read_only=True) as con:
        for suite in suites if suites is not None else SUITES:
            try:
                frame = con.execute(suite.query).df()
            except duckdb.Error as error:
                tally.query_failed(suite, error)
                continue
            values = {
                column: int(frame[column].notna().sum()) for column in _map_columns(suite) if column in frame
            }
            tally.vacuous += _vacuous(suite, len(frame), values)
            tally.validate(suite, _frame_batch(context, suite, frame))
    return tally.result()


def run_expectations_postgres(url: str, marts: str) -> QualityResult:
    """Validate the marts in the schema ``marts`` of the PostgreSQL database at ``url`` (a SQLAlchemy
    URL): each suite's query is a query asset of GX's SQL datasource, validated in the database. (GX's
    PostgreSQL flavour of it insists on a host name in the URL, where libpq also takes a socket folder.)"""
    with warnings.catch_warnings():  # GX warns that its PostgreSQL flavour "may be more appropriate"
        warnings.simplefilter("ignore", GxDatasourceWarning)
        return _validate_in_database(url, marts)


def _validate_in_database(url: str, marts: str) -> QualityResult:
    context = _context()
    source = context.data_sources.add_sql("govtargets", connection_string=url)
    tally = _Tally()
    engine = sqlalchemy.create_engine(url)
    try:
        for suite in marts_suites(marts):
            columns = _map_columns(suite)
            counts = ", ".join(["count(*)", *(f"count({column})" for column in columns)])
            try:
                with engine.connect() as con:
                    row = con.execute(
                        sqlalchemy.text(f"select {counts} from ({suite.query}) as suite_rows")
                    ).one()
            except sqlalchemy.exc.DBAPIError as error:
                tally.query_failed(suite, error.orig or error)
                continue
            tally.vacuous += _vacuous(suite, row[0], dict(zip(columns, row[1:], strict=True)))
            # a query asset must start with select
            asset = source.add_query_asset(suite.name, query=f"select * from ({suite.query}) as suite_rows")
            tally.validate(suite, asset.add_batch_definition_whole_table(suite.name).get_batch())
    finally:
        engine.dispose()
    return tally.result()
