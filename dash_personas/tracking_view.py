"""What the tracking view of a study says, as plain data: ``study_view(study) -> StudyView``.

The dashboard (:func:`dash_personas.app.create_study_app`), the Dash hooks plugin and
the notebook plugin render this object, so they always agree. It holds aggregates only
(the report's JSON document, the personas of each segmentation version, their colours):
never respondent rows. Migration between two waves is counted by the study (in SQL) the
first time a pair is asked for, then kept.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from survey_builder.errors import UserError

__all__ = ["StudyView", "WaveView", "open_study", "study_view"]


@dataclass(frozen=True)
class WaveView:
    """One wave as the tracking view shows it.

    Attributes
    ----------
    label : str
    summary : dict
        The wave's entry of ``StudyReport.to_dict()["waves"]`` (shares, intervals,
        ``drift`` and ``recommendation`` when the report has them).
    alerts : list of dict
        The alerts of this wave.
    trends : dict of str to dict
        Persona name -> its ``persona_history`` entry up to this wave (``trend`` sentence
        such as "24 % → 31 % since 2026-Q1", ``changes``); empty when the report has no
        persona history.
    """

    label: str
    summary: dict[str, Any]
    alerts: list[dict[str, Any]]
    trends: dict[str, dict[str, Any]]

    @property
    def segmentation_version(self) -> int:
        """The segmentation version the wave was assigned under."""
        return int(self.summary["segmentation_version"])

    @property
    def drift(self) -> dict[str, Any] | None:
        """The wave's drift against its baseline (None for a baseline, or not computed)."""
        return self.summary.get("drift")

    @property
    def recommendation(self) -> dict[str, Any] | None:
        """``{"resegment": bool, "reasons": [...]}`` when the report has one."""
        return self.summary.get("recommendation")

    def persona_changes(self, persona: str) -> list[str]:
        """Plain-words changes of ``persona``'s profile in this wave (drift, then history)."""
        for entry in (self.drift or {}).get("personas", []):
            if entry.get("persona") == persona and entry.get("changes"):
                return list(entry["changes"])
        return list(self.trends.get(persona, {}).get("changes") or [])


@dataclass
class StudyView:
    """The tracking view of a study: waves, alerts, personas, colours, migrations.

    Build it with :func:`study_view`. Every attribute is JSON-ready aggregates.

    Attributes
    ----------
    location : str
        Where the study is (path or URL without password).
    waves : list of WaveView
        Oldest first.
    alerts : list of dict
        Every alert of the study (``wave``, ``kind``, ``detail``).
    personas : dict of int to PersonaSet
        The personas of each segmentation version that has waves (and the current one).
    colours : dict of str to str
        Persona name -> its colour (the card colour), newest version first.
    transitions : list of dict
        One document per re-fit.
    codebook : dict or None
        The study's codebook (labels of the questions the personas page filters on).
    """

    location: str
    waves: list[WaveView]
    alerts: list[dict[str, Any]]
    personas: dict[int, Any]
    colours: dict[str, str]
    transitions: list[dict[str, Any]] = field(default_factory=list)
    codebook: dict[str, Any] | None = None
    _migration: Callable[[str, str], Any] | None = field(default=None, repr=False)
    _wave_data: Callable[[str], Any] | None = field(default=None, repr=False)
    _model: Callable[[int], Any] | None = field(default=None, repr=False)
    _migrations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict,
                                                                repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def labels(self) -> list[str]:
        """Wave labels, oldest first."""
        return [wave.label for wave in self.waves]

    @property
    def current_version(self) -> int:
        """The newest segmentation version."""
        return max(self.personas)

    def wave(self, label: str | None = None) -> WaveView:
        """The view of wave ``label`` (default: the latest).

        Raises
        ------
        UserError
            No such wave.
        """
        if not self.waves:
            raise UserError(f"{self.location}: the study has no waves yet "
                            "(add one with `dash-personas track add-wave`)")
        if label is None:
            return self.waves[-1]
        for wave in self.waves:
            if wave.label == label:
                return wave
        raise UserError(f"{self.location}: no wave {label!r} (the study has "
                        f"{', '.join(map(repr, self.labels))})")

    def migration(self, from_wave: str, to_wave: str) -> dict[str, Any]:
        """``Migration.to_dict()`` of the panel respondents seen in both waves.

        Parameters
        ----------
        from_wave, to_wave : str
            Any two wave labels.
        """
        self.wave(from_wave), self.wave(to_wave)
        key = (from_wave, to_wave)
        with self._lock:
            if key not in self._migrations:
                if self._migration is None:
                    raise UserError(f"{self.location}: migration {from_wave} -> {to_wave} "
                                    "was not computed and the study is not open")
                self._migrations[key] = self._migration(from_wave, to_wave).to_dict()
            return self._migrations[key]

    def reassigned(self, label: str | None = None) -> int | None:
        """The segmentation version wave ``label`` (default: the latest) was assigned
        under when it is not the current one (its rows are shown re-assigned to the
        current personas on the personas page), else ``None``."""
        version = self.wave(label).segmentation_version
        return version if version != self.current_version else None

    def reassigned_note(self, label: str | None = None) -> str:
        """What the personas page says of a wave assigned under an older segmentation
        (empty for a wave of the current one)."""
        old = self.reassigned(label)
        if old is None:
            return ""
        wave = self.wave(label).label
        return (f"Wave {wave} was assigned under segmentation v{old}; these are the personas "
                f"of the current segmentation v{self.current_version}, with the wave's "
                f"respondents assigned to them for this page. The stored assignment (and "
                f"the wave-by-wave view) stay v{old}'s; waves added from now on are "
                f"assigned under v{self.current_version}.")

    def view_source(self) -> Any:
        """The :class:`~dash_personas.view_source.ViewSource` of every wave's rows (the
        personas recomputed per wave and filter), ``None`` when the study is not open.

        Every wave shows the current segmentation's personas: a wave assigned under an
        older version (before a re-fit) has its rows assigned to the current model's
        prototypes (the rule of ``Study.add_wave``), so the page's "Personas now" are
        the current personas whichever wave is chosen (:meth:`reassigned_note` says so).
        """
        if self._wave_data is None:
            return None
        from .view_source import ViewSource

        return ViewSource.of_study(self._current_wave_data, self.personas.__getitem__,
                                   self.labels, self.codebook,
                                   notice=lambda wave: self.reassigned_note(wave))

    def _current_wave_data(self, label: str) -> Any:
        """``Study.wave_data(label)``, assigned under the current segmentation."""
        data = self._wave_data(label)
        if data.segmentation_version == self.current_version or self._model is None \
                or not data.has_answers:
            return data
        from .tracking._wave import assign

        model = self._model(self.current_version)
        segment = assign(model, data.frame[list(model.feature_names_in_)]).segment
        return dataclasses.replace(data, segment=segment,
                                   segmentation_version=self.current_version)

    def to_dict(self) -> dict[str, Any]:
        """The aggregates the page ships (what the dashboard's size budget counts)."""
        return {"location": self.location, "labels": self.labels,
                "waves": [dataclasses.asdict(w) for w in self.waves], "alerts": self.alerts,
                "colours": self.colours}


def open_study(study: Any) -> Any:
    """A :class:`~dash_personas.tracking.Study` from a study, a path or a SQLAlchemy URL.

    Raises
    ------
    UserError
        Not a study, no such file, unreachable server (``Study.open``'s errors).
    """
    from .tracking import Study

    if isinstance(study, Study):
        return study
    return Study.open(study)


def _history_by_wave(report: Any) -> list[dict[str, dict[str, Any]]]:
    """Persona history up to each wave, persona name -> entry (empty without history)."""
    if not callable(getattr(report, "persona_history", None)):
        return [{} for _ in report.waves]
    out = []
    for i in range(len(report.waves)):
        prefix = dataclasses.replace(report, waves=report.waves[:i + 1])
        out.append({entry["persona"]: dict(entry) for entry in prefix.persona_history()})
    return out


def study_view(study: Any) -> StudyView:
    """Read what the tracking view shows from a study (report, personas, colours).

    Parameters
    ----------
    study : Study, path or str
        An open :class:`~dash_personas.tracking.Study`, a SQLite path or a SQLAlchemy URL.

    Returns
    -------
    StudyView
        Keeps a reference to the study to count migrations between waves on demand.

    Raises
    ------
    UserError
        Not a study, no such file, unreachable server, a study without waves.
    """
    opened = open_study(study)
    report = opened.report()
    document = report.to_dict()
    histories = _history_by_wave(report)
    versions = {int(w["segmentation_version"]) for w in document["waves"]}
    versions.add(opened.current_version)
    personas = {v: opened.personas(v) for v in sorted(versions)}
    colours: dict[str, str] = {}
    for version in sorted(personas, reverse=True):
        for persona in personas[version]:
            colours.setdefault(persona.name, persona.colour)
    alerts = document["alerts"]
    waves = [WaveView(w["label"], w, [a for a in alerts if a["wave"] == w["label"]], trends)
             for w, trends in zip(document["waves"], histories)]
    view = StudyView(opened.location, waves, alerts, personas, colours,
                     list(document.get("transitions", [])), codebook=opened.codebook,
                     _migration=opened.migration, _wave_data=opened.wave_data,
                     _model=opened.model)
    for migration in document["migration"]:
        view._migrations[(migration["from_wave"], migration["to_wave"])] = migration
    if not view.waves:
        view.wave()  # raises: a dashboard of a study without waves has nothing to show
    return view


def wave_shares(wave: WaveView) -> Mapping[int, dict[str, Any]]:
    """Segment number -> its share entry in the wave."""
    return {int(s["segment"]): s for s in wave.summary["segments"]}
