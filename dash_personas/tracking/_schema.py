"""The study's tables (SQLAlchemy Core) and the migrations that create and upgrade them.

The schema is versioned by a ``schema_migrations`` table: one row per migration applied,
and the study refuses to open when its newest row is above :data:`SCHEMA_VERSION` (it was
written by a newer dash-personas). Migrations are plain functions in :data:`MIGRATIONS`,
applied in order inside one transaction when a study is opened or created.

Why not Alembic: a study must upgrade itself when a user's installed package opens it,
with no ``alembic.ini``, ``env.py`` or script directory to ship and no extra command to
run; the schema is a handful of tables that change rarely and additively. A version table
plus an ordered list of functions does that in a few lines, the same on SQLite and
PostgreSQL, without another dependency.

Later increments add to this file by appending a migration (``2: add_...``); existing
studies are then upgraded the next time they are opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    inspect,
    select,
)

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "STUDY_FORMAT", "metadata"]

#: Value of the ``format`` meta key: what tells a study from any other database.
STUDY_FORMAT = "dash-personas/study"

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", String(32), nullable=False),
)

#: Key/value facts about the study: format, created_at, library version, the wave
#: columns contract (JSON) set by the first wave.
meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: The questionnaire's codebook (JSON); at most one row, id 1.
codebook = Table(
    "codebook", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("document", Text, nullable=False),
)

segmentations = Table(
    "segmentations", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("model", Text, nullable=False),
    Column("personas", Text, nullable=False),
    Column("overrides", Text),
    Column("typing_tool", Text),
    # the version this one was re-fitted from (None for the first): transitions need it
    Column("parent_version", Integer, ForeignKey("segmentations.version")),
    Column("reason", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

waves = Table(
    "waves", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("label", String(200), nullable=False),
    Column("field_date", String(10)),
    Column("n", Integer, nullable=False),
    Column("segmentation_version", Integer, ForeignKey("segmentations.version"),
           nullable=False),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("label", name="uq_waves_label"),
)

# One clustered B-tree keyed (wave, respondent) on SQLite (WITHOUT ROWID): the bulk insert
# of a wave sorted by id appends pages, and the panel join between two waves is a merge
# of two key ranges. No other index, so a million rows insert in seconds.
respondents = Table(
    "respondents", metadata,
    Column("wave_id", Integer, ForeignKey("waves.id"), primary_key=True, autoincrement=False),
    Column("respondent_id", String(200), primary_key=True),
    Column("segment", SmallInteger, nullable=False),
    Column("distance", Float, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("weight", Float, nullable=False),
    sqlite_with_rowid=False,
)

#: Per-wave aggregates (JSON, versioned inside the document): what the report and the
#: dashboard read, so neither has to scan respondents.
aggregates = Table(
    "aggregates", metadata,
    Column("wave_id", Integer, ForeignKey("waves.id"), primary_key=True, autoincrement=False),
    Column("document", Text, nullable=False),
)

#: Each wave's values of the segmentation's features, one columnar blob per feature
#: (see :mod:`._columns`), rows in the respondents' id order: what a re-fit reads.
wave_features = Table(
    "wave_features", metadata,
    Column("wave_id", Integer, ForeignKey("waves.id"), primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

#: How a re-fitted segmentation was made (waves, k, rule) and its MONIC transitions
#: from its parent (JSON): what ``track refit`` printed and ``track report`` lists.
refits = Table(
    "refits", metadata,
    Column("version", Integer, ForeignKey("segmentations.version"), primary_key=True,
           autoincrement=False),
    Column("document", Text, nullable=False),
)

#: Each wave's other answers the personas describe or can be filtered on (demographics,
#: behaviour, ...), stored like ``wave_features`` (one columnar blob per column, rows in
#: the respondents' id order): what the dashboard recomputes a wave's personas from.
wave_columns = Table(
    "wave_columns", metadata,
    Column("wave_id", Integer, ForeignKey("waves.id"), primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

_VERSION_1_TABLES = (meta, codebook, segmentations, waves, respondents, aggregates)
_VERSION_2_TABLES = (wave_features, refits)
_VERSION_3_TABLES = (wave_columns,)


def _create_version_1(connection: Connection) -> None:
    metadata.create_all(connection, tables=list(_VERSION_1_TABLES))


def _create_version_2(connection: Connection) -> None:
    # Waves added under version 1 keep no feature values: a re-fit cannot use them.
    metadata.create_all(connection, tables=list(_VERSION_2_TABLES))


def _create_version_3(connection: Connection) -> None:
    # Waves added before keep only the segmentation's features: their personas can be
    # recomputed on those, not filtered by the other answers.
    metadata.create_all(connection, tables=list(_VERSION_3_TABLES))


def _drop_respondents_foreign_key(connection: Connection) -> None:
    # PostgreSQL checks a foreign key with a trigger per inserted row: two thirds of the
    # time of COPYing a wave's respondents. A wave's respondents are only ever written
    # with its waves row, in the transaction that creates both, and never deleted, so
    # the check guards nothing. SQLite's check is a cheap probe of the waves B-tree, and
    # dropping it there would rebuild the largest table: it stays.
    if connection.dialect.name != "postgresql":
        return
    for key in inspect(connection).get_foreign_keys(respondents.name):
        if key.get("name"):
            connection.exec_driver_sql(
                f'ALTER TABLE {respondents.name} DROP CONSTRAINT "{key["name"]}"')


#: version -> (description, function applying it on an open transaction)
MIGRATIONS: dict[int, tuple[str, Callable[[Connection], None]]] = {
    1: ("study store: meta, codebook, segmentations, waves, respondents, aggregates",
        _create_version_1),
    2: ("re-fits: wave_features (each wave's feature values), refits (transitions)",
        _create_version_2),
    3: ("wave rows: wave_columns (each wave's other described and filterable answers)",
        _create_version_3),
    4: ("respondents: no per-row foreign-key trigger on PostgreSQL (bulk COPY speed)",
        _drop_respondents_foreign_key),
}

#: The newest schema this dash-personas reads and writes.
SCHEMA_VERSION = max(MIGRATIONS)


def now_utc() -> str:
    """The current time as an ISO 8601 UTC string (what every ``created_at`` holds)."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def applied_version(connection: Connection) -> int | None:
    """The newest migration applied, ``None`` when the database has no migration table."""
    if not inspect(connection).has_table(schema_migrations.name):
        return None
    version = connection.execute(select(func.max(schema_migrations.c.version))).scalar()
    return None if version is None else int(version)


def migrate(connection: Connection, current: int | None) -> None:
    """Apply the migrations above ``current`` (all of them for a new study), in order."""
    if current is None:
        metadata.create_all(connection, tables=[schema_migrations])
        current = 0
    for version in sorted(v for v in MIGRATIONS if v > current):
        description, apply = MIGRATIONS[version]
        apply(connection)
        connection.execute(schema_migrations.insert().values(
            version=version, description=description, applied_at=now_utc()))
