"""BI access as a Superset-style tool connects: SQLAlchemy 2.0 + duckdb-engine, read-only, no pool."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

WAREHOUSE = """
create schema seeds; create schema staging; create schema marts;
create table seeds.units as select * from (values ('percent', '%'), ('yuan', '元')) t(unit_code, symbol_zh);
create view staging.stg_units as select unit_code, symbol_zh from seeds.units;
create table marts.dim_unit as select * from staging.stg_units;
create table marts.fct_targets as
    select range::varchar as target_id, if(range % 2 = 0, 'percent', 'yuan') as unit_code from range(5);
comment on table marts.dim_unit is 'Units of measure (单位).';
comment on column marts.dim_unit.unit_code is 'Stable English code of the unit.';
comment on column marts.dim_unit.symbol_zh is 'The unit as written: 所, 个, %.';
"""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "govtargets.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(WAREHOUSE)
    engine = create_engine(f"duckdb:///{path}", connect_args={"read_only": True}, poolclass=NullPool)
    yield engine
    engine.dispose()


def test_lists_mart_tables_and_columns(engine: Engine) -> None:
    inspector = inspect(engine)
    assert "marts" in {name.split(".")[-1] for name in inspector.get_schema_names()}
    assert sorted(inspector.get_table_names(schema="marts")) == ["dim_unit", "fct_targets"]
    assert inspector.get_view_names(schema="staging") == ["stg_units"]
    columns = inspector.get_columns("dim_unit", schema="marts")
    assert [column["name"] for column in columns] == ["unit_code", "symbol_zh"]


def test_column_and_table_comments_reach_the_client(engine: Engine) -> None:
    inspector = inspect(engine)
    comments = {c["name"]: c["comment"] for c in inspector.get_columns("dim_unit", schema="marts")}
    assert comments == {
        "unit_code": "Stable English code of the unit.",
        "symbol_zh": "The unit as written: 所, 个, %.",
    }
    assert inspector.get_table_comment("dim_unit", schema="marts") == {"text": "Units of measure (单位)."}


def test_runs_a_query(engine: Engine) -> None:
    query = text(
        "select u.symbol_zh, count(*) as targets from marts.fct_targets t "
        "join marts.dim_unit u using (unit_code) group by all order by targets desc"
    )
    with engine.connect() as connection:
        assert connection.execute(query).all() == [("%", 3), ("元", 2)]


def test_connection_is_read_only(engine: Engine) -> None:
    with engine.connect() as connection, pytest.raises(DBAPIError, match="read-only"):
        connection.execute(text("create table marts.scratch (x integer)"))
