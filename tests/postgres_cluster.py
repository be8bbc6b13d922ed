"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, initdb in a temporary folder,
listening on 127.0.0.1 only, on a free port, stopped and removed when the tests end.

`make test` installs the server (Debian's postgresql package) when it is absent. The cluster's owner is
the operating-system user ``postgres`` when the tests run as root (initdb refuses root). Its superuser,
``govtargets_admin``, creates the builder (``govtargets_builder``: a login that owns the database and may
create roles, not a superuser) and the database ``govtargets``, which collates by ICU's zh-CN (so that
a model that orders text by the database's collation, where the engines must agree, shows); the builds of
the tests run as the builder.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2

ADMIN = "govtargets_admin"
BUILDER = "govtargets_builder"
DATABASE = "govtargets"
_BIN_GLOB = "/usr/lib/postgresql/*/bin"


class ClusterUnavailable(Exception):
    """No PostgreSQL server binaries on this machine."""


def server_bin() -> Path:
    """The newest Debian server binaries (``/usr/lib/postgresql/<version>/bin``), or those on PATH."""
    found = sorted(Path("/").glob(_BIN_GLOB.lstrip("/")), key=lambda p: int(p.parent.name))
    if found and (found[-1] / "initdb").exists():
        return found[-1]
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise ClusterUnavailable(
        "no PostgreSQL server (initdb) on this machine: `make test` installs Debian's postgresql package"
    )


@dataclass(frozen=True)
class Cluster:
    port: int
    data: Path  # the cluster's data folder
    binaries: Path  # the server binaries that run it

    def environment(self, user: str = BUILDER, database: str = DATABASE) -> dict[str, str]:
        """libpq variables for a connection to the cluster."""
        return {"PGHOST": "127.0.0.1", "PGPORT": str(self.port), "PGUSER": user, "PGDATABASE": database}

    def connect(self, user: str = ADMIN, database: str = DATABASE) -> psycopg2.extensions.connection:
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=user, dbname=database)
        connection.autocommit = True
        return connection

    def restart(self) -> None:
        """Restart the server, as a crash or an operator would: every connection to it ends."""
        subprocess.run(
            _as_owner([str(self.binaries / "pg_ctl"), "-D", str(self.data), "-l", str(self.data.parent / "server.log"),
                       "-m", "fast", "-w", "restart"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_owner(command: list[str]) -> list[str]:
    """The command, run as the user ``postgres`` when this process is root."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """Start a cluster; stop it and remove its folder on the way out, whatever happened."""
    binaries = server_bin()
    folder = Path(tempfile.mkdtemp(prefix="govtargets-postgres-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data = folder / "data"
    port = _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True, "check": True}
    try:
        subprocess.run(
            _as_owner([str(binaries / "initdb"), "-D", str(data), "-U", ADMIN, "--auth=trust",
                       "-E", "UTF8", "--locale=C.UTF-8"]),
            **quiet,
        )  # fmt: skip
        subprocess.run(
            _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
                       "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder}", "start"]),
            **quiet,
        )  # fmt: skip
        cluster = Cluster(port, data, binaries)
        with contextlib.closing(cluster.connect(database="postgres")) as admin, admin.cursor() as cur:
            cur.execute(f"create role {BUILDER} login createrole")
            cur.execute(
                f"create database {DATABASE} owner {BUILDER} "
                "template template0 locale_provider icu icu_locale 'zh-CN'"
            )
        yield cluster
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)
