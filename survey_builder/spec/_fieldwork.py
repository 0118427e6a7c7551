"""Fieldwork keys of the spec: screening (``terminate_if``), panel redirects and quotas.

A question may carry ``terminate_if``: a condition (the relevance language of
:mod:`survey_builder.expressions`) on that question and earlier ones. When it holds for a
respondent who was shown the question, the interview ends there as a *screen-out*: the
effective rule of a question ``q`` is ``relevant(q) and terminate_if(q)``
(:func:`screenout_conditions`). The top-level keys::

    redirects:                       # where the panel wants its respondents sent back
      respondent_id: rid             # the URL parameter holding the panel's id (default rid)
      complete: "https://panel.example/done?rid=${rid}"
      screenout: "https://panel.example/screenout?rid=${rid}"
      overquota: "https://panel.example/full?rid=${rid}"
    quotas:
      - name: age_gender
        cells:
          - {name: young_women, when: "${age_band} = '18_34' and ${gender} = 'f'", target: 150}
      - name: region                 # the compact form: a grid expanded into cells
        grid:
          rows: {question: region, levels: [north, south]}
          targets: [200, 100]

A URL is ``http(s)://host/...``; ``${rid}`` (the ``respondent_id`` name) is the only
placeholder. A cell's ``when`` uses the relevance language; ``target`` is the number of
completes wanted (at least 1). Cell names are unique over all quotas (each becomes a
run-time variable ``completes_<cell>`` of the SurveyJS export). A quota gives either its
``cells`` or a ``grid`` (:mod:`survey_builder.spec._quota_grid`), which is expanded into
cells when the spec loads: everything downstream reads ``Quota.cells``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator

from ._fields import Name
from ._quota_grid import QuotaGrid, check_quota_grid, grid_cells

if TYPE_CHECKING:  # pragma: no cover
    from .models import Question, Survey

__all__ = ["PLACEHOLDER_RE", "Quota", "QuotaCell", "QuotaGrid", "Redirects", "check_fieldwork",
           "screenout_conditions", "screenout_rule"]

#: A placeholder in a redirect URL: ``${name}``.
PLACEHOLDER_RE = re.compile(r"\$\{([^}]*)\}")
_URL_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d+)?(?:[/?#][^\s]*)?$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Redirects(_Model):
    """Panel redirect URLs per outcome, with the panel's respondent id piped in.

    Attributes
    ----------
    respondent_id : str
        Name of the URL parameter (SurveyJS: the variable the host sets) that holds the
        panel's respondent id; ``${<respondent_id>}`` in a URL is replaced by it.
    complete, screenout, overquota : str, optional
        Where a respondent who completed, was screened out, or fell in a full quota cell
        is sent.
    """

    respondent_id: Name = "rid"
    complete: str | None = None
    screenout: str | None = None
    overquota: str | None = None

    def urls(self) -> dict[str, str]:
        """The URLs given, by outcome (``complete``, ``screenout``, ``overquota``)."""
        return {outcome: url for outcome in ("complete", "screenout", "overquota")
                if (url := getattr(self, outcome))}


class QuotaCell(_Model):
    """One quota cell: who counts in it (a condition) and how many completes are wanted."""

    name: Name
    when: str
    target: int = Field(description="Completes wanted (at least 1)")


class Quota(_Model):
    """A named group of quota cells (e.g. age band × gender): given as ``cells``, or as a
    ``grid`` that loading expands into ``cells`` (written back as the grid)."""

    name: Name
    cells: list[QuotaCell] = Field(default_factory=list)
    grid: QuotaGrid | None = None

    @model_validator(mode="after")
    def _expand_grid(self) -> Quota:
        if self.grid is not None and not self.cells:
            self.cells = grid_cells(self.name, self.grid)
        return self

    @model_serializer(mode="wrap")
    def _grid_not_cells(self, handler: Any) -> Any:
        data = handler(self)
        if self.grid is not None and isinstance(data, dict):
            data.pop("cells", None)  # derived from the grid
        return data


def screenout_rule(question: Question) -> str | None:
    """The condition that screens a respondent out at ``question``: its ``terminate_if``,
    and its ``relevant`` when it has one (a hidden question screens nobody out)."""
    terminate = getattr(question, "terminate_if", None)
    if not terminate:
        return None
    if question.relevant:
        return f"({question.relevant}) and ({terminate})"
    return terminate


def screenout_conditions(survey: Survey) -> list[tuple[str, str]]:
    """``(question name, condition)`` of every screening question, in questionnaire order
    (:func:`screenout_rule`)."""
    return [(q.name, rule) for q in survey.iter_questions()
            if (rule := screenout_rule(q)) is not None]


# --------------------------------------------------------------------------- checks
def check_fieldwork(ctx: Any) -> None:
    """Rules of ``terminate_if``, ``redirects`` and ``quotas`` (run after the questions,
    so every name is known).

    Parameters
    ----------
    ctx : survey_builder.spec.checks._Context
        The checks' shared context; problems are added to it.
    """
    from .checks import check_condition

    survey = ctx.survey
    for loc, _section, question in survey.iter_question_locs():
        terminate = getattr(question, "terminate_if", None)
        if terminate:
            if not question.has_answer:
                ctx.add((*loc, "terminate_if"), "a note has no answer and cannot screen "
                                               "anyone out")
            else:
                check_condition(ctx, (*loc, "terminate_if"), terminate,
                                allow_self=question)
    redirects = getattr(survey, "redirects", None)
    if redirects is not None:
        _check_redirects(ctx, redirects)
    seen: dict[str, tuple[Any, ...]] = {}
    for i, quota in enumerate(getattr(survey, "quotas", None) or []):
        if quota.grid is not None:
            _check_grid_quota(ctx, i, quota, seen)
            continue
        if not quota.cells:
            ctx.add(("quotas", i), "a quota needs cells or a grid")
        for j, cell in enumerate(quota.cells):
            loc = ("quotas", i, "cells", j)
            if cell.name in seen:
                ctx.add((*loc, "name"), f"duplicate quota cell name {cell.name!r} (cell "
                                        "names are unique over all quotas)")
            seen.setdefault(cell.name, loc)
            if cell.target <= 0:
                ctx.add((*loc, "target"), f"target must be at least 1, not {cell.target}")
            check_condition(ctx, (*loc, "when"), cell.when, allow_self=None,
                            everything=True)


def _check_grid_quota(ctx: Any, i: int, quota: Quota, seen: dict[str, tuple[Any, ...]]
                      ) -> None:
    """A grid quota: the grid's own rules, then its cells' names against every other's
    (the cells' conditions are right by construction once the grid is)."""
    loc = ("quotas", i, "grid")
    if quota.cells != grid_cells(quota.name, quota.grid):  # cells of the user's own
        ctx.add(("quotas", i, "cells"), "a quota has either cells or a grid, not both")
        return
    check_quota_grid(ctx, loc, quota.grid)
    for cell in quota.cells:
        if cell.name in seen:
            ctx.add(loc, f"the grid's cell {cell.name!r} has the name of another quota "
                         "cell (cell names are unique over all quotas)")
        seen.setdefault(cell.name, loc)


def _check_redirects(ctx: Any, redirects: Redirects) -> None:
    if redirects.respondent_id in ctx.position:
        ctx.add(("redirects", "respondent_id"), f"{redirects.respondent_id!r} is a question; "
                "the panel's respondent id needs a name of its own")
    for outcome, url in redirects.urls().items():
        loc = ("redirects", outcome)
        if not _URL_RE.match(url):
            ctx.add(loc, f"malformed URL {url!r} (expected http:// or https://, a host, "
                         "then an optional path and query, no spaces)")
            continue
        for name in PLACEHOLDER_RE.findall(url):
            if name != redirects.respondent_id:
                ctx.add(loc, f"unknown placeholder ${{{name}}} in the URL (only "
                             f"${{{redirects.respondent_id}}}, the panel's respondent id, "
                             "is piped in; set respondent_id to rename it)")
    if "overquota" in redirects.urls() and not getattr(ctx.survey, "quotas", None):
        ctx.add(("redirects", "overquota"), "an over-quota URL needs quotas")
