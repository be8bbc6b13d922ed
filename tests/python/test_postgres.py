"""The warehouse on PostgreSQL (`govtargets build --target postgres`), in a throwaway cluster
(tests/postgres_cluster.py): the same warehouse as DuckDB's, readers that never see a half-published
one, a reader role that cannot write, and failed builds that change nothing readers see."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psycopg2
import pytest
from psycopg2 import errors

from govtargets import pipeline, postgres
from govtargets.pipeline import BuildError, BuildSummary, build_postgres
from govtargets.settings import BUNDLED_REPORTS, PROJECT_DIR, target_dir_for
from tests.postgres_cluster import BUILDER, DATABASE, Cluster

FIXTURE_REPORTS = PROJECT_DIR / "tests" / "fixtures" / "reports"
READER = "analyst"  # a login role that is a member of govtargets_reader
# One query over every published schema: it names the state it saw (which build, how many rows where).
STATE_QUERY = """
    select
        (select report_count from marts.rpt_build),
        (select count(*) from marts.dim_report),
        (select count(*) from marts.fct_targets),
        (select count(*) from marts.fct_results),
        (select count(*) from intermediate.int_statements),
        (select count(*) from staging.stg_reports),
        (select count(*) from seeds.reports)
"""


def _quiet(_: str) -> None:
    pass


def _dsn(cluster: Cluster) -> str:
    return f"host=127.0.0.1 port={cluster.port} user={BUILDER} dbname={DATABASE}"


def _build(cluster: Cluster, reports: Path = BUNDLED_REPORTS, **options: bool) -> BuildSummary:
    return build_postgres(reports, _dsn(cluster), progress=_quiet, **options)


@pytest.fixture(scope="module")
def published(postgres_cluster: Cluster) -> BuildSummary:
    """The fixture reports (a review, outcomes, rate units, a cascade: every model has rows), published with
    --require-test-data; and a login for a reader."""
    summary = _build(postgres_cluster, FIXTURE_REPORTS, keep_going=True, require_test_data=True)
    with contextlib.closing(postgres_cluster.connect()) as admin, admin.cursor() as cur:
        cur.execute(f"create role {READER} login in role {postgres.READER_ROLE}")
    return summary


def _state(cluster: Cluster, user: str = READER) -> tuple[int, ...]:
    with contextlib.closing(cluster.connect(user=user)) as con, con.cursor() as cur:
        cur.execute(STATE_QUERY)
        row = cur.fetchone()
    assert row is not None
    return tuple(row)


def _published_snapshot(cluster: Cluster) -> dict[str, object]:
    """What readers see: the build that made the marts and every published relation's row count."""
    with contextlib.closing(cluster.connect()) as con, con.cursor() as cur:
        cur.execute("select build_fingerprint, built_at from marts.rpt_build")
        snapshot: dict[str, object] = {"build": cur.fetchone()}
        for schema, name in _relations(cur):
            cur.execute(f'select count(*) from {schema}."{name}"')
            snapshot[f"{schema}.{name}"] = _one(cur)
        cur.execute("select nspname from pg_namespace where nspname like 'govtargets%' order by 1")
        snapshot["private schemas"] = [row[0] for row in cur.fetchall()]
    return snapshot


def _one(cur: psycopg2.extensions.cursor) -> object:
    row = cur.fetchone()
    assert row is not None
    return row[0]


def _relations(cur: psycopg2.extensions.cursor) -> list[tuple[str, str]]:
    cur.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema = any(%s) order by 1, 2",
        (list(postgres.PUBLISHED_SCHEMAS),),
    )
    return [(row[0], row[1]) for row in cur.fetchall()]


def _comparable(value: object) -> str:
    """A value as both engines give it: floats to 9 significant places, nulls spelled out."""
    if value is None:
        return "<null>"
    if isinstance(value, float):
        return f"{value:.9g}"
    return str(value)


# Columns that differ between any two builds by design.
_PER_BUILD = {"built_at", "build_fingerprint", "report_version"}


def test_postgres_build_is_the_duckdb_warehouse(
    published: BuildSummary, postgres_cluster: Cluster, fixture_warehouse: Path
) -> None:
    """Every relation of seeds, staging, intermediate and marts: the same columns, row counts and rows
    (target_ids included) as the DuckDB build of the same reports, in a database that collates by zh-CN."""
    warehouse = fixture_warehouse
    assert published.dbt_nodes.get("test fail", 0) == 0 and published.expectations_passed > 0
    with (
        contextlib.closing(postgres_cluster.connect()) as pg,
        pg.cursor() as cur,
        duckdb.connect(str(warehouse), read_only=True) as duck,
    ):
        duck_relations = duck.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('seeds', 'staging', 'intermediate', 'marts') order by 1, 2"
        ).fetchall()
        assert _relations(cur) == duck_relations
        for schema, name in duck_relations:
            columns = [
                row[0]
                for row in duck.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
            ]
            cur.execute(
                "select column_name from information_schema.columns "
                "where table_schema = %s and table_name = %s order by ordinal_position",
                (schema, name),
            )
            assert [row[0] for row in cur.fetchall()] == columns, f"{schema}.{name}"
            compared = ", ".join(f'"{column}"' for column in columns if column not in _PER_BUILD)
            duck_rows = sorted(
                tuple(map(_comparable, row))
                for row in duck.execute(f"select {compared} from {schema}.{name}").fetchall()
            )
            cur.execute(f'select {compared} from {schema}."{name}"')
            pg_rows = sorted(tuple(map(_comparable, row)) for row in cur.fetchall())
            assert len(pg_rows) == len(duck_rows), f"{schema}.{name}: row counts"
            assert pg_rows == duck_rows, f"{schema}.{name}: rows"
        cur.execute("select target_id from marts.fct_targets order by 1")
        pg_targets = [row[0] for row in cur.fetchall()]
    duck_targets = [row[0] for row in duckdb.connect(str(warehouse), read_only=True).execute(
        "select target_id from marts.fct_targets order by 1").fetchall()]  # fmt: skip
    assert pg_targets == duck_targets and len(pg_targets) > 0


def test_the_reader_role_reads_every_published_schema_and_writes_nothing(
    published: BuildSummary, postgres_cluster: Cluster
) -> None:
    assert _state(postgres_cluster)[2] == 59  # the fixture reports' targets, read by the reader's login
    attempts = [
        "create table marts.scratch (x integer)",
        "create table public.scratch (x integer)",
        "create schema scratch",
        "create view marts.scratch as select 1 as x",
        "insert into marts.dim_domain select * from marts.dim_domain",
        "update marts.dim_report set title = 'changed'",
        "delete from marts.fct_targets",
        "truncate marts.fct_results",
        "drop table marts.fct_targets",
        "alter table marts.dim_report add column scratch integer",
        "insert into seeds.reports select * from seeds.reports",
        "delete from intermediate.int_statements",
        "create temporary table scratch as select * from marts.fct_targets",
        "create function pg_temp.scratch() returns integer language sql as 'select 1'",
    ]
    with contextlib.closing(postgres_cluster.connect(user=READER)) as con, con.cursor() as cur:
        for statement in attempts:
            with pytest.raises(errors.InsufficientPrivilege):
                cur.execute(statement)
    assert _state(postgres_cluster)[2] == 59


@dataclass
class _LockHolder:
    """Another build, as far as the advisory lock goes: holds it for a while from a thread of its own."""

    cluster: Cluster
    released: float = 0.0

    @contextlib.contextmanager
    def holding(self, seconds: float) -> Iterator[None]:
        taken = threading.Event()

        def hold() -> None:
            with contextlib.closing(self.cluster.connect(user=BUILDER)) as con, con.cursor() as cur:
                cur.execute("select pg_advisory_lock(%s)", (postgres.ADVISORY_LOCK_KEY,))
                taken.set()
                time.sleep(seconds)
                self.released = time.monotonic()
                cur.execute("select pg_advisory_unlock(%s)", (postgres.ADVISORY_LOCK_KEY,))

        holder = threading.Thread(target=hold)
        holder.start()
        taken.wait(timeout=30)
        try:
            yield
        finally:
            holder.join(timeout=60)

    def released_before(self, moment: float) -> bool:
        return 0 < self.released < moment


@dataclass
class _Readers:
    """Threads that query every published schema in a loop, as the reader's login, and note what they saw."""

    cluster: Cluster
    seen: list[tuple[float, float, tuple[int, ...]]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with contextlib.closing(self.cluster.connect(user=READER)) as con, con.cursor() as cur:
            while not self.stop.is_set():
                started = time.monotonic()
                try:
                    cur.execute(STATE_QUERY)
                    row = cur.fetchone()
                except psycopg2.Error as error:
                    self.failures.append(str(error).strip())
                    continue
                assert row is not None
                self.seen.append((started, time.monotonic(), tuple(row)))

    @contextlib.contextmanager
    def running(self, threads: int = 3) -> Iterator[None]:
        workers = [threading.Thread(target=self.run) for _ in range(threads)]
        for worker in workers:
            worker.start()
        try:
            yield
            time.sleep(0.5)  # and a while after
        finally:
            self.stop.set()
            for worker in workers:
                worker.join(timeout=30)


def test_readers_in_a_loop_see_the_old_marts_or_the_new_never_a_mix(
    published: BuildSummary, postgres_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _state(postgres_cluster)
    publishing: list[float] = []
    private_reads: list[str] = []
    real_publish = postgres.publish

    def observed_publish(
        conn: psycopg2.extensions.connection, source: str, publication: postgres.Publication
    ) -> None:
        # the build's private schemas, complete and tested, are still closed to readers
        with contextlib.closing(postgres_cluster.connect(user=READER)) as con, con.cursor() as cur:
            try:
                cur.execute(f"select count(*) from {postgres.private_schema('marts')}.fct_targets")
                private_reads.append("read")
            except errors.InsufficientPrivilege:
                private_reads.append("refused")
        publishing.append(time.monotonic())
        real_publish(conn, source, publication)
        publishing.append(time.monotonic())

    monkeypatch.setattr(postgres, "publish", observed_publish)
    readers = _Readers(postgres_cluster)
    waited = _LockHolder(postgres_cluster)
    with readers.running(), waited.holding(seconds=1.0):
        _build(postgres_cluster, wait=True)  # waits for the lock, then builds the bundled reports
    new = _state(postgres_cluster)  # and the reader's grants survived the publish

    assert waited.released_before(publishing[0])
    assert readers.failures == []
    assert private_reads == ["refused"]
    assert old != new and old[0] == 4 and new[0] == 2  # four fixture reports, then two bundled ones
    states = [state for _, _, state in readers.seen]
    assert set(states) == {old, new}, "readers saw a mix"
    # once a query has seen the new marts, no query that starts later sees the old ones
    first_new_end = min(end for _, end, state in readers.seen if state == new)
    assert all(state == new for started, _, state in readers.seen if started > first_new_end)
    start, end = publishing
    overlapping = [seen for seen in readers.seen if seen[0] <= end and seen[1] >= start]
    assert overlapping, "no reader's query overlapped the publish: the test checked nothing"


def _report_with_impossible_share(folder: Path) -> Path:
    """The bundled Futian excerpt and a plan line no share can reach: a forest cover of 150% fails the
    dbt test assert_percent_levels_at_most_100."""
    folder.mkdir(parents=True)
    text = (BUNDLED_REPORTS / "futian-2023-excerpt.txt").read_text(encoding="utf-8")
    (folder / "futian.txt").write_text(text + "\n全区森林覆盖率达到150%。\n", encoding="utf-8")
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [["file", "district", "year"], ["futian.txt", "福田区", "2023"]]
        )
    return folder


def test_a_failing_dbt_test_publishes_nothing(
    published: BuildSummary, postgres_cluster: Cluster, tmp_path: Path
) -> None:
    before = _published_snapshot(postgres_cluster)
    reports = _report_with_impossible_share(tmp_path / "reports")
    with pytest.raises(BuildError, match="dbt build failed"):
        _build(postgres_cluster, reports)
    results = json.loads(
        (target_dir_for(reports) / "postgres" / "run_results.json").read_text(encoding="utf-8")
    )
    failed = [result["unique_id"] for result in results["results"] if result["status"] == "fail"]
    assert failed == ["test.govtargets.assert_percent_levels_at_most_100"]
    assert _published_snapshot(postgres_cluster) == before
    assert before["private schemas"] == []


def test_bad_input_through_the_command_line_is_one_line_and_publishes_nothing(
    published: BuildSummary, postgres_cluster: Cluster, tmp_path: Path
) -> None:
    before = _published_snapshot(postgres_cluster)
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "empty.txt").write_bytes(b"")
    (reports / "manifest.csv").write_text("file,district,year\nempty.txt,福田区,2023\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "govtargets.cli", "build", "--target", "postgres", "--reports", str(reports)],
        env=os.environ | postgres_cluster.environment(),
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    assert run.returncode == 1
    assert run.stderr.startswith("govtargets: error: nothing was written") and "Traceback" not in run.stderr
    assert "empty.txt: empty file" in run.stderr
    assert _published_snapshot(postgres_cluster) == before


def test_a_second_build_is_kept_out_by_the_advisory_lock(
    published: BuildSummary, postgres_cluster: Cluster
) -> None:
    before = _published_snapshot(postgres_cluster)
    with contextlib.closing(postgres_cluster.connect(user=BUILDER)) as other, other.cursor() as cur:
        cur.execute("select pg_advisory_lock(%s)", (postgres.ADVISORY_LOCK_KEY,))
        with pytest.raises(postgres.PostgresError, match="another build of this database is running"):
            _build(postgres_cluster)
    assert _published_snapshot(postgres_cluster) == before


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--dsn", "host=127.0.0.1 nonsense"], "--dsn"),
        (["--dsn", "host=127.0.0.1 port=1"], "cannot connect"),
        (["--warehouse", "x.duckdb"], "--warehouse is for DuckDB builds"),
    ],
)
def test_connection_mistakes_are_one_line(arguments: list[str], message: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "govtargets.cli", "build", "--target", "postgres", *arguments],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and message in run.stderr and "Traceback" not in run.stderr


def test_expectations_run_in_postgres_and_fail_on_values_out_of_bounds(
    published: BuildSummary, postgres_cluster: Cluster
) -> None:
    """GX's PostgreSQL datasource validates the suites in the database: on a copy of the published marts
    every expectation passes, and a money value beyond its bound fails its suite, named."""
    from govtargets.quality import SUITES, run_expectations_postgres

    with contextlib.closing(postgres_cluster.connect(user=BUILDER)) as con, con.cursor() as cur:
        cur.execute("drop schema if exists marts_copy cascade; create schema marts_copy")
        for table in ("fct_targets", "fct_results", "dim_domain", "dim_report", "dim_unit", "dim_district"):
            cur.execute(f"create table marts_copy.{table} as select * from marts.{table}")
        url = postgres.server(_dsn(postgres_cluster)).sqlalchemy_url()
        sound = run_expectations_postgres(url, "marts_copy")
        assert sound.failures == [] and sound.evaluated == sound.passed == sum(
            len(s.expectations) for s in SUITES
        )
        cur.execute(
            "update marts_copy.fct_targets set value_base = 3e16 where target_id = "
            "(select min(targets.target_id) from marts_copy.fct_targets as targets "
            "inner join marts_copy.dim_unit as units on targets.unit_code = units.unit_code "
            "where units.quantity_kind = 'money')"
        )
        broken = run_expectations_postgres(url, "marts_copy")
        cur.execute("drop schema marts_copy cascade")
    assert broken.failures == [
        "values_money: expect_column_values_to_be_between(value_base) 1 unexpected, e.g. 3e+16"
    ]


def test_a_view_of_another_schema_over_the_marts_stops_the_build_before_it_starts(
    published: BuildSummary, postgres_cluster: Cluster
) -> None:
    """A publish drops the old relations, and PostgreSQL would drop an analyst's view over them too: the
    build names the view and stops, and the view and the marts stay."""
    with contextlib.closing(postgres_cluster.connect(user=BUILDER)) as con, con.cursor() as cur:
        cur.execute("create schema analyst_space")
        cur.execute("create view analyst_space.my_targets as select target_id from marts.fct_targets")
        before = _published_snapshot(postgres_cluster)
        try:
            with pytest.raises(postgres.PostgresError, match=r"analyst_space\.my_targets depend on"):
                _build(postgres_cluster)
            assert _published_snapshot(postgres_cluster) == before
            cur.execute("select count(*) from analyst_space.my_targets")
            assert _one(cur) == before["marts.fct_targets"]
        finally:
            cur.execute("drop schema analyst_space cascade")


def test_a_builder_that_does_not_own_the_published_schemas_stops_before_building(
    published: BuildSummary, postgres_cluster: Cluster
) -> None:
    with contextlib.closing(postgres_cluster.connect()) as admin, admin.cursor() as cur:
        cur.execute(
            f"create role other_builder login createrole; grant create on database {DATABASE} to other_builder"
        )
        before = _published_snapshot(postgres_cluster)
        try:
            dsn = f"host=127.0.0.1 port={postgres_cluster.port} user=other_builder dbname={DATABASE}"
            with pytest.raises(
                postgres.PostgresError,
                match=r"may not replace the published schemas intermediate \(owned by govtargets_builder\)",
            ):
                build_postgres(BUNDLED_REPORTS, dsn, progress=_quiet)
            assert _published_snapshot(postgres_cluster) == before
        finally:
            cur.execute(f"revoke create on database {DATABASE} from other_builder; drop role other_builder")


def _end_build_session(cluster: Cluster) -> None:
    """End the build's session, the one holding the builds' advisory lock, as an operator's
    pg_terminate_backend would."""
    high, low = divmod(postgres.ADVISORY_LOCK_KEY % 2**64, 2**32)
    with contextlib.closing(cluster.connect()) as admin, admin.cursor() as cur:
        cur.execute(
            "select pg_terminate_backend(pid, 10000) from pg_locks where locktype = 'advisory' "
            "and classid = %s::oid and objid = %s::oid and objsubid = 1 and granted",
            (high, low),
        )
        assert [row[0] for row in cur.fetchall()] == [True]


def _without_private_schemas(snapshot: dict[str, object]) -> dict[str, object]:
    """A snapshot but for the private schemas: a build that lost its lock leaves them to the next build,
    as they may be another build's by then."""
    return {name: value for name, value in snapshot.items() if name != "private schemas"}


@pytest.mark.parametrize("phase", ["seed copy", "dbt build", "expectations"])
def test_a_build_that_lost_its_lock_stops_before_its_next_phase_and_publishes_nothing(
    phase: str, published: BuildSummary, postgres_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session that holds the builds' advisory lock ends (the server restarts, or an operator ends
    it), so a second build could start in the same private schemas: the build stops before its next
    phase, in one line, and publishes nothing. dbt goes on over new connections after a restart; here
    its run is the restart."""
    before = _published_snapshot(postgres_cluster)
    announces = {"seed copy": "extract:", "dbt build": "dbt build:"}
    lost: list[str] = []

    def progress(line: str) -> None:
        if phase in announces and line.startswith(announces[phase]) and not lost:
            lost.append(line)
            if phase == "seed copy":
                _end_build_session(postgres_cluster)
            else:
                postgres_cluster.restart()

    def restarted_during_dbt(*_: object, **__: object) -> dict[str, int]:
        lost.append("dbt")
        postgres_cluster.restart()
        return {}

    if phase == "expectations":
        monkeypatch.setattr(pipeline, "run_dbt", restarted_during_dbt)
    with pytest.raises(postgres.PostgresError, match="no longer holds the builds' advisory lock") as stopped:
        build_postgres(BUNDLED_REPORTS, _dsn(postgres_cluster), progress=progress)
    assert len(lost) == 1 and "\n" not in str(stopped.value)
    assert _without_private_schemas(_published_snapshot(postgres_cluster)) == _without_private_schemas(before)
    with contextlib.closing(postgres_cluster.connect()) as admin, admin.cursor() as cur:
        for schema in postgres.PRIVATE_SCHEMAS:  # as the next build would
            cur.execute(f"drop schema if exists {schema} cascade")


def test_a_publish_on_a_session_without_the_builds_lock_stops_and_publishes_nothing(
    published: BuildSummary, postgres_cluster: Cluster
) -> None:
    """The last check is in the publishing transaction itself, on the session that holds the lock."""
    before = _published_snapshot(postgres_cluster)
    with contextlib.closing(postgres.server(_dsn(postgres_cluster)).connect()) as session:
        session.autocommit = True
        with pytest.raises(postgres.PostgresError, match="no longer holds the builds' advisory lock"):
            postgres.publish(session, "test", postgres.Publication())
    assert _published_snapshot(postgres_cluster) == before


@contextlib.contextmanager
def _build_session(cluster: Cluster) -> Iterator[psycopg2.extensions.connection]:
    """A session as a build's: the builder's, holding the builds' advisory lock."""
    with contextlib.closing(postgres.server(_dsn(cluster)).connect()) as session:
        session.autocommit = True
        with session.cursor() as cur:
            cur.execute("select pg_advisory_lock(%s)", (postgres.ADVISORY_LOCK_KEY,))
        yield session


# Objects of an analyst's schema that depend on the marts other than through a view's query, which a
# drop of the old relations would drop with them.
_ANALYST_OBJECTS = {
    "column r of table analyst_space.saved": "create table analyst_space.saved (r marts.fct_targets)",
    "function analyst_space.targets()": (
        "create function analyst_space.targets() returns setof marts.fct_targets "
        "language sql as 'select * from marts.fct_targets'"
    ),
    "type analyst_space.target_pair": (
        "create type analyst_space.target_pair as (a marts.fct_targets, b marts.fct_targets)"
    ),
}


@contextlib.contextmanager
def _analyst_objects(cluster: Cluster) -> Iterator[psycopg2.extensions.cursor]:
    with contextlib.closing(cluster.connect(user=BUILDER)) as con, con.cursor() as cur:
        cur.execute("create schema analyst_space")
        for statement in _ANALYST_OBJECTS.values():
            cur.execute(statement)
        try:
            yield cur
        finally:
            cur.execute("drop schema analyst_space cascade")


def _analyst_objects_left(cur: psycopg2.extensions.cursor) -> list[str]:
    cur.execute(
        "select pg_describe_object(classid, objid, objsubid) from pg_depend "
        "where refclassid = 'pg_namespace'::regclass and refobjid = 'analyst_space'::regnamespace "
        "union select pg_describe_object('pg_class'::regclass, attrelid, attnum) from pg_attribute "
        "where attrelid = 'analyst_space.saved'::regclass and attname = 'r' order by 1"
    )
    return [row[0] for row in cur.fetchall()]


def test_objects_of_another_schema_on_the_marts_row_types_stop_the_build_before_it_starts(
    published: BuildSummary, postgres_cluster: Cluster
) -> None:
    """A table column of a mart's row type, a function returning its rows, a composite type of it: a
    publish would drop them with the old relations (drop … cascade), so the build names them and stops."""
    with _analyst_objects(postgres_cluster) as cur:
        before = _published_snapshot(postgres_cluster)
        left = _analyst_objects_left(cur)
        with pytest.raises(postgres.PostgresError, match="depend on the published schemas") as stopped:
            _build(postgres_cluster)
        message = str(stopped.value)
        assert all(name in message for name in _ANALYST_OBJECTS) and "\n" not in message
        assert _published_snapshot(postgres_cluster) == before
        assert _analyst_objects_left(cur) == left


def test_objects_of_another_schema_made_during_the_build_stop_the_publish(
    published: BuildSummary, postgres_cluster: Cluster
) -> None:
    """The check runs again in the publishing transaction: an object made while dbt ran stops it."""
    with _build_session(postgres_cluster) as session, _analyst_objects(postgres_cluster):
        before = _published_snapshot(postgres_cluster)
        with pytest.raises(postgres.PostgresError, match="depend on the published schemas") as stopped:
            postgres.publish(session, "test", postgres.Publication())
        assert all(name in str(stopped.value) for name in _ANALYST_OBJECTS)
        assert _published_snapshot(postgres_cluster) == before


def _reader_in_a_transaction(cluster: Cluster, level: str) -> psycopg2.extensions.connection:
    """The reader's login in a transaction at ``level`` whose snapshot is taken (by a select 1)."""
    reader = cluster.connect(user=READER)
    reader.autocommit = False
    reader.set_session(isolation_level=level)
    with reader.cursor() as cur:
        cur.execute("select 1")
    return reader


def _read_state(reader: psycopg2.extensions.connection) -> tuple[int, ...] | str:
    """What the reader's transaction sees, or the SQLSTATE of the error it got."""
    try:
        with reader.cursor() as cur:
            cur.execute(STATE_QUERY)
            row = cur.fetchone()
    except psycopg2.Error as error:
        return str(error.pgcode)
    assert row is not None
    return tuple(row)


def _docs_and_grants(cluster: Cluster) -> list[tuple[object, ...]]:
    """Every published relation's and column's comment, and every published relation's and schema's
    grants: what a fresh publish leaves."""
    with contextlib.closing(cluster.connect()) as con, con.cursor() as cur:
        cur.execute(
            "select relation.oid::regclass::text, attribute.attname, "
            "col_description(relation.oid, coalesce(attribute.attnum, 0)), relation.relacl::text "
            "from pg_class as relation "
            "left join pg_attribute as attribute on attribute.attrelid = relation.oid and attribute.attnum > 0 "
            "where relation.relnamespace::regnamespace::text = any(%s) and relation.relkind in ('r', 'v') "
            "union all select nspname, null, obj_description(oid, 'pg_namespace'), nspacl::text "
            "from pg_namespace where nspname = any(%s) order by 1, 2",
            (list(postgres.PUBLISHED_SCHEMAS), list(postgres.PUBLISHED_SCHEMAS)),
        )
        return [tuple(row) for row in cur.fetchall()]


def _build_other(cluster: Cluster, state: tuple[int, ...]) -> BuildSummary:
    """Build the reports that are not published now (four fixture reports, or the two bundled ones)."""
    reports = BUNDLED_REPORTS if state[0] == 4 else FIXTURE_REPORTS
    return _build(cluster, reports, keep_going=True)


def test_repeatable_read_and_serializable_readers_keep_their_snapshot_across_a_publish(
    published: BuildSummary, postgres_cluster: Cluster
) -> None:
    """A reader whose transaction took its snapshot before a publish reads the marts after it: it sees
    the old rows (or, SERIALIZABLE, an error to retry), never empty marts; a new transaction sees the
    new ones. The publish refilled the tables, so comments and grants are put back as a fresh publish
    leaves them (dbt's docs; the reader role's SELECT, and no grant made on a table directly)."""
    old = _state(postgres_cluster)
    fresh = _docs_and_grants(postgres_cluster)
    with contextlib.closing(postgres_cluster.connect(user=BUILDER)) as con, con.cursor() as cur:
        cur.execute("comment on table marts.fct_targets is 'stale'")
        cur.execute("comment on column marts.fct_targets.clause is null")
        cur.execute("grant select on marts.dim_report to public")
        cur.execute("revoke select on marts.dim_unit from govtargets_reader")
        cur.execute("grant create on schema marts to public")
    readers = {
        level: _reader_in_a_transaction(postgres_cluster, level)
        for level in ("repeatable read", "serializable")
    }
    try:
        _build_other(postgres_cluster, old)
        new = _state(postgres_cluster)
        assert new != old
        assert _read_state(readers["repeatable read"]) == old
        assert _read_state(readers["serializable"]) in (old, "40001")  # serialization_failure: retry
        for reader in readers.values():
            reader.rollback()
            assert _read_state(reader) == new
    finally:
        for reader in readers.values():
            reader.close()
    assert _docs_and_grants(postgres_cluster) == fresh


def test_a_publish_that_changes_the_shape_waits_for_transactions_older_than_the_build(
    published: BuildSummary, postgres_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build whose relations differ in shape from the published ones (here a column added to a mart)
    replaces them: a reader's transaction that began before would find the new relations and none of
    their rows. So the publish waits for it to end; until then it reads the old rows. READ COMMITTED
    readers querying in a loop meanwhile never fail, and see the old marts or the new, never a mix."""
    with contextlib.closing(postgres_cluster.connect(user=BUILDER)) as con, con.cursor() as cur:
        cur.execute("alter table marts.rpt_build add column scratch integer")
    old = _state(postgres_cluster)
    publishing, published_now = threading.Event(), threading.Event()
    real_publish = postgres.publish

    def observed_publish(
        conn: psycopg2.extensions.connection, source: str, publication: postgres.Publication
    ) -> None:
        publishing.set()
        real_publish(conn, source, publication)
        published_now.set()

    monkeypatch.setattr(postgres, "publish", observed_publish)
    reader = _reader_in_a_transaction(postgres_cluster, "repeatable read")
    outcome: list[BaseException | BuildSummary] = []

    def build() -> None:
        try:
            outcome.append(_build_other(postgres_cluster, old))
        except BaseException as error:  # handed to the test's thread
            outcome.append(error)

    builder = threading.Thread(target=build)
    readers = _Readers(postgres_cluster)
    with readers.running():
        try:
            builder.start()
            assert publishing.wait(timeout=300), outcome
            assert not published_now.wait(timeout=5), "the publish did not wait for the older transaction"
            assert _read_state(reader) == old
        finally:
            reader.close()
            builder.join(timeout=300)
    assert len(outcome) == 1 and isinstance(outcome[0], BuildSummary), outcome
    new = _state(postgres_cluster)
    assert new[0] != old[0]
    assert readers.failures == []
    assert {state for _, _, state in readers.seen} == {old, new}, "readers saw a mix"
    with contextlib.closing(postgres_cluster.connect()) as con, con.cursor() as cur:
        cur.execute("select count(*) from pg_attribute where attrelid = 'marts.rpt_build'::regclass "
                    "and attname = 'scratch'")  # fmt: skip
        assert _one(cur) == 0


def test_a_publish_stops_when_older_transactions_stay_open_and_names_them(
    published: BuildSummary, postgres_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "PUBLISH_WAIT_SECONDS", 1)
    before = _published_snapshot(postgres_cluster)
    reader = _reader_in_a_transaction(postgres_cluster, "repeatable read")
    with contextlib.closing(postgres_cluster.connect(user=BUILDER)) as con, con.cursor() as cur:
        cur.execute("select pg_current_xact_id()")  # a write of the build's, after the reader's snapshot
    try:
        with (
            _build_session(postgres_cluster) as session,
            pytest.raises(postgres.PostgresError, match=f"still open .*{READER}") as stopped,
        ):
            postgres.publish(session, "test", postgres.Publication())
        assert "\n" not in str(stopped.value)
    finally:
        reader.close()
    assert _published_snapshot(postgres_cluster) == before
