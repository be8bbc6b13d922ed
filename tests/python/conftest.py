"""Shared fixtures: paths to the repository, ../shared, and one built warehouse per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_cluster import Cluster, ClusterUnavailable, server_bin, throwaway_cluster

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def shared_dir(*parts: str) -> Path:
    """A folder under ../shared, or a clear skip when this checkout has none beside it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not found: ../shared is not part of the repository (a plain clone has none)")
    return path


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse built from the bundled reports: `make test` builds it first and passes its path in
    GOVTARGETS_TEST_WAREHOUSE; run alone, pytest builds one in a temporary folder."""
    given = os.environ.get("GOVTARGETS_TEST_WAREHOUSE")
    if given and (REPO / given).exists():
        return REPO / given
    from govtargets.pipeline import build

    target = tmp_path_factory.mktemp("warehouse") / "govtargets.duckdb"
    build(warehouse=target, progress=lambda _: None)
    return target


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse of the fixture reports (targets, results, outcomes and a cascade): `make test` builds
    it first and passes its path in GOVTARGETS_FIXTURE_WAREHOUSE; run alone, pytest builds one."""
    given = os.environ.get("GOVTARGETS_FIXTURE_WAREHOUSE")
    if given and (REPO / given).exists():
        return REPO / given
    from govtargets.pipeline import build

    target = tmp_path_factory.mktemp("fixture") / "govtargets.duckdb"
    build(REPO / "tests" / "fixtures" / "reports", target, keep_going=True, progress=lambda _: None)
    return target


# Opens a DuckDB file read-write (as the duckdb command line does by default), writes, says so, and
# holds it until its standard input closes.
WRITER = r"""
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create or replace table main.scratch as select 1 as x")
print("writing", flush=True)
sys.stdin.read()
"""


def start_writer(database: Path) -> subprocess.Popen[str]:
    """A real process that holds ``database`` open for writing, once it has written."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
    return writer


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster (tests/postgres_cluster.py) for the session. Without server
    binaries the PostgreSQL tests skip, except under `make test` (GOVTARGETS_REQUIRE_POSTGRES), which
    installs them and must run these tests."""
    try:
        server_bin()
    except ClusterUnavailable as missing:
        if os.environ.get("GOVTARGETS_REQUIRE_POSTGRES"):
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    with throwaway_cluster() as cluster:
        yield cluster
