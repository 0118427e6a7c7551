"""What the restarts of a fit found: their costs, and whether the best ones agree."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Restarts compared with the best one (the best included).
N_TOP = 5
#: Restarts whose cost is within this share of the best count as "as good".
COST_TIE = 1e-3
#: Two solutions agree when their adjusted Rand index is at least this.
MIN_AGREEMENT = 0.9
#: Restarts run on to their local optimum after ``tol`` stopped them: the cheapest
#: and the next distinct ones within ``COST_TIE`` of it (once there, one may overtake).
N_POLISHED = 2


class RestartsDisagreeWarning(UserWarning):
    """Restarts reached different segmentations of (almost) the same cost."""


@dataclass(frozen=True)
class RestartReport:
    """The cost of every restart and the agreement of the best ones.

    Attributes
    ----------
    costs : ndarray of shape (n_init,)
        Cost of each restart where it stopped, in the order they were run: at its
        local optimum where ``at_optimum`` says so (the kept one, the runner-up it
        was compared with there, or every restart with ``tol=0``), the others
        where ``tol`` stopped them (a few ppm above their optimum).
    n_iter : ndarray of shape (n_init,)
        Assignment passes of each restart.
    best : int
        Index (into ``costs``) of the restart that was kept.
    best_cost : float
        Its cost (``cost_`` of the model).
    cost_spread : float
        ``(worst cost - best cost) / best cost``.
    top : ndarray of int
        Indices of the up to ``N_TOP`` cheapest restarts, cheapest first.
    top_labels : ndarray of shape (len(top), n_samples)
        Their segment labels (row 0 is ``labels_``), to inspect an alternative.
    top_cost_gap : ndarray of shape (len(top) - 1,)
        Relative cost gap of each runner-up to the best: ``cost / best_cost - 1``.
    top_ari : ndarray of shape (len(top) - 1,)
        Adjusted Rand index of each runner-up's labels against the best labels.
    at_optimum : ndarray of bool, shape (n_init,)
        Which restarts ended where no row would move (``restart_report`` counts
        every restart as at its optimum when not told).
    """

    costs: np.ndarray
    n_iter: np.ndarray
    best: int
    best_cost: float
    cost_spread: float
    top: np.ndarray
    top_labels: np.ndarray
    top_cost_gap: np.ndarray
    top_ari: np.ndarray
    at_optimum: np.ndarray

    @property
    def disagreeing(self) -> np.ndarray:
        """Positions in ``top`` of the runners-up as cheap as the best (within
        ``COST_TIE``) that segment differently (ARI below ``MIN_AGREEMENT``)."""
        tied = (self.top_cost_gap <= COST_TIE) & (self.top_ari < MIN_AGREEMENT)
        return 1 + np.flatnonzero(tied)

    @property
    def stable(self) -> bool:
        """True unless an equally cheap restart found a different segmentation."""
        return self.disagreeing.size == 0


def restart_report(costs: Sequence[float], n_iter: Sequence[int],
                   labels: Sequence[np.ndarray],
                   at_optimum: Sequence[bool] | None = None) -> RestartReport:
    """Summarise restarts from their final costs, pass counts and labels."""
    costs_array = np.asarray(costs, dtype=np.float64)
    reached = np.ones(costs_array.size, dtype=bool) if at_optimum is None \
        else np.asarray(at_optimum, dtype=bool)
    order = np.argsort(costs_array, kind="stable")
    top = order[:N_TOP]
    best_cost = float(costs_array[top[0]])
    scale = best_cost if best_cost > 0 else 1.0
    top_labels = np.stack([np.asarray(labels[i], dtype=np.int32) for i in top])
    return RestartReport(
        costs=costs_array,
        n_iter=np.asarray(n_iter, dtype=np.int64),
        best=int(top[0]),
        best_cost=best_cost,
        cost_spread=float((costs_array.max() - best_cost) / scale),
        top=top,
        top_labels=top_labels,
        top_cost_gap=(costs_array[top[1:]] - best_cost) / scale,
        top_ari=np.array([adjusted_rand_index(top_labels[0], other)
                          for other in top_labels[1:]]),
        at_optimum=reached,
    )


def restarts_to_polish(costs: Sequence[float]) -> list[int]:
    """Restarts to run on to their local optimum, compared where ``tol`` stopped them.

    The cheapest one and, up to ``N_POLISHED`` in all, the next cheapest within
    ``COST_TIE`` of it: stopped a few ppm above their optima, a runner-up can still
    overtake. A restart whose cost ties with one already chosen (``ranking_costs``'
    rounding rule) is the same segmentation and is skipped. Costs only, so that
    in-memory and distributed fits choose the same restarts.
    """
    values = np.asarray(costs, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    cheapest = values[order[0]]
    chosen: list[int] = []
    for index in order:
        value = values[index]
        if len(chosen) == N_POLISHED or value - cheapest > COST_TIE * abs(cheapest):
            break
        if all(abs(value - values[other]) > 1e-9 * abs(value) for other in chosen):
            chosen.append(int(index))
    return chosen


def warn_if_restarts_disagree(report: RestartReport, n_init: int) -> None:
    """Warn, naming the remedy, when equally cheap restarts segment differently."""
    if report.stable:
        return
    candidates = report.disagreeing
    position = int(candidates[np.argmin(report.top_ari[candidates - 1])])
    warnings.warn(
        f"the best restarts disagree: restart {int(report.top[position]) + 1} of {n_init} "
        f"costs within {report.top_cost_gap[position - 1]:.3%} of the best but agrees with it "
        f"only at adjusted Rand index {report.top_ari[position - 1]:.2f}; raise n_init (e.g. "
        f"n_init={max(50, 5 * n_init)}) and check restarts_ until the best restarts agree",
        RestartsDisagreeWarning, stacklevel=4,
    )


def adjusted_rand_index(first: np.ndarray, second: np.ndarray) -> float:
    """Adjusted Rand index of two labellings (Hubert & Arabie 1985), via one bincount.

    Labels are segment numbers ``0..k-1`` (as the engine gives them), so the
    contingency table is one ``bincount`` and no sort is needed.
    """
    a = np.asarray(first, dtype=np.int64)
    b = np.asarray(second, dtype=np.int64)
    if a.size < 2:
        return 1.0
    n_b = int(b.max()) + 1
    table = np.bincount(a * n_b + b).astype(np.float64)
    return adjusted_rand_index_from_table(np.pad(table, (0, -table.size % n_b))
                                          .reshape(-1, n_b))


def adjusted_rand_index_from_table(table: np.ndarray) -> float:
    """Adjusted Rand index from the contingency table of two labellings.

    ``table[i, j]`` counts the rows in segment ``i`` of one labelling and ``j`` of
    the other; distributed fits add such tables up over partitions.
    """
    table = np.asarray(table, dtype=np.float64)
    n = float(table.sum())
    if n < 2:
        return 1.0

    def pairs(counts: np.ndarray) -> float:
        return float((counts * (counts - 1)).sum() / 2)

    index = pairs(table)
    rows, columns = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = rows * columns / (n * (n - 1) / 2)
    maximum = (rows + columns) / 2
    if maximum == expected:  # both labellings trivial (one segment, or one row per segment)
        return 1.0
    return float((index - expected) / (maximum - expected))

def ranking_costs(costs: list[float]) -> np.ndarray:
    """Restart costs with near-ties to the cheapest (rounding noise) set to the cheapest.

    The first of equally cheap restarts is then kept, whether a row was repeated or
    weighted (their sums differ in the last bits), so both give the same model.
    """
    values = np.asarray(costs, dtype=np.float64)
    cheapest = values.min()
    return np.where(values - cheapest <= 1e-9 * abs(cheapest), cheapest, values)
