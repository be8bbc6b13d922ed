"""PostgreSQL: the server, the build's private schemas, seeds copied in, and publishing them.

``govtargets build --target postgres`` (see ``govtargets.pipeline.build_postgres``) connects with the
libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE …) or a ``--dsn``, and then:

1. holds an advisory lock for the whole build (``build_session``): a second build waits or stops. A
   server restart or an ended session frees it, so the build checks that its session still holds it
   before each phase and in the publishing transaction (``check_lock``), and stops if not;
2. ends what a killed build left (its dbt's connections, by their application name, and its schemas), and
   checks that it may replace the published schemas (it owns them) and that no object of another schema
   depends on them (an analyst's view, or a table or function of a mart's row type, which a publish
   would drop);
3. copies the seed files into a load schema with COPY (``copy_seeds``);
4. runs dbt into private schemas, ``govtargets_build_<schema>``, which readers cannot see;
5. once every dbt test and expectation has passed, publishes them in one transaction (``publish``), and
   grants the reader role (``govtargets_reader``) USAGE on the published schemas and SELECT on their
   relations; the reader role may create nothing, temporary tables included (``prepare_reader_role``).
   When every published relation has the shape of the new one (``_keeps_shape``: columns and types,
   views' queries, indexes, constraints, routines, owners), the publish refills the published tables
   (delete, then insert the new rows) and gives them the new comments and grants; views stay. Else it
   waits for the transactions older than the new rows to end, locks every relation of the published
   schemas, renames each published schema away and the private one into its place, and drops the old
   schemas after the commit.

A refill is MVCC-safe: a query, or a REPEATABLE READ or SERIALIZABLE transaction, whose snapshot is older
than the commit sees the old rows, one that is newer the new rows; none waits. Replacing schemas is not:
PostgreSQL looks a name up in the current catalog, not in a transaction's snapshot, so a transaction
whose snapshot is older than the rows dbt wrote would find the new relations and none of their rows;
hence the wait (``_wait_for_older_snapshots``). A query that asked for an old relation while the publish
held it waits, and when the publish commits PostgreSQL looks its name up again and finds the new one; so
no query sees old and new together. A failed build drops its private schemas and leaves the published
ones as they were.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import errors, sql
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import make_dsn, parse_dsn
from sqlalchemy.engine import URL

from govtargets.signals import stops_deferred
from loaders.errors import LoaderError

PUBLISHED_SCHEMAS = ("seeds", "staging", "intermediate", "marts")
BUILD_PREFIX = "govtargets_build_"  # private schemas of the running build
RETIRED_PREFIX = "govtargets_retired_"  # published schemas being replaced, dropped after the publish
LOAD_SCHEMA = f"{BUILD_PREFIX}load"  # the seed files as copied, text columns
PRIVATE_SCHEMAS = (*(f"{BUILD_PREFIX}{schema}" for schema in PUBLISHED_SCHEMAS), LOAD_SCHEMA)
RETIRED_SCHEMAS = tuple(f"{RETIRED_PREFIX}{schema}" for schema in PUBLISHED_SCHEMAS)
READER_ROLE = "govtargets_reader"
APPLICATION_NAME = "govtargets build"  # the build's own connections
DBT_APPLICATION_NAME = "govtargets dbt"  # dbt's connections (profiles.yml: GOVTARGETS_DBT_APPLICATION)
# pg_advisory_lock key of builds: the first 8 bytes of sha256("govtargets build"), a signed bigint.
ADVISORY_LOCK_KEY = int.from_bytes(hashlib.sha256(APPLICATION_NAME.encode()).digest()[:8], "big", signed=True)
# The key as pg_locks shows it: its high half as classid, its low half as objid (objsubid 1).
_LOCK_CLASSID, _LOCK_OBJID = divmod(ADVISORY_LOCK_KEY % 2**64, 2**32)
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

    @property
    def settings(self) -> dict[str, str]:
        """The libpq settings as connection keywords, the build's application name among them."""
        given = {
            keyword: self.environment[variable]
            for keyword, variable in _DSN_VARIABLES.items()
            if variable in self.environment
        }
        return given | {"application_name": APPLICATION_NAME}

    def connect(self) -> Connection:
        try:
            connection: Connection = psycopg2.connect(make_dsn(**self.settings))
        except psycopg2.Error as error:
            raise PostgresError(self.name, f"cannot connect: {first_line(error)}") from None
        connection.set_client_encoding("UTF8")
        return connection

    def sqlalchemy_url(self) -> str:
        """A SQLAlchemy URL that hands psycopg2 every libpq setting of the server as it is (a socket folder
        as host, several hosts, sslmode …)."""
        return URL.create("postgresql+psycopg2", query=self.settings).render_as_string(hide_password=False)


def first_line(error: BaseException) -> str:
    """An error's message in one line: its first, or its type when it has none."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def server(dsn: str | None = None) -> Server:
    """The database named by ``dsn`` (a libpq connection string or URI) over the PG* variables, with the
    host, port, user and database libpq settles on written out (so that dbt uses the same)."""
    environment = {name: value for name, value in os.environ.items() if name.startswith("PG")}
    if dsn:
        try:
            given = parse_dsn(dsn)
        except psycopg2.ProgrammingError as error:
            raise PostgresError("--dsn", first_line(error)) from None
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
            _drop_schemas(cur, PRIVATE_SCHEMAS + RETIRED_SCHEMAS)
            _check_replaceable(cur, target.name)
        try:
            yield conn
        finally:
            _clean_up(conn)


def check_lock(conn: Connection, source: str) -> None:
    """Stop unless the build's session is alive and still holds the builds' advisory lock.

    The session loses it when its connection ends (a server restart, pg_terminate_backend); dbt's, GX's
    and libpq's new connections would go on regardless, beside a second build that took the lock. So the
    build checks before each phase, and in the publishing transaction itself.
    """
    try:
        with conn.cursor() as cur:
            cur.execute(
                "select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and granted "
                "and classid = %s::oid and objid = %s::oid and objsubid = 1",
                (_LOCK_CLASSID, _LOCK_OBJID),
            )
            held = cur.fetchone() is not None
    except psycopg2.Error:
        held = False
    if not held:
        raise PostgresError(
            source,
            "this build no longer holds the builds' advisory lock (the server restarted, or its session was "
            "ended), so another build may be running: nothing was published, build again",
        )


def _clean_up(conn: Connection) -> None:
    """Drop the private (and retired) schemas; on a connection that broke, the next build drops them."""
    try:
        if not conn.autocommit:
            conn.rollback()
            conn.autocommit = True
        with conn.cursor() as cur:
            _drop_schemas(cur, PRIVATE_SCHEMAS + RETIRED_SCHEMAS)
    except psycopg2.Error:
        pass


def _fetch_one(cur: psycopg2.extensions.cursor) -> object:
    row = cur.fetchone()
    return row[0] if row else None


def _end_orphans(cur: psycopg2.extensions.cursor) -> None:
    """End dbt's connections to this database: with the lock held, they are a dbt left running by a build
    killed outright (its process group on this machine is ended too, see ``pipeline.build_postgres``)."""
    cur.execute(
        "select pg_terminate_backend(pid) from pg_stat_activity "
        "where application_name = %s and datname = current_database()",
        (DBT_APPLICATION_NAME,),
    )


def _drop_schemas(cur: psycopg2.extensions.cursor, schemas: tuple[str, ...]) -> None:
    for schema in schemas:
        cur.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))


def _check_replaceable(cur: psycopg2.extensions.cursor, source: str) -> None:
    """Stop before building when a publish could not replace the published schemas, or would drop
    objects of other schemas with them."""
    cur.execute(
        "select nspname, pg_get_userbyid(nspowner) from pg_namespace "
        "where nspname = any(%s) and not pg_has_role(current_user, nspowner, 'usage') order by 1",
        (list(PUBLISHED_SCHEMAS),),
    )
    foreign = cur.fetchall()
    if foreign:
        owners = ", ".join(f"{schema} (owned by {owner})" for schema, owner in foreign)
        raise PostgresError(
            source,
            f"this user may not replace the published schemas {owners}: build as their owner, or have the "
            "owner run `alter schema … owner to` this user",
        )
    _check_no_dependants(cur, source)


# Every object outside the published schemas that depends on one inside them (a relation, its row type,
# a function, a type …, or the schema itself): what a drop of the old schemas would drop with them. A
# view's query is a rewrite rule, named here by its view; a rule's, trigger's, policy's or column
# default's schema is its relation's. Internal dependencies (a table's TOAST table) are parts of the
# object depended on.
_DEPENDANTS = """
with dependency as (
    select
        case when rule.oid is null then dependency.classid else 'pg_class'::regclass end as classid,
        coalesce(rule.ev_class, dependency.objid) as objid,
        case when rule.oid is null then dependency.objsubid else 0 end as objsubid,
        coalesce(rule.ev_class, trigger_.tgrelid, policy.polrelid, column_default.adrelid) as relation
    from pg_depend as dependency
    left join pg_rewrite as rule
        on dependency.classid = 'pg_rewrite'::regclass and dependency.objid = rule.oid
    left join pg_trigger as trigger_
        on dependency.classid = 'pg_trigger'::regclass and dependency.objid = trigger_.oid
    left join pg_policy as policy
        on dependency.classid = 'pg_policy'::regclass and dependency.objid = policy.oid
    left join pg_attrdef as column_default
        on dependency.classid = 'pg_attrdef'::regclass and dependency.objid = column_default.oid
    where dependency.deptype <> 'i' and (
        dependency.refclassid = 'pg_namespace'::regclass
        and dependency.refobjid in (select oid from pg_namespace where nspname = any(%(schemas)s))
        or (pg_identify_object(dependency.refclassid, dependency.refobjid, 0)).schema = any(%(schemas)s)
    )
)
select distinct pg_describe_object(dependency.classid, dependency.objid, dependency.objsubid)
from dependency
left join pg_class as relation on dependency.relation = relation.oid
left join pg_namespace as relation_schema on relation.relnamespace = relation_schema.oid
where coalesce(
    relation_schema.nspname,
    (pg_identify_object(dependency.classid, dependency.objid, dependency.objsubid)).schema,
    ''
) <> all(%(schemas)s)
order by 1
"""


def _check_no_dependants(cur: psycopg2.extensions.cursor, source: str) -> None:
    """Objects of other schemas that depend on the published ones (an analyst's view, a table with a
    column of a mart's row type, a function returning its rows …): a publish that replaces the old
    relations drops them, as PostgreSQL drops dependants with what they depend on."""
    cur.execute(_DEPENDANTS, {"schemas": list(PUBLISHED_SCHEMAS)})
    dependants = [row[0] for row in cur.fetchall()]
    if dependants:
        raise PostgresError(
            source,
            f"{', '.join(dependants)} depend on the published schemas, and a publish would drop them with "
            "the old relations: keep such queries in the BI tool, or drop them and build again",
        )


def prepare_reader_role(cur: psycopg2.extensions.cursor, source: str) -> list[str]:
    """Create the reader role (no login, no rights until a publish grants them) when it is absent, and
    take the right to create temporary tables in the database from PUBLIC, so that the reader role can
    create nothing. Returns warnings: when this user may not revoke it (it does not own the database)."""
    cur.execute("select 1 from pg_roles where rolname = %s", (READER_ROLE,))
    if not cur.fetchone():
        try:
            cur.execute(sql.SQL("create role {} nologin").format(sql.Identifier(READER_ROLE)))
        except errors.InsufficientPrivilege:
            raise PostgresError(
                source,
                f"the role {READER_ROLE} does not exist and this user may not create it: "
                f"create it once (create role {READER_ROLE} nologin) or build as a user with CREATEROLE",
            ) from None
    cur.execute("select current_database()")
    database = sql.Identifier(str(_fetch_one(cur)))
    cur.execute(sql.SQL("revoke temporary on database {} from public").format(database))
    cur.execute("select has_database_privilege(%s, current_database(), 'temporary')", (READER_ROLE,))
    if _fetch_one(cur):
        return [
            f"{READER_ROLE} may still create temporary tables: the database's owner can stop it with "
            "`revoke temporary on database … from public`"
        ]
    return []


def copy_seeds(conn: Connection, seed_files: list[Path]) -> int:
    """Copy each seed file into a table of text columns in the load schema, with COPY; returns the rows.

    An empty field, quoted or not, is null, as DuckDB reads the same files. The seed materialization
    (macros/materializations/seed_postgres.sql) casts the columns to their types.
    """
    rows = 0
    with conn.cursor() as cur:
        cur.execute(sql.SQL("create schema {}").format(sql.Identifier(LOAD_SCHEMA)))
        for path in seed_files:
            try:
                rows += _copy_seed(conn, cur, path)
            except (OSError, UnicodeDecodeError, csv.Error, psycopg2.Error) as error:
                raise PostgresError(str(path), f"cannot copy the seed file in: {first_line(error)}") from None
    return rows


def _copy_seed(conn: Connection, cur: psycopg2.extensions.cursor, path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as stream:
        header = next(csv.reader(stream), None)
        if not header:
            raise PostgresError(str(path), "the seed file has no header line")
        stream.seek(0)
        columns = sql.SQL(", ").join(sql.Identifier(column) for column in header)
        table = sql.Identifier(LOAD_SCHEMA, path.stem)
        cur.execute(
            sql.SQL("create table {} ({})").format(
                table, sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in header)
            )
        )
        copy = sql.SQL("copy {} ({}) from stdin with (format csv, header true, force_null ({}))").format(
            table, columns, columns
        )
        cur.copy_expert(copy.as_string(conn), stream)
        return int(cur.rowcount)


def counter(conn: Connection) -> Callable[[str], int]:
    """A function that runs a count query on the connection and returns the count."""

    def count(query: str) -> int:
        with conn.cursor() as cur:
            cur.execute(query)
            row = cur.fetchone()
        return int(row[0]) if row else 0

    return count


@dataclass
class Publication:
    """Whether the publish has committed: a stop after that leaves the new warehouse in service."""

    committed: bool = False


def publish(conn: Connection, source: str, publication: Publication) -> None:
    """Put the private schemas in service, in one transaction: refill the published tables when every
    published relation keeps its shape, else replace the schemas; then drop what is left over."""
    check_lock(conn, source)
    with conn.cursor() as cur:
        refill = _keeps_shape(cur)
        if not refill:
            _wait_for_older_snapshots(cur, source)
    with _publishing_transaction(conn) as cur:
        if not refill:
            _lock_published(conn, cur, source)  # which may roll back and try again
        check_lock(conn, source)  # in the transaction that commits: the lock is held until it has
        _check_no_dependants(cur, source)
        for schema in PUBLISHED_SCHEMAS:
            _grant_reader(cur, private_schema(schema))  # as the new schemas are to be
        if refill:
            _refill(cur)
        else:
            _replace_schemas(cur)
        with stops_deferred():
            conn.commit()
            publication.committed = True
    with conn.cursor() as cur:
        _drop_schemas(cur, RETIRED_SCHEMAS)


@contextmanager
def _publishing_transaction(conn: Connection) -> Iterator[psycopg2.extensions.cursor]:
    """A transaction on the session; rolled back at once (its locks released) if the block stops before
    it commits."""
    conn.autocommit = False
    try:
        with conn.cursor() as cur:
            yield cur
    except BaseException:
        with suppress(psycopg2.Error):  # a connection that broke has no transaction left
            conn.rollback()
        raise
    finally:
        with suppress(psycopg2.Error):
            conn.autocommit = True


def _grant_reader(cur: psycopg2.extensions.cursor, schema: str) -> None:
    reader = sql.Identifier(READER_ROLE)
    cur.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), reader))
    cur.execute(
        sql.SQL("grant select on all tables in schema {} to {}").format(sql.Identifier(schema), reader)
    )


def _replace_schemas(cur: psycopg2.extensions.cursor) -> None:
    """Rename each published schema away and the private one into its place."""
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


# A schema's shape, one line per thing a refill would keep from the published schema: its owner; each
# relation's kind, owner and options; each column's place, type, nullability, collation and default; each
# view's query; each index, constraint and trigger; each routine with its definition and grants.
_SHAPE = """
select format('schema owner %%s', pg_get_userbyid(nspowner)) from pg_namespace where nspname = %(schema)s
union all
select format('relation %%I kind %%s owner %%s options %%s', relname, relkind, pg_get_userbyid(relowner),
    reloptions)
from pg_class where relnamespace = %(schema)s::regnamespace
union all
select format('column %%I.%%s %%I %%s not null %%s collation %%s default %%s', relation.relname, attribute.attnum,
    attribute.attname, format_type(attribute.atttypid, attribute.atttypmod), attribute.attnotnull,
    attribute.attcollation::regcollation, pg_get_expr(column_default.adbin, column_default.adrelid))
from pg_attribute as attribute
inner join pg_class as relation on attribute.attrelid = relation.oid
left join pg_attrdef as column_default
    on attribute.attrelid = column_default.adrelid and attribute.attnum = column_default.adnum
where relation.relnamespace = %(schema)s::regnamespace and attribute.attnum > 0 and not attribute.attisdropped
union all
select format('view %%I %%s', relname, pg_get_viewdef(oid))
from pg_class where relnamespace = %(schema)s::regnamespace and relkind in ('v', 'm')
union all
select format('index %%s', pg_get_indexdef(index_.indexrelid))
from pg_index as index_ inner join pg_class as relation on index_.indrelid = relation.oid
where relation.relnamespace = %(schema)s::regnamespace
union all
select format('constraint %%I %%s', conname, pg_get_constraintdef(oid))
from pg_constraint where connamespace = %(schema)s::regnamespace
union all
select format('trigger %%s', pg_get_triggerdef(trigger_.oid))
from pg_trigger as trigger_ inner join pg_class as relation on trigger_.tgrelid = relation.oid
where relation.relnamespace = %(schema)s::regnamespace and not trigger_.tgisinternal
union all
select format('routine %%I(%%s) kind %%s owner %%s grants %%s: %%s', routine.proname,
    pg_get_function_identity_arguments(routine.oid), routine.prokind, pg_get_userbyid(routine.proowner),
    routine.proacl, case when routine.prokind = 'a' then format('%%s %%s %%s %%s', aggregate_.aggtransfn,
    aggregate_.aggtranstype::regtype, aggregate_.aggfinalfn, aggregate_.agginitval)
    else pg_get_functiondef(routine.oid) end)
from pg_proc as routine left join pg_aggregate as aggregate_ on routine.oid = aggregate_.aggfnoid
where routine.pronamespace = %(schema)s::regnamespace
"""
# The private schemas' names where their definitions name them, read as the published names.
_PRIVATE_NAMES = re.compile(rf"\b{BUILD_PREFIX}({'|'.join(PUBLISHED_SCHEMAS)})\b")


def _keeps_shape(cur: psycopg2.extensions.cursor) -> bool:
    """Whether every published schema has the shape of the private one that is to replace it."""
    return all(
        _schema_exists(cur, schema)
        and _schema_exists(cur, private_schema(schema))
        and _shape(cur, schema) == _shape(cur, private_schema(schema))
        for schema in PUBLISHED_SCHEMAS
    )


def _shape(cur: psycopg2.extensions.cursor, schema: str) -> list[str]:
    cur.execute(_SHAPE, {"schema": schema})
    return sorted(_PRIVATE_NAMES.sub(r"\1", row[0]) for row in cur.fetchall())


def _refill(cur: psycopg2.extensions.cursor) -> None:
    """Replace the rows of every published table by the private one's (delete and insert, which are
    MVCC-safe: a transaction whose snapshot is older goes on seeing the old rows), and give the published
    relations and schemas the comments and grants of the private ones. Views stay: they are the same."""
    for schema in PUBLISHED_SCHEMAS:
        private = private_schema(schema)
        cur.execute(
            "select relname from pg_class where relnamespace = %s::regnamespace and relkind = 'r' order by 1",
            (schema,),
        )
        for (table,) in cur.fetchall():
            cur.execute(sql.SQL("delete from {}").format(sql.Identifier(schema, table)))
            cur.execute(
                sql.SQL("insert into {} select * from {}").format(
                    sql.Identifier(schema, table), sql.Identifier(private, table)
                )
            )
        _copy_comments(cur, private, schema)
        _copy_grants(cur, private, schema)


# The comments (dbt's docs) of the relations of a published schema and of their columns that differ from
# those of the private schema's relation of the same name.
_CHANGED_COMMENTS = """
select published.relkind, published.relname, part.attname, private_comment.description
from pg_class as published
inner join pg_class as private
    on private.relname = published.relname and private.relnamespace = %(private)s::regnamespace
cross join lateral (
    select 0 as attnum, null::name as attname
    union all
    select attnum, attname from pg_attribute where attrelid = published.oid and attnum > 0 and not attisdropped
) as part
left join pg_description as published_comment on published_comment.classoid = 'pg_class'::regclass
    and published_comment.objoid = published.oid and published_comment.objsubid = part.attnum
left join pg_description as private_comment on private_comment.classoid = 'pg_class'::regclass
    and private_comment.objoid = private.oid and private_comment.objsubid = part.attnum
where published.relnamespace = %(published)s::regnamespace and published.relkind in ('r', 'v')
    and published_comment.description is distinct from private_comment.description
"""


def _copy_comments(cur: psycopg2.extensions.cursor, private: str, published: str) -> None:
    cur.execute(_CHANGED_COMMENTS, {"private": private, "published": published})
    for kind, relation, column, comment in cur.fetchall():
        if column is None:
            target = sql.SQL("{} {}").format(
                sql.SQL("view" if kind == "v" else "table"), sql.Identifier(published, relation)
            )
        else:
            target = sql.SQL("column {}").format(sql.Identifier(published, relation, column))
        cur.execute(sql.SQL("comment on {} is {}").format(target, sql.Literal(comment)))


def _copy_grants(cur: psycopg2.extensions.cursor, private: str, published: str) -> None:
    """Give the published schema and its relations the grants of the private ones (the owners are the
    same: see ``_SHAPE``)."""
    cur.execute(
        "select published.nspacl::text, private.nspacl::text from pg_namespace as published, "
        "pg_namespace as private where published.nspname = %s and private.nspname = %s "
        "and published.nspacl is distinct from private.nspacl",
        (published, private),
    )
    for present, wanted in cur.fetchall():
        _match_grants(cur, sql.SQL("schema {}").format(sql.Identifier(published)), present, wanted)
    cur.execute(
        "select published.relname, published.relacl::text, private.relacl::text from pg_class as published "
        "inner join pg_class as private on private.relname = published.relname "
        "and private.relnamespace = %s::regnamespace "
        "where published.relnamespace = %s::regnamespace and published.relacl is distinct from private.relacl",
        (private, published),
    )
    for relation, present, wanted in cur.fetchall():
        _match_grants(cur, sql.SQL("table {}").format(sql.Identifier(published, relation)), present, wanted)


def _match_grants(
    cur: psycopg2.extensions.cursor, target: sql.Composable, present: str | None, wanted: str | None
) -> None:
    """Revoke every grant the owner made on the target, then make each wanted one (ACLs as text)."""
    grantee = "case grantee when 0 then 'public' else quote_ident(pg_get_userbyid(grantee)) end"
    cur.execute(
        f"select distinct {grantee} from aclexplode(%s::aclitem[]) where grantee <> grantor", (present,)
    )
    for (role,) in cur.fetchall():
        cur.execute(sql.SQL("revoke all on {} from {} cascade").format(target, sql.SQL(role)))
    cur.execute(
        f"select privilege_type, {grantee}, is_grantable from aclexplode(%s::aclitem[]) where grantee <> grantor",
        (wanted,),
    )
    for privilege, role, grantable in cur.fetchall():
        cur.execute(
            sql.SQL("grant {} on {} to {}{}").format(
                sql.SQL(privilege), target, sql.SQL(role), sql.SQL(" with grant option" if grantable else "")
            )
        )


def _wait_for_older_snapshots(cur: psycopg2.extensions.cursor, source: str) -> None:
    """Wait until no other session of the database has a snapshot older than the build's last write.

    A publish that replaces the schemas puts new relations under the old names, and PostgreSQL looks a
    name up in the current catalog, not in a transaction's snapshot: a REPEATABLE READ or SERIALIZABLE
    transaction whose snapshot is older than the rows dbt wrote would find the new relations and none
    of their rows. A snapshot taken after them sees every one. Polled in autocommit: pg_stat_activity
    is read once a transaction.
    """
    cur.execute("select pg_snapshot_xmax(pg_current_snapshot())::text")
    written = int(str(_fetch_one(cur))) % 2**32  # as an xid: every transaction of the build's is older
    deadline = time.monotonic() + PUBLISH_WAIT_SECONDS
    pause = 0.01
    while True:
        cur.execute(
            "select format('%%s (pid %%s, %%s)', usename, pid, application_name) from pg_stat_activity "
            "where datname = current_database() and pid <> pg_backend_pid() "
            "and age(backend_xmin) > age(%s::text::xid) order by pid",
            (written,),
        )
        older = [row[0] for row in cur.fetchall()]
        if not older:
            return
        if time.monotonic() > deadline:
            raise PostgresError(
                source,
                f"transactions older than the new warehouse are still open after {PUBLISH_WAIT_SECONDS} s "
                f"({', '.join(older)}): a REPEATABLE READ one would find the new relations empty; nothing "
                "was published, build again when they are done",
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


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
