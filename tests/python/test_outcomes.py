"""Comparable indicators on the whole corpus (../shared/corpus): national GDP-growth targets beside the
growth the next report states, every 2025 province's GDP-growth target beside the national one, and the
share of main targets with a canonical indicator. The expected growth figures are those the reports
state (checked by hand against each next-year report); the warehouse is built from the corpus here."""

from __future__ import annotations

import duckdb
import pytest

from govtargets.pipeline import build
from tests.corpus import CORPUS, make_corpus_reports

pytestmark = pytest.mark.slow

# target year → (target as written, growth the next year's national report states for that year)
NATIONAL_GDP_GROWTH = {
    2004: (7.0, 9.5),
    2005: (8.0, 9.9),
    2006: (8.0, 10.7),
    2008: (8.0, 9.0),
    2009: (8.0, 8.7),
    2010: (8.0, 10.3),
    2011: (8.0, 9.2),
    2012: (7.5, 7.8),
    2013: (7.5, 7.7),
    2014: (7.5, 7.4),
    2015: (7.0, 6.9),
    2016: (6.5, 6.7),
    2023: (5.0, 5.2),
    2024: (5.0, 5.0),
}


@pytest.fixture(scope="module")
def corpus_warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} not found: the corpus lives in ../shared and is never committed")
    reports = make_corpus_reports(tmp_path_factory.mktemp("corpus-reports"))
    warehouse = tmp_path_factory.mktemp("corpus-warehouse") / "govtargets.duckdb"
    build(reports, warehouse, progress=lambda _: None)
    return duckdb.connect(str(warehouse), read_only=True)


def _headline_gdp_outcomes(
    connection: duckdb.DuckDBPyConnection,
) -> dict[int, tuple[float, float | None, str]]:
    return _headline_gdp_outcomes_from(connection, 2004)


def _headline_gdp_outcomes_from(
    connection: duckdb.DuckDBPyConnection, first_year: int, last_year: int = 2100
) -> dict[int, tuple[float, float | None, str]]:
    """The national GDP growth series from first_year to last_year: target, outcome, attainment."""
    rows = connection.execute(
        """
        select outcomes.target_year, outcomes.target_value, outcomes.outcome_value, outcomes.attainment
        from marts.rpt_indicator_series as series
        inner join marts.fct_target_outcomes as outcomes on series.target_id = outcomes.target_id
        where series.district_code = '000000' and series.indicator_code = 'gdp_growth'
            and series.series_year between ? and ?
        """,
        [first_year, last_year],
    ).fetchall()
    return {year: (target, outcome, attainment) for year, target, outcome, attainment in rows}


def test_national_gdp_growth_targets_stand_beside_the_next_reports_growth(
    corpus_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    found = _headline_gdp_outcomes(corpus_warehouse)
    for year, (target, outcome) in NATIONAL_GDP_GROWTH.items():
        assert found[year][:2] == (target, outcome), year
        # 左右 targets: within 0.5 points met, above it exceeded (GDP growth: higher is better)
        expected = "met" if abs(outcome - target) <= 0.5 else "exceeded"
        if year == 2016:  # 6.5%–7%, a range: 6.7 inside
            expected = "met"
        assert found[year][2] == expected, year


def test_a_next_report_with_only_five_year_figures_gives_no_outcome(
    corpus_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    """The report for 2008 reviews 2003–2007 (年均增长10.6%): the 2007 target stays, unknown."""
    target, outcome, attainment = _headline_gdp_outcomes(corpus_warehouse)[2007]
    assert (target, outcome, attainment) == (8.0, None, "unknown")


def test_every_2025_province_has_its_gdp_growth_target_beside_the_national_one(
    corpus_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    provinces = {
        row[0]
        for row in corpus_warehouse.execute(
            "select district_code from marts.dim_report where report_year = 2025 and district_code <> '000000'"
        ).fetchall()
    }
    cascade = corpus_warehouse.execute(
        """
        select district_code, parent_district_code, target_value, parent_target_value
        from marts.rpt_target_cascade
        where indicator_code = 'gdp_growth' and target_year = 2025 and district_level = 'province'
            and is_headline_target
        """
    ).fetchall()
    assert len(provinces) == 28
    assert {row[0] for row in cascade} == provinces
    assert {(row[1], row[3]) for row in cascade} == {("000000", 5.0)}
    assert all(4 <= row[2] <= 8 for row in cascade)


def test_main_targets_have_a_canonical_indicator(corpus_warehouse: duckdb.DuckDBPyConnection) -> None:
    total, mapped = corpus_warehouse.execute(
        "select count(*), count(indicator_code) from marts.fct_targets where is_main_target and report_year >= 2004"
    ).fetchone() or (0, 0)
    assert total > 250
    assert mapped / total >= 0.95


def test_a_heading_that_names_the_review_and_the_plan_gives_the_plans_target(
    corpus_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    # 1999: 一、1998年工作回顾和1999年工作的总体要求 holds 1998's growth (7.8%) and 1999's target (7%左右)
    (target,) = corpus_warehouse.execute(
        "select target_value from marts.rpt_indicator_series "
        "where district_code = '000000' and indicator_code = 'gdp_growth' and series_year = 1999"
    ).fetchone() or (None,)
    assert target == 7.0


def test_a_percent_sign_after_a_layout_gap_gives_the_headline_target(
    corpus_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    # 1998: 主要目标是：经济增长速度8 ％ (a space before the sign); the 1999 report states 7.8%
    assert _headline_gdp_outcomes_from(corpus_warehouse, 1998, 1998) == {1998: (8.0, 7.8, "met")}
