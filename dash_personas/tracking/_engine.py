"""Connecting to a study: a SQLite file or a SQLAlchemy URL, and its write lock.

SQLite is opened in WAL mode (a dashboard reads while a wave is being added), with
foreign keys on and a busy timeout; every write transaction starts with ``BEGIN
IMMEDIATE`` so two writers queue on the file lock up front instead of failing later on
a lock upgrade. On PostgreSQL a write transaction takes a transaction-scoped advisory
lock under ``lock_timeout``, which serialises writers the same way. Either way a writer
that waits longer than the timeout gets one clear :class:`~survey_builder.errors.UserError`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, exc, text
from sqlalchemy.engine import make_url

from survey_builder.errors import UserError

__all__ = ["DEFAULT_TIMEOUT", "StudyLocation", "translate_errors", "write_transaction"]

#: Seconds a writer waits for another writer before giving up.
DEFAULT_TIMEOUT = 30.0

# Any constant shared by all dash-personas writers on one PostgreSQL database.
_ADVISORY_LOCK_KEY = 0x5D7D11


class StudyLocation:
    """Where a study lives: a SQLite path or a SQLAlchemy URL, and how to connect.

    Parameters
    ----------
    target : str or path-like
        A filesystem path (SQLite) or a URL such as ``postgresql+psycopg://host/db``.
    timeout : float
        Seconds to wait for another writer (and for a PostgreSQL server to answer).
    """

    def __init__(self, target: str | Path, timeout: float = DEFAULT_TIMEOUT) -> None:
        text_target = str(target)
        self.timeout = float(timeout)
        if "://" in text_target:
            try:
                self.url = make_url(text_target)
            except exc.ArgumentError:
                raise UserError(f"{text_target}: not a valid database URL") from None
            if self.url.drivername == "postgresql":  # SQLAlchemy would pick psycopg2
                self.url = self.url.set(drivername="postgresql+psycopg")
            self.path = None if self.url.get_backend_name() != "sqlite" else (
                Path(self.url.database) if self.url.database else None)
        else:
            self.path = Path(text_target).expanduser().resolve()
            self.url = make_url(f"sqlite:///{self.path}")
        self.dialect = self.url.get_backend_name()
        #: The location in messages (never shows a password).
        self.display = str(self.path) if self.path is not None and "://" not in text_target \
            else self.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        """Whether the study is an embedded SQLite file."""
        return self.dialect == "sqlite"

    def create_engine(self) -> Engine:
        """A SQLAlchemy engine with the pragmas and timeouts of a study."""
        if self.is_sqlite:
            engine = create_engine(self.url, connect_args={"timeout": self.timeout})
            _configure_sqlite(engine, self.timeout)
            return engine
        if self.dialect == "postgresql":
            try:
                import psycopg  # noqa: F401
            except ImportError:
                raise UserError("a PostgreSQL study needs the psycopg driver: "
                                "pip install 'dash-personas[postgres]'") from None
            return create_engine(self.url, connect_args={
                "connect_timeout": max(1, round(self.timeout))}, pool_pre_ping=True)
        return create_engine(self.url)

    def enable_wal(self, engine: Engine) -> None:
        """Switch a new SQLite study to WAL mode (persistent in the file; no-op elsewhere).

        Only done when a study is created, so opening some other SQLite file by mistake
        leaves that file exactly as it was.
        """
        if not self.is_sqlite:
            return
        with translate_errors(self):
            raw = engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.close()
            finally:
                raw.close()


def _configure_sqlite(engine: Engine, timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # SQLAlchemy emits BEGIN itself (below), so the driver must not open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # NORMAL is safe in WAL mode: a power cut may lose the last commit, never corrupt.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("study_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextlib.contextmanager
def write_transaction(engine: Engine, location: StudyLocation) -> Iterator[Connection]:
    """One transaction holding the study's write lock; rolled back on any exception."""
    with translate_errors(location), engine.connect() as connection:
        connection.execution_options(study_write=True)
        with connection.begin():
            if location.dialect == "postgresql":
                connection.execute(text(
                    f"SET LOCAL lock_timeout = '{int(location.timeout * 1000)}ms'"))
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": _ADVISORY_LOCK_KEY})
            yield connection


def _is_lock_error(error: BaseException) -> bool:
    message = str(error).lower()
    return ("database is locked" in message or "lock timeout" in message
            or type(error).__name__ == "LockNotAvailable")


@contextlib.contextmanager
def translate_errors(location: StudyLocation) -> Iterator[None]:
    """Turn the database errors a user can act on into one-line :class:`UserError`.

    A locked study, a file that is not a database and an unreachable server are user
    problems; any other database error is a bug and keeps its traceback.
    """
    try:
        yield
    except exc.OperationalError as error:
        original = error.orig if error.orig is not None else error
        if _is_lock_error(original):
            raise UserError(f"{location.display}: the study is locked by another writer "
                            f"(waited {location.timeout:g} s); try again when it has "
                            "finished") from None
        if not location.is_sqlite and _is_connection_error(original):
            first_line = str(original).strip().splitlines()[0] if str(original).strip() else ""
            raise UserError(f"{location.display}: cannot reach the study database "
                            f"({first_line})") from None
        if location.is_sqlite and "unable to open database" in str(original):
            raise UserError(f"{location.display}: cannot open the study file") from None
        raise
    except exc.DatabaseError as error:
        if location.is_sqlite and "not a database" in str(error.orig):
            raise UserError(f"{location.display}: not a dash-personas study "
                            "(the file is not a SQLite database)") from None
        raise


def _is_connection_error(error: BaseException) -> bool:
    message = str(error).lower()
    return any(phrase in message for phrase in (
        "connection refused", "could not connect", "connection failed", "timeout expired",
        "could not translate host name", "name or service not known", "does not exist",
        "password authentication failed", "no route to host", "connection to server"))
