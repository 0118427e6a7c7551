"""Fieldwork in :mod:`survey_builder.simulate`: screen-outs at a planted incidence, the
interview ending at the screening question, and plausible start/end times with speeders.

* **Incidence.** With ``SimulationSettings.incidence = p``, exactly ``round(n × (1 - p))``
  respondents, chosen at random, are screen-outs: a respondent whose draw does not match
  their planted outcome takes the answers to the screening questions (every question a
  screening rule reads, and what those questions' own conditions read) from a random
  respondent whose draw does. The rules read only these columns, so the planted outcome
  is exact. Without ``incidence`` the screen-outs are whoever the draws screen out.
* **Termination.** A screened-out respondent's answers after the question that screened
  them out are blank, as the form ends there.
* **Times** (``interview_times=True``): the length is the questionnaire's estimate
  (:meth:`~survey_builder.spec.Survey.estimated_minutes`) times a log-normal factor
  (median 1, sd 0.3 on the log scale), a screen-out's only the share of the estimate up to
  the screening question; planted speeders (``speeder_rate`` of the completes) take 10-25 %
  of the estimate. Starts spread over the seven fieldwork days from 2026-05-04 08:00 UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import expressions as ex
from .errors import SurveyError
from .spec import screenout_conditions
from .spec.models import question_seconds

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .spec import Question, Survey

__all__ = ["blank_after_screenout", "interview_times", "plant_incidence"]

#: First day of the simulated fieldwork, and how many days it lasts.
FIELDWORK_START = "2026-05-04T08:00:00+00:00"
FIELDWORK_DAYS = 7


def _screening_columns(survey: Survey, options: Mapping[str, Mapping[str, str]]
                       ) -> list[str]:
    """Response columns the screening rules read, closed over the conditions of the
    questions they read."""
    todo = [name for _, rule in screenout_conditions(survey) for name in ex.references(rule)]
    names: set[str] = set()
    while todo:
        name = todo.pop()
        if name in names:
            continue
        names.add(name)
        question = survey.question_of(name)
        if question.relevant:
            todo.extend(ex.references(question.relevant))
    columns: list[str] = []
    for name in sorted(names):
        columns.extend(options[name].values() if name in options else [name])
    return columns


def _screened(survey: Survey, columns: Mapping[str, Any],
              options: Mapping[str, Mapping[str, str]], n: int) -> np.ndarray:
    import numpy as np

    out = np.zeros(n, dtype=bool)
    for _, rule in screenout_conditions(survey):
        out |= ex.evaluate_columns(rule, columns, options=options, n_rows=n)
    return out


def plant_incidence(survey: Survey, columns: dict[str, np.ndarray],
                    options: Mapping[str, Mapping[str, str]], n: int,
                    incidence: float | None, rng: np.random.Generator) -> None:
    """Make exactly ``round(n × (1 - incidence))`` respondents screen-outs (in place).

    Raises
    ------
    SurveyError
        ``incidence`` outside (0, 1], a spec without screening rules, or draws with no
        respondent of an outcome that is needed.
    """
    import numpy as np

    if incidence is None:
        return
    if not 0 < incidence <= 1:
        raise SurveyError(f"the incidence must be in (0, 1], not {incidence:g}",
                          field="--incidence")
    if not screenout_conditions(survey):
        raise SurveyError("an incidence needs screening questions (terminate_if) in the spec",
                          field="--incidence")
    drawn = _screened(survey, columns, options, n)
    planted = np.zeros(n, dtype=bool)
    planted[rng.permutation(n)[:round(n * (1 - incidence))]] = True
    copied = _screening_columns(survey, options)
    drawn_values = {column: columns[column].copy() for column in copied}
    for want in (True, False):
        rows = np.flatnonzero((planted == want) & (drawn != want))
        if not len(rows):
            continue
        donors = np.flatnonzero(drawn == want)
        if not len(donors):
            state = "meets" if want else "passes"
            raise SurveyError(f"cannot plant an incidence of {incidence:g}: no simulated "
                              f"respondent {state} the screening rules (try more respondents)",
                              field="--incidence")
        source = donors[rng.integers(0, len(donors), size=len(rows))]
        for column in copied:
            columns[column] = columns[column].copy()
            columns[column][rows] = drawn_values[column][source]


def blank_after_screenout(survey: Survey, groups: Sequence[tuple[Question, list[str]]],
                          columns: dict[str, np.ndarray],
                          options: Mapping[str, Mapping[str, str]], n: int
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Blank every answer after the question that screened a respondent out (in place).

    Returns
    -------
    screened : ndarray of bool
    share : ndarray of float
        Share of the questionnaire's estimated length up to the question where each
        respondent stopped (1 for a complete).
    """
    import numpy as np

    rules = dict(screenout_conditions(survey))
    screened = np.zeros(n, dtype=bool)
    share = np.ones(n)
    if not rules:
        return screened, share
    seconds = np.array([question_seconds(q) for q, _ in groups], dtype=float)
    reached = np.cumsum(seconds) / max(seconds.sum(), 1e-9)
    for k, (question, _) in enumerate(groups):
        rule = rules.get(question.name)
        if rule is None:
            continue
        stops = ex.evaluate_columns(rule, columns, options=options, n_rows=n) & ~screened
        if not stops.any():
            continue
        for _, later in groups[k + 1:]:
            for column in later:
                values = columns[column]
                columns[column] = (np.where(stops, np.nan, values) if values.dtype != object
                                   else np.where(stops, None, values))
        screened |= stops
        share[stops] = reached[k]
    return screened, share


def interview_times(survey: Survey, share: np.ndarray, screened: np.ndarray,
                    speeder_rate: float, rng: np.random.Generator
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end times (ISO 8601 text, UTC) and the planted speeders.

    Returns
    -------
    started, ended : ndarray of object
    speeders : ndarray of bool
        Planted among the completes.
    """
    import numpy as np
    import pandas as pd

    n = len(share)
    typical = survey.estimated_minutes() * share
    minutes = typical * np.exp(0.3 * rng.standard_normal(n))
    speeders = ~screened & (rng.random(n) < speeder_rate)
    minutes = np.where(speeders, typical * rng.uniform(0.10, 0.25, n), minutes)
    start = pd.Timestamp(FIELDWORK_START) + pd.to_timedelta(
        np.round(rng.random(n) * FIELDWORK_DAYS * 86400), unit="s")
    end = start + pd.to_timedelta(np.round(minutes * 60), unit="s")
    fmt = "%Y-%m-%dT%H:%M:%S+00:00"
    return (np.asarray(start.strftime(fmt), dtype=object),
            np.asarray(end.strftime(fmt), dtype=object), speeders)
