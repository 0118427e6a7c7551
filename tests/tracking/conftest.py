"""Tracking-study fixtures: a real PostgreSQL server, both backends, planted waves.

Every store test runs twice, on an embedded SQLite file and on PostgreSQL. The PostgreSQL
server is Debian's (``make test`` installs it with ``tools/install-postgresql.sh``): a
throwaway cluster in a temporary directory, started once per session as an unprivileged
user on a free port of 127.0.0.1 and stopped at the end. Without the server binaries the
PostgreSQL tests fail with that instruction; they are never skipped.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from _planted import planted_wave

INSTALL_HINT = ("the tracking tests need Debian's PostgreSQL server: run "
                "`bash tools/install-postgresql.sh` (make test does)")

def _server_binaries() -> Path | None:
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


@pytest.fixture(scope="session")
def postgres_server():
    """Base URL (no database) of a throwaway PostgreSQL cluster, user ``postgres``."""
    binaries = _server_binaries()
    if binaries is None:
        pytest.fail(INSTALL_HINT)
    root = Path(tempfile.mkdtemp(prefix="dash-personas-pg-"))
    run_as: dict[str, object] = {}
    if os.geteuid() == 0:  # the server refuses to run as root
        nobody = pwd.getpwnam("nobody")
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
    data = root / "data"
    port = _free_port()

    def tool(*args: str) -> None:
        subprocess.run([str(binaries / args[0]), *args[1:]], check=True, cwd=root,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **run_as)

    try:
        tool("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
             "--no-sync", "--locale=C")
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        tool("pg_ctl", "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60",
             "-o", options, "start")
    except subprocess.CalledProcessError as error:
        log = root / "server.log"
        detail = log.read_text() if log.exists() else error.stderr.decode(errors="replace")
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start the test PostgreSQL server: {detail[-2000:]}")
    yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    subprocess.run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                   cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **run_as)
    shutil.rmtree(root, ignore_errors=True)


_database_numbers = itertools.count()


def new_database(server_url: str) -> str:
    """Create an empty database on the test server; its SQLAlchemy URL."""
    import psycopg

    name = f"study_{os.getpid()}_{next(_database_numbers)}"
    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return f"{server_url}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def study_target(request, tmp_path):
    """Where a new study goes: a SQLite path, or a fresh PostgreSQL database URL."""
    if request.param == "sqlite":
        return str(tmp_path / "study.db")
    return new_database(request.getfixturevalue("postgres_server"))


@pytest.fixture(scope="session")
def segmentation():
    """A model fitted on a planted baseline, its personas, and planted -> model segment."""
    from dash_personas import KPrototypes, build_personas

    frame, planted = planted_wave([1, 1, 1], 600, seed=100)
    features = frame.drop(columns="respondent_id")
    model = KPrototypes(3, random_state=0, n_init=3).fit(features)
    personas = build_personas(model, features)
    mapping = np.array([np.bincount(model.labels_[planted == s], minlength=3).argmax()
                        for s in range(3)])
    assert sorted(mapping) == [0, 1, 2]
    return model, personas, mapping


@pytest.fixture(scope="session")
def model_files(segmentation, tmp_path_factory):
    """The segmentation as the files ``track init`` reads."""
    from dash_personas import save_personas

    model, personas, _ = segmentation
    directory = tmp_path_factory.mktemp("segmentation")
    model.save(directory / "model.json")
    save_personas(personas, directory / "personas.json")
    return directory / "model.json", directory / "personas.json"
