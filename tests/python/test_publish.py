"""Write-audit-publish: locking, staging, the candidate in an older storage format, its checks and the
atomic swap, with real processes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from govtargets.publish import (
    DEFAULT_STORAGE_VERSION,
    STORAGE_VERSION_ENV,
    BuildLockedError,
    PublishError,
    build_lock,
    check_publishable,
    create_candidate,
    lock_path,
    publish,
    staging_area,
    storage_version_of,
)
from tests.python.conftest import start_writer

COMPAT_PYTHON = os.environ.get("GOVTARGETS_COMPAT_PYTHON")
COMPAT_READER = Path(__file__).with_name("compat_reader.py")
VIEW_QUERY = "select count(*), min(label) from staging.stg_numbers"

# A reader that holds the warehouse open and queries it in a loop until told "stop"; after "mark" (sent
# once the new file is published) it counts its queries. Finally it reconnects and reports what it saw.
READER = r"""
import json, sys, threading, duckdb
path, query = sys.argv[1], sys.argv[2]
con = duckdb.connect(path, read_only=True)
marked, stop = threading.Event(), threading.Event()
def listen():
    for line in sys.stdin:
        (marked if line.strip() == "mark" else stop).set()
    stop.set()
threading.Thread(target=listen, daemon=True).start()
print(json.dumps(con.execute(query).fetchall()[0]), flush=True)
seen, errors, after_mark = set(), [], 0
while not stop.is_set():
    try:
        seen.add(tuple(con.execute(query).fetchall()[0]))
        after_mark += marked.is_set()
    except Exception as error:
        errors.append(repr(error))
con.close()
fresh = duckdb.connect(path, read_only=True).execute(query).fetchall()[0]
print(json.dumps({"seen": sorted(seen), "errors": errors, "after_mark": after_mark, "fresh": fresh}))
"""

# Takes the build lock, says so, and holds it for argv[2] seconds.
HOLDER = r"""
import sys, time
from pathlib import Path
from govtargets.publish import build_lock
with build_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""

# A build that dies (kill -9) after writing its candidate.
DOOMED_BUILD = r"""
import sys, time
from pathlib import Path
import duckdb
from govtargets.publish import build_lock, staging_area
warehouse = Path(sys.argv[1])
with build_lock(warehouse), staging_area(warehouse) as candidate:
    duckdb.connect(str(candidate)).execute("create table t as select 1 as x").close()
    print(candidate, flush=True)
    time.sleep(60)
"""


def make_database(path: Path, rows: int, label: str) -> Path:
    """A small warehouse: a seed table, a catalog-qualified staging view over it, a commented mart."""
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog = path.stem
    with duckdb.connect(str(path)) as con:
        con.execute("create schema seeds; create schema staging; create schema marts")
        numbers = "select range::integer as n, ? as label from range(?)"
        con.execute(f"create table seeds.numbers as {numbers}", [label, rows])
        con.execute(
            f'create view "{catalog}"."staging"."stg_numbers" as '
            f'(select n, label from "{catalog}"."seeds"."numbers")'
        )
        con.execute("create table marts.fct_numbers as select * from staging.stg_numbers")
        con.execute("comment on table marts.fct_numbers is 'One row per number.'")
        con.execute("comment on column marts.fct_numbers.n is 'The number (数字).'")
        con.execute("comment on view staging.stg_numbers is 'Numbers, renamed.'")
    return path


def candidate_database(path: Path, rows: int, label: str, storage_version: str | None = None) -> Path:
    """``make_database`` in a candidate created as a build creates it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    create_candidate(path, storage_version)
    return make_database(path, rows, label)


def published(warehouse: Path, rows: int, label: str) -> Path:
    """Build, check and publish a warehouse of ``rows`` numbers labelled ``label``."""
    with build_lock(warehouse), staging_area(warehouse) as candidate:
        check_publishable(candidate_database(candidate, rows, label))
        publish(candidate, warehouse)
    return warehouse


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def staging_folders(warehouse: Path) -> list[Path]:
    return sorted(warehouse.parent.glob(".build-*"))


def python(script: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def query(path: Path, sql: str = VIEW_QUERY) -> tuple:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()[0]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return published(tmp_path / "warehouse" / "govtargets.duckdb", 200_000, "old")


# --- publishing beside a reader -----------------------------------------------------------------------


def test_reader_in_another_process_keeps_its_snapshot_and_reconnects_to_new_data(warehouse: Path) -> None:
    reader = python(READER, warehouse, VIEW_QUERY)
    assert reader.stdout is not None and reader.stdin is not None
    assert json.loads(reader.stdout.readline()) == [200_000, "old"]

    published(warehouse, 3, "new")
    reader.stdin.write("mark\n")
    reader.stdin.flush()
    time.sleep(0.5)
    out, err = reader.communicate("stop\n", timeout=30)

    report = json.loads(out)
    assert reader.returncode == 0, err
    assert report["errors"] == []
    assert report["seen"] == [[200_000, "old"]]
    assert report["after_mark"] > 0
    assert report["fresh"] == [3, "new"]
    assert query(warehouse) == (3, "new")


def test_same_process_sees_new_data_once_its_old_connections_are_closed(warehouse: Path) -> None:
    # DuckDB shares one database instance per path within a process: a new connection opened while an
    # old one is still open gets the old file. This is why BI tools must not pool connections.
    old = duckdb.connect(str(warehouse), read_only=True)
    published(warehouse, 3, "new")
    second = duckdb.connect(str(warehouse), read_only=True)
    assert second.execute(VIEW_QUERY).fetchall()[0] == (200_000, "old")
    second.close()
    old.close()
    assert query(warehouse) == (3, "new")


def test_publish_leaves_no_temporary_files(warehouse: Path) -> None:
    names = {p.name for p in warehouse.parent.iterdir()}
    assert names == {warehouse.name, lock_path(warehouse).name}


# --- the build lock ----------------------------------------------------------------------------------


def test_second_build_in_same_process_is_refused(tmp_path: Path) -> None:
    warehouse = tmp_path / "govtargets.duckdb"
    with build_lock(warehouse), pytest.raises(BuildLockedError) as refused, build_lock(warehouse):
        pass
    assert str(lock_path(warehouse)) in str(refused.value)
    assert f"pid {os.getpid()}" in str(refused.value)
    with build_lock(warehouse):
        pass


def test_second_build_fails_fast_naming_the_lock_and_holder(tmp_path: Path) -> None:
    warehouse = tmp_path / "govtargets.duckdb"
    holder = python(HOLDER, warehouse, 30)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(BuildLockedError) as refused, build_lock(warehouse):
            pass
        assert time.monotonic() - started < 1
        message = str(refused.value)
        assert str(lock_path(warehouse)) in message
        assert f"pid {holder.pid}" in message
        assert "--wait" in message
    finally:
        holder.kill()
        holder.communicate()


def test_waiting_build_times_out_with_a_clear_message(tmp_path: Path) -> None:
    warehouse = tmp_path / "govtargets.duckdb"
    holder = python(HOLDER, warehouse, 30)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(BuildLockedError, match=r"waited 0.3 s"), build_lock(warehouse, True, 0.3):
            pass
        assert 0.3 <= time.monotonic() - started < 2
    finally:
        holder.kill()
        holder.communicate()


def test_waiting_build_starts_when_the_first_finishes(tmp_path: Path) -> None:
    warehouse = tmp_path / "govtargets.duckdb"
    holder = python(HOLDER, warehouse, 1)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    started = time.monotonic()
    with build_lock(warehouse, wait=True, timeout=10):
        waited = time.monotonic() - started
        assert lock_path(warehouse).read_text().strip() == str(os.getpid())
    holder.communicate(timeout=10)
    assert holder.returncode == 0
    assert 0.3 < waited < 5


def test_lock_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    warehouse = tmp_path / "govtargets.duckdb"
    holder = python(HOLDER, warehouse, 60)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.communicate(timeout=10)
    with build_lock(warehouse):
        assert lock_path(warehouse).read_text().strip() == str(os.getpid())


# --- failed and killed builds ------------------------------------------------------------------------


def test_failure_in_staging_area_leaves_published_file_and_no_temporary_folder(warehouse: Path) -> None:
    before = digest(warehouse)
    with pytest.raises(RuntimeError, match="dbt failed"), build_lock(warehouse), staging_area(warehouse) as c:
        make_database(c, 5, "broken")
        raise RuntimeError("dbt failed")
    assert digest(warehouse) == before
    assert staging_folders(warehouse) == []


def test_a_candidate_that_fails_its_checks_leaves_published_file(warehouse: Path) -> None:
    before = digest(warehouse)
    refused = pytest.raises(PublishError, match=r"v2\.0\.0\+, not v1\.4\.0")
    with refused, build_lock(warehouse), staging_area(warehouse) as c:
        check_publishable(make_database(c, 5, "new"))  # DuckDB's own format, not the configured one
        publish(c, warehouse)
    assert digest(warehouse) == before
    assert staging_folders(warehouse) == []


def test_killed_build_leaves_a_named_folder_that_the_next_build_removes(warehouse: Path) -> None:
    before = digest(warehouse)
    doomed = python(DOOMED_BUILD, warehouse)
    assert doomed.stdout is not None
    candidate = Path(doomed.stdout.readline().strip())
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.communicate(timeout=10)

    assert candidate.exists()
    assert candidate.parent.name.startswith(f".build-{doomed.pid}-")
    assert digest(warehouse) == before

    with build_lock(warehouse):
        assert staging_folders(warehouse) == []


def test_stale_folder_of_a_dead_pid_is_removed_and_a_live_one_kept(tmp_path: Path) -> None:
    warehouse = tmp_path / "govtargets.duckdb"
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".build-{dead.pid}-0badf00d"
    live = tmp_path / f".build-{os.getpid()}-0123abcd"
    for folder in (stale, live):
        folder.mkdir()
        (folder / warehouse.name).write_bytes(b"half a database")
    with build_lock(warehouse):
        assert not stale.exists()
        assert live.exists()


# --- the candidate and its checks ------------------------------------------------------------------


def test_a_candidate_keeps_the_old_storage_version_whatever_is_written_into_it(tmp_path: Path) -> None:
    candidate = candidate_database(tmp_path / ".build-1-ab" / "govtargets.duckdb", 1000, "x")
    assert storage_version_of(candidate) == f"{DEFAULT_STORAGE_VERSION}+"
    check_publishable(candidate)
    plain = make_database(tmp_path / "plain" / "govtargets.duckdb", 10, "x")
    assert storage_version_of(plain) == f"v{'.'.join(duckdb.__version__.split('.')[:2])}.0+"


def test_storage_version_comes_from_argument_or_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(STORAGE_VERSION_ENV, "v1.5.0")
    from_env = candidate_database(tmp_path / "a" / "govtargets.duckdb", 10, "x")
    from_flag = candidate_database(tmp_path / "b" / "govtargets.duckdb", 10, "x", "v1.4.0")
    assert storage_version_of(from_env) == "v1.5.0+"
    assert storage_version_of(from_flag) == "v1.4.0+"
    check_publishable(from_env)
    with pytest.raises(PublishError, match=r"is in storage version v1\.4\.0\+, not v1\.5\.0"):
        check_publishable(from_flag)


def test_a_candidate_copied_from_the_warehouse_is_its_copy(warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "next" / "govtargets.duckdb"
    copy.parent.mkdir()
    create_candidate(copy, base=warehouse)
    assert digest(copy) == digest(warehouse)


def test_a_view_that_does_not_resolve_is_refused(tmp_path: Path) -> None:
    candidate = candidate_database(tmp_path / "next" / "govtargets.duckdb", 3, "x")
    with duckdb.connect(str(candidate)) as con:
        con.execute("drop table seeds.numbers")
    with pytest.raises(PublishError, match=r"view staging\.stg_numbers does not resolve"):
        check_publishable(candidate)


def test_a_candidate_with_a_write_ahead_log_is_refused(tmp_path: Path) -> None:
    candidate = candidate_database(tmp_path / "next" / "govtargets.duckdb", 3, "x")
    writer = start_writer(candidate)
    writer.kill()  # killed while writing: its log stays beside the file
    writer.wait()
    with pytest.raises(PublishError, match="unapplied write-ahead log"):
        check_publishable(candidate)


def test_publish_refuses_a_differently_named_file(tmp_path: Path) -> None:
    ready = make_database(tmp_path / "build" / "candidate.duckdb", 3, "x")
    with pytest.raises(PublishError, match=r"must be named govtargets\.duckdb"):
        publish(ready, tmp_path / "govtargets.duckdb")


def test_publish_refuses_while_a_writer_has_the_warehouse_open(warehouse: Path, tmp_path: Path) -> None:
    before = digest(warehouse)
    writer = start_writer(warehouse)
    try:
        ready = candidate_database(tmp_path / "next" / "govtargets.duckdb", 3, "new")
        with pytest.raises(PublishError, match=f"pid {writer.pid} .*open for writing"):
            publish(ready, warehouse)
        assert digest(warehouse) == before
    finally:
        writer.kill()
        writer.wait()


def test_a_log_no_process_holds_is_set_aside_and_the_new_file_published(
    warehouse: Path, tmp_path: Path
) -> None:
    writer = start_writer(warehouse)
    writer.kill()  # killed while writing: its log stays beside the file
    writer.wait()
    assert (warehouse.parent / "govtargets.duckdb.wal").exists()
    ready = candidate_database(tmp_path / "next" / "govtargets.duckdb", 3, "new")
    publish(ready, warehouse)
    assert not (warehouse.parent / "govtargets.duckdb.wal").exists()
    assert len(list(warehouse.parent.glob(".govtargets.duckdb.wal.stale-*"))) == 1
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        assert reader.execute(VIEW_QUERY).fetchall() == [(3, "new")]


@pytest.mark.skipif(
    not COMPAT_PYTHON,
    reason="set GOVTARGETS_COMPAT_PYTHON to a python with duckdb 1.4.x (`make test` does) "
    "to check that an older DuckDB reads the published file",
)
def test_compat_older_duckdb_reads_the_candidate(tmp_path: Path) -> None:
    assert COMPAT_PYTHON is not None
    ready = candidate_database(tmp_path / "build" / "govtargets.duckdb", 1000, "x")
    candidate = make_database(tmp_path / "plain" / "govtargets.duckdb", 1000, "x")  # DuckDB's own format

    def read(path: Path) -> subprocess.CompletedProcess[str]:
        command = [COMPAT_PYTHON, str(COMPAT_READER), str(path)]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    opened = read(ready)
    assert opened.returncode == 0, opened.stderr
    report = json.loads(opened.stdout)
    old = tuple(int(part) for part in report["duckdb_version"].split(".")[:2])
    assert old < tuple(int(part) for part in duckdb.__version__.split(".")[:2])
    assert report["marts"] == {"fct_numbers": 1000}
    assert report["views"] == {"staging.stg_numbers": 1000}

    refused = read(candidate)
    assert refused.returncode != 0
    assert "newer version of DuckDB" in refused.stderr


def test_a_group_of_zombies_is_not_alive() -> None:
    """A process that has exited but is not yet reaped (a zombie) can do nothing more: a build does not
    wait for init to reap what dbt left in its group."""
    from govtargets.processes import group_alive, stop_group

    done = subprocess.Popen(["true"], start_new_session=True)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{done.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert not group_alive(done.pid)
    started = time.monotonic()
    stop_group(done.pid, grace=0)
    assert time.monotonic() - started < 1
    done.wait()

    sleeper = subprocess.Popen(["sleep", "30"], start_new_session=True)
    assert group_alive(sleeper.pid)
    stop_group(sleeper.pid, grace=0)  # SIGKILL at once
    assert sleeper.wait(timeout=5) == -signal.SIGKILL


def test_a_warehouse_written_while_it_is_copied_is_refused(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govtargets import publish as publish_module

    real_copy = shutil.copyfile

    def copy_while_written(source: Path, target: Path) -> object:
        copied = real_copy(source, target)
        with source.open("ab") as handle:  # a process that breaks the read-only contract meanwhile
            handle.write(b"\0")
        return copied

    monkeypatch.setattr(publish_module.shutil, "copyfile", copy_while_written)
    copy = tmp_path / "next" / "govtargets.duckdb"
    copy.parent.mkdir()
    with pytest.raises(PublishError, match="changed while it was copied"):
        create_candidate(copy, base=warehouse)
