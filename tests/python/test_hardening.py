"""The build against what real use and attackers do: a writer beside the warehouse, signals, full or
read-only disks, bad arguments and paths. Every failure is one line naming the path, a non-zero exit,
no traceback, and the published warehouse as it was."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from govtargets import cli as cli_module
from govtargets import pipeline as pipeline_module
from govtargets import publish as publish_module
from govtargets import settings
from govtargets.cli import main
from govtargets.processes import group_alive
from govtargets.settings import BUNDLED_REPORTS, prune_work_dirs, work_dir
from tests.python.conftest import start_writer


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govtargets.cli", *args], capture_output=True, text=True, timeout=timeout
    )


def _one_line_error(stderr: str, *needles: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("govtargets: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def _database(path: Path, value: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(f"create or replace table main.t as select {value} as x")
    return path


@pytest.fixture
def reports(tmp_path: Path) -> Iterator[Path]:
    """A copy of the bundled reports, with a work folder of its own that is removed afterwards."""
    folder = tmp_path / "reports"
    shutil.copytree(BUNDLED_REPORTS, folder)
    yield folder
    shutil.rmtree(work_dir(folder), ignore_errors=True)


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A published warehouse and a real process that holds it open for writing, as `duckdb FILE` does."""
    warehouse = _database(tmp_path / "published" / "govtargets.duckdb")
    process = start_writer(warehouse)
    yield warehouse, process
    process.kill()
    process.wait()


def _mount_tmpfs(path: Path, options: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); the test needs root")


def _unmount(path: Path) -> None:
    subprocess.run(["umount", str(path)], check=False)


def test_a_writer_is_named_before_any_work(writer: tuple[Path, subprocess.Popen[str]], reports: Path) -> None:
    warehouse, process = writer
    before = warehouse.read_bytes()
    done = _cli("build", "--reports", str(reports), "--warehouse", str(warehouse))
    assert done.returncode == 1
    _one_line_error(done.stderr, str(warehouse), f"pid {process.pid}", "read-only by contract")
    assert "extract:" not in done.stdout  # refused before extracting anything
    assert warehouse.read_bytes() == before


def test_export_from_a_warehouse_a_writer_holds_is_one_line(
    writer: tuple[Path, subprocess.Popen[str]], tmp_path: Path
) -> None:
    warehouse, _ = writer
    done = _cli("export", "--warehouse", str(warehouse), str(tmp_path / "out"))
    assert done.returncode == 1
    _one_line_error(done.stderr, str(warehouse), "open for writing")


@pytest.mark.slow
def test_a_killed_writers_log_is_set_aside_and_the_build_publishes(
    writer: tuple[Path, subprocess.Popen[str]], reports: Path
) -> None:
    warehouse, process = writer
    process.kill()
    process.wait()
    assert warehouse.with_name("govtargets.duckdb.wal").exists()
    done = _cli("build", "--reports", str(reports), "--warehouse", str(warehouse))
    assert done.returncode == 0, done.stderr
    assert "moved a write-ahead log that no process holds aside" in done.stderr
    assert not warehouse.with_name("govtargets.duckdb.wal").exists()
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        assert reader.execute("select count(*) from marts.fct_targets").fetchone() == (56,)


def _staging_with_dbt(warehouse: Path, builder: subprocess.Popen[str], timeout: float = 120) -> int:
    """Wait until the build runs dbt; returns dbt's process group id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert builder.poll() is None, "the build ended before dbt started"
        for pgid_file in warehouse.parent.glob(".build-*/dbt.pgid"):
            text = pgid_file.read_text(encoding="ascii").strip()
            if text:
                time.sleep(1.0)  # let dbt get going
                return int(text)
        time.sleep(0.05)
    raise AssertionError("dbt did not start")


def _start_build(reports: Path, warehouse: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "govtargets.cli",
            "build",
            "--reports",
            str(reports),
            "--warehouse",
            str(warehouse),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_a_stop_during_dbt_ends_dbt_cleans_up_and_says_one_line(
    reports: Path, tmp_path: Path, stop: signal.Signals
) -> None:
    warehouse = _database(tmp_path / "published" / "govtargets.duckdb", 7)
    before = warehouse.read_bytes()
    builder = _start_build(reports, warehouse)
    pgid = _staging_with_dbt(warehouse, builder)
    builder.send_signal(stop)
    _, stderr = builder.communicate(timeout=60)
    assert builder.returncode == 128 + stop
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [
        f"govtargets: stopped by {stop.name}; nothing was published, the warehouse is as it was"
    ]
    assert not group_alive(pgid)
    assert list(warehouse.parent.glob(".build-*")) == []
    assert warehouse.read_bytes() == before
    if stop == signal.SIGTERM:
        assert _cli("build", "--reports", str(reports), "--warehouse", str(warehouse)).returncode == 0


@pytest.mark.slow
def test_after_sigkill_the_next_build_stops_the_orphaned_dbt_and_succeeds(
    reports: Path, tmp_path: Path
) -> None:
    warehouse = _database(tmp_path / "published" / "govtargets.duckdb", 7)
    builder = _start_build(reports, warehouse)
    pgid = _staging_with_dbt(warehouse, builder)
    builder.kill()
    builder.communicate(timeout=60)
    assert group_alive(pgid), "dbt should outlive a builder killed outright"
    done = _cli("build", "--reports", str(reports), "--warehouse", str(warehouse))
    assert done.returncode == 0, done.stderr
    assert not group_alive(pgid)
    assert [p.name for p in warehouse.parent.glob(".build-*")] == []
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        assert reader.execute("select count(*) from marts.fct_targets").fetchone() == (56,)


@pytest.mark.slow
def test_a_report_of_200000_characters_builds(tmp_path: Path) -> None:
    folder = tmp_path / "long"
    folder.mkdir()
    excerpt = (BUNDLED_REPORTS / "futian-2023-excerpt.txt").read_text(encoding="utf-8")
    text = "\n".join([excerpt] * (200_000 // len(excerpt) + 1))
    assert len(text) >= 200_000
    (folder / "long.txt").write_text(text, encoding="utf-8")
    (folder / "manifest.csv").write_text("file,district,year\nlong.txt,福田区,2023\n", encoding="utf-8")
    warehouse = tmp_path / "w" / "govtargets.duckdb"
    try:
        done = _cli("build", "--reports", str(folder), "--warehouse", str(warehouse))
    finally:
        shutil.rmtree(work_dir(folder), ignore_errors=True)
    assert done.returncode == 0, done.stderr[-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        assert reader.execute("select max(char_count) from marts.dim_report").fetchone() == (len(text),)


def test_a_full_seed_folder_is_one_line(reports: Path, tmp_path: Path) -> None:
    seeds_disk = work_dir(reports)
    _mount_tmpfs(seeds_disk, "size=16k")
    try:
        done = _cli(
            "build", "--reports", str(reports), "--warehouse", str(tmp_path / "w" / "govtargets.duckdb")
        )
    finally:
        _unmount(seeds_disk)
    assert done.returncode == 1
    _one_line_error(done.stderr, str(seeds_disk), "No space left on device", "free some space")
    assert not (tmp_path / "w" / "govtargets.duckdb").exists()


def test_a_full_disk_while_publishing_is_one_line_and_publishes_nothing(
    reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = _database(tmp_path / "published" / "govtargets.duckdb", 7)
    before = warehouse.read_bytes()

    def full(candidate: Path, storage_version: str | None = None) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(candidate.parent))

    monkeypatch.setattr(publish_module, "check_publishable", full)
    assert main(["build", "--reports", str(reports), "--warehouse", str(warehouse)]) == 1
    _one_line_error(
        capsys.readouterr().err, str(warehouse.parent), "No space left on device", "free some space"
    )
    assert warehouse.read_bytes() == before
    assert list(warehouse.parent.glob(".build-*")) == []


def test_a_read_only_warehouse_folder_is_refused_first(reports: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    _mount_tmpfs(folder, "ro,size=64k")
    try:
        done = _cli("build", "--reports", str(reports), "--warehouse", str(folder / "govtargets.duckdb"))
    finally:
        _unmount(folder)
    assert done.returncode == 1
    _one_line_error(done.stderr, str(folder), "not a folder this build may write to")
    assert "extract:" not in done.stdout


@pytest.mark.parametrize(
    ("arguments", "needles"),
    [
        (["--warehouse", "{tmp}"], ["{tmp}", "is a folder"]),
        (["--warehouse", "{tmp}/.hidden.duckdb"], [".hidden.duckdb", "must not start with a dot"]),
        (
            ["--warehouse", "{tmp}/w/govtargets.duckdb", "--storage-version", "v9.9.9"],
            ["'v9.9.9' is not a DuckDB storage version"],
        ),
    ],
)
def test_bad_arguments_fail_before_extracting(
    reports: Path, tmp_path: Path, arguments: list[str], needles: list[str]
) -> None:
    filled = [argument.replace("{tmp}", str(tmp_path)) for argument in arguments]
    started = time.monotonic()
    done = _cli("build", "--reports", str(reports), *filled)
    assert done.returncode == 1
    _one_line_error(done.stderr, *(needle.replace("{tmp}", str(tmp_path)) for needle in needles))
    assert "extract:" not in done.stdout
    assert time.monotonic() - started < 60


def test_export_errors_are_one_line(tmp_path: Path) -> None:
    warehouse = _database(tmp_path / "w" / "govtargets.duckdb")
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    not_duckdb = tmp_path / "not.duckdb"
    not_duckdb.write_text("not a database", encoding="utf-8")
    done = _cli("export", "--warehouse", str(warehouse), str(a_file))
    _one_line_error(done.stderr, str(a_file), "is a file")
    done = _cli("export", "--warehouse", str(not_duckdb), str(tmp_path / "out"))
    _one_line_error(done.stderr, str(not_duckdb), "not a DuckDB warehouse file")


def test_export_to_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    warehouse = _database(tmp_path / "w" / "govtargets.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts; create table marts.fct_targets as select 1 as target_id")
    folder = tmp_path / "ro"
    _mount_tmpfs(folder, "ro,size=64k")
    try:
        done = _cli("export", "--warehouse", str(warehouse), str(folder))
    finally:
        _unmount(folder)
    assert done.returncode == 1
    _one_line_error(done.stderr, str(folder), "Read-only file system")


def test_old_unlocked_work_folders_are_pruned_and_others_kept(tmp_path: Path) -> None:
    old, fresh, locked, other = (
        tmp_path / name for name in ("old-0123456789ab", "new-0123456789ab", "busy-0123456789ab", "test")
    )
    for folder in (old, fresh, locked, other):
        (folder / "seeds").mkdir(parents=True)
        (folder / ".seeds.lock").write_text("1\n", encoding="ascii")
    week_ago = time.time() - 8 * 24 * 3600
    for folder in (old, locked, other):
        os.utime(folder / ".seeds.lock", (week_ago, week_ago))
    with publish_module.build_lock(locked / "seeds"):
        os.utime(locked / ".seeds.lock", (week_ago, week_ago))
        assert prune_work_dirs(root=tmp_path) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, locked.name, other.name])


def test_waiting_says_what_it_waits_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    warehouse = tmp_path / "govtargets.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\nfrom govtargets.publish import build_lock\n"
         "with build_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(1.5)\n", str(warehouse)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with publish_module.build_lock(warehouse, wait=True, timeout=30):
        pass
    holder.wait()
    assert (
        f"waiting for another build of this warehouse (pid {holder.pid}) to finish" in capsys.readouterr().err
    )


def test_a_locked_reports_folder_is_named_as_such(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from govtargets.settings import seeds_dir_for

    with publish_module.build_lock(seeds_dir_for(reports), what="reports folder"):
        assert (
            main(
                ["build", "--reports", str(reports), "--warehouse", str(tmp_path / "w" / "govtargets.duckdb")]
            )
            == 1
        )
    error = _one_line_error(capsys.readouterr().err, "another build of this reports folder")
    assert "warehouse is running" not in error


@pytest.mark.slow
def test_a_reports_folder_named_like_an_injection_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The seed files' path reaches the seed materialization's SQL. A quote there must not end its
    string, nor [1] or * be read as a glob; and the reports folder's name (a backslash and a glob
    character, which no escape lets DuckDB's glob match) must not reach it at all."""
    folder = tmp_path / "报告 x'); select 1; -- [1]*? \"\\%{{ x }}"
    shutil.copytree(BUNDLED_REPORTS, folder)
    work_root = settings.WORK_ROOT / "o'brien [1]*?"  # as if the project were checked out there
    monkeypatch.setattr(settings, "WORK_ROOT", work_root)
    warehouse = tmp_path / "w" / "govtargets.duckdb"
    try:
        code = main(["build", "--reports", str(folder), "--warehouse", str(warehouse)])
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    assert code == 0, capsys.readouterr().err
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        assert reader.execute("select count(*) from marts.fct_targets").fetchone() == (56,)
        assert reader.execute("select count(*) from marts.dim_report").fetchone() == (2,)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("it's.duckdb", "'"),
        ('say"hi".duckdb', '"'),
        ("back\\slash.duckdb", "\\"),
        ("a#b.duckdb", "#"),
        ("a:b.duckdb", ":"),
        ("line\nbreak.duckdb", "a control character"),
        ("tab\there.duckdb", "a control character"),
    ],
)
def test_a_warehouse_name_dbt_or_duckdb_cannot_take_is_refused_first(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, shown: str
) -> None:
    warehouse = tmp_path / "w" / name
    assert main(["build", "--reports", str(reports), "--warehouse", str(warehouse)]) == 1
    captured = capsys.readouterr()
    _one_line_error(captured.err, "the file name cannot hold", shown, "choose another --warehouse name")
    assert "extract:" not in captured.out
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("name", ["报告.duckdb", "a b.duckdb", "a%b.duckdb", "a{{b}}.duckdb", "a?b.duckdb"])
def test_warehouse_names_that_build_are_not_refused(tmp_path: Path, name: str) -> None:
    publish_module.check_warehouse_path(tmp_path / name)  # each builds (tried by hand with dbt-duckdb)


def test_a_read_only_work_folder_asks_for_a_writable_project(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work = work_dir(reports)
    _mount_tmpfs(work, "ro,size=64k")
    try:
        code = main(
            ["build", "--reports", str(reports), "--warehouse", str(tmp_path / "w" / "govtargets.duckdb")]
        )
    finally:
        _unmount(work)
    assert code == 1
    error = _one_line_error(capsys.readouterr().err, str(work), "make the project folder writable")
    assert "--warehouse" not in error
    assert not (tmp_path / "w" / "govtargets.duckdb").exists()


def test_a_read_only_out_folder_of_extract_asks_for_another_out(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ro"
    _mount_tmpfs(out, "ro,size=64k")
    try:
        code = main(["extract", "--reports", str(reports), "--out", str(out)])
    finally:
        _unmount(out)
    assert code == 1
    _one_line_error(capsys.readouterr().err, str(out), "choose another --out")


@pytest.mark.parametrize(("command", "output", "advice"), [
    ("site", "site", "choose another folder for the site"),
    ("export", "parquet", "choose another folder for the export"),
])  # fmt: skip
def test_a_read_only_output_folder_asks_for_another_folder(
    command: str, output: str, advice: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = _database(tmp_path / "w" / "govtargets.duckdb")
    with duckdb.connect(str(warehouse)) as con:  # a mart, so that the export gets as far as writing
        con.execute("create schema marts; create table marts.fct_targets as select 1 as target_id")
    folder = tmp_path / "ro"
    _mount_tmpfs(folder, "ro,size=64k")
    try:
        code = main([command, "--warehouse", str(warehouse), str(folder / output)])
    finally:
        _unmount(folder)
    assert code == 1
    error = _one_line_error(capsys.readouterr().err, str(folder), advice)
    assert "--warehouse" not in error


def test_a_permission_denied_in_the_warehouse_folder_asks_for_another_warehouse(
    reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "published" / "govtargets.duckdb"

    def denied(candidate: Path, storage_version: str | None = None) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(candidate.parent))

    monkeypatch.setattr(publish_module, "check_publishable", denied)
    assert main(["build", "--reports", str(reports), "--warehouse", str(warehouse)]) == 1
    _one_line_error(
        capsys.readouterr().err, str(warehouse.parent), "Permission denied", "choose another --warehouse"
    )


def test_a_permission_denied_in_the_work_folder_asks_for_a_writable_project(
    reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def denied(folder: Path, files: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))

    monkeypatch.setattr(pipeline_module, "write_seed_set", denied)
    assert (
        main(["build", "--reports", str(reports), "--warehouse", str(tmp_path / "w" / "govtargets.duckdb")])
        == 1
    )
    error = _one_line_error(
        capsys.readouterr().err, str(work_dir(reports)), "make the project folder writable"
    )
    assert "--warehouse" not in error


def test_a_read_only_extraction_cache_is_no_reason_to_fail(
    reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    _mount_tmpfs(cache, "ro,size=64k")
    monkeypatch.setattr(cli_module, "EXTRACT_CACHE", cache)
    try:
        code = main(["extract", "--reports", str(reports), "--out", str(tmp_path / "seeds")])
    finally:
        _unmount(cache)
    assert code == 0, capsys.readouterr().err
