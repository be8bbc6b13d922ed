"""Write-audit-publish: build beside the published warehouse, check, then swap it in with one rename.

A build works inside ``publication``: it holds ``build_lock`` (one build per warehouse at a time), gives
the build a candidate database in a ``staging_area`` folder next to the warehouse, created in a storage
format that older DuckDB versions read (or copied from the published warehouse, for an incremental build)
and, when the build's block ends without an error, checks and audits the candidate, and ``publish``
renames it over the warehouse. Readers that hold the old file open keep reading it (the rename does not
touch the open inode) and see the new data when they connect again; a failed or killed build never
touches the published file.

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
# What a warehouse file name cannot hold (each was tried): dbt-duckdb pastes the catalog name (the file
# name up to its first dot) into string literals of its macros as it is (' and "), and reads the path as
# a URL, where # starts a fragment and a colon ends a scheme, so that the catalog it expects is not the
# one DuckDB opens; DuckDB takes a backslash for a folder separator; dbt's profile drops a tab or a line
# break from the name. A space, %, {{ }}, ? and non-ASCII letters build.
_UNUSABLE_IN_NAME = re.compile("['\"\\\\#:\x00-\x1f\x7f-\x9f]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


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
        stop_orphan(folder / PGID_FILE)
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def stop_orphan(pgid_file: Path) -> None:
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
    may write."""
    if warehouse.is_dir():
        raise PublishError(
            str(warehouse), "is a folder: --warehouse names the DuckDB file, e.g. DIR/govtargets.duckdb"
        )
    check_warehouse_name(warehouse)
    folder = next((p for p in (warehouse.parent, *warehouse.parent.parents) if p.exists()), None)
    if folder is None or not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise PublishError(str(folder or warehouse.parent), "is not a folder this build may write to")


def check_warehouse_name(warehouse: Path) -> None:
    """A warehouse file name dbt can work on (a build, and the explorer's dbt docs): the catalog of a
    DuckDB file is named after the file, so a leading dot would break it, and so would the characters of
    _UNUSABLE_IN_NAME."""
    if warehouse.name.startswith(".") or not warehouse.name.split(".", 1)[0]:
        raise PublishError(
            str(warehouse), "the file name must not start with a dot (it names the DuckDB catalog)"
        )
    if unusable := _UNUSABLE_IN_NAME.search(warehouse.name):
        raise PublishError(
            _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", str(warehouse)),
            f"the file name cannot hold {_character(unusable.group())} (dbt or DuckDB cannot take it); "
            "choose another --warehouse name",
        )


def _character(character: str) -> str:
    """A character as a message shows it: itself, or a control character by its code point."""
    return f"a control character (U+{ord(character):04X})" if _CONTROL.match(character) else character


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_candidate(candidate: Path, storage_version: str | None = None, base: Path | None = None) -> None:
    """Create the candidate database: a copy of ``base`` (an incremental build starts from the published
    warehouse), or an empty file in ``storage_version``'s format (default: see ``configured_storage_version``).

    DuckDB keeps writing a file in the format it was created with, so everything dbt then builds into the
    candidate is readable by DuckDB ``storage_version`` and later, with no copy before publishing.
    """
    if base is not None:
        before = _stamp(base)
        shutil.copyfile(base, candidate)
        if writer_pid(base) is not None or _stamp(base) != before:
            raise PublishError(str(base), "changed while it was copied (a process wrote to it); build again")
        return
    version = configured_storage_version(storage_version)
    try:
        with duckdb.connect() as con:
            con.execute("ATTACH ? AS candidate (STORAGE_VERSION ?)", [str(candidate), version])
    except duckdb.Error as error:
        raise PublishError(
            str(candidate), f"cannot create with storage version {version}: {error}"
        ) from error


def _stamp(path: Path) -> tuple[int, int, int]:
    """What changes when a file is written: its size, modification time and inode."""
    status = path.stat()
    return status.st_size, status.st_mtime_ns, status.st_ino


def storage_version_of(database: Path) -> str:
    """The storage version a DuckDB file is written in, as DuckDB names it (``v1.4.0+``)."""
    with duckdb.connect(str(database), read_only=True) as con:
        found = con.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = current_database()"
        ).fetchall()
    return str(found[0][0])


def check_publishable(candidate: Path, storage_version: str | None = None) -> None:
    """Refuse a candidate that readers could not use: one with an unapplied write-ahead log, one in
    another storage format than the configured one, or one with a view that does not resolve."""
    version = configured_storage_version(storage_version)
    if _wal(candidate).exists():
        raise PublishError(
            str(candidate), "has an unapplied write-ahead log; close every connection to it first"
        )
    try:
        if (found := storage_version_of(candidate)).rstrip("+") != version:
            raise PublishError(str(candidate), f"is in storage version {found}, not {version}")
        with duckdb.connect(str(candidate), read_only=True) as con:
            broken = _broken_views(con)
    except duckdb.Error as error:
        raise PublishError(str(candidate), f"cannot be opened: {error}") from error
    if broken:
        raise PublishError(str(candidate), "; ".join(broken))


def _broken_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    broken = []
    views = con.execute("select schema_name, view_name from duckdb_views() where not internal order by all")
    for schema, name in views.fetchall():
        try:
            con.execute(f"select * from {_ident(schema)}.{_ident(name)} limit 0")
        except duckdb.Error as error:
            broken.append(f"view {schema}.{name} does not resolve: {error}")
    return broken


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


@dataclass(frozen=True)
class Candidate:
    """The database a build writes: a fresh file, or a copy of ``copied_from`` (the published warehouse)."""

    path: Path
    copied_from: Path | None


@contextmanager
def publication(
    warehouse: Path,
    audit: Callable[[Path], None],
    storage_version: str | None = None,
    wait: bool = False,
    base: Callable[[], Path | None] = lambda: None,
) -> Iterator[Candidate]:
    """Write-audit-publish as one block: yield the candidate database to build.

    The candidate is created by ``create_candidate``: empty, or a copy of the file that ``base`` names
    once the lock is held (an incremental build names the published warehouse). When the block ends
    without an error, ``check_publishable`` and then ``audit`` check the candidate (and raise to stop), and
    it replaces the warehouse. When the block or a check raises, the published warehouse is untouched.
    The lock is held and the staging folder exists for the whole block.
    """
    with build_lock(warehouse, wait=wait), staging_area(warehouse) as path:
        check_published(warehouse)
        candidate = Candidate(path, base())
        create_candidate(path, storage_version, candidate.copied_from)
        yield candidate
        check_publishable(path, storage_version)
        audit(path)
        publish(path, warehouse)
