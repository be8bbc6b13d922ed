"""Builds that add to a published warehouse: they give what a full build of the same reports gives, and
they are only made with the project the warehouse was built with."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from govtargets.fingerprint import build_fingerprint, published_fingerprint
from govtargets.pipeline import build

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "reports"
HEADER = "file,district,year,title\n"
MANIFEST = {
    "nanshan-2024-fixture.txt": "深圳市南山区,2024,南山区2024年政府工作报告（测试样例）",
    "nanshan-2025-fixture.txt": "深圳市南山区,2025,南山区2025年政府工作报告（测试样例）",
    "shenzhen-2024-fixture.txt": "深圳市,2024,深圳市2024年政府工作报告（测试样例）",
    "baoan-2024-news.txt": "深圳市宝安区,2024,宝安区政府工作报告新闻稿（测试样例）",
}
# a report of the first build that the second no longer lists
GONE = "baoan-2023-copy.txt"
SCHEMAS = ("seeds", "staging", "intermediate", "marts")


def _write_manifest(folder: Path, rows: dict[str, str]) -> None:
    lines = "".join(f"{file},{row}\n" for file, row in rows.items())
    (folder / "manifest.csv").write_text(HEADER + lines, encoding="utf-8")


def _first_folder(folder: Path) -> dict[str, str]:
    folder.mkdir()
    rows = {name: MANIFEST[name] for name in ("nanshan-2024-fixture.txt", "shenzhen-2024-fixture.txt")}
    rows["baoan-2024-news.txt"] = MANIFEST["baoan-2024-news.txt"]
    rows[GONE] = "深圳市宝安区,2023,宝安区新闻稿副本"
    for name in rows:
        source = FIXTURES / (name if name != GONE else "baoan-2024-news.txt")
        shutil.copyfile(source, folder / name)
    (folder / GONE).write_bytes((folder / GONE).read_bytes() + "\n（副本）\n".encode())
    _write_manifest(folder, rows)
    return rows


def _change(folder: Path, rows: dict[str, str]) -> None:
    """A new report, a report whose bytes changed, one whose manifest row changed, and one gone."""
    shutil.copyfile(FIXTURES / "nanshan-2025-fixture.txt", folder / "nanshan-2025-fixture.txt")
    rows["nanshan-2025-fixture.txt"] = MANIFEST["nanshan-2025-fixture.txt"]
    changed = folder / "shenzhen-2024-fixture.txt"
    text = changed.read_text(encoding="utf-8")
    assert "新增公办学位5万个" in text
    changed.write_text(text.replace("新增公办学位5万个", "新增公办学位1234个"), encoding="utf-8")
    rows["baoan-2024-news.txt"] = "深圳市宝安区,2024,宝安区新闻稿（改了标题）"
    (folder / GONE).unlink()
    del rows[GONE]
    _write_manifest(folder, rows)


def _contents(database: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table and view of the warehouse, rows sorted; when the build ran is left out."""
    with duckdb.connect(str(database), read_only=True) as con:
        relations = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ? "
            "union all select schema_name, view_name from duckdb_views() where schema_name in ? order by all",
            [list(SCHEMAS), list(SCHEMAS)],
        ).fetchall()
        return {
            f"{schema}.{name}": sorted(
                con.execute(
                    f'select * exclude (built_at) from {schema}."{name}"'
                    if name == "rpt_build"
                    else f'select * from {schema}."{name}"'
                ).fetchall(),
                key=repr,
            )
            for schema, name in relations
        }


def test_a_build_that_adds_to_the_warehouse_gives_what_a_full_build_gives(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    rows = _first_folder(reports)
    warehouse = tmp_path / "added" / "govtargets.duckdb"
    first = build(reports, warehouse, progress=lambda _: None)
    assert not first.incremental
    before = _contents(warehouse)
    # a second warehouse that a build could add to as well; --full-refresh builds it from the start
    refreshed = tmp_path / "full" / "govtargets.duckdb"
    refreshed.parent.mkdir()
    shutil.copyfile(warehouse, refreshed)

    _change(reports, rows)
    added = build(reports, warehouse, progress=lambda _: None)
    assert added.incremental
    assert not any(kind.startswith("unit_test") for kind in added.dbt_nodes)  # they passed in the first
    full = build(reports, refreshed, progress=lambda _: None, full_refresh=True)
    assert not full.incremental
    assert any(kind.startswith("unit_test") for kind in full.dbt_nodes)

    after = _contents(warehouse)
    assert after == _contents(full.warehouse)
    # the change reached the tables the incremental models feed
    assert after["marts.dim_report"] != before["marts.dim_report"]
    titles = {row[4] for row in after["marts.dim_report"]}
    assert "宝安区新闻稿（改了标题）" in titles
    assert GONE not in {row[1] for row in after["marts.dim_report"]}
    assert [row for row in after["marts.fct_targets"] if "新增公办学位1234个" in row]
    assert not [row for row in after["marts.fct_targets"] if "新增公办学位5万个" in row]
    assert len(after["intermediate.int_quantity_domains"]) == len(after["intermediate.int_quantity_contexts"])


def test_a_warehouse_another_project_built_is_built_from_the_start(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _first_folder(reports)
    warehouse = tmp_path / "w" / "govtargets.duckdb"
    build(reports, warehouse, progress=lambda _: None)
    with duckdb.connect(str(warehouse)) as con:  # as if another project had built it
        con.execute("update marts.rpt_build set build_fingerprint = 'another project'")
    assert published_fingerprint(warehouse) == "another project"
    assert not build(reports, warehouse, progress=lambda _: None).incremental


def _project_copy(folder: Path) -> Path:
    for name in ("models", "macros", "tests/dbt", "seeds/reference"):
        shutil.copytree(REPO / name, folder / name)
    for name in ("dbt_project.yml", "profiles.yml", "seeds/extracted/_extracted__seeds.yml"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / name, folder / name)
    return folder


@pytest.mark.parametrize(
    "changed",
    [
        "models/marts/fct_targets.sql",
        "macros/incremental_by_report.sql",
        "seeds/reference/domain_keywords.csv",
        "dbt_project.yml",
        "seeds/extracted/_extracted__seeds.yml",
        "tests/dbt/marts/assert_clause_is_at_its_offsets.sql",
    ],
)
def test_a_change_to_the_project_changes_the_fingerprint(tmp_path: Path, changed: str) -> None:
    project = _project_copy(tmp_path / "project")
    before = build_fingerprint("v1.4.0", project)
    assert before == build_fingerprint("v1.4.0", REPO)
    with (project / changed).open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert build_fingerprint("v1.4.0", project) != before


def test_the_storage_version_is_part_of_the_fingerprint() -> None:
    assert build_fingerprint("v1.4.0") != build_fingerprint("v1.5.0")


def test_no_fingerprint_in_a_missing_or_unreadable_warehouse(tmp_path: Path) -> None:
    assert published_fingerprint(tmp_path / "none.duckdb") is None
    (tmp_path / "junk.duckdb").write_bytes(b"not a database")
    assert published_fingerprint(tmp_path / "junk.duckdb") is None
