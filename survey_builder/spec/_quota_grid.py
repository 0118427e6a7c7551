"""The compact form of a quota: a grid of two single-choice questions (or one), expanded
into the ordinary quota cells.

::

    quotas:
      - name: age_gender
        grid:
          rows: {question: age_band, levels: [18_34, 35_54, 55_plus]}
          columns: {question: gender, levels: [female, male]}
          targets: [[100, 100], [120, 120], [80, 80]]

or, instead of ``targets``, a ``total`` and each dimension's ``shares`` (proportions that
sum to 1): every cell gets ``total × row share × column share`` completes, rounded by
largest remainders so the cells add up to the total exactly. Without ``columns`` the grid
is one question's levels and ``targets`` a plain list (``[100, 120, 80]``).

:func:`grid_cells` turns a grid into :class:`~survey_builder.spec.QuotaCell` objects named
``<quota>_<row level>[_<column level>]`` with the condition
``${rows} = '<row level>' [and ${columns} = '<column level>']`` — the one representation of
cells every export, the enforcement and the fieldwork report use. :func:`check_quota_grid`
locates every mistake (``quotas[0].grid.rows.levels[2]``, ``quotas[0].grid.targets[1]``).
"""

from __future__ import annotations

import difflib
import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ._fields import ChoiceValue, Name

__all__ = ["QuotaDimension", "QuotaGrid", "check_quota_grid", "grid_cells", "grid_targets"]

#: How far the shares of a dimension may sum from 1 (rounding of typed proportions).
SHARE_TOLERANCE = 1e-3


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class QuotaDimension(_Model):
    """One side of a quota grid: a single-choice question and the levels it splits on.

    Attributes
    ----------
    question : str
        A single-choice question (or attention check) of the survey.
    levels : list of str
        Option values, one grid row (or column) each.
    shares : list of float, optional
        With the grid's ``total``: the share of completes per level (summing to 1).
    """

    question: Name
    levels: list[ChoiceValue] = Field(min_length=1)
    shares: list[float] | None = None


def _rows_of_one(value: Any) -> Any:
    """A plain list of targets (a grid without columns) as a one-column matrix."""
    if isinstance(value, list) and value and not any(isinstance(v, list) for v in value):
        return [[v] for v in value]
    return value


class QuotaGrid(_Model):
    """Quota targets over the levels of one or two questions (see the module docstring).

    Attributes
    ----------
    rows, columns : QuotaDimension
        ``columns`` is optional (a one-question quota).
    targets : list of list of int, optional
        Completes wanted per cell, one list per row level.
    total : int, optional
        Completes wanted over the grid, split by the dimensions' ``shares``.
    """

    rows: QuotaDimension
    columns: QuotaDimension | None = None
    targets: Annotated[list[list[int]], BeforeValidator(_rows_of_one)] | None = None
    total: int | None = None

    @property
    def dimensions(self) -> list[QuotaDimension]:
        """``rows``, then ``columns`` when given."""
        return [self.rows] if self.columns is None else [self.rows, self.columns]

    @property
    def shape(self) -> tuple[int, int]:
        """(row levels, column levels); 1 column without ``columns``."""
        return len(self.rows.levels), 1 if self.columns is None else len(self.columns.levels)


def grid_targets(grid: QuotaGrid) -> list[list[int]] | None:
    """The target of every cell, row by row: ``targets`` as given, or the ``total`` split by
    the shares (largest remainders); ``None`` when the grid is malformed (the checks say
    why)."""
    n_rows, n_columns = grid.shape
    if grid.targets is not None:
        if len(grid.targets) != n_rows or any(len(row) != n_columns for row in grid.targets):
            return None
        return [list(row) for row in grid.targets]
    if grid.total is None or any(not _shares_ok(d) for d in grid.dimensions):
        return None
    column_shares = grid.columns.shares if grid.columns is not None else [1.0]
    raw = [grid.total * r * c for r in grid.rows.shares for c in column_shares]  # type: ignore[union-attr]
    floors = [math.floor(x) for x in raw]
    missing = grid.total - sum(floors)
    by_remainder = sorted(range(len(raw)), key=lambda i: floors[i] - raw[i])  # stable
    for i in by_remainder[:missing]:
        floors[i] += 1
    return [floors[r * n_columns:(r + 1) * n_columns] for r in range(n_rows)]


def _shares_ok(dimension: QuotaDimension) -> bool:
    shares = dimension.shares
    return (shares is not None and len(shares) == len(dimension.levels)
            and all(s > 0 for s in shares) and abs(sum(shares) - 1) <= SHARE_TOLERANCE)


def grid_cells(quota_name: str, grid: QuotaGrid) -> list[Any]:
    """The quota cells of a grid, row by row (empty when the grid is malformed).

    Parameters
    ----------
    quota_name : str
        The quota's name (the prefix of each cell's name).
    grid : QuotaGrid

    Returns
    -------
    list of QuotaCell
    """
    from ._fieldwork import QuotaCell

    targets = grid_targets(grid)
    if targets is None:
        return []
    columns = grid.columns.levels if grid.columns is not None else [None]
    cells = []
    for r, row in enumerate(grid.rows.levels):
        for c, column in enumerate(columns):
            when = f"${{{grid.rows.question}}} = '{row}'"
            name = f"{quota_name}_{row}"
            if column is not None:
                when += f" and ${{{grid.columns.question}}} = '{column}'"  # type: ignore[union-attr]
                name += f"_{column}"
            # built, not validated: a generated name may pass the 26 characters of a
            # question name (cells are run-time variables, never form fields)
            cells.append(QuotaCell.model_construct(name=name, when=when,
                                                   target=targets[r][c]))
    return cells


def check_quota_grid(ctx: Any, loc: tuple[Any, ...], grid: QuotaGrid) -> None:
    """Every mistake of one grid, located under ``loc`` (``("quotas", i, "grid")``).

    Parameters
    ----------
    ctx : survey_builder.spec.checks._Context
        The checks' shared context (question names known); problems are added to it.
    loc : tuple
    grid : QuotaGrid
    """
    one_form = (grid.targets is None) != (grid.total is None)
    if not one_form:
        ctx.add(loc, "a quota grid needs either targets (one per cell) or a total with "
                     "shares per level, not " + ("both" if grid.targets is not None
                                                 else "neither"))
    sides = [("rows", grid.rows)] + ([("columns", grid.columns)] if grid.columns else [])
    for side, dimension in sides:
        _check_dimension(ctx, (*loc, side), dimension,
                         with_total=grid.total is not None and one_form)
    if grid.columns is not None and grid.columns.question == grid.rows.question:
        ctx.add((*loc, "columns", "question"), "rows and columns split on the same question "
                f"{grid.rows.question!r}")
    if not one_form:
        return
    n_rows, n_columns = grid.shape
    if grid.targets is not None:
        if len(grid.targets) != n_rows:
            ctx.add((*loc, "targets"), f"{len(grid.targets)} row(s) of targets for "
                    f"{n_rows} level(s) of {grid.rows.question!r}")
            return
        for r, row in enumerate(grid.targets):
            if len(row) != n_columns:
                of = (f"of {grid.columns.question!r}" if grid.columns is not None
                      else "(a grid without columns has one target per row)")
                ctx.add((*loc, "targets", r), f"{len(row)} target(s) for {n_columns} "
                        f"column(s) {of}")
                continue
            for c, target in enumerate(row):
                if target <= 0:
                    where = (*loc, "targets", r) if grid.columns is None else (
                        *loc, "targets", r, c)
                    ctx.add(where, f"target must be at least 1, not {target}")
        return
    if grid.total <= 0:  # type: ignore[operator]
        ctx.add((*loc, "total"), f"total must be at least 1, not {grid.total}")
        return
    targets = grid_targets(grid)
    if targets is not None:
        empty = [(r, c) for r in range(n_rows) for c in range(n_columns) if targets[r][c] < 1]
        if empty:
            r, c = empty[0]
            cell = grid.rows.levels[r] + (
                f" × {grid.columns.levels[c]}" if grid.columns is not None else "")
            ctx.add((*loc, "total"), f"total {grid.total} leaves {len(empty)} cell(s) "
                    f"without a complete (first: {cell}); raise the total or give targets")


def _check_dimension(ctx: Any, loc: tuple[Any, ...], dimension: QuotaDimension, *,
                     with_total: bool) -> None:
    name = dimension.question
    question = ctx.kind.get(name)
    if question is None:
        close = difflib.get_close_matches(name, list(ctx.position), n=1, cutoff=0.8)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        ctx.add((*loc, "question"), f"unknown question {name!r}{hint}")
    elif not (question.has_choices and question.answer_kind == "code"):
        kind = getattr(question, "type", "a grid item")
        ctx.add((*loc, "question"), f"a quota grid splits on a single-choice question; "
                f"{name!r} is {kind}")
    else:
        options = [choice.value for choice in question.choices]
        seen: set[str] = set()
        for i, level in enumerate(dimension.levels):
            if level not in options:
                ctx.add((*loc, "levels", i), f"{level!r} is not an option of {name!r} "
                        f"(options: {', '.join(options)})")
            elif level in seen:
                ctx.add((*loc, "levels", i), f"level {level!r} is listed twice")
            seen.add(level)
    shares = dimension.shares
    if shares is None:
        if with_total:
            ctx.add(loc, f"a total needs shares: one per level of {name!r}")
        return
    if not with_total:
        ctx.add((*loc, "shares"), "shares split a total: give the grid a total (or drop "
                                  "the shares and give targets)")
    elif len(shares) != len(dimension.levels):
        ctx.add((*loc, "shares"), f"{len(shares)} share(s) for {len(dimension.levels)} "
                f"level(s) of {name!r}")
    elif any(share <= 0 for share in shares):
        ctx.add((*loc, "shares"), "every share must be above 0")
    elif abs(sum(shares) - 1) > SHARE_TOLERANCE:
        ctx.add((*loc, "shares"), f"shares must sum to 1, not {sum(shares):g}")
