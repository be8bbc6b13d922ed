"""Builds that add to a published warehouse: they give what a full build of the same reports gives, and
they are only made with the project the warehouse was built with.

The property: after any sequence of changes to the reports folder, the warehouse an incremental build
publishes equals a full build of the same inputs, table by table and column by column, in every schema.

A sequence is drawn at random from the changes a user makes: edit a report, rename it (to another name,
or to another extension, which changes the reader: the same bytes are read as text or as HTML), re-encode
it, move it to another district or year, remove it, add one, or revert the folder to an earlier state.
Each step applies one to three changes, then builds the warehouse incrementally (with the extraction
cache) and, at the same time in another process, builds the same inputs from the start (without it), and
compares the two. The first step always renames a report to another reader.

The run is bounded in time: steps go on while GOVTARGETS_PROPERTY_SECONDS (default 60) have not passed,
at least two of them. GOVTARGETS_PROPERTY_SEED replays a sequence; a failure names its seed and steps.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pytest

from govtargets.fingerprint import build_fingerprint, published_fingerprint
from govtargets.pipeline import build

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "reports"
SECONDS = float(os.environ.get("GOVTARGETS_PROPERTY_SECONDS", "60"))
MOST_STEPS = 8
DISTRICTS = ("深圳市南山区", "深圳市福田区", "深圳市宝安区", "深圳市")
ENCODINGS = ("utf-8", "gb18030", "utf-16")
# A line that reads differently as text and as HTML, before every clause: a report renamed between the
# two keeps its bytes and changes its text and every offset.
MARKUP = "<p>（测试样例&nbsp;&amp;&nbsp;说明）</p>\n"
INTERNAL_SCHEMAS = ("information_schema", "pg_catalog")


@dataclass(frozen=True)
class Report:
    """One file of the reports folder and its manifest row."""

    text: str
    encoding: str
    district: str
    year: int

    def data(self) -> bytes:
        return self.text.encode(self.encoding)


State = dict[str, Report]  # file name → report


def _initial() -> State:
    def fixture(name: str) -> str:
        return MARKUP + (FIXTURES / name).read_text(encoding="utf-8")

    return {
        "nanshan-2024.txt": Report(fixture("nanshan-2024-fixture.txt"), "utf-8", "深圳市南山区", 2024),
        "nanshan-2025.txt": Report(fixture("nanshan-2025-fixture.txt"), "utf-8", "深圳市南山区", 2025),
        "shenzhen-2024.txt": Report(fixture("shenzhen-2024-fixture.txt"), "utf-8", "深圳市", 2024),
        "baoan-2024.txt": Report(fixture("baoan-2024-news.txt"), "utf-8", "深圳市宝安区", 2024),
    }


def _write(folder: Path, state: State) -> None:
    """The folder holds exactly the state's files and its manifest."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    lines = ["file,district,year,title"]
    for name, report in sorted(state.items()):
        (folder / name).write_bytes(report.data())
        lines.append(f"{name},{report.district},{report.year},{name}的标题")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _edit(rng: random.Random, state: State, name: str) -> str:
    report = state[name]
    digits = [i for i, char in enumerate(report.text) if char.isdigit()]
    at = rng.choice(digits)
    new = str(rng.choice([d for d in range(10) if str(d) != report.text[at]]))
    if rng.random() < 0.3:
        new += "0"  # the text after the edit shifts
    state[name] = replace(report, text=report.text[:at] + new + report.text[at + 1 :])
    return f"edit {name} at {at}"


def _rename(rng: random.Random, state: State, name: str, other_reader: bool) -> str:
    stem, suffix = name.rsplit(".", 1)
    if other_reader:
        new = f"{stem}.{'html' if suffix == 'txt' else 'txt'}"
    else:
        new = f"{stem}-{rng.randrange(100)}.{suffix}"
    if new in state:
        return f"rename {name}: {new} is taken"
    state[new] = state.pop(name)
    return f"rename {name} → {new}"


def _change(rng: random.Random, state: State, history: list[State]) -> str:
    """Apply one random change to the state; say what it was."""
    name = rng.choice(sorted(state))
    report = state[name]
    kind = rng.choice(["edit", "rename", "reader", "encoding", "district", "year", "remove", "add", "revert"])
    if kind == "edit":
        return _edit(rng, state, name)
    if kind in ("rename", "reader"):
        return _rename(rng, state, name, other_reader=kind == "reader")
    if kind == "encoding":
        encoding = rng.choice([e for e in ENCODINGS if e != report.encoding])
        state[name] = replace(report, encoding=encoding)
        return f"encode {name} as {encoding}"
    if kind == "district":
        district = rng.choice([d for d in DISTRICTS if d != report.district])
        state[name] = replace(report, district=district)
        return f"move {name} to {district}"
    if kind == "year":
        state[name] = replace(report, year=report.year + rng.choice([-1, 1]))
        return f"move {name} to {state[name].year}"
    if kind == "remove" and len(state) > 2:
        del state[name]
        return f"remove {name}"
    if kind == "revert" and len(history) > 1:
        back = rng.randrange(len(history) - 1)
        state.clear()
        state.update(history[back])
        return f"revert to the state before step {back + 1}"
    source = rng.choice(sorted(_initial().values(), key=lambda r: r.text))
    added = f"added-{rng.randrange(1000)}.txt"
    # a line of its own makes the file unlike any other (byte-identical files are both rejected)
    state[added] = replace(source, text=source.text + f"\n（附{rng.randrange(10**6)}）\n")
    return f"add {added}"


def _relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where not internal "
        "union all select schema_name, view_name from duckdb_views() where not internal "
        "order by all"
    ).fetchall()


def _contents(database: Path) -> dict[str, object]:
    """Every table and view of every schema: its columns and types, and its rows sorted; when the build
    ran is left out."""
    with duckdb.connect(str(database), read_only=True) as con:
        found: dict[str, object] = {}
        for schema, name in _relations(con):
            if schema in INTERNAL_SCHEMAS:
                continue
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = ? and table_name = ? order by column_index",
                [schema, name],
            ).fetchall()
            query = f'select * from {schema}."{name}"'
            if name == "rpt_build":
                query = f'select * exclude (built_at) from {schema}."{name}"'
            found[f"{schema}.{name}"] = (columns, sorted(con.execute(query).fetchall(), key=repr))
        return found


def _differences(added: dict[str, object], full: dict[str, object]) -> list[str]:
    """The relations whose columns or rows differ, or that only one of the warehouses has."""
    return [
        f"{name} ({'missing' if name not in added else 'extra' if name not in full else 'differs'})"
        for name in sorted(set(added) | set(full))
        if added.get(name) != full.get(name)
    ]


def _full_build(reports: Path, warehouse: Path) -> subprocess.Popen[str]:
    """A full build of the folder, without the cache, in a process of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "govtargets.cli", "build", "--reports", str(reports), "--warehouse",
         str(warehouse), "--keep-going", "--full-refresh", "--no-cache", "--jobs", "1"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def test_an_incremental_warehouse_equals_a_full_build_after_any_changes(tmp_path: Path) -> None:
    seed = int(os.environ.get("GOVTARGETS_PROPERTY_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    state = _initial()
    history: list[State] = [dict(state)]
    reports, copy = tmp_path / "reports", tmp_path / "same-reports"
    warehouse = tmp_path / "incremental" / "govtargets.duckdb"
    _write(reports, state)
    first = build(reports, warehouse, keep_going=True, progress=lambda _: None, cache_dir=tmp_path / "cache")
    assert not first.incremental
    started = time.monotonic()
    steps: list[str] = []
    while len(steps) < 2 or (time.monotonic() - started < SECONDS and len(steps) < MOST_STEPS):
        if not steps:
            done = [_rename(rng, state, "baoan-2024.txt", other_reader=True)]
        else:
            done = [_change(rng, state, history) for _ in range(rng.randint(1, 3))]
        steps.append("; ".join(done))
        history.append(dict(state))
        replay = f"seed {seed}, steps: {' | '.join(steps)}"
        print(replay)  # pytest shows it with any failure of this step, an exception's too
        _write(reports, state)
        _write(copy, state)
        full = tmp_path / f"full-{len(steps)}" / "govtargets.duckdb"
        reference = _full_build(copy, full)
        try:
            added = build(
                reports, warehouse, keep_going=True, progress=lambda _: None, cache_dir=tmp_path / "cache"
            )
        finally:
            output, _ = reference.communicate()
        assert reference.returncode == 0, f"{replay}: the full build failed: {output}"
        assert added.incremental, replay
        assert not any(kind.startswith("unit_test") for kind in added.dbt_nodes), replay
        differences = _differences(_contents(warehouse), _contents(full))
        assert not differences, f"{replay}: {differences}"
        shutil.rmtree(full.parent)


def test_a_warehouse_another_project_built_is_built_from_the_start(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _write(reports, _initial())
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
