"""The daily fieldwork report: quota progress, screen-outs, incidence, length and quality.

:func:`fieldwork_report` reads canonical responses (any reader's output) against the spec
and counts, all vectorised over respondents (loops run over conditions and cells only):

* **screen-outs**: respondents for whom a question's screening rule holds
  (:func:`survey_builder.spec.screenout_rule`: ``relevant and terminate_if``), attributed
  to the first such question; everyone else is a **complete**. The **incidence** is
  completes / (completes + screen-outs).
* **quota cells**: the completes each cell's ``when`` selects, against its target (share
  reached, completes still needed). A complete who arrived after the cell was full (in
  completion order: ``ended_at`` when the responses have it, else file order) is counted
  as **over quota** — the respondents an enforcing platform would have sent to the
  over-quota redirect. A quota given as a grid is also shown as its table (rows × columns,
  completes / target in each cell: :class:`GridProgress`).
* **interview length** (with ``started_at``/``ended_at``): the median over the completes,
  and the **speeders** among them (:func:`survey_builder.timing.flag_speeders`, against the
  completes' median, since screen-outs end early by design).
* **straight-liners** (:func:`survey_builder.scoring.straightlining`) and **failed
  attention checks** (:func:`survey_builder.scoring.flag_attention`) among the completes.

The report renders as JSON (:meth:`FieldworkReport.to_dict`), Markdown and HTML (user text
escaped, never markup).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .timing import DEFAULT_SPEEDER_FRACTION

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from .scoring import StraightlineRule
    from .spec import Survey

__all__ = ["CellProgress", "FieldworkReport", "GridProgress", "fieldwork_report",
           "grid_progress", "overquota_mask", "screenout_mask"]


@dataclass(frozen=True)
class CellProgress:
    """Completes of one quota cell against its target.

    Attributes
    ----------
    quota, cell : str
        Quota and cell names.
    target : int
        Completes wanted.
    completes : int
        Completes in the cell (may exceed the target when the platform did not stop them).
    """

    quota: str
    cell: str
    target: int
    completes: int

    @property
    def percent(self) -> float:
        """Share of the target reached, in percent (over 100 when the cell overflowed)."""
        return 100.0 * self.completes / self.target

    @property
    def remaining(self) -> int:
        """Completes still needed (0 once the target is met)."""
        return max(self.target - self.completes, 0)


@dataclass(frozen=True)
class GridProgress:
    """A grid quota's progress as its table: completes and targets per row × column level.

    Attributes
    ----------
    quota : str
    rows : dict
        ``{"question": ..., "levels": [...]}`` of the rows.
    columns : dict or None
        The same for the columns (``None``: a one-question grid, one column).
    completes, targets : list of list of int
        Per row level, per column level.
    """

    quota: str
    rows: dict[str, Any]
    columns: dict[str, Any] | None
    completes: list[list[int]]
    targets: list[list[int]]

    def table(self) -> list[list[str]]:
        """Header row then one row per level: ``completes / target`` in each cell, and the
        row and column totals."""
        columns = self.columns["levels"] if self.columns is not None else ["completes"]
        corner = self.rows["question"] + (
            f" \\ {self.columns['question']}" if self.columns is not None else "")
        head = [corner, *columns, "total"]
        body = [[level, *(f"{done} / {want}" for done, want in zip(done_row, want_row)),
                 f"{sum(done_row)} / {sum(want_row)}"]
                for level, done_row, want_row in zip(self.rows["levels"], self.completes,
                                                     self.targets)]
        sums = [f"{sum(col_done)} / {sum(col_want)}" for col_done, col_want in
                zip(zip(*self.completes), zip(*self.targets))]
        total = (f"{sum(map(sum, self.completes))} / {sum(map(sum, self.targets))}")
        return [head, *body, ["total", *sums, total]]


@dataclass(frozen=True)
class FieldworkReport:
    """What :func:`fieldwork_report` returns (see the module docstring for each count).

    Attributes
    ----------
    survey_id, survey_version : str
    n_responses, completes, screenouts, overquota : int
    screenouts_by_question : dict of str to int
        Screen-outs per screening question (the first whose rule held), in order.
    incidence : float or None
        Completes / responses (``None`` without responses).
    median_minutes : float or None
        Median interview length of the completes (``None`` without interview times).
    speeders : int or None
        Speeders among the completes (``None`` without interview times).
    speeder_fraction : float
    straightliners, attention_failed : int
        Among the completes.
    estimated_minutes : float
        The questionnaire's length estimate (:meth:`Survey.estimated_minutes`).
    cells : list of CellProgress
    grids : list of GridProgress
        The quotas given as a grid, as tables (their cells are in ``cells`` too).
    """

    survey_id: str
    survey_version: str
    n_responses: int
    completes: int
    screenouts: int
    overquota: int
    incidence: float | None
    median_minutes: float | None
    speeders: int | None
    speeder_fraction: float
    straightliners: int
    attention_failed: int
    estimated_minutes: float
    screenouts_by_question: dict[str, int] = field(default_factory=dict)
    cells: list[CellProgress] = field(default_factory=list)
    grids: list[GridProgress] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (cells with ``percent`` and ``remaining``)."""
        data = dataclasses.asdict(self)
        data["cells"] = [{**dataclasses.asdict(c), "percent": round(c.percent, 1),
                          "remaining": c.remaining} for c in self.cells]
        return data

    def _summary(self) -> list[tuple[str, str]]:
        def share(count: int | None) -> str:
            if count is None:
                return "n/a (no interview times)"
            return f"{count} ({_percent(count, self.completes)})"

        rows = [
            ("Responses", str(self.n_responses)),
            ("Completes", str(self.completes)),
            ("Screen-outs", str(self.screenouts)),
            ("Incidence", "n/a" if self.incidence is None else f"{100 * self.incidence:.1f} %"),
            ("Over quota", str(self.overquota)),
            ("Median interview length",
             "n/a (no interview times)" if self.median_minutes is None
             else f"{self.median_minutes:.1f} min (estimate {self.estimated_minutes:.0f} min)"),
            (f"Speeders (< {self.speeder_fraction:.2g} of the median)", share(self.speeders)),
            ("Straight-liners", share(self.straightliners)),
            ("Failed attention checks", share(self.attention_failed)),
        ]
        rows += [(f"Screened out at {name}", str(count))
                 for name, count in self.screenouts_by_question.items()]
        return rows

    def _cell_rows(self) -> list[list[str]]:
        return [[c.quota, c.cell, str(c.target), str(c.completes), f"{c.percent:.1f} %",
                 str(c.remaining)] for c in self.cells]

    def to_markdown(self) -> str:
        """The report as Markdown: a summary table and the quota cells."""
        lines = [f"# Fieldwork: {_md(self.survey_id)} (version {_md(self.survey_version)})",
                 "", "| | |", "|---|---:|"]
        lines += [f"| {_md(label)} | {_md(value)} |" for label, value in self._summary()]
        if self.cells:
            lines += ["", "## Quotas", "",
                      "| Quota | Cell | Target | Completes | Reached | Remaining |",
                      "|---|---|---:|---:|---:|---:|"]
            lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in self._cell_rows()]
        for grid in self.grids:
            head, *body = grid.table()
            lines += ["", f"### {_md(grid.quota)} (completes / target)", "",
                      "| " + " | ".join(_md(v) for v in head) + " |",
                      "|---|" + "---:|" * (len(head) - 1)]
            lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in body]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """The report as a standalone HTML page (every text escaped)."""
        esc = html.escape
        summary = "".join(f"<tr><th scope='row'>{esc(label)}</th><td>{esc(value)}</td></tr>"
                          for label, value in self._summary())
        parts = [
            "<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
            f"<title>Fieldwork: {esc(self.survey_id)}</title>",
            "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}"
            "table{border-collapse:collapse;margin-bottom:1.5rem}"
            "th,td{border:1px solid #bbb;padding:.3rem .6rem;text-align:left}"
            "td{font-variant-numeric:tabular-nums}</style></head><body>",
            f"<h1>Fieldwork: {esc(self.survey_id)} (version {esc(self.survey_version)})</h1>",
            f"<table>{summary}</table>",
        ]
        if self.cells:
            head = "".join(f"<th scope='col'>{h}</th>" for h in (
                "Quota", "Cell", "Target", "Completes", "Reached", "Remaining"))
            body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>"
                           for row in self._cell_rows())
            parts += ["<h2>Quotas</h2>", f"<table><thead><tr>{head}</tr></thead>"
                      f"<tbody>{body}</tbody></table>"]
        for grid in self.grids:
            head_row, *rows = grid.table()
            head = "".join(f"<th scope='col'>{esc(h)}</th>" for h in head_row)
            body = "".join("<tr>" + f"<th scope='row'>{esc(row[0])}</th>" + "".join(
                f"<td>{esc(v)}</td>" for v in row[1:]) + "</tr>" for row in rows)
            parts += [f"<h3>{esc(grid.quota)} (completes / target)</h3>",
                      f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"]
        parts.append("</body></html>")
        return "\n".join(parts) + "\n"


def _percent(count: int, total: int) -> str:
    return f"{100 * count / total:.1f} %" if total else "n/a"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _options(survey: Survey) -> dict[str, dict[str, str]]:
    from .codebook import build_codebook, option_columns

    return option_columns(build_codebook(survey))


def screenout_mask(source: Survey | Mapping[str, Any], responses: pd.DataFrame
                   ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Who was screened out, and at which question.

    Parameters
    ----------
    source : Survey or codebook mapping
        The questionnaire (a codebook lists the rules under ``screening``).
    responses : DataFrame
        Canonical responses.

    Returns
    -------
    screened : ndarray of bool
        A screening rule held (:func:`survey_builder.spec.screenout_conditions`).
    by_question : dict of str to ndarray of bool
        Per screening question, the respondents screened out *there* (the first rule that
        held), in questionnaire order.
    """
    import numpy as np

    from . import expressions as ex
    from .codebook import as_codebook, option_columns

    codebook = as_codebook(source)
    options = option_columns(codebook)
    n = len(responses)
    screened = np.zeros(n, dtype=bool)
    by_question: dict[str, np.ndarray] = {}
    for rule in codebook.get("screening") or []:
        name, rule = rule["question"], rule["condition"]
        holds = ex.evaluate_columns(rule, responses, options=options, n_rows=n)
        by_question[name] = holds & ~screened
        screened |= holds
    return screened, by_question


def _completion_order(responses: pd.DataFrame) -> np.ndarray:
    """Row positions in completion order: by ``ended_at`` (missing last), else file order."""
    import numpy as np

    from .layout import ENDED_COLUMN

    if ENDED_COLUMN not in responses.columns:
        return np.arange(len(responses))
    import pandas as pd

    ended = pd.to_datetime(responses[ENDED_COLUMN], utc=True, format="ISO8601")
    key = ended.to_numpy(dtype="datetime64[ns]").astype("int64")
    key = np.where(ended.isna().to_numpy(), np.iinfo(np.int64).max, key)
    return np.argsort(key, kind="stable")


def overquota_mask(survey: Survey, responses: pd.DataFrame, completes: np.ndarray
                   ) -> tuple[np.ndarray, list[CellProgress]]:
    """Completes that arrived after a cell of theirs was full, and each cell's progress.

    Parameters
    ----------
    survey : Survey
    responses : DataFrame
        Canonical responses.
    completes : ndarray of bool
        Who completed (not screened out).

    Returns
    -------
    overquota : ndarray of bool
    cells : list of CellProgress
    grids : list of GridProgress
        The quotas given as a grid, as tables (their cells are in ``cells`` too).
    """
    import numpy as np

    from . import expressions as ex

    options = _options(survey)
    n = len(responses)
    order = _completion_order(responses)
    over = np.zeros(n, dtype=bool)
    cells: list[CellProgress] = []
    for quota in survey.quotas:
        for cell in quota.cells:
            member = ex.evaluate_columns(cell.when, responses, options=options,
                                         n_rows=n) & completes
            arrived = np.empty(n, dtype=np.int64)
            arrived[order] = np.cumsum(member[order])  # completes in the cell so far
            over |= member & (arrived > cell.target)
            cells.append(CellProgress(quota.name, cell.name, cell.target, int(member.sum())))
    return over, cells


def grid_progress(survey: Survey, cells: list[CellProgress]) -> list[GridProgress]:
    """The grid quotas of ``survey`` as tables of the cells' progress.

    Parameters
    ----------
    survey : Survey
    cells : list of CellProgress
        Every cell, as :func:`overquota_mask` returns them (a grid's cells row by row).

    Returns
    -------
    list of GridProgress
    """
    out = []
    for quota in survey.quotas:
        grid = quota.grid
        if grid is None:
            continue
        mine = [c for c in cells if c.quota == quota.name]
        n_columns = grid.shape[1]
        completes = [[c.completes for c in mine[r:r + n_columns]]
                     for r in range(0, len(mine), n_columns)]
        targets = [[c.target for c in mine[r:r + n_columns]]
                   for r in range(0, len(mine), n_columns)]
        columns = (None if grid.columns is None else
                   {"question": grid.columns.question, "levels": list(grid.columns.levels)})
        out.append(GridProgress(quota.name, {"question": grid.rows.question,
                                             "levels": list(grid.rows.levels)},
                                columns, completes, targets))
    return out


def fieldwork_report(survey: Survey, responses: pd.DataFrame, *,
                     speeder_fraction: float = DEFAULT_SPEEDER_FRACTION,
                     straightline: StraightlineRule | None = None) -> FieldworkReport:
    """Count the fieldwork so far (see the module docstring for the rules).

    Parameters
    ----------
    survey : Survey
        The spec (its screening questions and quotas).
    responses : DataFrame
        Canonical responses (:func:`survey_builder.readers.read_responses`), optionally
        with ``started_at``/``ended_at``.
    speeder_fraction : float
        A complete faster than this share of the completes' median length is a speeder.
    straightline : StraightlineRule, optional
        Straight-lining thresholds (default :class:`~survey_builder.scoring.StraightlineRule`).

    Returns
    -------
    FieldworkReport

    Raises
    ------
    SurveyError
        ``speeder_fraction`` outside (0, 1).
    """
    import numpy as np

    from .codebook import build_codebook
    from .scoring import flag_attention, straightlining
    from .timing import flag_speeders, interview_minutes

    codebook = build_codebook(survey)
    n = len(responses)
    screened, by_question = screenout_mask(survey, responses)
    completes = ~screened
    overquota, cells = overquota_mask(survey, responses, completes)
    minutes = interview_minutes(responses)
    median = speeders = None
    if minutes is not None:
        speeding = flag_speeders(minutes, speeder_fraction, among=completes) & completes
        speeders = int(speeding.sum())
        known = minutes[completes & ~np.isnan(minutes)]
        median = float(np.median(known)) if len(known) else None
    else:
        flag_speeders(np.zeros(0), speeder_fraction)  # the same check of the fraction
    lined = straightlining(codebook, responses, straightline).flag & completes
    failed = flag_attention(codebook, responses) & completes
    n_completes = int(completes.sum())
    return FieldworkReport(
        survey_id=survey.id, survey_version=survey.version, n_responses=n,
        completes=n_completes, screenouts=int(screened.sum()),
        overquota=int(overquota.sum()),
        incidence=n_completes / n if n else None, median_minutes=median,
        speeders=speeders, speeder_fraction=speeder_fraction,
        straightliners=int(lined.sum()), attention_failed=int(failed.sum()),
        estimated_minutes=survey.estimated_minutes(),
        screenouts_by_question={name: int(mask.sum()) for name, mask in by_question.items()},
        cells=cells, grids=grid_progress(survey, cells))
