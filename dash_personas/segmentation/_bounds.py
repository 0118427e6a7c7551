"""Assignment passes that recompute only the rows a Hamerly bound cannot settle.

Late in a run few rows move, yet a full pass computes all ``n x k`` distances and
sums every row into the statistics again. :class:`BoundedAssignment` keeps, for
every row, an upper bound on ``sqrt`` of its distance to its own prototype and a
lower bound on ``sqrt`` of its distance to every other (Hamerly 2010, "Making
k-means even faster"). When the prototypes move, the bounds move by their drift
(:meth:`~KPrototypesDistance.prototype_drift`); only rows whose bounds overlap get
their ``k`` distances computed, the statistics are updated from the rows that
moved, and the cost comes from the statistics (:meth:`PreparedData.stats_cost`).

Where no row moves the run ends as a full pass would end it: prototypes from
statistics summed from scratch, then one full pass for the labels and the cost. So
the fitted state does not depend on this shortcut (whenever the passes in between
gave the same labels, the end is the one full passes reach, bit for bit).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ._kernels import PreparedData, Prototypes, SufficientStats

#: Above this share of rows to recompute, a full pass is cheaper than gathering them.
MAX_BOUNDED_SHARE = 0.1
#: Bounded passes in a row before the statistics are summed from scratch again (the
#: running sums gather rounding with every update).
REFRESH_PASSES = 20
#: Relative slack on the bounds: rows within it of a tie are recomputed (rounding of
#: the square roots is ~1e-15 relative).
BOUND_SLACK = 1e-9


class BoundedAssignment:
    """Assignment passes over ``prepared`` that skip rows their bounds settle.

    Parameters
    ----------
    prepared : PreparedData
        The rows.
    labels : ndarray of int32 of shape (n,)
        Current labels, updated in place by every pass.
    """

    def __init__(self, prepared: PreparedData, labels: np.ndarray) -> None:
        self.prepared = prepared
        self.labels = labels
        self.root_scale = (1.0 if prepared.row_scale is None
                           else np.sqrt(prepared.row_scale))
        self.upper: np.ndarray | None = None
        self.lower = np.empty(prepared.n)
        self.stats: SufficientStats | None = None
        self.square_sums = np.zeros(0)
        self.previous: Prototypes | None = None
        self.since_full = 0

    def assign(self, prototypes: Prototypes) -> tuple[SufficientStats, Prototypes]:
        """One pass against ``prototypes``: its statistics and the prototypes it used.

        The prototypes differ from the ones given only at the end of a run (no row
        moved): then they are recomputed from exactly summed statistics.
        """
        prepared = self.prepared
        if self.upper is not None and self.previous is not None \
                and self.since_full < REFRESH_PASSES:
            drift = prepared.distance.prototype_drift(self.previous, prototypes)
            self.upper += self.root_scale * drift[self.labels]
            # the nearest other prototype moved at most as far as the farthest-moving
            # one other than the row's own
            order = np.argsort(drift)
            farthest = np.full(drift.size, drift[order[-1]])
            if drift.size > 1:
                farthest[order[-1]] = drift[order[-2]]
            self.lower -= self.root_scale * farthest[self.labels]
            unsettled = np.flatnonzero(self.upper >= self.lower * (1.0 - BOUND_SLACK))
            if unsettled.size <= MAX_BOUNDED_SHARE * prepared.n:
                stats = self._bounded_pass(prototypes, unsettled)
                if stats.n_changed:
                    self.previous = prototypes
                    return stats, prototypes
                k = prototypes.n_clusters
                prototypes = prepared.update_centers(
                    prepared.stats_for_labels(self.labels, k), self.previous)
        self.previous = prototypes
        return self._full_pass(prototypes), prototypes

    def _full_pass(self, prototypes: Prototypes) -> SufficientStats:
        prepared = self.prepared
        nearest = np.empty(prepared.n)
        stats = prepared.assign(prototypes, self.labels, nearest, self.lower)
        self.upper = np.sqrt(nearest)
        np.sqrt(self.lower, out=self.lower)
        self.stats = stats
        self.square_sums = np.bincount(self.labels, weights=prepared.update_weight
                                       * prepared.row_sq, minlength=prototypes.n_clusters)
        self.since_full = 0
        return stats

    def _bounded_pass(self, prototypes: Prototypes, rows: np.ndarray) -> SufficientStats:
        prepared, distance = self.prepared, self.prepared.distance
        assert self.stats is not None and self.upper is not None
        k = prototypes.n_clusters
        tables = distance.block_tables(prototypes.categorical)
        part = distance.partial_rows(prepared, rows, prototypes, tables)
        lab = np.argmin(part, axis=1).astype(np.int32)
        self.upper[rows] = np.sqrt(distance.finish_rows(
            prepared, rows, part[np.arange(rows.size), lab]))
        self.lower[rows] = np.sqrt(prepared.runner_up(rows, part, lab))
        before = self.labels[rows]
        changed = lab != before
        moved, new, old = rows[changed], lab[changed], before[changed]
        if moved.size:
            weight = prepared.update_weight[moved]
            self.stats = (self.stats + prepared.stats_for_rows(moved, new, k, weight)
                          + prepared.stats_for_rows(moved, old, k, -weight))
            squares = weight * prepared.row_sq[moved]
            self.square_sums = (self.square_sums + np.bincount(new, squares, minlength=k)
                                - np.bincount(old, squares, minlength=k))
            self.labels[moved] = new
        self.since_full += 1
        cost = prepared.stats_cost(self.stats, self.square_sums, prototypes, tables)
        return dataclasses.replace(self.stats, cost=cost, n_changed=int(moved.size))
