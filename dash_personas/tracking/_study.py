"""The :class:`Study`: a tracking study's segmentations, waves and reports in one store."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, inspect, select

from survey_builder import __version__
from survey_builder.errors import UserError

from . import _schema as schema
from ._columns import decode_columns, encode_columns
from ._drift import wave_profile
from ._engine import DEFAULT_TIMEOUT, StudyLocation, translate_errors, write_transaction
from ._pg_copy import COLUMNS as COPY_COLUMNS
from ._pg_copy import respondent_copy_chunks
from ._read import read_wave_table
from ._refit import RefitResult, carry_personas, fit_new_model
from ._report import (
    Migration,
    StudyReport,
    WaveRecord,
    build_report,
    migration_from_counts,
    persona_names,
)
from ._transitions import PURITY, SPLIT, SURVIVAL, check_thresholds, segment_transitions
from ._wave import (
    Assignment,
    PreparedWave,
    assign,
    check_columns,
    column_contract,
    described_columns,
    id_order,
    prepare_wave,
)

__all__ = ["SegmentationInfo", "Study", "WaveData", "WaveInfo"]

#: Version of the per-wave aggregates document; bump when its meaning changes.
#: 2 added ``profile`` (:func:`~._drift.wave_profile`); a version-1 document gets its
#: profile computed from the stored feature values when a report needs it.
AGGREGATES_VERSION = 2
#: Percentile of the reference wave's distances beyond which a respondent is "unfit".
UNFIT_PERCENTILE = 95.0


@dataclass(frozen=True)
class WaveInfo:
    """One wave of a study.

    Attributes
    ----------
    label : str
        Unique name, e.g. ``"2026-Q1"``.
    date : str or None
        Field date (ISO ``YYYY-MM-DD``).
    n : int
        Respondents.
    segmentation_version : int
        The segmentation the wave was assigned under.
    created_at : str
        When it was added (UTC).
    """

    label: str
    date: str | None
    n: int
    segmentation_version: int
    created_at: str


@dataclass(frozen=True)
class WaveData:
    """One wave's respondent rows as the study stored them (:meth:`Study.wave_data`).

    Attributes
    ----------
    label : str
    segmentation_version : int
        The segmentation the wave was assigned under (its personas:
        ``study.personas(segmentation_version)``).
    frame : DataFrame
        One row per respondent, in respondent id order: ``respondent_id``, the
        segmentation's features and the wave's other answers the personas describe or
        can be filtered on. Only ``respondent_id`` for a wave stored before the study
        kept feature values (schema version 1); no other answers for a wave stored
        before it kept them (schema version 2).
    segment : ndarray of int
        Each row's segment (the stored assignment: ``Persona.segment``).
    weight : ndarray of float
        Each row's survey weight (1 when the wave was not weighted).
    weighted : bool
        The wave was added with a weight column.
    """

    label: str
    segmentation_version: int
    frame: pd.DataFrame
    segment: np.ndarray
    weight: np.ndarray
    weighted: bool

    @property
    def has_answers(self) -> bool:
        """The rows hold the segmentation's features (profiles can be recomputed)."""
        return self.frame.shape[1] > 1


@dataclass(frozen=True)
class SegmentationInfo:
    """One segmentation version of a study.

    Attributes
    ----------
    version : int
    reason : str
        Why it was made (``"initial segmentation"``, later ``"refit on ..."``).
    created_at : str
    parent_version : int or None
        The version it was re-fitted from.
    personas : list of str
        Persona names, by segment number.
    """

    version: int
    reason: str
    created_at: str
    parent_version: int | None
    personas: list[str]


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=True)


def _model_text(model: Any) -> tuple[str, Any]:
    """The model's versioned JSON and the loaded model (from a path or a fitted model)."""
    from ..segmentation import KPrototypes

    if isinstance(model, (str, Path)):
        loaded = KPrototypes.load(model)
        return loaded.to_json(), loaded
    return model.to_json(), model


def _load_model(text: str, source: str) -> Any:
    from ..segmentation import KPrototypes

    try:
        return KPrototypes.from_json(text, source=f"{source}: the stored model")
    except UserError as error:
        raise UserError(f"{source}: the stored model cannot be read ({error.message})"
                        ) from None


def _personas_of(personas: Any) -> Any:
    from ..personas import PersonaSet, load_personas

    if isinstance(personas, PersonaSet):
        return personas
    if isinstance(personas, (str, Path)):
        return load_personas(personas)
    raise TypeError(f"personas must be a PersonaSet or a path, not {type(personas).__name__}")


def _typing_text(typing: Any) -> str | None:
    from ..segmentation import TypingTool

    if typing is None:
        return None
    if isinstance(typing, (str, Path)):
        typing = TypingTool.load(typing)  # refuse a file that is not a typing tool now
    return typing.to_json()


def _check_label(label: Any) -> str:
    text = str(label).strip() if label is not None else ""
    if not text or len(text) > 200:
        raise UserError("a wave label must be 1 to 200 characters, e.g. 2026-Q1",
                        field="label")
    return text


def _check_date(date: Any) -> str | None:
    if date is None:
        return None
    if isinstance(date, dt.date):
        return date.isoformat()
    try:
        return dt.date.fromisoformat(str(date)).isoformat()
    except ValueError:
        raise UserError(f"{date!r} is not a date (use YYYY-MM-DD)", field="date") from None


class Study:
    """A tracking study: segmentation versions, waves of respondents and their aggregates.

    Stored in one SQLite file (the default; WAL mode, so a dashboard can read while a
    wave is added) or in a PostgreSQL database given a SQLAlchemy URL. Open one with
    :meth:`create` or :meth:`open`; use it as a context manager or call :meth:`close`.

    Examples
    --------
    >>> from dash_personas import KPrototypes, build_personas, make_mixed_blobs
    >>> from dash_personas.tracking import Study
    >>> X, _ = make_mixed_blobs(400, n_clusters=3, random_state=0)
    >>> X.insert(0, "respondent_id", range(len(X)))
    >>> features = X.drop(columns="respondent_id")
    >>> model = KPrototypes(3, random_state=0, n_init=2).fit(features)
    >>> personas = build_personas(model, features)
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "study.db"
    >>> with Study.create(path, model=model, personas=personas) as study:
    ...     info = study.add_wave(X, label="2026-Q1")
    ...     study.report().waves[0].n
    400
    """

    def __init__(self, location: StudyLocation, engine: Any) -> None:
        self._location = location
        self._engine = engine
        self._models: dict[int, Any] = {}
        self._personas: dict[int, Any] = {}

    # ---------------------------------------------------------------- opening
    @classmethod
    def create(cls, target: str | Path, *, model: Any, personas: Any, overrides: Any = None,
               typing: Any = None, codebook: Mapping[str, Any] | None = None,
               reason: str = "initial segmentation", timeout: float = DEFAULT_TIMEOUT
               ) -> Study:
        """Create a study holding its first segmentation (version 1).

        Parameters
        ----------
        target : str or path-like
            A SQLite file path (must not exist yet, or be empty) or a SQLAlchemy URL
            such as ``postgresql+psycopg://user@host/db``.
        model : KPrototypes or path-like
            The fitted segmentation (or its JSON file).
        personas : PersonaSet or path-like
            Its personas (or their JSON file).
        overrides : path, mapping or list, optional
            The analyst's overrides, kept so names and edits follow a re-fit.
        typing : TypingTool or path-like, optional
            The typing tool (golden questions) of this segmentation.
        codebook : mapping, optional
            The questionnaire's codebook.
        reason : str
            Why this segmentation was made.
        timeout : float
            Seconds to wait for another writer or for the server.

        Returns
        -------
        Study

        Raises
        ------
        UserError
            The target already holds a study or other data, inputs that do not match
            (personas of another model), unreadable files, unreachable server.
        """
        from ..personas import load_overrides

        location = StudyLocation(target, timeout)
        model_text, fitted = _model_text(model)
        persona_set = _personas_of(personas)
        n_segments = len(fitted.cluster_centers_)
        segments = sorted(int(p.segment) for p in persona_set)
        if segments != list(range(n_segments)):
            raise UserError(f"the personas describe segments {segments} but the model has "
                            f"{n_segments} segments: build them from this model")
        overrides_text = None if overrides is None else _json_text(load_overrides(overrides))
        typing_text = _typing_text(typing)
        created_file = False
        if location.is_sqlite:
            path = location.path
            if path.exists() and path.stat().st_size > 0:
                raise UserError(f"{location.display}: the file already exists "
                                "(open it, or choose a new path for a new study)")
            path.parent.mkdir(parents=True, exist_ok=True)
            created_file = not path.exists()
        engine = location.create_engine()
        study = cls(location, engine)
        try:
            location.enable_wal(engine)
            with write_transaction(engine, location) as connection:
                if schema.applied_version(connection) is not None:
                    raise UserError(f"{location.display}: already holds a study")
                schema.migrate(connection, None)
                now = schema.now_utc()
                connection.execute(schema.meta.insert(), [
                    {"key": "format", "value": schema.STUDY_FORMAT},
                    {"key": "created_at", "value": now},
                    {"key": "library_version", "value": __version__}])
                if codebook is not None:
                    connection.execute(schema.codebook.insert().values(
                        id=1, document=_json_text(dict(codebook))))
                connection.execute(schema.segmentations.insert().values(
                    version=1, model=model_text, personas=persona_set.to_json(),
                    overrides=overrides_text, typing_tool=typing_text, parent_version=None,
                    reason=reason, created_at=now))
        except BaseException:
            engine.dispose()
            if created_file:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{location.path}{suffix}").unlink(missing_ok=True)
            raise
        study._models[1] = fitted
        study._personas[1] = persona_set
        return study

    @classmethod
    def open(cls, target: str | Path, *, timeout: float = DEFAULT_TIMEOUT) -> Study:
        """Open an existing study, upgrading its schema if it is older than this library.

        Parameters
        ----------
        target : str or path-like
            SQLite path or SQLAlchemy URL.
        timeout : float
            Seconds to wait for another writer or for the server.

        Raises
        ------
        UserError
            No study there, not a study, a newer schema version, unreachable server.
        """
        location = StudyLocation(target, timeout)
        if location.is_sqlite and not (location.path and location.path.is_file()):
            raise UserError(f"{location.display}: no such study "
                            "(create one with `dash-personas track init`)")
        engine = location.create_engine()
        try:
            with translate_errors(location), engine.connect() as connection:
                version = schema.applied_version(connection)
                kind = None
                if version is not None and inspect(connection).has_table("meta"):
                    kind = connection.execute(select(schema.meta.c.value).where(
                        schema.meta.c.key == "format")).scalar()
            if version is None or kind != schema.STUDY_FORMAT:
                raise UserError(f"{location.display}: not a dash-personas study")
            if version > schema.SCHEMA_VERSION:
                raise UserError(f"{location.display}: the study has schema version {version}, "
                                f"newer than this dash-personas {__version__} reads "
                                f"({schema.SCHEMA_VERSION}); upgrade dash-personas")
            if version < schema.SCHEMA_VERSION:
                with write_transaction(engine, location) as connection:
                    schema.migrate(connection, schema.applied_version(connection))
        except BaseException:
            engine.dispose()
            raise
        return cls(location, engine)

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Study:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Study({self._location.display!r})"

    # ---------------------------------------------------------------- reading
    def _read(self, statement: Any) -> list[Any]:
        with translate_errors(self._location), self._engine.connect() as connection:
            return list(connection.execute(statement))

    @property
    def location(self) -> str:
        """Where the study is (path or URL without password)."""
        return self._location.display

    @property
    def schema_version(self) -> int:
        """The schema version of the store."""
        with translate_errors(self._location), self._engine.connect() as connection:
            return int(schema.applied_version(connection) or 0)

    @property
    def waves(self) -> list[WaveInfo]:
        """Every wave, in the order they were added."""
        w = schema.waves.c
        rows = self._read(select(w.label, w.field_date, w.n, w.segmentation_version,
                                 w.created_at).order_by(w.id))
        return [WaveInfo(r.label, r.field_date, int(r.n), int(r.segmentation_version),
                         r.created_at) for r in rows]

    @property
    def segmentations(self) -> list[SegmentationInfo]:
        """Every segmentation version, oldest first."""
        s = schema.segmentations.c
        rows = self._read(select(s.version, s.reason, s.created_at, s.parent_version)
                          .order_by(s.version))
        infos = []
        for row in rows:
            personas = self.personas(int(row.version))
            names = [p.name for p in sorted(personas, key=lambda p: int(p.segment))]
            infos.append(SegmentationInfo(int(row.version), row.reason, row.created_at,
                                          row.parent_version, names))
        return infos

    @property
    def current_version(self) -> int:
        """The segmentation version new waves are assigned under (the newest)."""
        rows = self._read(select(func.max(schema.segmentations.c.version)))
        return int(rows[0][0])

    def _segmentation_column(self, column: Any, version: int) -> Any:
        rows = self._read(select(column).where(schema.segmentations.c.version == version))
        if not rows:
            raise UserError(f"{self.location}: no segmentation version {version}")
        return rows[0][0]

    def model(self, version: int | None = None) -> Any:
        """The :class:`~dash_personas.KPrototypes` of a segmentation version (newest)."""
        version = self.current_version if version is None else int(version)
        if version not in self._models:
            text = self._segmentation_column(schema.segmentations.c.model, version)
            self._models[version] = _load_model(text, f"{self.location} v{version}")
        return self._models[version]

    def personas(self, version: int | None = None) -> Any:
        """The :class:`~dash_personas.PersonaSet` of a segmentation version (newest)."""
        from ..personas import PersonaSet

        version = self.current_version if version is None else int(version)
        if version not in self._personas:
            text = self._segmentation_column(schema.segmentations.c.personas, version)
            self._personas[version] = PersonaSet.from_json(
                text, source=f"{self.location} v{version}")
        return self._personas[version]

    def overrides(self, version: int | None = None) -> list[dict[str, Any]] | None:
        """The overrides kept with a segmentation version, if any."""
        version = self.current_version if version is None else int(version)
        text = self._segmentation_column(schema.segmentations.c.overrides, version)
        return None if text is None else json.loads(text)

    def typing_tool(self, version: int | None = None) -> Any:
        """The :class:`~dash_personas.TypingTool` of a segmentation version, if any."""
        from ..segmentation import TypingTool

        version = self.current_version if version is None else int(version)
        text = self._segmentation_column(schema.segmentations.c.typing_tool, version)
        if text is None:
            return None
        return TypingTool.from_json(text, source=f"{self.location}: the stored typing tool")

    @property
    def codebook(self) -> dict[str, Any] | None:
        """The questionnaire's codebook, if the study was given one."""
        rows = self._read(select(schema.codebook.c.document).where(schema.codebook.c.id == 1))
        return json.loads(rows[0][0]) if rows else None

    def _wave_id(self, connection: Connection, label: str) -> int:
        wave_id = connection.execute(select(schema.waves.c.id).where(
            schema.waves.c.label == label)).scalar()
        if wave_id is None:
            known = [r[0] for r in connection.execute(
                select(schema.waves.c.label).order_by(schema.waves.c.id))]
            raise UserError(f"{self.location}: no wave {label!r} (the study has "
                            f"{', '.join(map(repr, known)) or 'no waves'})")
        return int(wave_id)

    def respondents(self, wave: str) -> pd.DataFrame:
        """The respondents of one wave: id, segment, distance, confidence, weight."""
        r = schema.respondents.c
        with translate_errors(self._location), self._engine.connect() as connection:
            wave_id = self._wave_id(connection, str(wave))
            result = connection.execute(select(r.respondent_id, r.segment, r.distance,
                                               r.confidence, r.weight)
                                        .where(r.wave_id == wave_id).order_by(r.respondent_id))
            # plain columns need no type processing: skip building a Row per respondent
            return pd.DataFrame.from_records(result.cursor.fetchall(), columns=[
                "respondent_id", "segment", "distance", "confidence", "weight"])

    def wave_data(self, label: str) -> WaveData:
        """The rows of one wave: answers, stored segment and weight of every respondent.

        What the dashboard recomputes a wave's personas from, filters included
        (:class:`~dash_personas.PersonaFilter` with ``labels=`` the stored segments).

        Parameters
        ----------
        label : str
            The wave's label.

        Returns
        -------
        WaveData

        Raises
        ------
        UserError
            No such wave.
        """
        w, a = schema.waves.c, schema.aggregates.c
        with translate_errors(self._location), self._engine.connect() as connection:
            wave_id = self._wave_id(connection, str(label))
            version, document = connection.execute(
                select(w.segmentation_version, a.document).join_from(
                    schema.waves, schema.aggregates, a.wave_id == w.id)
                .where(w.id == wave_id)).one()
            features, segment, weight, ids = _stored_rows(connection, wave_id)
            others = _stored_columns(connection, schema.wave_columns, wave_id)
        parts = [pd.DataFrame({"respondent_id": ids})]
        parts += [part for part in (features, others) if part is not None]
        return WaveData(str(label), int(version), pd.concat(parts, axis=1), segment, weight,
                        bool(json.loads(document).get("weighted", False)))

    def migration(self, from_wave: str, to_wave: str) -> Migration:
        """The from→to matrix of the respondents seen in both waves.

        Parameters
        ----------
        from_wave, to_wave : str
            Wave labels (any two waves, in either order).

        Returns
        -------
        Migration
        """
        with translate_errors(self._location), self._engine.connect() as connection:
            before = self._wave_id(connection, str(from_wave))
            after = self._wave_id(connection, str(to_wave))
            versions = dict(connection.execute(select(
                schema.waves.c.id, schema.waves.c.segmentation_version).where(
                schema.waves.c.id.in_([before, after]))).all())
            k_from = len(self.model(versions[before]).cluster_centers_)
            k_to = len(self.model(versions[after]).cluster_centers_)
            counts = _panel_counts(connection, before, after, k_from, k_to)
        return migration_from_counts(str(from_wave), str(to_wave), counts,
                                     persona_names(self.personas(versions[before]), k_from),
                                     persona_names(self.personas(versions[after]), k_to))

    def report(self, wave: str | None = None, *, alpha: float = 0.05) -> StudyReport:
        """Sizes over time, migration, unfit share and alerts.

        Per wave, each persona's weighted share with a 95 % Wilson interval on the Kish
        effective base ``(Σw)²/Σw²``; its change from the previous wave and from the
        baseline (the first wave under the same segmentation) tested with a two-sided
        two-proportion z-test on the effective bases, Holm-corrected across the
        personas of each comparison. Migration of the panel (respondent ids seen in a
        wave and the previous one). ``unfit_share``: share of respondents farther from
        their prototype than the baseline's 95th percentile distance. Alerts:
        ``size_shift`` for a significant share change, ``emerging`` for an unfit share
        significantly above the baseline's (one-sided two-proportion z-test) and at
        least 1.5 times it, ``drift`` for a feature whose PSI against the baseline is
        major and significant, ``split`` for a persona whose members form two groups,
        ``refit_recommended`` when the re-segment rule holds (each wave's ``drift`` and
        ``recommendation``: :mod:`dash_personas.tracking._drift`,
        :mod:`dash_personas.tracking._resegment`). A stable wave gets no alert.
        :meth:`StudyReport.persona_history` gives each persona's trend.

        Parameters
        ----------
        wave : str, optional
            Report this wave only (compared with its previous wave and the baseline).
        alpha : float
            Significance level after the correction.

        Returns
        -------
        StudyReport
        """
        w = schema.waves.c
        a = schema.aggregates.c
        with translate_errors(self._location), self._engine.connect() as connection:
            if wave is not None:
                self._wave_id(connection, str(wave))
            rows = connection.execute(
                select(w.id, w.label, w.field_date, w.segmentation_version, a.document)
                .join_from(schema.waves, schema.aggregates, a.wave_id == w.id)
                .order_by(w.id)).all()
            refits = [json.loads(text) for text in connection.execute(
                select(schema.refits.c.document).order_by(schema.refits.c.version)).scalars()]
            records = self._records_with_profiles(connection, rows)
        personas = {v: self.personas(v) for v in {r.segmentation_version for r in records}}
        labels = {}
        for version in sorted(personas, reverse=True):  # the newest label wins
            labels.update({f.name: f.label for f in personas[version].features
                           if f.name not in labels})
        return build_report(records, personas, wave=None if wave is None else str(wave),
                            alpha=alpha, refits=refits, labels=labels)

    def _records_with_profiles(self, connection: Connection, rows: Sequence[Any]
                               ) -> list[WaveRecord]:
        """The report's wave records; profiles missing from old aggregates computed now.

        Waves added before aggregates held a drift profile (aggregates version 1) get it
        from their stored feature values, on their baseline's bins; nothing is written
        (a report only reads). Waves without feature values stay without a profile.
        """
        records = []
        baselines: dict[int, Any] = {}
        for row in rows:
            document = json.loads(row.document)
            version = int(row.segmentation_version)
            if "profile" not in document:
                profile = self._lazy_profile(connection, version, baselines.get(version),
                                             wave_id=int(row.id))
                if profile is not None:
                    document["profile"] = profile
            baselines.setdefault(version, document.get("profile"))
            records.append(WaveRecord(row.label, row.field_date, version, document))
        return records

    # ---------------------------------------------------------------- writing
    def _contract(self, connection: Connection) -> dict[str, Any] | None:
        text = connection.execute(select(schema.meta.c.value).where(
            schema.meta.c.key == "columns")).scalar()
        return None if text is None else json.loads(text)

    def add_wave(self, frame: pd.DataFrame | str | Path, *, label: str,
                 date: str | dt.date | None = None, id_column: str = "respondent_id",
                 weight: str | None = None) -> WaveInfo:
        """Assign a wave to the current segmentation and store it, in one transaction.

        Each respondent gets the nearest prototype's segment, the distance to it and a
        confidence: the relative margin ``(d2 - d1) / d2`` between the nearest and the
        second-nearest prototype (0 = exactly between two segments, 1 = on the
        prototype). The respondents and the wave's aggregates (weighted sizes, distance
        percentiles, the panel's migration from the previous wave) are written in one
        transaction: on any error nothing is written. The first wave fixes the study's
        columns; later waves must have the same columns and categorical levels.

        Parameters
        ----------
        frame : DataFrame or path-like
            One row per respondent with the segmentation's columns (a scores table), or
            the path of a scores CSV.
        label : str
            Unique wave name, e.g. ``"2026-Q1"``.
        date : str or date, optional
            Field date (``YYYY-MM-DD``).
        id_column : str
            Column of respondent ids (panel members keep their id across waves).
        weight : str, optional
            Column of survey weights (default: every respondent weighs 1).

        Returns
        -------
        WaveInfo

        Raises
        ------
        UserError
            Columns or levels that differ from the study's, a duplicate label, bad ids or
            weights, a study locked by another writer for longer than the timeout.
        """
        source = f"wave {label}"
        if isinstance(frame, (str, Path)):
            source = str(frame)
            frame = read_wave_table(frame)
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
        label = _check_label(label)
        date = _check_date(date)
        version = self.current_version
        model = self.model(version)
        with translate_errors(self._location), self._engine.connect() as connection:
            contract = self._contract(connection)
            if connection.execute(select(schema.waves.c.id).where(
                    schema.waves.c.label == label)).first() is not None:
                raise UserError(f"{self.location}: the study already has a wave {label!r}")
        if contract is not None:
            check_columns(frame, contract, source)
        prepared = prepare_wave(frame, model, id_column=id_column, weight=weight,
                                source=source)
        others = frame[described_columns(frame, model, self.personas(version),
                                          exclude=(id_column, weight))]
        encoded = model.encoder_.transform(prepared.features)
        assignment = assign(model, prepared.features, encoded=encoded)
        bad = ~np.isfinite(assignment.distance)
        if bad.any():
            raise UserError(f"respondents {', '.join(map(repr, prepared.ids[bad][:5]))} "
                            "answered none of the segmentation's questions", file=source)
        with write_transaction(self._engine, self._location) as connection:
            info = self._insert_wave(connection, frame, prepared, assignment, model,
                                     label=label, date=date, version=version,
                                     contract=contract, source=source,
                                     codes=encoded.categorical, others=others)
        return info

    def refit(self, waves: Sequence[str] | None = None, *, k: int | str = "auto",
              reason: str | None = None, k_range: Iterable[int] | None = None,
              n_init: int = 10, n_bootstrap: int = 10, random_state: Any = 0,
              survival: float = SURVIVAL, split: float = SPLIT, purity: float = PURITY
              ) -> RefitResult:
        """Fit a new segmentation version on the waves' respondents and label the transitions.

        The new model keeps the current model's settings; with the current number of
        segments it is warm-started from the current prototypes
        (``KPrototypes(k, init=current.cluster_centers_)``), otherwise fitted afresh.
        The current and the new segmentation are compared on the same respondents with
        MONIC (:func:`segment_transitions`, thresholds ``survival``, ``split`` and
        ``purity``): survivors keep their persona (name and overrides), a split's or a
        merger's outcome and an emerged segment get new personas built with
        :func:`~dash_personas.pipeline.make_personas`. The new version is stored, with
        its reason, parent and transitions, in one transaction; waves added from then on
        are assigned under it, earlier waves keep the version they were assigned under.
        The new version has no typing tool: the old one's golden questions were chosen
        for the old segments.

        Parameters
        ----------
        waves : sequence of str, optional
            Labels of the waves to fit on (default: every wave). Respondents seen in
            several of them count once per wave.
        k : int or "auto", default="auto"
            Number of segments; ``"auto"`` chooses it with
            :func:`~dash_personas.pipeline.fit_segments` (and still warm-starts when it
            chooses the current number).
        reason : str, optional
            Why (default ``"refit on <waves>"``).
        k_range : iterable of int, optional
            Candidates for ``k="auto"`` (default
            :data:`~dash_personas.pipeline.DEFAULT_K_RANGE`).
        n_init, n_bootstrap, random_state
            As in :func:`~dash_personas.pipeline.fit_segments`.
        survival, split, purity : float
            The MONIC thresholds (see :func:`segment_transitions`).

        Returns
        -------
        RefitResult

        Raises
        ------
        UserError
            An unknown wave, ``k`` below 2 or not below the number of respondents, a
            study without waves, waves added before feature values were stored (schema
            version 1), another writer changing the segmentation meanwhile.
        """
        from ..pipeline import DEFAULT_K_RANGE

        k = _check_k(k)
        check_thresholds(survival, split, purity)  # before the fit, not after it
        parent = self.current_version
        current = self.model(parent)
        with translate_errors(self._location), self._engine.connect() as connection:
            labels, data, weights = self._refit_data(connection, waves)
        if k != "auto" and k >= len(data):
            raise UserError(f"{k} segments need more than {len(data)} respondents", field="k")
        weighted = None if np.all(weights == 1.0) else weights
        model, selection, how = fit_new_model(
            current, data, weighted, k, k_range=DEFAULT_K_RANGE if k_range is None else k_range,
            n_init=n_init, n_bootstrap=n_bootstrap, random_state=random_state)
        k_old, k_new = len(current.cluster_centers_), len(model.cluster_centers_)
        transitions = segment_transitions(
            assign(current, data).segment, assign(model, data).segment, weights=weights,
            n_old=k_old, n_new=k_new, survival=survival, split=split, purity=purity)
        old_personas = self.personas(parent)
        personas, overrides, notes = carry_personas(
            transitions, old_personas, self.overrides(parent), current, model, selection, data,
            self.codebook)
        version = parent + 1
        result = RefitResult(version, parent, reason or f"refit on {', '.join(labels)}",
                             labels, len(data), k_new, how, transitions,
                             persona_names(old_personas, k_old),
                             persona_names(personas, k_new), notes)
        with write_transaction(self._engine, self._location) as connection:
            newest = connection.execute(select(func.max(schema.segmentations.c.version))).scalar()
            if int(newest) != parent:
                raise UserError(f"{self.location}: the segmentation changed to version "
                                f"{newest} while re-fitting; re-fit again")
            connection.execute(schema.segmentations.insert().values(
                version=version, model=model.to_json(), personas=personas.to_json(),
                overrides=_json_text(overrides) if overrides else None, typing_tool=None,
                parent_version=parent, reason=result.reason, created_at=schema.now_utc()))
            connection.execute(schema.refits.insert().values(
                version=version, document=_json_text(result.to_dict())))
        self._models[version] = model
        self._personas[version] = personas
        return result

    def _refit_data(self, connection: Connection, waves: Sequence[str] | None
                    ) -> tuple[list[str], pd.DataFrame, np.ndarray]:
        """The chosen waves' labels, stored feature values and weights (in id order)."""
        w = schema.waves.c
        if waves is None:
            chosen = [(int(r.id), r.label) for r in connection.execute(
                select(w.id, w.label).order_by(w.id))]
            if not chosen:
                raise UserError(f"{self.location}: the study has no waves to re-fit on (add "
                                "one with `dash-personas track add-wave`)")
        else:
            labels = [str(label) for label in ([waves] if isinstance(waves, str) else waves)]
            if not labels:
                raise UserError("choose at least one wave to re-fit on", field="waves")
            chosen = [(self._wave_id(connection, label), label)
                      for label in dict.fromkeys(labels)]
        frames, weights, missing = [], [], []
        for wave_id, label in chosen:
            frame, _, weight = _stored_wave(connection, wave_id)
            if frame is None:
                missing.append(label)
                continue
            frames.append(frame)
            weights.append(weight)
        if missing:
            raise UserError(f"{self.location}: wave(s) {', '.join(map(repr, missing))} were "
                            "added before the study stored feature values (schema version "
                            "1): re-fit on later waves with --waves, or add them again as "
                            "new waves")
        return ([label for _, label in chosen], pd.concat(frames, ignore_index=True),
                np.concatenate(weights))

    def _lazy_profile(self, connection: Connection, version: int,
                      baseline: Mapping[str, Any] | None = None, wave_id: int | None = None
                      ) -> dict[str, Any] | None:
        """The drift profile of a wave stored before aggregates had one (version 1).

        Computed from the wave's stored feature values (the first wave of ``version``
        unless ``wave_id`` says which); ``None`` when it has none (schema version 1).
        """
        w = schema.waves.c
        if wave_id is None:
            wave_id = int(connection.execute(select(w.id).where(
                w.segmentation_version == version).order_by(w.id).limit(1)).scalar())
        frame, segment, weight = _stored_wave(connection, wave_id)
        if frame is None:
            return None
        return wave_profile(self.model(version), frame, weight, segment, baseline)

    def _insert_wave(self, connection: Connection, frame: pd.DataFrame,
                     prepared: PreparedWave, assignment: Assignment, model: Any, *,
                     label: str, date: str | None, version: int,
                     contract: dict[str, Any] | None, source: str,
                     codes: np.ndarray | None = None,
                     others: pd.DataFrame | None = None) -> WaveInfo:
        w = schema.waves.c
        # Re-checked under the write lock: another writer may have gone first.
        if connection.execute(select(w.id).where(w.label == label)).first() is not None:
            raise UserError(f"{self.location}: the study already has a wave {label!r}")
        current = connection.execute(select(func.max(schema.segmentations.c.version))).scalar()
        if int(current) != version:
            raise UserError(f"{self.location}: the segmentation changed to version {current} "
                            "while the wave was being assigned; add it again")
        locked_contract = self._contract(connection)
        if locked_contract is None:
            connection.execute(schema.meta.insert().values(
                key="columns", value=_json_text(column_contract(frame, model))))
        elif contract is None:
            check_columns(frame, locked_contract, source)
        previous = connection.execute(select(w.id, w.label, w.segmentation_version)
                                      .order_by(w.id.desc()).limit(1)).first()
        reference = connection.execute(
            select(schema.aggregates.c.document).join_from(
                schema.waves, schema.aggregates, schema.aggregates.c.wave_id == w.id)
            .where(w.segmentation_version == version).order_by(w.id).limit(1)).scalar()
        wave_id = 1 if previous is None else int(previous.id) + 1
        created_at = schema.now_utc()
        n = len(prepared.ids)
        connection.execute(schema.waves.insert().values(
            id=wave_id, label=label, field_date=date, n=n, segmentation_version=version,
            created_at=created_at))
        _insert_respondents(connection, wave_id, prepared, assignment)
        _insert_features(connection, wave_id, prepared)
        if others is not None and others.shape[1]:
            _insert_columns(connection, schema.wave_columns, wave_id,
                            others.reset_index(drop=True).iloc[prepared.order])
        n_segments = len(model.cluster_centers_)
        migration = None
        if previous is not None:
            k_from = len(self.model(int(previous.segmentation_version)).cluster_centers_)
            counts = _panel_counts(connection, int(previous.id), wave_id, k_from, n_segments)
            migration = {"from_wave": previous.label,
                         "from_version": int(previous.segmentation_version),
                         "counts": counts.tolist()}
        reference_document = None if reference is None else json.loads(reference)
        baseline_profile = None
        if reference_document is not None:
            baseline_profile = (reference_document.get("profile")
                                or self._lazy_profile(connection, version))
        profile = wave_profile(model, prepared.features, prepared.weights,
                               assignment.segment, baseline_profile, codes=codes)
        document = _aggregates(prepared, assignment, n_segments, reference_document,
                               label, migration)
        document["profile"] = profile
        connection.execute(schema.aggregates.insert().values(
            wave_id=wave_id, document=_json_text(document)))
        return WaveInfo(label, date, n, version, created_at)


def _check_k(k: Any) -> int | str:
    """``"auto"`` or a whole number of segments of at least 2."""
    if isinstance(k, str) and k.strip().lower() == "auto":
        return "auto"
    value = None
    if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
        value = int(k)
    elif isinstance(k, str) and k.strip().isdigit():
        value = int(k.strip())
    if value is None or value < 2:
        raise UserError(f"must be 'auto' or a whole number of segments >= 2, not {k!r}",
                        field="k")
    return value


def _stored_wave(connection: Connection, wave_id: int
                 ) -> tuple[pd.DataFrame | None, np.ndarray, np.ndarray]:
    """A wave's stored feature values (``None`` if it has none), segments and weights.

    All three in the order the feature values are stored (by respondent id).
    """
    return _stored_rows(connection, wave_id)[:3]


def _stored_rows(connection: Connection, wave_id: int
                 ) -> tuple[pd.DataFrame | None, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_stored_wave` and the respondent ids, all in respondent id order."""
    r = schema.respondents.c
    rows = connection.execute(select(r.respondent_id, r.segment, r.weight).where(
        r.wave_id == wave_id)).all()
    ids = np.array([row[0] for row in rows], dtype=object)
    order = id_order(ids)
    segment = np.array([row[1] for row in rows], dtype=np.int64)[order]
    weight = np.array([row[2] for row in rows], dtype=float)[order]
    return (_stored_columns(connection, schema.wave_features, wave_id), segment, weight,
            ids[order])


def _stored_columns(connection: Connection, table: Any, wave_id: int) -> pd.DataFrame | None:
    """The columnar blobs of one wave in ``table`` as a frame (``None`` when there are none)."""
    c = table.c
    columns = connection.execute(select(c.name, c.description, c.data).where(
        c.wave_id == wave_id).order_by(c.position)).all()
    return decode_columns(columns) if columns else None


def _panel_counts(connection: Connection, before: int, after: int, k_from: int,
                  k_to: int) -> np.ndarray:
    """Counts of respondents by (segment in ``before``, segment in ``after``), in SQL."""
    earlier = schema.respondents.alias("earlier")
    later = schema.respondents.alias("later")
    rows = connection.execute(
        select(earlier.c.segment, later.c.segment, func.count())
        .select_from(later.join(earlier, (earlier.c.wave_id == before)
                                & (earlier.c.respondent_id == later.c.respondent_id)))
        .where(later.c.wave_id == after)
        .group_by(earlier.c.segment, later.c.segment)).all()
    counts = np.zeros((k_from, k_to), dtype=np.int64)
    if rows:
        cells = np.asarray(rows, dtype=np.int64)
        counts[cells[:, 0], cells[:, 1]] = cells[:, 2]
    return counts


def _insert_features(connection: Connection, wave_id: int, prepared: PreparedWave) -> None:
    """Store the wave's feature values (columnar blobs, in the respondents' id order)."""
    _insert_columns(connection, schema.wave_features, wave_id,
                    prepared.features.iloc[prepared.order])


def _insert_columns(connection: Connection, table: Any, wave_id: int,
                    ordered: pd.DataFrame) -> None:
    """Store ``ordered``'s columns in ``table``, one columnar blob per column."""
    connection.execute(table.insert(), [
        {"wave_id": wave_id, "position": position, "name": name, "description": description,
         "data": data}
        for position, (name, description, data) in enumerate(encode_columns(ordered))])


def _insert_respondents(connection: Connection, wave_id: int, prepared: PreparedWave,
                        assignment: Assignment) -> None:
    """Bulk-insert a wave's respondents: executemany on SQLite, COPY on PostgreSQL."""
    columns = COPY_COLUMNS
    dialect = connection.dialect
    order = prepared.order  # by id: the primary key's order, so pages are appended
    ids, weights = prepared.ids[order], prepared.weights[order]
    segment, distance = assignment.segment[order], assignment.distance[order]
    confidence = assignment.confidence[order]
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY respondents ({', '.join(columns)}) FROM STDIN "
                         "(FORMAT binary)") as copy:
            for piece in respondent_copy_chunks(wave_id, ids, segment, distance,
                                                confidence, weights):
                copy.write(piece)
        return
    rows = zip(itertools.repeat(wave_id), ids.tolist(), segment.tolist(), distance.tolist(),
               confidence.tolist(), weights.tolist())
    if dialect.name == "sqlite":
        placeholders = ", ".join("?" * len(columns))
        cursor = connection.connection.driver_connection.cursor()
        cursor.executemany(f"INSERT INTO respondents ({', '.join(columns)}) "
                           f"VALUES ({placeholders})", rows)
        return
    while batch := list(itertools.islice(rows, 10_000)):
        connection.execute(schema.respondents.insert(), [dict(zip(columns, r)) for r in batch])


def _aggregates(prepared: PreparedWave, assignment: Assignment, n_segments: int,
                reference: dict[str, Any] | None, label: str,
                migration: dict[str, Any] | None) -> dict[str, Any]:
    """The per-wave aggregates document (what the report and the dashboard read)."""
    weights = prepared.weights
    segment = assignment.segment
    distance = assignment.distance
    if reference is None:
        threshold = float(np.percentile(distance, UNFIT_PERCENTILE))
        reference_wave = label
    else:
        threshold = float(reference["unfit"]["threshold"])
        reference_wave = reference["unfit"]["reference_wave"]
    unfit = distance > threshold
    return {
        "format_version": AGGREGATES_VERSION,
        "n": len(weights),
        "weighted": prepared.weighted,
        "sum_weights": float(weights.sum()),
        "sum_squared_weights": float(np.square(weights).sum()),
        "n_segments": n_segments,
        "segments": {
            "n": np.bincount(segment, minlength=n_segments).tolist(),
            "sum_weights": np.bincount(segment, weights, minlength=n_segments).tolist(),
            "sum_squared_weights": np.bincount(segment, np.square(weights),
                                               minlength=n_segments).tolist(),
        },
        "distance": {"median": float(np.median(distance)),
                     "p95": float(np.percentile(distance, UNFIT_PERCENTILE))},
        "confidence": {"median": float(np.median(assignment.confidence))},
        "unfit": {"threshold": threshold, "reference_wave": reference_wave,
                  "percentile": UNFIT_PERCENTILE, "n": int(unfit.sum()),
                  "sum_weights": float(weights[unfit].sum())},
        "migration": migration,
    }
