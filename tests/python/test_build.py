"""Bad input stops the build with a clear message and nothing half-written; --keep-going loads the good
reports and lists the rest; extraction is deterministic and report-local."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from govtargets import pipeline as build_module
from govtargets import quality
from govtargets.cli import main
from govtargets.pipeline import BuildError, build, extract
from govtargets.quality import QualityResult
from govtargets.settings import BUNDLED_REPORTS, BUNDLED_SEEDS, work_dir

GOOD = BUNDLED_REPORTS / "futian-2023-excerpt.txt"
OTHER = BUNDLED_REPORTS / "luohu-2023-excerpt.txt"


def _reports(folder: Path, rows: list[dict[str, str]], files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    columns = list(rows[0]) if rows else ["file", "district", "year"]
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def _good_plus(folder: Path, name: str, content: bytes, **row: str) -> Path:
    rows = [
        {"file": "good.txt", "district": "福田区", "year": "2023"},
        {"file": name, "district": "罗湖区", "year": "2023"} | row,
    ]
    return _reports(folder, rows, {"good.txt": GOOD.read_bytes(), name: content})


def _linked_outside(folder: Path) -> Path:
    reports = _good_plus(folder, "bad.txt", b"")
    (folder.parent / "outside.txt").write_bytes(OTHER.read_bytes())
    (reports / "bad.txt").unlink()
    (reports / "bad.txt").symlink_to(folder.parent / "outside.txt")
    return reports


BAD_INPUTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty file": (lambda d: _good_plus(d, "bad.txt", b""), "bad.txt"),
    "binary file": (
        lambda d: _good_plus(d, "bad.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40),
        "bad.txt",
    ),
    "undecodable bytes": (
        lambda d: _good_plus(
            d, "bad.txt", OTHER.read_bytes() + b"\n\xff\xfe\xfa\xfb broken\n" + OTHER.read_bytes()
        ),
        "bad.txt:",
    ),
    "enormous line": (lambda d: _good_plus(d, "bad.txt", ("新建学校5所," * 60_000).encode()), "bad.txt:1"),
    "unexpected encoding": (
        lambda d: _good_plus(
            d, "bad.txt", OTHER.read_text(encoding="utf-8").encode("euc-kr", errors="replace")
        ),
        "bad.txt",
    ),
    "a csv file": (lambda d: _good_plus(d, "bad.txt", b"a,b,c\n1,2,3\n" * 200), "bad.txt"),
    "navigation page": (
        lambda d: _good_plus(
            d, "bad.html", "".join(f'<a href="/{i}">首页栏目{i}</a><br>' for i in range(300)).encode()
        ),
        "bad.html",
    ),
    "bad year": (lambda d: _good_plus(d, "bad.txt", OTHER.read_bytes(), year="二〇二三"), "manifest.csv:3"),
    "unknown district": (
        lambda d: _good_plus(d, "bad.txt", OTHER.read_bytes(), district="不存在区"),
        "manifest.csv:3",
    ),
    "path outside the folder": (
        lambda d: _reports(
            d,
            [
                {"file": "good.txt", "district": "福田区", "year": "2023"},
                {"file": "../outside.txt", "district": "罗湖区", "year": "2023"},
            ],
            {"good.txt": GOOD.read_bytes(), "../outside.txt": OTHER.read_bytes()},
        ),
        "manifest.csv:3",
    ),
    "two rows for one file": (
        lambda d: _reports(
            d,
            [
                {"file": "good.txt", "district": "福田区", "year": "2023"},
                {"file": "good.txt", "district": "罗湖区", "year": "2023"},
            ],
            {"good.txt": GOOD.read_bytes()},
        ),
        "manifest.csv:2",
    ),
    "duplicate file": (lambda d: _good_plus(d, "copy.txt", GOOD.read_bytes()), "copy.txt"),
    "symlink leading outside the folder": (lambda d: _linked_outside(d), "bad.txt: is a symlink"),
    "names differing only in Unicode normalisation": (
        lambda d: _reports(
            d,
            [
                {"file": "caf\u00e9.txt", "district": "福田区", "year": "2023"},
                {"file": "cafe\u0301.txt", "district": "罗湖区", "year": "2023"},
            ],
            {"caf\u00e9.txt": GOOD.read_bytes(), "cafe\u0301.txt": OTHER.read_bytes()},
        ),
        "but for Unicode normalisation",
    ),
    "report missing from the manifest": (
        lambda d: _reports(
            d,
            [{"file": "good.txt", "district": "福田区", "year": "2023"}],
            {"good.txt": GOOD.read_bytes(), "stray.txt": OTHER.read_bytes()},
        ),
        "stray.txt",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_stops_extraction_and_writes_nothing(tmp_path: Path, case: str) -> None:
    make, named = BAD_INPUTS[case]
    reports = make(tmp_path / "reports" / "in")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "reports.csv").write_text("previous content\n", encoding="utf-8")
    with pytest.raises(BuildError) as raised:
        extract(reports, seeds, progress=lambda _: None)
    assert named in str(raised.value)
    assert [p.name for p in seeds.iterdir()] == ["reports.csv"]
    assert (seeds / "reports.csv").read_text(encoding="utf-8") == "previous content\n"


def test_manifest_missing_a_column_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = _reports(
        tmp_path / "r", [{"file": "good.txt", "district": "福田区"}], {"good.txt": GOOD.read_bytes()}
    )
    warehouse = tmp_path / "w" / "govtargets.duckdb"
    assert main(["build", "--reports", str(reports), "--warehouse", str(warehouse)]) == 1
    error = capsys.readouterr().err
    assert "manifest.csv" in error and "year" in error
    assert not warehouse.exists()


def test_keep_going_loads_the_good_reports_and_lists_the_rest(tmp_path: Path) -> None:
    reports = _good_plus(tmp_path / "r", "bad.txt", b"")
    seeds = tmp_path / "seeds"
    summary = extract(reports, seeds, keep_going=True, progress=lambda _: None)
    assert [r.file for r in summary.reports] == ["good.txt"]
    with (seeds / "rejected_inputs.csv").open(encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    assert [row["source_file"] for row in rejected] == ["bad.txt"]
    assert "empty" in rejected[0]["message"]


def test_extraction_is_byte_identical_and_report_local(tmp_path: Path) -> None:
    both = _reports(tmp_path / "both", [{"file": "a.txt", "district": "福田区", "year": "2023"},
                                        {"file": "b.txt", "district": "罗湖区", "year": "2023"}],
                    {"a.txt": GOOD.read_bytes(), "b.txt": OTHER.read_bytes()})  # fmt: skip
    one = _reports(tmp_path / "one", [{"file": "a.txt", "district": "福田区", "year": "2023"}],
                   {"a.txt": GOOD.read_bytes()})  # fmt: skip
    for name, folder in (("first", both), ("second", both), ("one", one)):
        extract(folder, tmp_path / name, progress=lambda _: None)
    for path in (tmp_path / "first").glob("*.csv"):
        assert path.read_bytes() == (tmp_path / "second" / path.name).read_bytes(), path.name

    def rows(folder: str, table: str) -> list[dict[str, str]]:
        with (tmp_path / folder / f"{table}.csv").open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    report_a = rows("one", "reports")[0]["report_id"]
    for table in ("sections", "sentences", "quantities"):
        assert [r for r in rows("first", table) if r["report_id"] == report_a] == rows("one", table)


def test_committed_seeds_are_current() -> None:
    assert build_module.check_seeds() == []


@pytest.mark.slow
def test_build_from_another_folder_publishes_and_keeps_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = {p.name: p.read_bytes() for p in BUNDLED_SEEDS.iterdir()}
    reports = _good_plus(tmp_path / "reports", "bad.txt", b"")
    warehouse = tmp_path / "published" / "govtargets.duckdb"
    summary = build(reports, warehouse, keep_going=True, progress=lambda _: None)
    assert summary.warehouse == warehouse
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        issues = connection.execute("select source_file, message from marts.rpt_load_issues").fetchall()
        targets = connection.execute("select count(*) from marts.fct_targets").fetchone()
    assert [source for source, _ in issues] == ["bad.txt"]
    assert targets is not None and targets[0] > 0
    assert {p.name: p.read_bytes() for p in BUNDLED_SEEDS.iterdir()} == committed
    published = warehouse.read_bytes()

    def failing(_: Path) -> QualityResult:
        return QualityResult(evaluated=1, passed=0, failures=["marts.fct_targets: forced failure"])

    monkeypatch.setattr(quality, "run_expectations", failing)
    with pytest.raises(BuildError, match="forced failure"):
        build(reports, warehouse, keep_going=True, progress=lambda _: None)
    assert warehouse.read_bytes() == published
    assert [p.name for p in warehouse.parent.iterdir() if p.name.startswith(".build-")] == []
    shutil.rmtree(work_dir(reports), ignore_errors=True)


def test_keep_going_lists_ten_thousand_rejected_rows_bounded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"file": "good.txt", "district": "福田区", "year": "2023"}]
    rows += [{"file": f"missing-{n}.txt", "district": "罗湖区", "year": "2023"} for n in range(10_000)]
    reports = _reports(tmp_path / "r", rows, {"good.txt": GOOD.read_bytes()})
    seeds = tmp_path / "seeds"
    assert (
        main(["extract", "--reports", str(reports), "--out", str(seeds), "--keep-going", "--no-cache"]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert len(out) < 30, out[:40]
    assert "  … and 9980 more" in out
    with (seeds / "rejected_inputs.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 10_000


def test_keep_going_lists_rejected_reports_bounded_as_they_are_extracted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = {f"bad-{n}.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40 + bytes([n]) for n in range(25)}
    rows = [{"file": "good.txt", "district": "福田区", "year": "2023"}]
    rows += [{"file": name, "district": "罗湖区", "year": "2023"} for name in binary]
    reports = _reports(tmp_path / "r", rows, {"good.txt": GOOD.read_bytes(), **binary})
    seeds = tmp_path / "seeds"
    assert (
        main(["extract", "--reports", str(reports), "--out", str(seeds), "--keep-going", "--no-cache"]) == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert len([line for line in out if "bad-" in line]) == 2 * 20  # as extracted, then in the summary
    assert "  … and 5 more rejected" in out  # as extracted
    assert "  … and 5 more" in out  # in the summary


def test_keep_going_names_both_normalisation_twins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, _ = BAD_INPUTS["names differing only in Unicode normalisation"]
    reports = _good_plus(tmp_path / "r", "other.txt", OTHER.read_bytes() + b"\n")
    make(tmp_path / "twins")
    for name in ("caf\u00e9.txt", "cafe\u0301.txt"):
        shutil.copyfile(tmp_path / "twins" / name, reports / name)
    with (reports / "manifest.csv").open("a", encoding="utf-8") as handle:
        handle.write("caf\u00e9.txt,深圳市南山区,2023\ncafe\u0301.txt,深圳市南山区,2024\n")
    assert main(["extract", "--reports", str(reports), "--out", str(tmp_path / "s"), "--keep-going"]) == 0
    out = capsys.readouterr().out
    assert "manifest.csv:4: caf\u00e9.txt: the same name as cafe\u0301.txt (line 5) but for Unicode" in out
    assert "manifest.csv:5: cafe\u0301.txt: the same name as caf\u00e9.txt (line 4) but for Unicode" in out
