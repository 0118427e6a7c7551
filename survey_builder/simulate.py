"""Synthetic respondents drawn from planted personas, in the canonical response layout.

The generative model
--------------------
* ``n_personas`` personas with unequal sizes (Dirichlet weights). Each persona has a latent
  mean on every scale (its ASPECTS profile); the profiles are chosen, among a few random
  candidates, to be as far apart as possible so the personas are recoverable.
* A respondent's latent scale score is the persona mean plus normal noise. A Likert item is
  ``loading × latent + item offset + item noise``, flipped for reverse-keyed items, then
  discretised to the item's 1..points codes.
* Behaviour is driven by a per-persona "engagement" latent partly tied to the ASPECTS profile:
  ordered answers (single-choice questions whose options all carry a ``numeric`` value, such as
  spend, frequency and lifespan bands, numeric questions, the journey stage) rise with it, so
  spend, frequency and lifespan are correlated and differ between personas. Other single-choice
  questions (demographics) and multiple-choice/ranking answers follow persona-specific
  category probabilities. An NPS answer (0..10) rises with engagement. A MaxDiff question
  plants per-persona item utilities (plus individual noise) and answers each set by the
  sequential best-worst logit (:func:`survey_builder.maxdiff.simulate_best_worst`); the
  planted utilities come back in :attr:`SimulatedResponses.utilities`.
* Noise and data-quality problems: non-required answers are missing at random, a few respondents
  fail attention checks, a few straight-line every Likert item (and then fail attention checks more
  often), a few answer "Don't know" where a Likert item or NPS question offers it, whoever picks an
  "Other (specify)" option types a short text, and questions whose relevance condition is false for
  a respondent are left blank — evaluated on the simulated answers themselves, in questionnaire
  order, exactly as a form engine would.
* Fieldwork: screening questions (``terminate_if``) end the interview of whoever they
  screen out (later answers blank), at a planted incidence if asked; optional
  ``started_at``/``ended_at`` times with planted speeders
  (:mod:`survey_builder._simulate_fieldwork`).

Everything is vectorised with NumPy over respondents (loops run over questions only), and each
question draws from its own random stream derived from ``seed`` and the question name, so the
output is deterministic and adding a question does not change the answers to the others.

Waves
-----
:func:`survey_builder.simulate_waves.simulate_waves` (``survey-builder simulate --waves
plan.yaml``) draws a sequence of waves from one population with this model: the persona
parameters come from the same per-question streams in every wave, the respondents of each
wave from streams of their own. A *wave plan* (YAML/JSON, or the
:class:`~survey_builder.simulate_waves.WavePlan` dataclasses) makes the population change
in known ways: persona shares that shift, a persona that splits into two nearby profiles,
a new persona that emerges, waves with no change, and a panel re-interviewed from the
previous wave (ids kept) whose members move between personas with a planted transition
matrix. The format is documented in :mod:`survey_builder.simulate_waves`.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import expressions as ex
from ._simulate_fieldwork import blank_after_screenout, interview_times, plant_incidence
from .codebook import (
    OPTION_SEPARATOR,
    build_codebook,
    column_names,
    maxdiff_columns,
    option_column,
    option_columns,
)
from .errors import SurveyError
from .layout import (
    DONT_KNOW_CODE,
    ENDED_COLUMN,
    SPEEDER_COLUMN,
    STARTED_COLUMN,
    STRAIGHTLINER_COLUMN,
    other_text_column,
)
from .readers import dont_know_column, respondent_ids
from .spec import ID_COLUMN, Survey, load_survey, other_choice

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from .spec import (
        AttentionCheckQuestion,
        Choice,
        LikertGridQuestion,
        LikertQuestion,
        MaxDiffQuestion,
        MultipleChoiceQuestion,
        NoteQuestion,
        NpsQuestion,
        NumericQuestion,
        Question,
        RankingQuestion,
        SingleChoiceQuestion,
        TextQuestion,
    )

__all__ = [
    "PERSONA_COLUMN",
    "SCREENED_OUT_COLUMN",
    "SimulatedResponses",
    "SimulationSettings",
    "default_labels_path",
    "relevance_mask",
    "respondent_ids",
    "simulate_responses",
    "simulate_with_truth",
]

#: Name of the planted-label column (values 1..n_personas).
PERSONA_COLUMN = "persona"
#: Planted-truth column: the respondent was screened out.
SCREENED_OUT_COLUMN = "screened_out"

#: What respondents type in an "Other (specify)" box.
_OTHER_SNIPPETS = (
    "A local market", "From a friend", "Second-hand", "Through my employer",
    "A small independent brand", "Something else entirely", "Not sure of the name",
    "Abroad, on holiday",
)
_TEXT_SNIPPETS = (
    "Good value for money", "Fast delivery matters to me", "I like trying new things",
    "Customer service could be better", "Mostly buy online", "Quality over price",
    "Recommended by a friend", "Nothing to add", "Would like more eco-friendly options",
    "Prices went up recently",
)


@dataclass(frozen=True)
class SimulationSettings:
    """Knobs of the generative model (defaults give realistic but recoverable data).

    Attributes
    ----------
    profile_spread : float
        Standard deviation of persona means on each latent scale.
    within_sd : float
        Spread of respondents around their persona mean on each latent scale.
    item_noise : float
        Standard deviation of item-level noise (in latent units).
    loading_range : tuple of float
        Item loadings are drawn uniformly from this range.
    missing_rate : float
        Probability that a non-required answer is left blank.
    attention_fail_rate : float
        Probability that an ordinary respondent fails an attention check.
    straightliner_rate : float
        Share of respondents who give the same answer to every Likert item.
    straightliner_attention_fail_rate : float
        Probability that a straight-liner fails an attention check.
    grid_straightliner_rate : float
        Share of (other) respondents who straight-line some Likert grids: each grid with
        probability ``grid_straightline_share``, each grid at an answer of its own (0: none,
        the default, which leaves every other answer as it was).
    grid_straightline_share : float
        Chance that such a respondent straight-lines a given grid.
    text_answer_rate : float
        Probability that a free-text question gets an answer.
    incidence : float, optional
        Share of respondents who pass the screening (``terminate_if``) questions, planted
        exactly; ``None`` leaves it to the draws. Screen-outs' answers after their screening
        question are blank either way (:mod:`survey_builder._simulate_fieldwork`).
    interview_times : bool
        Add ``started_at``/``ended_at`` columns (plausible lengths around the
        questionnaire's estimate).
    speeder_rate : float
        With ``interview_times``: share of the completes planted as speeders.
    maxdiff_spread : float
        Standard deviation of persona mean utilities of MaxDiff items (logit units: the
        Gumbel errors of the best-worst choices have scale 1).
    maxdiff_within_sd : float
        Spread of respondents' utilities around their persona's.
    dont_know_rate : float
        Probability of a "Don't know" answer to a Likert item or NPS question that offers
        one (never for straight-liners, who keep their line).
    """

    profile_spread: float = 1.0
    within_sd: float = 0.45
    item_noise: float = 0.55
    loading_range: tuple[float, float] = (0.75, 1.0)
    missing_rate: float = 0.03
    attention_fail_rate: float = 0.04
    straightliner_rate: float = 0.02
    straightliner_attention_fail_rate: float = 0.6
    grid_straightliner_rate: float = 0.0
    grid_straightline_share: float = 0.6
    text_answer_rate: float = 0.2
    incidence: float | None = None
    interview_times: bool = False
    speeder_rate: float = 0.05
    maxdiff_spread: float = 1.5
    maxdiff_within_sd: float = 0.5
    dont_know_rate: float = 0.04


def default_labels_path(out: str | Path) -> Path:
    """Where planted labels go when ``--labels-out`` is not given: ``<out stem>.planted.csv``
    next to ``out`` (``responses.csv`` → ``responses.planted.csv``)."""
    path = Path(out)
    return path.with_name(f"{path.stem}.planted.csv")


# --------------------------------------------------------------------------- relevance
def relevance_mask(expr: str | ex.Node, frame: pd.DataFrame | Mapping[str, Any],
                   survey: Survey | None = None) -> np.ndarray:
    """Evaluate a relevance condition for every row of a canonical-layout frame at once.

    The condition is evaluated by :func:`survey_builder.expressions.evaluate_columns` (the
    rules of :func:`survey_builder.expressions.evaluate`, vectorised); this function only says
    where the multiple-choice and ranking answers are.

    Parameters
    ----------
    expr : str or Node
        The condition.
    frame : DataFrame or mapping of column name to array
        Answers in the canonical layout (multiple-choice options as ``q__v`` 0/1 columns).
    survey : Survey, optional
        Names the option columns of multiple-choice and ranking questions; without it,
        every column ``q__v`` is taken for option ``v`` of a question ``q``.

    Returns
    -------
    ndarray of bool
    """
    if survey is not None:
        options = option_columns(build_codebook(survey))
    else:
        options = _options_by_column_name(list(frame.keys()))
    return ex.evaluate_columns(expr, frame, options=options)




def _options_by_column_name(names: list[str]) -> dict[str, dict[str, str]]:
    """Option columns guessed from names alone: ``a__b__c`` may be option ``b__c`` of ``a``
    or option ``c`` of ``a__b``."""
    options: dict[str, dict[str, str]] = {}
    for name in map(str, names):
        start = name.find(OPTION_SEPARATOR, 1)  # a question name is never empty
        while start > 0:
            options.setdefault(name[:start], {})[name[start + len(OPTION_SEPARATOR):]] = name
            start = name.find(OPTION_SEPARATOR, start + 1)
    return options


# --------------------------------------------------------------------------- simulation
@dataclass(frozen=True)
class _Streams:
    """The random streams of one question: persona parameters and respondent draws.

    A single simulation draws both from one generator (``params is sample``), in the
    order the generators have always used, so its output for a seed never changes. The
    waves of a plan share the parameter stream (one population) and draw their
    respondents from a stream of their own.
    """

    params: np.random.Generator
    sample: np.random.Generator


@dataclass(frozen=True)
class _Draw:
    """Who a wave's respondents are: persona parameter rows and latent-profile shifts.

    Attributes
    ----------
    index : int
        The wave's position in the plan (selects its respondent streams).
    rows : ndarray of int
        Parameter row (persona) of each respondent.
    shift : ndarray of float, shape (n, n_scales), or None
        Added to each respondent's persona mean (the sub-profiles of a split persona).
    """

    index: int
    rows: np.ndarray
    shift: np.ndarray | None = None


class _Simulator:
    """Holds the persona parameters and fills one column group per question."""

    def __init__(self, survey: Survey, n: int, n_personas: int, seed: int,
                 settings: SimulationSettings, draw: _Draw | None = None) -> None:
        import numpy as np

        self.survey = survey
        self.n = n
        self.p = n_personas
        self.seed = seed
        self.s = settings
        self.draw = draw
        rng = self.rng("personas")
        weights = rng.params.dirichlet(np.full(n_personas, 6.0))
        self.labels = (rng.sample.choice(n_personas, size=n, p=weights) if draw is None
                       else draw.rows)
        self.scale_names = [scale.name for scale in survey.scales]
        self.profiles = self._profiles(rng.params, len(self.scale_names))
        centres = self.profiles[self.labels]
        if draw is not None and draw.shift is not None:
            centres = centres + draw.shift
        self.latent = (centres
                       + settings.within_sd * rng.sample.standard_normal(
                           (n, len(self.scale_names))))
        # engagement: half tied to the psychometric profile, half persona-specific
        if self.scale_names:
            tied = self.profiles @ rng.params.standard_normal(len(self.scale_names))
            tied = (tied - tied.mean()) / (tied.std() or 1.0)
        else:
            tied = np.zeros(n_personas)
        self.persona_engagement = 0.7 * tied + 0.7 * rng.params.standard_normal(n_personas)
        self.engagement = (self.persona_engagement[self.labels]
                           + 0.6 * rng.sample.standard_normal(n))
        self.straightliner = rng.sample.random(n) < settings.straightliner_rate
        # a straight-liner keeps one relative position (left, middle or right) on every item
        self.straight_position = rng.sample.choice([0.0, 0.5, 1.0], size=n,
                                                   p=[0.3, 0.45, 0.25])
        lined = self.rng("straightliners/grids").sample.random(n)
        self.grid_straightliner = ~self.straightliner & (
            lined < settings.grid_straightliner_rate)
        self.screened_out = np.zeros(n, dtype=bool)
        self.speeders: np.ndarray | None = None
        #: planted MaxDiff utilities per question, shape (n, n_items)
        self.utilities: dict[str, np.ndarray] = {}

    def rng(self, name: str) -> _Streams:
        import numpy as np

        key = [self.seed, zlib.crc32(name.encode("utf-8"))]
        params = np.random.default_rng(key)
        if self.draw is None:
            return _Streams(params, params)
        return _Streams(params, np.random.default_rng([*key, 1 + self.draw.index]))

    def _profiles(self, rng: np.random.Generator, n_scales: int) -> np.ndarray:
        """Persona means per scale, the most spread out of a few random candidates."""
        import numpy as np

        if n_scales == 0:
            return np.zeros((self.p, 0))
        best, best_gap = None, -1.0
        for _ in range(24):
            candidate = self.s.profile_spread * rng.standard_normal((self.p, n_scales))
            if self.p < 2:
                return candidate
            diff = candidate[:, None, :] - candidate[None, :, :]
            dist = np.sqrt((diff ** 2).sum(-1))[np.triu_indices(self.p, 1)]
            if dist.min() > best_gap:
                best, best_gap = candidate, float(dist.min())
        return best  # type: ignore[return-value]

    # ---------------------------------------------------------------- helpers
    def persona_categorical(self, rng: _Streams, k: int,
                            concentration: float = 0.9) -> np.ndarray:
        """Draw one of ``k`` categories per respondent from persona-specific probabilities."""
        import numpy as np

        probs = rng.params.dirichlet(np.full(k, concentration), size=self.p)
        probs = 0.85 * probs + 0.15 / k  # every option occurs
        cum = np.cumsum(probs, axis=1)[self.labels]
        u = rng.sample.random(self.n)[:, None]
        return np.minimum((u > cum).sum(axis=1), k - 1)

    def ordered(self, rng: _Streams, k: int) -> np.ndarray:
        """An ordered category 0..k-1 rising with engagement (equal shares overall)."""
        import numpy as np
        from scipy.special import ndtri

        shift = 0.5 * rng.params.standard_normal(self.p)
        latent = (0.85 * self.engagement + shift[self.labels]
                  + 0.6 * rng.sample.standard_normal(self.n))
        # expected spread: engagement (0.7² + 0.7² persona + 0.6² individual), the
        # question's persona shift (0.5²) and noise (0.6²); cuts at its quantiles
        sd = math.sqrt(0.85 ** 2 * (0.98 + 0.36) + 0.25 + 0.36)
        cuts = sd * ndtri(np.arange(1, k) / k)
        return np.searchsorted(cuts, latent)

    def likert(self, name: str, scale: str | None, reverse: bool, points: int) -> np.ndarray:
        import numpy as np

        rng = self.rng(name)
        if scale is not None and scale in self.scale_names:
            base = self.latent[:, self.scale_names.index(scale)]
        else:  # an item outside any scale: persona-specific mean of its own
            means = self.s.profile_spread * rng.params.standard_normal(self.p)
            base = means[self.labels] + self.s.within_sd * rng.sample.standard_normal(self.n)
        low, high = self.s.loading_range
        loading = rng.params.uniform(low, high)
        offset = 0.25 * rng.params.standard_normal()
        z = loading * base + offset + self.s.item_noise * rng.sample.standard_normal(self.n)
        if reverse:
            z = -z
        center, half = (points + 1) / 2, (points - 1) / 2
        values = np.clip(np.rint(center + z * half / 2), 1, points)
        constant = 1 + self.straight_position * (points - 1)
        return np.where(self.straightliner, constant, values)

    # ---------------------------------------------------------------- questions
    def question(self, q: Question) -> dict[str, np.ndarray]:
        """The simulated columns of one question (none for a note), by its ``type``."""
        generate = _GENERATORS.get(q.type)
        if generate is None:  # pragma: no cover - the spec admits no other type
            raise TypeError(f"cannot simulate question type {q.type!r}")
        columns = generate(self, q, self.rng(q.name))
        if getattr(q, "dont_know", False):
            self.plant_dont_know(q, columns)
        choice = other_choice(q)
        if choice is not None:
            columns[other_text_column(q.name)] = self.other_texts(q, choice, columns)
        return columns

    def plant_dont_know(self, q: Question, columns: dict[str, np.ndarray]) -> None:
        """Replace a few answers (each column on its own draw) by the "Don't know" code;
        straight-liners keep their line. Draws from the question's own stream."""
        import numpy as np

        rng = self.rng(f"{q.name}/dont_know").sample
        keeps_line = self.straightliner | self.grid_straightliner
        for name, values in columns.items():
            planted = (rng.random(self.n) < self.s.dont_know_rate) & ~keeps_line
            numbers = np.where(planted, np.nan, np.asarray(values, dtype=float))
            columns[name] = dont_know_column(numbers, planted, DONT_KNOW_CODE)

    def other_texts(self, q: Question, choice: Choice, columns: dict[str, np.ndarray]
                    ) -> np.ndarray:
        """A short text for whoever chose the "Other (specify)" option, blank elsewhere."""
        import numpy as np

        if q.type == "multiple_choice":
            chosen = np.asarray(columns[option_column(q.name, choice.value)]) == 1
        else:
            chosen = np.asarray(columns[q.name], dtype=object) == choice.value
        texts = np.array(_OTHER_SNIPPETS, dtype=object)
        picks = texts[self.rng(f"{q.name}/other").sample.integers(0, len(texts), self.n)]
        return np.where(chosen, picks, None)

    def likert_question(self, q: LikertQuestion, rng: _Streams
                        ) -> dict[str, np.ndarray]:
        return {q.name: self.likert(q.name, q.scale, q.reverse_keyed, q.points)}

    def likert_grid(self, q: LikertGridQuestion, rng: _Streams
                    ) -> dict[str, np.ndarray]:
        import numpy as np

        answers = {item.name: self.likert(item.name, item.scale, item.reverse_keyed, q.points)
                   for item in q.items}
        if not self.grid_straightliner.any():
            return answers
        lining = self.rng(f"{q.name}/straightline").sample
        lined = self.grid_straightliner & (lining.random(self.n)
                                           < self.s.grid_straightline_share)
        constant = lining.integers(1, q.points + 1, self.n)
        return {name: np.where(lined, constant, values) for name, values in answers.items()}

    def attention_check(self, q: AttentionCheckQuestion, rng: _Streams
                        ) -> dict[str, np.ndarray]:
        import numpy as np

        n = self.n
        codes = np.array([c.value for c in q.choices], dtype=object)
        correct = [c.value for c in q.choices].index(q.answer)
        wrong_pick = rng.sample.integers(0, len(codes) - 1, n)
        wrong_pick = wrong_pick + (wrong_pick >= correct)
        rate = np.where(self.straightliner, self.s.straightliner_attention_fail_rate,
                        self.s.attention_fail_rate)
        fail = rng.sample.random(n) < rate
        return {q.name: codes[np.where(fail, wrong_pick, correct)]}

    def single_choice(self, q: SingleChoiceQuestion, rng: _Streams
                      ) -> dict[str, np.ndarray]:
        import numpy as np

        n = self.n
        codes = np.array([c.value for c in q.choices], dtype=object)
        journey = self.survey.journey
        if journey is not None and journey.question == q.name:
            order = journey.stages or [c.value for c in q.choices]
            ranked = np.array(list(order) + [c for c in codes if c not in order], dtype=object)
            return {q.name: ranked[self.ordered(rng, len(ranked))]}
        numeric = [c for c in q.choices if c.numeric is not None]
        if len(numeric) >= 2:  # bands (spend, frequency, lifespan): ordered by numeric
            by_value = np.array([c.value for c in sorted(numeric, key=_numeric_of)],
                                dtype=object)
            picked = by_value[self.ordered(rng, len(by_value))]
            others = np.array([c.value for c in q.choices if c.numeric is None], dtype=object)
            if len(others):  # "don't know" and the like, for a few respondents
                other = rng.sample.random(n) < 0.06
                picked = np.where(other, others[rng.sample.integers(0, len(others), n)],
                                  picked)
            return {q.name: picked}
        return {q.name: codes[self.persona_categorical(rng, len(codes))]}

    def multiple_choice(self, q: MultipleChoiceQuestion, rng: _Streams
                        ) -> dict[str, np.ndarray]:
        import numpy as np

        k = len(q.choices)
        probs = rng.params.beta(1.0, 1.6, size=(self.p, k))[self.labels]
        u = rng.sample.random((self.n, k))
        count = (u < probs).sum(axis=1)
        # an answered multiple choice has at least one tick (none = unanswered)
        count = np.clip(count, max(q.min_selected or 1, 1), q.max_selected or k)
        order = np.argsort(u - probs, axis=1, kind="stable")
        rank = np.argsort(order, axis=1, kind="stable")
        picked = (rank < count[:, None]).astype(float)
        exclusive = [j for j, c in enumerate(q.choices) if c.exclusive]
        if exclusive:  # "None of these" ticked: nothing else is
            alone = picked[:, exclusive[0]] == 1
            picked[alone] = 0.0
            picked[alone, exclusive[0]] = 1.0
        return {option_column(q.name, c.value): picked[:, j] for j, c in enumerate(q.choices)}

    def ranking(self, q: RankingQuestion, rng: _Streams) -> dict[str, np.ndarray]:
        import numpy as np

        k = len(q.choices)
        utility = 1.2 * rng.params.standard_normal((self.p, k))[self.labels] + rng.sample.gumbel(
            size=(self.n, k))
        ranks = np.argsort(np.argsort(-utility, axis=1, kind="stable"), axis=1,
                           kind="stable") + 1
        return {option_column(q.name, c.value): ranks[:, j].astype(float)
                for j, c in enumerate(q.choices)}

    def numeric_question(self, q: NumericQuestion, rng: _Streams
                         ) -> dict[str, np.ndarray]:
        return {q.name: self.numeric(q, rng)}

    def text(self, q: TextQuestion, rng: _Streams) -> dict[str, np.ndarray]:
        import numpy as np

        limit = q.max_length or None
        snippets = np.array([text[:limit] for text in _TEXT_SNIPPETS], dtype=object)
        picks = snippets[rng.sample.integers(0, len(snippets), self.n)]
        answered = rng.sample.random(self.n) < self.s.text_answer_rate
        return {q.name: np.where(answered, picks, None)}

    def note(self, q: NoteQuestion, rng: _Streams) -> dict[str, np.ndarray]:
        return {}

    def nps(self, q: NpsQuestion, rng: _Streams) -> dict[str, np.ndarray]:
        """0..10, rising with engagement around a typical 7 (about a third promoters)."""
        import numpy as np

        shift = 0.8 * rng.params.standard_normal(self.p)
        z = 0.6 * self.engagement + shift[self.labels] + 0.8 * rng.sample.standard_normal(self.n)
        return {q.name: np.clip(np.rint(7.0 + 1.6 * z), 0, 10)}

    def maxdiff(self, q: MaxDiffQuestion, rng: _Streams) -> dict[str, np.ndarray]:
        """Per-persona item utilities plus individual noise, answered by the sequential
        best-worst logit (Gumbel errors); the utilities are kept in ``self.utilities``."""
        import numpy as np

        from .maxdiff import simulate_best_worst

        k = len(q.items)
        utilities = (self.s.maxdiff_spread * rng.params.standard_normal((self.p, k))[self.labels]
                     + self.s.maxdiff_within_sd * rng.sample.standard_normal((self.n, k)))
        self.utilities[q.name] = utilities
        best, worst = simulate_best_worst(q.design(), utilities, rng.sample)
        codes = np.array([c.value for c in q.items], dtype=object)
        best_columns, worst_columns = maxdiff_columns(q.name, q.sets)
        out = {}
        for k_set in range(q.sets):
            out[best_columns[k_set]] = codes[best[:, k_set]]
            out[worst_columns[k_set]] = codes[worst[:, k_set]]
        return out

    def numeric(self, q: NumericQuestion, rng: _Streams) -> np.ndarray:
        import numpy as np

        shift = 0.4 * rng.params.standard_normal(self.p)
        latent = (0.8 * self.engagement + shift[self.labels]
                  + 0.6 * rng.sample.standard_normal(self.n)) / 1.25
        lo, hi = q.min, q.max
        typical = _typical_value(self.survey, q.name)
        if typical is not None:  # a CLV input: log-normal around a plausible value
            values = typical * np.exp(0.6 * latent)
        elif lo is not None and hi is not None:
            if lo >= 0 and hi / max(lo, 1.0) > 20:  # wide range: spread in log space
                a, b = math.log(max(lo, 1.0)), math.log(hi)
                values = np.exp((a + b) / 2 + min((b - a) / 6, 0.8) * latent)
            else:
                values = lo + (hi - lo) / (1 + np.exp(-1.3 * latent))
        else:
            values = (max(lo, 1.0) * 5 if lo is not None else 30.0) * np.exp(0.5 * latent)
        if lo is not None or hi is not None:
            values = np.clip(values, lo if lo is not None else -np.inf,
                             hi if hi is not None else np.inf)
        if q.integer:
            values = np.rint(values)
            if lo is not None:
                values = np.maximum(values, math.ceil(lo))
            if hi is not None:
                values = np.minimum(values, math.floor(hi))
        else:
            values = np.round(values, 2)
        return values


#: How each question type is simulated (``_Simulator.question`` dispatches on ``type``).
_GENERATORS: dict[str, Callable[[_Simulator, Any, _Streams],
                                dict[str, np.ndarray]]] = {
    "likert": _Simulator.likert_question,
    "likert_grid": _Simulator.likert_grid,
    "attention_check": _Simulator.attention_check,
    "single_choice": _Simulator.single_choice,
    "multiple_choice": _Simulator.multiple_choice,
    "ranking": _Simulator.ranking,
    "numeric": _Simulator.numeric_question,
    "text": _Simulator.text,
    "note": _Simulator.note,
    "nps": _Simulator.nps,
    "maxdiff": _Simulator.maxdiff,
}
#: Question types never left blank at random: notes have no answer, and text answers are
#: already optional in the generator.
_NO_RANDOM_MISSING = frozenset({"note", "text"})
#: Question types whose rows go missing one by one (other questions as a whole).
_MISSING_PER_ROW = frozenset({"likert_grid"})
#: Rating questions, which straight-liners answer in full.
_RATING_TYPES = frozenset({"likert", "likert_grid"})


def _numeric_of(choice: Any) -> float:
    return float(choice.numeric)


def _typical_value(survey: Survey, name: str) -> float | None:
    """A plausible centre for a CLV numeric term (per purchase / per year / years)."""
    clv = survey.clv
    if clv is None:
        return None
    typical = {"value": 45.0, "frequency": 10.0, "lifespan": 4.0}
    for term, centre in typical.items():
        spec = getattr(clv, term)
        if spec.question == name:
            return centre / (spec.factor or 1.0)
    return None


@dataclass(frozen=True)
class SimulatedResponses:
    """What :func:`simulate_with_truth` returns: the answers and what was planted in them.

    Attributes
    ----------
    responses : DataFrame
        Canonical layout, as :func:`simulate_responses` returns.
    personas : Series
        Planted persona (1..``n_personas``) per respondent, named ``persona``.
    straightliners : Series of bool
        Planted straight-liners (every Likert item, or some grids), named ``straightliner``.
    screened_out : Series of bool
        Respondents a screening question screened out, named ``screened_out``.
    speeders : Series of bool or None
        Planted speeders (with ``interview_times``), named ``speeder``.
    utilities : dict of str to DataFrame
        Planted MaxDiff utilities per maxdiff question: one row per respondent, one column
        per item code.
    """

    responses: pd.DataFrame
    personas: pd.Series
    straightliners: pd.Series
    screened_out: pd.Series | None = None
    speeders: pd.Series | None = None
    utilities: dict[str, pd.DataFrame] = field(default_factory=dict)


def simulate_with_truth(
    survey: Survey | str | Path,
    n: int,
    n_personas: int = 4,
    seed: int = 0,
    *,
    settings: SimulationSettings | None = None,
) -> SimulatedResponses:
    """:func:`simulate_responses`, with the planted straight-liners as well.

    Parameters are those of :func:`simulate_responses`.

    Returns
    -------
    SimulatedResponses
    """
    import pandas as pd

    if isinstance(survey, (str, Path)):
        survey = load_survey(survey)
    if n < 1:
        raise SurveyError(f"the number of respondents must be at least 1, not {n}", field="-n")
    if n_personas < 1:
        raise SurveyError(f"the number of personas must be at least 1, not {n_personas}",
                          field="--personas")
    settings = settings or SimulationSettings()
    sim = _Simulator(survey, n, n_personas, seed, settings)
    responses = _responses(sim, respondent_ids(n))
    personas = pd.Series(sim.labels + 1, index=responses.index, name=PERSONA_COLUMN)
    straight = pd.Series(sim.straightliner | sim.grid_straightliner, index=responses.index,
                         name=STRAIGHTLINER_COLUMN)
    screened = pd.Series(sim.screened_out, index=responses.index, name=SCREENED_OUT_COLUMN)
    speeders = (None if sim.speeders is None else
                pd.Series(sim.speeders, index=responses.index, name=SPEEDER_COLUMN))
    utilities = {name: pd.DataFrame(values, index=responses.index,
                                     columns=[c.value for c in survey.get(name).items])
                 for name, values in sim.utilities.items()}
    return SimulatedResponses(responses, personas, straight, screened, speeders, utilities)


def simulate_responses(
    survey: Survey | str | Path,
    n: int,
    n_personas: int = 4,
    seed: int = 0,
    *,
    settings: SimulationSettings | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Simulate ``n`` respondents from ``n_personas`` planted personas.

    Parameters
    ----------
    survey : Survey or path
        The questionnaire spec (a loaded :class:`~survey_builder.spec.Survey` or a spec file).
    n : int
        Number of respondents (``>= 1``).
    n_personas : int
        Number of planted personas (``>= 1``).
    seed : int
        Random seed; the same seed gives the same data.
    settings : SimulationSettings, optional
        Noise and data-quality knobs.

    Returns
    -------
    responses : DataFrame
        Canonical layout (columns exactly as :func:`survey_builder.codebook.column_names`):
        ``respondent_id`` strings, Likert/option/rank/integer columns as nullable ``Int64``,
        other numbers as float, choice codes and text as strings; missing = NA.
    personas : Series
        Planted persona (1..``n_personas``) per respondent, named ``persona`` and indexed like
        ``responses``.

    See Also
    --------
    simulate_with_truth : The same, with the planted straight-liners.

    Examples
    --------
    >>> from survey_builder.spec import load_survey  # doctest: +SKIP
    >>> responses, personas = simulate_responses(load_survey("survey.yaml"), 2000)  # doctest: +SKIP
    """
    simulated = simulate_with_truth(survey, n, n_personas, seed, settings=settings)
    return simulated.responses, simulated.personas


def _responses(sim: _Simulator, ids: np.ndarray) -> pd.DataFrame:
    """Every question of ``sim``'s survey answered by its respondents, in the canonical
    layout, with ``ids`` as respondent ids."""
    import numpy as np
    import pandas as pd

    survey, n = sim.survey, sim.n
    codebook = build_codebook(survey)
    meta = {c["name"]: c for c in codebook["columns"]}

    columns: dict[str, np.ndarray] = {}
    groups: list[tuple[Question, list[str]]] = []
    for q in survey.iter_questions():
        generated = sim.question(q)
        columns.update(generated)
        groups.append((q, list(generated)))

    _blank_at_random(sim, groups, columns)
    options = option_columns(codebook)
    plant_incidence(survey, columns, options, n, sim.s.incidence,
                    sim.rng("fieldwork/incidence").sample)
    _blank_irrelevant(groups, columns, options, n)
    sim.screened_out, reached = blank_after_screenout(survey, groups, columns, options, n)

    data: dict[str, Any] = {ID_COLUMN: ids}
    for name in column_names(codebook)[1:]:
        values = columns[name]
        kind = meta[name]
        if kind.get("dont_know"):
            cells = np.asarray(values, dtype=object)
            dont_know = cells == DONT_KNOW_CODE
            numbers = np.where(dont_know | pd.isna(cells), np.nan, cells).astype(float)
            data[name] = dont_know_column(numbers, dont_know, DONT_KNOW_CODE)
        elif kind["value_type"] == "integer":
            data[name] = pd.array(np.where(pd.isna(values), np.nan, values).astype(float),
                                  dtype="Float64").astype("Int64")
        elif kind["value_type"] == "number":
            data[name] = np.asarray(values, dtype=float)
        else:
            data[name] = pd.array(values, dtype="str") if len(values) else values
    if sim.s.interview_times:
        data[STARTED_COLUMN], data[ENDED_COLUMN], sim.speeders = interview_times(
            survey, reached, sim.screened_out, sim.s.speeder_rate,
            sim.rng("fieldwork/times").sample)
    return pd.DataFrame(data)


def _blank_at_random(sim: _Simulator, groups: list[tuple[Question, list[str]]],
                     columns: dict[str, np.ndarray]) -> None:
    """Blank non-required answers at random: per grid row, or the whole question.

    Straight-liners keep every rating answer. Each question draws from its own stream.
    """
    import numpy as np

    rate = sim.s.missing_rate
    for q, cols in groups:
        if q.required or not cols or q.type in _NO_RANDOM_MISSING:
            continue
        rng = sim.rng(f"{q.name}/missing").sample
        drops = ([rng.random(sim.n) < rate for _ in cols] if q.type in _MISSING_PER_ROW
                 else [rng.random(sim.n) < rate] * len(cols))
        kept = sim.straightliner if q.type in _RATING_TYPES else np.zeros(sim.n, dtype=bool)
        for col, drop in zip(cols, drops):
            columns[col] = _blank(columns[col], drop & ~kept)


def _blank_irrelevant(groups: list[tuple[Question, list[str]]],
                      columns: dict[str, np.ndarray], options: dict[str, dict[str, str]],
                      n: int) -> None:
    """Blank the answers a respondent was not shown, as a form engine would.

    Conditions are evaluated in questionnaire order on the answers as they stand, so a
    question hidden by an earlier one's blank answer is hidden too (chains work).
    """
    for q, cols in groups:
        if not q.relevant or not cols:
            continue
        shown = ex.evaluate_columns(q.relevant, columns, options=options, n_rows=n)
        for col in cols:
            columns[col] = _blank(columns[col], ~shown)


def _blank(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    import numpy as np

    if values.dtype == object:
        out = values.copy()
        out[mask] = None
        return out
    return np.where(mask, np.nan, values)
