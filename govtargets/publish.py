"""Write-audit-publish: build beside the published warehouse, check, then swap it in with one rename.

A build works inside ``publication``: it holds ``build_lock`` (one build per warehouse at a time), gives
the build a candidate database in a ``staging_area`` folder next to the warehouse and, when the build's
block ends without an error, copies the candidate with ``make_publishable`` into a file an older DuckDB can
read, audits that copy, and ``publish`` renames it over the warehouse. Readers that hold the old file
open keep reading it (the rename does not touch the open inode) and see the new data when they connect
again; a failed or killed build never touches the published file.

The candidate keeps the warehouse's file name (in its own folder): DuckDB names a database's catalog
after the file name (up to its first dot), and view definitions may refer to that catalog.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import struct
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from govtargets.dbt_runner import PGID_FILE
from govtargets.processes import command_line, group_alive, pid_alive, stop_group
from loaders.errors import LoaderError

DEFAULT_STORAGE_VERSION = "v1.4.0"
STORAGE_VERSION_ENV = "GOVTARGETS_STORAGE_VERSION"
LOCK_POLL_SECONDS = 0.1
STAGING_PREFIX = ".build-"
_STAGING_NAME = re.compile(rf"{re.escape(STAGING_PREFIX)}(\d+)-[0-9a-f]+")


class BuildLockedError(LoaderError):
    """Another build of the same warehouse is running."""


class PublishError(LoaderError):
    """The candidate cannot be published safely; the published warehouse is unchanged."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.parent / f".{warehouse.name}.lock"


def _holder(lock: Path) -> str:
    pid = lock.read_text(encoding="ascii", errors="replace").strip()
    return f"pid {pid}" if pid else "unknown pid"


def _acquire(fd: int, lock: Path, wait: bool, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if wait and not told:
                print(
                    f"waiting for another build of this {what} ({_holder(lock)}) to finish", file=sys.stderr
                )
                told = True
            if not wait or (timeout > 0 and time.monotonic() >= deadline):
                waited = f" (waited {timeout:g} s)" if wait else ""
                raise BuildLockedError(
                    str(lock),
                    f"another build of this {what} is running ({_holder(lock)}){waited}; "
                    "wait for it to finish or start this one with --wait",
                ) from None
        time.sleep(LOCK_POLL_SECONDS)


@contextmanager
def build_lock(
    warehouse: Path, wait: bool = False, timeout: float = 0, what: str = "warehouse"
) -> Iterator[None]:
    """Hold the build lock of a warehouse (or of another path, named by ``what`` in messages): one build
    at a time.

    Without ``wait`` a held lock raises ``BuildLockedError`` at once; with ``wait`` it waits up to
    ``timeout`` seconds (``0``: as long as it takes). The lock is an ``flock`` on a file beside the
    warehouse holding the builder's pid, so the kernel releases it when the builder dies, however it dies.
    Staging folders left by dead builds are removed once the lock is held.
    """
    lock = lock_path(warehouse)
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, lock, wait, timeout, what)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        remove_stale_builds(warehouse)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)


def remove_stale_builds(warehouse: Path) -> list[Path]:
    """Remove ``.build-<pid>-*`` folders beside the warehouse whose build process is gone, after ending
    the dbt process group such a build may have left running (a build killed with SIGKILL)."""
    stale = [
        folder
        for folder in warehouse.parent.glob(f"{STAGING_PREFIX}*")
        if (match := _STAGING_NAME.fullmatch(folder.name)) and not pid_alive(int(match.group(1)))
    ]
    for folder in stale:
        _stop_orphan(folder / PGID_FILE)
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def _stop_orphan(pgid_file: Path) -> None:
    """End the dbt group named in a dead build's pid file, if that group still runs dbt."""
    try:
        pgid = int(pgid_file.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return
    if group_alive(pgid) and "dbt" in command_line(pgid):
        stop_group(pgid)


@contextmanager
def staging_area(warehouse: Path) -> Iterator[Path]:
    """Yield the path of a candidate database (not yet created) in a fresh folder beside the warehouse.

    The folder, ``.build-<pid>-<random>``, is on the warehouse's filesystem so that publishing is a
    rename, and it is removed afterwards whether the build succeeded or failed.
    """
    folder = warehouse.parent / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    try:
        yield folder / warehouse.name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def configured_storage_version(flag: str | None = None) -> str:
    """The storage version to publish with: the flag, else $GOVTARGETS_STORAGE_VERSION, else the default."""
    return flag or os.environ.get(STORAGE_VERSION_ENV) or DEFAULT_STORAGE_VERSION


def check_storage_version(flag: str | None = None) -> str:
    """The configured storage version, once DuckDB has accepted it for a scratch file; else PublishError."""
    version = configured_storage_version(flag)
    with tempfile.TemporaryDirectory() as scratch, duckdb.connect() as con:
        try:
            con.execute(
                "ATTACH ? AS probe (STORAGE_VERSION ?)", [str(Path(scratch, "probe.duckdb")), version]
            )
        except duckdb.Error as error:
            known = re.findall(r"v\d+\.\d+\.\d+", str(error))
            hint = f" (for example {', '.join(known[-3:])})" if known else ""
            raise PublishError(
                "--storage-version", f"'{version}' is not a DuckDB storage version{hint}"
            ) from None
    return version


def check_warehouse_path(warehouse: Path) -> None:
    """A warehouse path the build can publish to: a file name (not a folder, not hidden) in a folder it
    may write. The catalog of a DuckDB file is named after the file, so a leading dot would break it."""
    if warehouse.is_dir():
        raise PublishError(
            str(warehouse), "is a folder: --warehouse names the DuckDB file, e.g. DIR/govtargets.duckdb"
        )
    if warehouse.name.startswith(".") or not warehouse.name.split(".", 1)[0]:
        raise PublishError(
            str(warehouse), "the file name must not start with a dot (it names the DuckDB catalog)"
        )
    folder = next((p for p in (warehouse.parent, *warehouse.parent.parents) if p.exists()), None)
    if folder is None or not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise PublishError(str(folder or warehouse.parent), "is not a folder this build may write to")


def _catalog_name(database: Path) -> str:
    """The catalog name DuckDB gives a database file: its name up to the first dot."""
    return database.name.split(".", 1)[0]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Inventory:
    """What must survive the copy: every table's row count, every view, every comment."""

    row_counts: dict[str, int]
    views: frozenset[str]
    comments: frozenset[tuple[str, str]]


def _inventory(con: duckdb.DuckDBPyConnection, catalog: str) -> Inventory:
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? order by all", [catalog]
    ).fetchall()
    row_counts = {
        f"{schema}.{table}": con.execute(
            f"select count(*) from {_ident(catalog)}.{_ident(schema)}.{_ident(table)}"
        ).fetchall()[0][0]
        for schema, table in tables
    }
    views = con.execute(
        "select schema_name || '.' || view_name from duckdb_views() where database_name = ? and not internal",
        [catalog],
    ).fetchall()
    comments = con.execute(
        """
        select schema_name || '.' || table_name, comment from duckdb_tables()
        where database_name = $1 and comment is not null
        union all
        select schema_name || '.' || view_name, comment from duckdb_views()
        where database_name = $1 and comment is not null and not internal
        union all
        select schema_name || '.' || table_name || '.' || column_name, comment from duckdb_columns()
        where database_name = $1 and comment is not null
        """,
        [catalog],
    ).fetchall()
    return Inventory(row_counts, frozenset(v for (v,) in views), frozenset(comments))


def _differences(expected: Inventory, actual: Inventory) -> list[str]:
    problems = []
    counts = sorted(
        table
        for table in expected.row_counts.keys() | actual.row_counts.keys()
        if expected.row_counts.get(table) != actual.row_counts.get(table)
    )
    if counts:
        problems.append(f"tables or row counts differ: {counts}")
    if actual.views != expected.views:
        problems.append(f"views differ: {sorted(expected.views ^ actual.views)}")
    if actual.comments != expected.comments:
        missing = sorted(name for name, _ in expected.comments - actual.comments)
        problems.append(f"comments lost or changed on: {missing}")
    return problems


def _broken_views(con: duckdb.DuckDBPyConnection, views: frozenset[str]) -> list[str]:
    broken = []
    for view in sorted(views):
        schema, name = view.split(".", 1)
        try:
            con.execute(f"select * from {_ident(schema)}.{_ident(name)} limit 0")
        except duckdb.Error as error:
            broken.append(f"view {view} does not resolve: {error}")
    return broken


def make_publishable(candidate: Path, storage_version: str | None = None) -> Path:
    """Copy the candidate into ``<its folder>/publish/<same name>``, readable by older DuckDB versions.

    ``COPY FROM DATABASE`` into a database attached with ``STORAGE_VERSION`` writes every schema, table,
    view and comment in a format that DuckDB ``storage_version`` (default: see
    ``configured_storage_version``) and later can open. The copy is then reopened read-only and checked:
    same tables and row counts, same comments, every view resolves.
    """
    version = configured_storage_version(storage_version)
    ready = candidate.parent / "publish" / candidate.name
    ready.parent.mkdir()
    catalog = _catalog_name(candidate)
    try:
        with duckdb.connect() as con:
            con.execute(f"ATTACH ? AS {_ident(catalog)} (READ_ONLY)", [str(candidate)])
            con.execute("ATTACH ? AS publishable (STORAGE_VERSION ?)", [str(ready), version])
            con.execute(f"COPY FROM DATABASE {_ident(catalog)} TO publishable")
            expected = _inventory(con, catalog)
            con.execute("DETACH publishable")
        with duckdb.connect(str(ready), read_only=True) as con:
            actual = _inventory(con, catalog)
            problems = _differences(expected, actual) + _broken_views(con, actual.views)
    except duckdb.Error as error:
        raise PublishError(str(candidate), f"cannot copy with storage version {version}: {error}") from error
    if problems:
        raise PublishError(str(ready), "the copy differs from the candidate: " + "; ".join(problems))
    return ready


def _wal(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def writer_pid(database: Path) -> int | None:
    """The pid of a process that holds ``database`` open for writing, or None.

    DuckDB takes a POSIX write lock on a file it opens read-write and a read lock on one it opens
    read-only. F_OFD_GETLK asks whether a read lock could be taken (readers do not conflict) without
    taking it, and names the process holding a conflicting write lock; being an open-file-description
    query, it sees a writer in this very process too. Closing any descriptor of a file drops this
    process's own POSIX locks on it, so the build never calls this on a file it holds open itself.
    """
    try:
        fd = os.open(database, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        query = struct.pack("hhqqi", fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0)
        kind, _, _, _, pid = struct.unpack("hhqqi", fcntl.fcntl(fd, fcntl.F_OFD_GETLK, query))
    finally:
        os.close(fd)
    return pid if kind == fcntl.F_WRLCK else None


def check_published(warehouse: Path) -> None:
    """Refuse to build over a warehouse a process holds for writing; set aside a log no process holds.

    The published file is read-only by contract. A writer's log (``<file>.wal``) would be replayed onto
    the next published file, or make it unreadable. A log that no process holds (its writer was killed)
    is moved aside to ``.<file>.wal.stale-<time>`` so readers can open the file, and the build goes on.
    """
    pid = writer_pid(warehouse)
    if pid is not None:
        what = command_line(pid) or "a process"
        raise PublishError(
            str(warehouse),
            f"pid {pid} ({what[:80]}) has the published warehouse open for writing; the published file is "
            "read-only by contract: close it, and open the warehouse read-only (duckdb -readonly) or "
            "work on a copy",
        )
    wal = _wal(warehouse)
    if wal.exists():
        aside = wal.with_name(f".{wal.name}.stale-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
        os.replace(wal, aside)
        print(f"govtargets: moved a write-ahead log that no process holds aside to {aside}", file=sys.stderr)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(ready: Path, warehouse: Path) -> None:
    """Replace the published warehouse with ``ready`` in one atomic rename, durably.

    Readers holding the old file open keep their snapshot; their next connection opens the new file.
    The warehouse is either the old file or the new one, never a mix.
    """
    if ready.name != warehouse.name:
        raise PublishError(
            str(ready), f"must be named {warehouse.name}: views refer to the file's catalog name"
        )
    if _wal(ready).exists():
        raise PublishError(str(ready), "has an unapplied write-ahead log; close every connection to it first")
    check_published(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    if ready.stat().st_dev != warehouse.parent.stat().st_dev:
        raise PublishError(str(ready), f"is not on the same filesystem as {warehouse.parent}; cannot rename")
    _fsync(ready)
    os.replace(ready, warehouse)
    _fsync(warehouse.parent)


@contextmanager
def publication(
    warehouse: Path, audit: Callable[[Path], None], storage_version: str | None = None, wait: bool = False
) -> Iterator[Path]:
    """Write-audit-publish as one block: yield the path of a candidate database to build.

    When the block ends without an error, the candidate is made publishable, ``audit`` checks the copy
    (and raises to stop), and the copy replaces the warehouse. When the block or the audit raises, the
    published warehouse is untouched. The lock is held and the staging folder exists for the whole block.
    """
    with build_lock(warehouse, wait=wait), staging_area(warehouse) as candidate:
        check_published(warehouse)
        yield candidate
        ready = make_publishable(candidate, storage_version)
        audit(ready)
        publish(ready, warehouse)
