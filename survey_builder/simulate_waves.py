"""Simulated waves of a tracking study: one population that changes in known ways.

A *wave plan* says how the population moves from one wave to the next; the simulator
draws every wave from the generative model of :mod:`survey_builder.simulate` (the same
persona parameters in every wave, fresh respondents' noise per wave) and writes the truth
beside the responses, so a tracking study can be checked against it.

The wave plan
-------------
A YAML or JSON mapping (or the :class:`WavePlan` dataclasses)::

    personas: 4            # planted personas of the first wave, numbered 1..4
    respondents: 2000      # per wave, unless a wave says otherwise
    waves:
      - label: 2026-Q1
        shares: {1: 0.4, 2: 0.3, 3: 0.2, 4: 0.1}   # default: equal shares
      - label: 2026-Q2     # nothing said: no change
        panel: {share: 0.4}                         # 40 % re-interviewed; all stay
      - label: 2026-Q3
        shares: {1: 0.25, 2: 0.45, 3: 0.2, 4: 0.1}  # shares shift
        panel:
          share: 0.4
          moves: {1: {2: 0.3}}    # 30 % of persona 1's panel moves to 2, the rest stay
      - label: 2026-Q4
        split: {persona: 3, into: [5, 6], distance: 1.5}
      - label: 2027-Q1
        respondents: 2500
        emerge: {persona: 7, share: 0.15}

Per wave (every key but ``label`` optional):

``label``
    The wave's name and file name (``<label>.csv``): letters, digits, ``.``, ``_``, ``-``.
``respondents``
    Respondents in the wave, panel included.
``shares``
    Mapping persona -> share of the *fresh* respondents (normalised to sum 1); it must
    name every persona present in that wave. Without it the previous wave's shares carry
    over (a split persona's share is divided between its two parts, an emerging persona
    takes its ``share`` and the others shrink in proportion).
``panel``
    ``share``: fraction of this wave's respondents re-interviewed from the previous wave
    (a random subset of it, respondent ids kept; the rest are new respondents with new
    ids). ``moves``: mapping persona -> {persona: probability}; each panel member of the
    first persona moves to the second with that probability and stays otherwise (the
    planted transition matrix). A panel member answers afresh from the persona it is in
    now.
``split``
    From this wave on, persona ``persona`` is gone: its members come from two nearby
    profiles, the new personas ``into`` (two new numbers), placed ``distance`` latent
    units apart (the persona spread is 1, the within-persona spread 0.45) on either side
    of the old profile along a random direction; everything else about them (behaviour,
    demographics, choices) is the old persona's. Panel members of the split persona
    land in either part at random.
``emerge``
    A new persona ``persona`` (a new number) appears with ``share`` of the fresh
    respondents. Its profile is drawn with the initial ones, as far from them as theirs
    are from each other.

A wave is *unchanged* when its shares equal the previous wave's and nothing splits,
emerges or moves. The truth (:meth:`SimulatedWaves.truth`, ``truth.json``) records, per
wave: the planted persona of every respondent, the planted and realised shares, the
panel's transition matrix and counts, and which persona split or emerged.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SurveyError
from .readers import respondent_ids
from .simulate import PERSONA_COLUMN, SimulationSettings, _Draw, _responses, _Simulator
from .spec import ID_COLUMN, Survey, load_survey

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "TRUTH_FILE",
    "EmergeSpec",
    "PanelSpec",
    "SimulatedWave",
    "SimulatedWaves",
    "SplitSpec",
    "WavePlan",
    "WaveSpec",
    "load_wave_plan",
    "simulate_waves",
    "write_waves",
]

#: Name of the truth document :func:`write_waves` puts beside the wave files.
TRUTH_FILE = "truth.json"
#: ``format`` of the truth document, and its version.
TRUTH_FORMAT = "survey-builder-simulated-waves"
TRUTH_VERSION = 1
_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class PanelSpec:
    """Respondents re-interviewed from the previous wave.

    Attributes
    ----------
    share : float
        Fraction of the wave's respondents that are panel members (0..1).
    moves : mapping of int to mapping of int to float
        ``{from: {to: probability}}``; the rest of each persona's panel stays.
    """

    share: float
    moves: Mapping[int, Mapping[int, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class SplitSpec:
    """A persona whose members come from two nearby profiles from this wave on."""

    persona: int
    into: tuple[int, int]
    distance: float = 1.5


@dataclass(frozen=True)
class EmergeSpec:
    """A new persona taking ``share`` of the fresh respondents from this wave on."""

    persona: int
    share: float


@dataclass(frozen=True)
class WaveSpec:
    """One wave of a :class:`WavePlan` (see the module docstring for the meaning)."""

    label: str
    respondents: int | None = None
    shares: Mapping[int, float] | None = None
    panel: PanelSpec | None = None
    split: SplitSpec | None = None
    emerge: EmergeSpec | None = None


@dataclass(frozen=True)
class WavePlan:
    """How a population changes wave after wave.

    Attributes
    ----------
    waves : sequence of WaveSpec
    personas : int
        Planted personas of the first wave (numbered 1..personas).
    respondents : int
        Respondents per wave unless a wave says otherwise.
    """

    waves: Sequence[WaveSpec]
    personas: int = 4
    respondents: int = 2000


@dataclass(frozen=True)
class SimulatedWave:
    """One simulated wave and its truth.

    Attributes
    ----------
    label : str
    responses : DataFrame
        Canonical layout, as :func:`~survey_builder.simulate.simulate_responses` returns.
    personas : Series
        Planted persona number of every respondent (``persona``), indexed like
        ``responses``.
    target_shares : dict of int to float
        The planted shares of the fresh respondents.
    panel : dict or None
        ``from_wave``, ``n``, ``personas`` (row and column order), ``transitions`` (the
        planted matrix) and ``counts`` (what the draw gave), for a wave with a panel.
    split, emerged : dict or None
        The persona that split (``persona``, ``into``, ``distance``) or emerged
        (``persona``, ``share``) in this wave.
    unchanged : bool
        Same planted shares as the previous wave and nothing split, emerged or moved.
    """

    label: str
    responses: pd.DataFrame
    personas: pd.Series
    target_shares: dict[int, float]
    panel: dict[str, Any] | None
    split: dict[str, Any] | None
    emerged: dict[str, Any] | None
    unchanged: bool

    @property
    def shares(self) -> dict[int, float]:
        """Realised share of each planted persona present in the wave."""
        counts = self.personas.value_counts()
        return {p: float(counts.get(p, 0)) / len(self.personas) for p in self.target_shares}

    def truth(self) -> dict[str, Any]:
        """This wave's entry of the truth document (JSON-ready)."""
        return {"label": self.label, "n": len(self.responses),
                "personas_present": sorted(self.target_shares),
                "target_shares": {str(p): s for p, s in self.target_shares.items()},
                "shares": {str(p): s for p, s in self.shares.items()},
                "unchanged": self.unchanged, "split": self.split, "emerged": self.emerged,
                "panel": self.panel,
                "respondents": {ID_COLUMN: self.responses[ID_COLUMN].tolist(),
                                PERSONA_COLUMN: self.personas.tolist()}}


@dataclass(frozen=True)
class SimulatedWaves:
    """Every wave of a plan, in order, and where each planted persona came from."""

    waves: list[SimulatedWave]
    origins: list[dict[str, Any]]
    seed: int

    def __getitem__(self, label: str) -> SimulatedWave:
        for wave in self.waves:
            if wave.label == label:
                return wave
        raise KeyError(label)

    def truth(self) -> dict[str, Any]:
        """The truth document (what ``truth.json`` holds)."""
        return {"format": TRUTH_FORMAT, "format_version": TRUTH_VERSION, "seed": self.seed,
                "personas": self.origins, "waves": [w.truth() for w in self.waves]}


# --------------------------------------------------------------------------- the plan
def _fail(message: str, field_name: str, source: str | None) -> SurveyError:
    return SurveyError(message, file=source, field=field_name)


def _number(value: Any, field_name: str, source: str | None, *, low: float = 0.0,
            high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(f"expected a number, not {value!r}", field_name, source)
    if value < low or (high is not None and value > high):
        bounds = f"{low:g}..{high:g}" if high is not None else f">= {low:g}"
        raise _fail(f"{value!r} is out of range ({bounds})", field_name, source)
    return float(value)


def _count(value: Any, field_name: str, source: str | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(f"expected a whole number >= 1, not {value!r}", field_name, source)
    return int(value)


def _persona(value: Any, field_name: str, source: str | None) -> int:
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if number < 1:
        raise _fail(f"a persona is a number >= 1, not {value!r}", field_name, source)
    return number


def _mapping(value: Any, field_name: str, source: str | None) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise _fail(f"expected a mapping, not {type(value).__name__}", field_name, source)
    return value


_WAVE_KEYS = frozenset({"label", "respondents", "shares", "panel", "split", "emerge"})


def _wave_spec(raw: Any, where: str, source: str | None) -> WaveSpec:
    raw = _mapping(raw, where, source)
    unknown = sorted(set(map(str, raw)) - _WAVE_KEYS)
    if unknown:
        raise _fail(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_WAVE_KEYS))})",
                    where, source)
    if "label" not in raw:
        raise _fail("every wave needs a label", where, source)
    shares = panel = split = emerge = None
    if raw.get("shares") is not None:
        shares = {_persona(k, f"{where}.shares", source):
                  _number(v, f"{where}.shares.{k}", source)
                  for k, v in _mapping(raw["shares"], f"{where}.shares", source).items()}
    if raw.get("panel") is not None:
        spec = _mapping(raw["panel"], f"{where}.panel", source)
        moves = {_persona(a, f"{where}.panel.moves", source): {
            _persona(b, f"{where}.panel.moves.{a}", source):
            _number(p, f"{where}.panel.moves.{a}.{b}", source, high=1.0)
            for b, p in _mapping(row, f"{where}.panel.moves.{a}", source).items()}
            for a, row in _mapping(spec.get("moves") or {}, f"{where}.panel.moves",
                                   source).items()}
        panel = PanelSpec(_number(spec.get("share"), f"{where}.panel.share", source,
                                  high=1.0), moves)
    if raw.get("split") is not None:
        spec = _mapping(raw["split"], f"{where}.split", source)
        into = spec.get("into")
        if not isinstance(into, Sequence) or isinstance(into, str) or len(into) != 2:
            raise _fail("into must list two new persona numbers", f"{where}.split.into",
                        source)
        split = SplitSpec(_persona(spec.get("persona"), f"{where}.split.persona", source),
                          (_persona(into[0], f"{where}.split.into", source),
                           _persona(into[1], f"{where}.split.into", source)),
                          _number(spec.get("distance", 1.5), f"{where}.split.distance",
                                  source))
    if raw.get("emerge") is not None:
        spec = _mapping(raw["emerge"], f"{where}.emerge", source)
        emerge = EmergeSpec(_persona(spec.get("persona"), f"{where}.emerge.persona", source),
                            _number(spec.get("share"), f"{where}.emerge.share", source,
                                    high=0.95))
    respondents = raw.get("respondents")
    return WaveSpec(str(raw["label"]),
                    None if respondents is None else _count(respondents,
                                                            f"{where}.respondents", source),
                    shares, panel, split, emerge)


def load_wave_plan(plan: str | Path | Mapping[str, Any]) -> WavePlan:
    """Read a wave plan from a YAML/JSON file or a mapping (format: module docstring).

    Parameters
    ----------
    plan : path or mapping

    Returns
    -------
    WavePlan

    Raises
    ------
    UserError
        Unreadable file, unknown keys, values out of range (the field is named).
    """
    source = None
    if not isinstance(plan, Mapping):
        import yaml

        source = str(plan)
        try:
            text = Path(plan).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SurveyError(f"cannot read the wave plan: {error}", file=source) from None
        try:
            plan = yaml.safe_load(text)  # JSON is YAML
        except yaml.YAMLError as error:
            raise SurveyError(f"not a YAML/JSON wave plan: {error}".splitlines()[0],
                              file=source) from None
    plan = _mapping(plan, "plan", source)
    unknown = sorted(set(map(str, plan)) - {"personas", "respondents", "waves"})
    if unknown:
        raise _fail(f"unknown key {unknown[0]!r} (known: personas, respondents, waves)",
                    unknown[0], source)
    waves = plan.get("waves")
    if not isinstance(waves, list) or not waves:
        raise _fail("the plan needs a list of waves", "waves", source)
    loaded = WavePlan([_wave_spec(w, f"waves[{i}]", source) for i, w in enumerate(waves)],
                      _count(plan.get("personas", 4), "personas", source),
                      _count(plan.get("respondents", 2000), "respondents", source))
    _check_plan(loaded, source)
    return loaded


# --------------------------------------------------------------------------- simulation
@dataclass
class _Population:
    """Which parameter row and profile shift each planted persona has."""

    row: dict[int, int]
    side: dict[int, float]  # -1/+1 for the parts of a split persona, else 0
    split_of: dict[int, tuple[int, float]]  # part -> (split persona, distance)
    origins: list[dict[str, Any]]


def _check_plan(plan: WavePlan, source: str | None = None) -> _Population:
    """Validate the plan's story (labels, persona numbers, shares, panel sizes) and give
    each planted persona its parameter row."""
    labels = [w.label for w in plan.waves]
    for i, label in enumerate(labels):
        if not _LABEL.match(label):
            raise _fail(f"wave label {label!r} cannot name a file (letters, digits, '.', "
                        "'_', '-')", f"waves[{i}].label", source)
        if label in labels[:i]:
            raise _fail(f"wave label {label!r} is used twice", f"waves[{i}].label", source)
    known = set(range(1, plan.personas + 1))
    present = set(known)
    row = {p: p - 1 for p in known}
    side = {p: 0.0 for p in known}
    split_of: dict[int, tuple[int, float]] = {}
    origins = [{"persona": p, "origin": "initial", "wave": labels[0]} for p in sorted(known)]
    sizes = [wave.respondents or plan.respondents for wave in plan.waves]
    for i, wave in enumerate(plan.waves):
        where = f"waves[{i}]"
        before = set(present)
        if wave.split is not None:
            split = wave.split
            if split.persona not in present:
                raise _fail(f"persona {split.persona} is not in the wave to split",
                            f"{where}.split.persona", source)
            if len(set(split.into)) != 2 or set(split.into) & known:
                raise _fail("a split needs two new persona numbers", f"{where}.split.into",
                            source)
            present.discard(split.persona)
            for part, sign in zip(split.into, (-1.0, 1.0)):
                row[part], side[part] = row[split.persona], sign
                split_of[part] = (split.persona, split.distance)
                origins.append({"persona": part, "origin": "split", "of": split.persona,
                                "wave": wave.label})
            known |= set(split.into)
            present |= set(split.into)
        if wave.emerge is not None:
            if wave.emerge.persona in known:
                raise _fail(f"persona {wave.emerge.persona} already exists",
                            f"{where}.emerge.persona", source)
            row[wave.emerge.persona] = max(row.values()) + 1
            side[wave.emerge.persona] = 0.0
            origins.append({"persona": wave.emerge.persona, "origin": "emerged",
                            "wave": wave.label})
            known.add(wave.emerge.persona)
            present.add(wave.emerge.persona)
        if wave.shares is not None and set(wave.shares) != present:
            raise _fail(f"shares must name the personas of the wave, {sorted(present)}",
                        f"{where}.shares", source)
        if wave.shares is not None and sum(wave.shares.values()) <= 0:
            raise _fail("shares must not all be 0", f"{where}.shares", source)
        if wave.panel is None:
            continue
        if i == 0:
            raise _fail("the first wave has no previous wave to re-interview",
                        f"{where}.panel", source)
        if round(wave.panel.share * sizes[i]) > sizes[i - 1]:
            raise _fail(f"the panel ({round(wave.panel.share * sizes[i])}) is larger than "
                        f"wave {labels[i - 1]} ({sizes[i - 1]})", f"{where}.panel.share",
                        source)
        for persona, moves in wave.panel.moves.items():
            if persona not in before:
                raise _fail(f"persona {persona} is not in the previous wave",
                            f"{where}.panel.moves", source)
            if not set(moves) <= present or sum(moves.values()) > 1 + 1e-9:
                raise _fail(f"moves of persona {persona} must go to personas of the wave "
                            "and sum to at most 1", f"{where}.panel.moves.{persona}", source)
    return _Population(row, side, split_of, origins)


def _next_shares(previous: dict[int, float] | None, wave: WaveSpec,
                 n_personas: int) -> dict[int, float]:
    """The planted shares of a wave's fresh respondents (see the module docstring)."""
    if wave.shares is not None:
        total = sum(wave.shares.values())
        return {p: s / total for p, s in sorted(wave.shares.items())}
    shares = (dict(previous) if previous is not None
              else {p: 1.0 / n_personas for p in range(1, n_personas + 1)})
    if wave.split is not None:
        parent = shares.pop(wave.split.persona)
        shares.update({part: parent / 2 for part in wave.split.into})
    if wave.emerge is not None:
        shares = {p: s * (1 - wave.emerge.share) for p, s in shares.items()}
        shares[wave.emerge.persona] = wave.emerge.share
    return dict(sorted(shares.items()))


def _categorical(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row of ``probabilities`` (rows sum to 1), vectorised."""
    import numpy as np

    cum = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities))[:, None]
    return np.minimum((u > cum).sum(axis=1), probabilities.shape[1] - 1)


def _transition_matrix(moves: Mapping[int, Mapping[int, float]], before: list[int],
                       after: list[int], split: SplitSpec | None) -> np.ndarray:
    """Row ``before[i]`` -> column ``after[j]`` probabilities; the rest stays (a split
    persona's stayers are shared by its two parts)."""
    import numpy as np

    matrix = np.zeros((len(before), len(after)))
    for i, persona in enumerate(before):
        for target, probability in moves.get(persona, {}).items():
            matrix[i, after.index(target)] += probability
        stay = 1.0 - matrix[i].sum()
        if split is not None and persona == split.persona:
            for part in split.into:
                matrix[i, after.index(part)] += stay / 2
        elif persona in after:
            matrix[i, after.index(persona)] += stay
    return matrix


def simulate_waves(survey: Survey | str | Path, plan: WavePlan | str | Path | Mapping[str, Any],
                   seed: int = 0, *, settings: SimulationSettings | None = None
                   ) -> SimulatedWaves:
    """Simulate every wave of ``plan`` from one population.

    Parameters
    ----------
    survey : Survey or path
        The questionnaire spec.
    plan : WavePlan, path or mapping
        The wave plan (format: the module docstring).
    seed : int
        Random seed; the same seed and plan give the same waves.
    settings : SimulationSettings, optional
        Noise and data-quality knobs.

    Returns
    -------
    SimulatedWaves

    Examples
    --------
    >>> plan = {"personas": 3, "respondents": 500, "waves": [  # doctest: +SKIP
    ...     {"label": "W1"}, {"label": "W2", "panel": {"share": 0.5, "moves": {1: {2: 0.2}}}},
    ...     {"label": "W3", "emerge": {"persona": 4, "share": 0.2}}]}
    >>> waves = simulate_waves("survey.yaml", plan, seed=0)  # doctest: +SKIP
    >>> waves["W2"].panel["transitions"]  # doctest: +SKIP
    """
    import numpy as np
    import pandas as pd

    if isinstance(survey, (str, Path)):
        survey = load_survey(survey)
    if not isinstance(plan, WavePlan):
        plan = load_wave_plan(plan)
    population = _check_plan(plan)
    settings = settings or SimulationSettings()
    n_rows = max(population.row.values()) + 1
    scales = len(survey.scales)
    directions = {}
    for parent, _distance in population.split_of.values():
        if parent not in directions:
            rng = np.random.default_rng([seed, zlib.crc32(f"waves/split/{parent}".encode())])
            direction = rng.standard_normal(scales)
            directions[parent] = direction / (np.linalg.norm(direction) or 1.0)
    sizes = [wave.respondents or plan.respondents for wave in plan.waves]
    panel_rng = np.random.default_rng([seed, zlib.crc32(b"waves/panel")])
    fresh_rng = np.random.default_rng([seed, zlib.crc32(b"waves/personas")])
    # ids: every new respondent of the plan gets the next one; panel members keep theirs
    all_ids = respondent_ids(sum(sizes))
    next_id = 0
    shares: dict[int, float] | None = None
    previous: SimulatedWave | None = None
    waves: list[SimulatedWave] = []
    for index, (wave, n) in enumerate(zip(plan.waves, sizes)):
        before = shares
        shares = _next_shares(shares, wave, plan.personas)
        personas_now = list(shares)
        panel_truth = None
        panel_ids = np.empty(0, dtype=object)
        panel_personas = np.empty(0, dtype=np.int64)
        if wave.panel is not None and previous is not None:
            n_panel = round(wave.panel.share * n)
            chosen = np.sort(panel_rng.choice(len(previous.responses), n_panel, replace=False))
            panel_ids = previous.responses[ID_COLUMN].to_numpy(dtype=object)[chosen]
            was = previous.personas.to_numpy()[chosen]
            personas_before = list(previous.target_shares)
            matrix = _transition_matrix(wave.panel.moves, personas_before, personas_now,
                                        wave.split)
            rows = np.searchsorted(personas_before, was)
            columns = _categorical(panel_rng, matrix[rows])
            panel_personas = np.asarray(personas_now)[columns]
            counts = np.zeros_like(matrix, dtype=np.int64)
            np.add.at(counts, (rows, columns), 1)
            panel_truth = {"from_wave": previous.label, "n": int(n_panel),
                           "from_personas": personas_before, "to_personas": personas_now,
                           "transitions": matrix.tolist(), "counts": counts.tolist()}
        n_fresh = n - len(panel_ids)
        fresh = np.asarray(personas_now)[_categorical(
            fresh_rng, np.tile(np.fromiter(shares.values(), float), (n_fresh, 1)))]
        ids = np.concatenate([panel_ids, all_ids[next_id:next_id + n_fresh]])
        next_id += n_fresh
        planted = np.concatenate([panel_personas, fresh]).astype(np.int64)
        draw = _draw(index, planted, population, directions)
        sim = _Simulator(survey, n, n_rows, seed, settings, draw)
        responses = _responses(sim, ids)
        moved = bool(wave.panel is not None and any(
            p > 0 for row in wave.panel.moves.values() for p in row.values()))
        unchanged = (index > 0 and before == shares and wave.split is None
                     and wave.emerge is None and not moved)
        current = SimulatedWave(
            wave.label, responses,
            pd.Series(planted, index=responses.index, name=PERSONA_COLUMN), shares,
            panel_truth,
            None if wave.split is None else {"persona": wave.split.persona,
                                             "into": list(wave.split.into),
                                             "distance": wave.split.distance},
            None if wave.emerge is None else {"persona": wave.emerge.persona,
                                              "share": wave.emerge.share},
            unchanged)
        waves.append(current)
        previous = current
    return SimulatedWaves(waves, population.origins, seed)


def _draw(index: int, planted: np.ndarray, population: _Population,
          directions: dict[int, np.ndarray]) -> _Draw:
    """Parameter rows and split shifts of a wave's respondents."""
    import numpy as np

    numbers = np.array(sorted(population.row))
    position = np.searchsorted(numbers, planted)
    rows = np.array([population.row[p] for p in numbers])[position]
    if not population.split_of:
        return _Draw(index, rows)
    scales = len(next(iter(directions.values())))
    offsets = np.zeros((len(numbers), scales))
    for j, persona in enumerate(numbers):
        if persona in population.split_of:
            parent, distance = population.split_of[persona]
            offsets[j] = population.side[persona] * distance / 2 * directions[parent]
    return _Draw(index, rows, offsets[position])


def write_waves(waves: SimulatedWaves, survey: Survey, out_dir: str | Path,
                output_format: str = "canonical") -> list[Path]:
    """Write each wave to ``out_dir/<label>.csv`` (``.json`` for SurveyJS) and the truth
    to ``out_dir/truth.json``, each file atomically.

    Returns
    -------
    list of Path
        The wave files, in plan order (the truth file last).
    """
    import json

    from .atomic import atomic_write
    from .readers import write_responses

    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".json" if output_format == "surveyjs" else ".csv"
    written = []
    for wave in waves.waves:
        path = directory / f"{wave.label}{suffix}"
        write_responses(wave.responses, survey, path, output_format)
        written.append(path)
    truth = waves.truth()
    for entry, path in zip(truth["waves"], written):
        entry["file"] = path.name
    truth_path = directory / TRUTH_FILE
    with atomic_write(truth_path, "w") as handle:
        json.dump(truth, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    return [*written, truth_path]
