"""A throwaway PostgreSQL cluster in a temporary directory (tests and benchmarks).

Debian's server binaries (``/usr/lib/postgresql/*/bin``; ``tools/install-postgresql.sh``)
run as ``nobody`` when we are root (the server refuses to run as root), listening on a
free port of 127.0.0.1; the cluster is stopped and deleted on exit.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

INSTALL_HINT = ("the tracking tests need Debian's PostgreSQL server: run "
                "`bash tools/install-postgresql.sh` (make test does)")


class ClusterError(RuntimeError):
    """The server binaries are missing or the cluster did not start."""


def server_binaries() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` with initdb, pg_ctl and postgres."""
    def version(path: str) -> float:
        try:
            return float(Path(path).parent.name)
        except ValueError:
            return 0.0

    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if all(os.access(Path(directory) / tool, os.X_OK)
               for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(directory)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def throwaway_cluster(*, durable: bool = False) -> Iterator[str]:
    """Start a cluster; yield its base URL (``postgresql+psycopg://postgres@host:port``).

    Parameters
    ----------
    durable : bool
        Keep fsync on (benchmarks); tests turn it off for speed.
    """
    binaries = server_binaries()
    if binaries is None:
        raise ClusterError(INSTALL_HINT)
    root = Path(tempfile.mkdtemp(prefix="dash-personas-pg-"))
    run_as: dict[str, object] = {}
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
    data = root / "data"
    port = _free_port()

    def tool(*args: str, check: bool = True) -> None:
        subprocess.run([str(binaries / args[0]), *args[1:]], check=check, cwd=root,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **run_as)

    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root}"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        tool("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--no-sync", "--locale=C")
        tool("pg_ctl", "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60",
             "-o", options, "start")
    except subprocess.CalledProcessError as error:
        log = root / "server.log"
        detail = log.read_text() if log.exists() else error.stderr.decode(errors="replace")
        shutil.rmtree(root, ignore_errors=True)
        raise ClusterError(f"could not start a PostgreSQL cluster: {detail[-2000:]}") from None
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        tool("pg_ctl", "-D", str(data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)


_database_numbers = itertools.count()


def new_database(server_url: str) -> str:
    """Create an empty database on the cluster; its SQLAlchemy URL."""
    import psycopg

    name = f"study_{os.getpid()}_{next(_database_numbers)}"
    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return f"{server_url}/{name}"
