"""Parquet export of the marts: one file per mart, same rows, written atomically, warehouse read-only."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from govtargets.cli import main
from govtargets.export import export_parquet
from loaders.errors import LoaderError

WAREHOUSE = """
create schema seeds; create schema marts;
create table seeds.reports as select range as n from range(7);
create table marts.fct_targets as select range as target_id, '目标' || range as clause from range(1500);
create table marts.dim_unit as
    select * from (values ('percent', '%'), ('yuan', '元')) t(unit_code, symbol_zh);
create table marts.rpt_load_issues (source_file varchar, line integer, message varchar);
create view marts.v_targets as select * from marts.fct_targets;
"""
ROWS = {"dim_unit": 2, "fct_targets": 1500, "rpt_load_issues": 0}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse" / "govtargets.duckdb"
    path.parent.mkdir()
    with duckdb.connect(str(path)) as con:
        con.execute(WAREHOUSE)
    return path


def test_every_mart_table_becomes_one_parquet_file_with_its_rows(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "export" / "parquet"
    files = export_parquet(warehouse, out)
    assert files == [out / f"{table}.parquet" for table in sorted(ROWS)]
    assert sorted(p.name for p in out.iterdir()) == [f"{table}.parquet" for table in sorted(ROWS)]
    for table, rows in ROWS.items():
        assert pq.read_table(out / f"{table}.parquet").num_rows == rows
        with duckdb.connect() as con:
            count = con.execute("select count(*) from read_parquet(?)", [str(out / f"{table}.parquet")])
            assert count.fetchall() == [(rows,)]
    assert pq.read_table(out / "fct_targets.parquet").column("clause")[3].as_py() == "目标3"


def test_export_replaces_earlier_files_and_works_while_a_reader_holds_the_warehouse(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    out.mkdir()
    (out / "dim_unit.parquet").write_bytes(b"an older export")
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        export_parquet(warehouse, out)
        assert reader.execute("select count(*) from marts.dim_unit").fetchall() == [(2,)]
    assert pq.read_table(out / "dim_unit.parquet").num_rows == 2
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_missing_warehouse_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="run `govtargets build` first"):
        export_parquet(tmp_path / "absent.duckdb", tmp_path / "out")
    assert not (tmp_path / "absent.duckdb").exists()
    assert not (tmp_path / "out").exists()


def _duckdb_file(path: Path, sql: str) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(sql)
    return path


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("create table main.t as select 1 as x", "has no marts schema"),
        ("create schema marts; create view marts.v as select 1 as x", "its marts schema has no tables"),
    ],
    ids=["no marts schema", "marts without tables"],
)
def test_a_warehouse_without_marts_is_an_error_and_writes_nothing(
    sql: str, why: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _duckdb_file(tmp_path / "other.duckdb", sql)
    with pytest.raises(LoaderError, match=why):
        export_parquet(source, tmp_path / "out")
    assert main(["export", "--warehouse", str(source), str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"govtargets: error: {source}: {why}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.duckdb"]


def test_the_other_unusable_inputs_keep_their_messages(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_duckdb = tmp_path / "notes.duckdb"
    not_duckdb.write_text("not a database\n", encoding="utf-8")
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    for source, out, message in [
        (tmp_path / "absent.duckdb", tmp_path / "out", f"{tmp_path / 'absent.duckdb'}: no warehouse here"),
        (not_duckdb, tmp_path / "out", f"{not_duckdb}: not a DuckDB warehouse file"),
        (warehouse, a_file, f"{a_file}: is a file: name a folder"),
    ]:
        assert main(["export", "--warehouse", str(source), str(out)]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"govtargets: error: {message}") and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists()
