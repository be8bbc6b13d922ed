"""PostgreSQL: the server, the build's private schemas, seeds copied in, and publishing by renaming schemas.

``govtargets build --target postgres`` (see ``govtargets.pipeline.build_postgres``) connects with the
libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE …) or a ``--dsn``, and then:

1. holds an advisory lock for the whole build (``build_session``): a second build waits or stops;
2. ends what a killed build left (its dbt's connections, by application name, and its schemas);
3. copies the seed files into a load schema with COPY (``copy_seeds``);
4. runs dbt into private schemas, ``govtargets_build_<schema>``, which readers cannot see;
5. once every dbt test and expectation has passed, publishes them in one transaction (``publish``): it
   locks every relation of the published schemas, renames each published schema away and the private one
   into its place, and grants the reader role (``govtargets_reader``) USAGE on the new schemas and SELECT
   on their relations. The old schemas are dropped after the commit.

A reader's query names ``marts.…``: before the commit it reads the old relations, after it the new ones.
A query that asked for an old relation while the publish held it waits, and when the publish commits
PostgreSQL looks its name up again and finds the new one; so no query sees old and new together. A failed
build drops its private schemas and leaves the published ones as they were.
"""

from __future__ import annotations

import csv
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import errors, sql
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import make_dsn, parse_dsn
from sqlalchemy.engine import URL

from loaders.errors import LoaderError

PUBLISHED_SCHEMAS = ("seeds", "staging", "intermediate", "marts")
BUILD_PREFIX = "govtargets_build_"  # private schemas of the running build
RETIRED_PREFIX = "govtargets_retired_"  # published schemas being replaced, dropped after the publish
LOAD_SCHEMA = f"{BUILD_PREFIX}load"  # the seed files as copied, text columns
READER_ROLE = "govtargets_reader"
APPLICATION_NAME = "govtargets build"  # every connection of a build, dbt's included
# pg_advisory_lock key of builds: the first 8 bytes of sha256("govtargets build"), a signed bigint.
ADVISORY_LOCK_KEY = int.from_bytes(hashlib.sha256(APPLICATION_NAME.encode()).digest()[:8], "big", signed=True)
LOCK_TRY_MS = 300  # the longest a try to lock the published relations holds readers up
PUBLISH_WAIT_SECONDS = 120  # how long a publish tries before it gives up
# --dsn keywords and the libpq variables that carry them to dbt and every other connection.
_DSN_VARIABLES = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class PostgresError(LoaderError):
    """The PostgreSQL build cannot go on; what readers see is unchanged."""


@dataclass(frozen=True)
class Server:
    """A PostgreSQL database, as libpq variables: every connection of a build, dbt's included, uses them."""

    environment: dict[str, str]

    @property
    def name(self) -> str:
        user, host, port, database = (
            self.environment.get(name, "?") for name in ("PGUSER", "PGHOST", "PGPORT", "PGDATABASE")
        )
        return f"postgresql://{user}@{host}:{port}/{database}"

    def connect(self, application_name: str = APPLICATION_NAME) -> Connection:
        try:
            settings = {
                keyword: self.environment[variable]
                for keyword, variable in _DSN_VARIABLES.items()
                if variable in self.environment
            }
            connection: Connection = psycopg2.connect(make_dsn(application_name=application_name, **settings))
        except psycopg2.Error as error:
            raise PostgresError(self.name, f"cannot connect: {_first_line(error)}") from None
        connection.set_client_encoding("UTF8")
        return connection

    def sqlalchemy_url(self) -> str:
        env = self.environment
        return URL.create(
            "postgresql+psycopg2",
            username=env["PGUSER"],
            password=env.get("PGPASSWORD"),
            host=env["PGHOST"],
            port=int(env["PGPORT"]),
            database=env["PGDATABASE"],
        ).render_as_string(hide_password=False)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def server(dsn: str | None = None) -> Server:
    """The database named by ``dsn`` (a libpq connection string or URI) over the PG* variables, with the
    host, port, user and database libpq settles on written out (so that dbt uses the same)."""
    environment = {name: value for name, value in os.environ.items() if name.startswith("PG")}
    if dsn:
        try:
            given = parse_dsn(dsn)
        except psycopg2.ProgrammingError as error:
            raise PostgresError("--dsn", _first_line(error)) from None
        for keyword, value in given.items():
            if keyword not in _DSN_VARIABLES:
                raise PostgresError("--dsn", f"{keyword} is not supported here; use the PG* variables")
            environment[_DSN_VARIABLES[keyword]] = value
    with closing(Server(environment).connect()) as conn:
        settled = conn.info.dsn_parameters
    return Server(
        environment
        | {
            "PGHOST": settled.get("host", "localhost"),
            "PGPORT": settled.get("port", "5432"),
            "PGUSER": settled["user"],
            "PGDATABASE": settled["dbname"],
        }
    )


def private_schema(published: str) -> str:
    return f"{BUILD_PREFIX}{published}"


@contextmanager
def build_session(target: Server, wait: bool = False) -> Iterator[Connection]:
    """A connection holding the builds' advisory lock, after what a killed build left is gone; on the way
    out (whether or not the build published) the private schemas are dropped."""
    with closing(target.connect()) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select pg_try_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
            if not _fetch_one(cur):
                if not wait:
                    raise PostgresError(
                        target.name,
                        "another build of this database is running (it holds the builds' advisory lock); "
                        "wait for it to finish or start this one with --wait",
                    )
                cur.execute("select pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
            _end_orphans(cur)
            _drop_private_schemas(cur)
        try:
            yield conn
        finally:
            _clean_up(conn)


def _clean_up(conn: Connection) -> None:
    """Drop the private schemas; on a connection that broke, the next build drops them."""
    try:
        if not conn.autocommit:
            conn.rollback()
            conn.autocommit = True
        with conn.cursor() as cur:
            _drop_private_schemas(cur)
    except psycopg2.Error:
        pass


def _fetch_one(cur: psycopg2.extensions.cursor) -> object:
    row = cur.fetchone()
    return row[0] if row else None


def _end_orphans(cur: psycopg2.extensions.cursor) -> None:
    """End the connections of builds that no longer hold the lock: a dbt left by a build killed outright."""
    cur.execute(
        "select pg_terminate_backend(pid) from pg_stat_activity "
        "where application_name = %s and pid <> pg_backend_pid() and datname = current_database()",
        (APPLICATION_NAME,),
    )


def _drop_private_schemas(cur: psycopg2.extensions.cursor) -> None:
    cur.execute(
        "select nspname from pg_namespace where nspname like %s or nspname like %s",
        (f"{BUILD_PREFIX}%", f"{RETIRED_PREFIX}%"),
    )
    for (schema,) in cur.fetchall():
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))


def ensure_reader_role(cur: psycopg2.extensions.cursor, source: str) -> None:
    """Create the reader role (no login, no rights until a publish grants them) when it is absent."""
    cur.execute("select 1 from pg_roles where rolname = %s", (READER_ROLE,))
    if cur.fetchone():
        return
    try:
        cur.execute(sql.SQL("create role {} nologin").format(sql.Identifier(READER_ROLE)))
    except errors.InsufficientPrivilege:
        raise PostgresError(
            source,
            f"the role {READER_ROLE} does not exist and this user may not create it: "
            f"create it once (create role {READER_ROLE} nologin) or build as a user with CREATEROLE",
        ) from None


def copy_seeds(conn: Connection, seed_files: list[Path]) -> int:
    """Copy each seed file into a table of text columns in the load schema, with COPY; returns the rows.

    An empty field, quoted or not, is null, as DuckDB reads the same files. The seed materialization
    (macros/materializations/seed_postgres.sql) casts the columns to their types.
    """
    rows = 0
    with conn.cursor() as cur:
        cur.execute(sql.SQL("create schema {}").format(sql.Identifier(LOAD_SCHEMA)))
        for path in seed_files:
            with path.open(encoding="utf-8", newline="") as stream:
                header = next(csv.reader(stream), None)
                if not header:
                    raise PostgresError(str(path), "the seed file has no header line")
                stream.seek(0)
                columns = sql.SQL(", ").join(sql.Identifier(column) for column in header)
                table = sql.Identifier(LOAD_SCHEMA, path.stem)
                cur.execute(
                    sql.SQL("create table {} ({})").format(
                        table,
                        sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in header),
                    )
                )
                copy = sql.SQL(
                    "copy {} ({}) from stdin with (format csv, header true, force_null ({}))"
                ).format(table, columns, columns)
                try:
                    cur.copy_expert(copy.as_string(conn), stream)
                except psycopg2.Error as error:
                    raise PostgresError(str(path), f"COPY failed: {_first_line(error)}") from None
                rows += cur.rowcount
    return rows


def counter(conn: Connection) -> Callable[[str], int]:
    """A function that runs a count query on the connection and returns the count."""

    def count(query: str) -> int:
        with conn.cursor() as cur:
            cur.execute(query)
            row = cur.fetchone()
        return int(row[0]) if row else 0

    return count


def publish(conn: Connection, source: str) -> None:
    """Swap the private schemas in for the published ones, in one transaction, and drop the old ones."""
    conn.autocommit = False
    with conn.cursor() as cur:
        _lock_published(conn, cur, source)
        reader = sql.Identifier(READER_ROLE)
        for published in PUBLISHED_SCHEMAS:
            if _schema_exists(cur, published):
                cur.execute(
                    sql.SQL("alter schema {} rename to {}").format(
                        sql.Identifier(published), sql.Identifier(RETIRED_PREFIX + published)
                    )
                )
            cur.execute(
                sql.SQL("alter schema {} rename to {}").format(
                    sql.Identifier(private_schema(published)), sql.Identifier(published)
                )
            )
            schema = sql.Identifier(published)
            cur.execute(sql.SQL("grant usage on schema {} to {}").format(schema, reader))
            cur.execute(sql.SQL("grant select on all tables in schema {} to {}").format(schema, reader))
    conn.commit()
    conn.autocommit = True
    with conn.cursor() as cur:
        _drop_private_schemas(cur)


def _schema_exists(cur: psycopg2.extensions.cursor, schema: str) -> bool:
    cur.execute("select 1 from pg_namespace where nspname = %s", (schema,))
    return cur.fetchone() is not None


def _lock_published(conn: Connection, cur: psycopg2.extensions.cursor, source: str) -> None:
    """Lock every relation of the published schemas against readers, inside the publishing transaction.

    A reader's query locks its relations one after another, so a reader may hold one relation and wait
    for another that this lock already holds: a deadlock, which PostgreSQL breaks after deadlock_timeout
    by failing one of the two, possibly the reader. So each try is a statement that gives up well before
    that (a third of deadlock_timeout, at most LOCK_TRY_MS): the try is rolled back, the readers it held
    up go on, and after a pause it is tried again, for up to PUBLISH_WAIT_SECONDS.
    """
    cur.execute("select setting::integer from pg_settings where name = 'deadlock_timeout'")
    try_ms = max(10, min(LOCK_TRY_MS, int(str(_fetch_one(cur))) // 3))
    deadline = time.monotonic() + PUBLISH_WAIT_SECONDS
    pause = 0.01
    while True:
        cur.execute(
            "select format('%%I.%%I', namespace.nspname, class.relname) "
            "from pg_class as class "
            "inner join pg_namespace as namespace on class.relnamespace = namespace.oid "
            "where namespace.nspname = any(%s) and class.relkind in ('r', 'v', 'm', 'p', 'f') "
            "order by 1",
            (list(PUBLISHED_SCHEMAS),),
        )
        relations = [row[0] for row in cur.fetchall()]
        if not relations:
            return
        cur.execute(sql.SQL("set local statement_timeout = {}").format(sql.Literal(f"{try_ms}ms")))
        try:
            cur.execute(f"lock table {', '.join(relations)} in access exclusive mode")
        except errors.QueryCanceled:
            conn.rollback()
            if time.monotonic() > deadline:
                raise PostgresError(
                    source,
                    f"readers held the published schemas for {PUBLISH_WAIT_SECONDS} s (a transaction left "
                    "open, or a long query); nothing was published, build again when they are done",
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
            continue
        cur.execute("set local statement_timeout = 0")
        return
