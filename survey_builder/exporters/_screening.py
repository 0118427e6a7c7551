"""Screening, quotas and panel redirects in words, for the HTML and Markdown exports.

A programmer's questionnaire spec says where the interview ends ("TERMINATE if Q1 =
“Under 18”"), which quota cells are counted with their targets, and where each outcome is
sent. :func:`terminate_text` is the line under a screening question; :func:`fieldwork_spec`
is the closing section: the screening rules, one table per quota (a grid quota as its
rows × columns table of targets) and the redirects. Every string comes back escaped by the
exporter's ``quote`` (user text is rendered as text, never markup).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..spec import screenout_conditions
from ._ui import describe_condition, ui

if TYPE_CHECKING:  # pragma: no cover
    from ..spec import Question, Quota, Survey

__all__ = ["FieldworkSpec", "QuotaTable", "fieldwork_spec", "terminate_text"]


@dataclass(frozen=True)
class QuotaTable:
    """One quota as a table: a header row and body rows of escaped text."""

    name: str
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class FieldworkSpec:
    """The closing fieldwork section (escaped text; empty lists when the spec has none).

    Attributes
    ----------
    screening : list of str
        One line per screening question: ``Q1 (age_band): TERMINATE if ...``.
    quotas : list of QuotaTable
    redirects : list of str
        One line per outcome, then the respondent-id line.
    """

    screening: list[str] = field(default_factory=list)
    quotas: list[QuotaTable] = field(default_factory=list)
    redirects: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.screening or self.quotas or self.redirects)


def terminate_text(question: Question, survey: Survey, language: str,
                   numbers: dict[str, str], quote: Callable[[str], str]) -> str | None:
    """``TERMINATE if <condition in words>`` for a screening question, else ``None``.

    The question's own ``relevant`` is printed with it already ("Answer only if"), so the
    line reads the ``terminate_if`` alone.
    """
    if not question.terminate_if:
        return None
    words = describe_condition(question.terminate_if, survey, language, numbers, quote=quote)
    return quote(ui(language, "terminate", condition="\0")).replace("\0", words)


def fieldwork_spec(survey: Survey, language: str, numbers: dict[str, str],
                   quote: Callable[[str], str]) -> FieldworkSpec:
    """The screening rules, quotas and redirects of ``survey`` in words.

    Parameters
    ----------
    survey : Survey
    language : str
    numbers : dict
        Question display numbers (:func:`~._ui.number_questions`).
    quote : callable
        Escapes text for the output format.

    Returns
    -------
    FieldworkSpec
    """
    def words(condition: str) -> str:
        return describe_condition(condition, survey, language, numbers, quote=quote)

    def u(key: str, **values: object) -> str:
        return quote(ui(language, key, **values))

    q = ui(language, "q")
    screening = []
    for name, _rule in screenout_conditions(survey):
        question = survey.get(name)
        text = terminate_text(question, survey, language, numbers, quote)
        screening.append(f"{quote(q + numbers[name])} ({quote(name)}): {text}")
    quotas = [_quota_table(quota, survey, language, numbers, quote, words, u)
              for quota in survey.quotas]
    redirects: list[str] = []
    if survey.redirects is not None and survey.redirects.urls():
        for outcome, url in survey.redirects.urls().items():
            redirects.append(f"{u('redirect_' + outcome)} {quote(url)}")
        rid = survey.redirects.respondent_id
        redirects.append(u("redirect_id", name=rid, placeholder="${" + rid + "}"))
    return FieldworkSpec(screening, quotas, redirects)


def _quota_table(quota: Quota, survey: Survey, language: str, numbers: dict[str, str],
                 quote: Callable[[str], str], words: Callable[[str], str],
                 u: Callable[..., str]) -> QuotaTable:
    grid = quota.grid
    if grid is None:
        return QuotaTable(quote(quota.name), [u("quota_cell"), u("quota_who"), u("quota_target")],
                          [[quote(c.name), words(c.when), str(c.target)] for c in quota.cells])
    prefix = ui(language, "q")

    def level_label(question: str, level: str) -> str:
        choice = next(c for c in survey.get(question).choices if c.value == level)
        return f"{quote(survey.text(choice.label, language))} ({quote(level)})"

    rows_q = quote(prefix + numbers[grid.rows.question])
    corner = rows_q if grid.columns is None else (
        f"{rows_q} \\ {quote(prefix + numbers[grid.columns.question])}")
    columns = ([u("quota_target")] if grid.columns is None else
               [level_label(grid.columns.question, level) for level in grid.columns.levels])
    n_columns = grid.shape[1]
    targets = [c.target for c in quota.cells]
    body = []
    for r, level in enumerate(grid.rows.levels):
        row = targets[r * n_columns:(r + 1) * n_columns]
        body.append([level_label(grid.rows.question, level), *map(str, row), str(sum(row))])
    sums = [str(sum(targets[c::n_columns])) for c in range(n_columns)]
    body.append([u("quota_total"), *sums, str(sum(targets))])
    return QuotaTable(quote(quota.name), [corner, *columns, u("quota_total")], body)
