"""Vectorised k-prototypes kernels: chunk-wise assignment and reducible statistics.

Everything here works on :class:`~._encoding.EncodedData` and on centres held in
the encoded space (scaled numerics, categorical level codes). The data is visited
in chunks of rows; each chunk yields labels, distances and a
:class:`SufficientStats` that can be summed with the statistics of other chunks
(or other workers) before the centres are updated. That split is what lets the
same kernels run out-of-core or on a cluster later.

Speed notes
-----------
* The numeric part uses ``-2 z.c + |c|^2`` (a BLAS matrix product); ``|z|^2`` is a
  per-row constant added only where the distance value itself is needed.
* Categorical columns are packed into blocks whose combined code indexes a small
  lookup table ``(n_codes, k)`` holding ``gamma * weight * mismatch`` summed over the
  block's columns, so ten categorical columns cost three gathers, not ten
  comparisons. Extra table rows hold an unseen level (always a mismatch) and a
  missing value (no contribution).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._encoding import MISSING, EncodedData

MAX_BLOCK_CODES = 4096
DEFAULT_CHUNK_BYTES = 8 * 2**20


@dataclass
class Centers:
    """Prototypes in encoded space: numeric means (scaled) and categorical mode codes."""

    numeric: np.ndarray  # (k, p_num) float64
    categorical: np.ndarray  # (k, p_cat) int32, valid level codes

    @property
    def n_clusters(self) -> int:
        return int(max(self.numeric.shape[0], self.categorical.shape[0]))

    def copy(self) -> Centers:
        return Centers(self.numeric.copy(), self.categorical.copy())


@dataclass
class SufficientStats:
    """Per-cluster sums that determine the next prototypes; chunks add up.

    Attributes
    ----------
    weight : (k,) total (row-scaled, sample-weighted) weight of each cluster
    numeric_sum : (k, p_num) weighted sums of the scaled numeric values
    numeric_weight : (k, p_num) weighted counts of observed numeric values
    block_counts : list of (k, n_codes) weighted counts per categorical block code
    cost : total cost of the assignment
    n_changed : number of rows whose label changed
    """

    weight: np.ndarray
    numeric_sum: np.ndarray
    numeric_weight: np.ndarray
    block_counts: list[np.ndarray]
    cost: float
    n_changed: int

    def __add__(self, other: SufficientStats) -> SufficientStats:
        return SufficientStats(
            self.weight + other.weight,
            self.numeric_sum + other.numeric_sum,
            self.numeric_weight + other.numeric_weight,
            [a + b for a, b in zip(self.block_counts, other.block_counts)],
            self.cost + other.cost,
            self.n_changed + other.n_changed,
        )


class PreparedData:
    """Encoded data laid out for the kernels (computed once per fit or predict).

    Parameters
    ----------
    data : EncodedData
        The encoded rows.
    n_levels : list of int
        Number of levels of each categorical column.
    categorical_weights : array
        Per-column weights of the categorical features.
    gamma : float
        Weight of one categorical mismatch relative to one unit of squared
        (scaled) numeric distance.
    """

    def __init__(self, data: EncodedData, n_levels: list[int], categorical_weights: np.ndarray,
                 gamma: float) -> None:
        self.data = data
        self.n = data.n_samples
        self.gamma = float(gamma)
        self.numeric = data.numeric
        self.mask = None if data.numeric_mask is None else data.numeric_mask.astype(np.float64)
        self.row_sq = np.einsum("ij,ij->i", self.numeric, self.numeric)
        self.row_scale = data.row_scale
        self.sample_weight = data.sample_weight
        # weight each row carries in the centre update (minimises the rescaled cost)
        update_weight = np.ones(self.n)
        if self.row_scale is not None:
            update_weight = update_weight * self.row_scale
        if self.sample_weight is not None:
            update_weight = update_weight * self.sample_weight
        self.update_weight = update_weight
        self.cost_weight = self.sample_weight
        self.n_levels = list(n_levels)
        self.categorical_weights = np.asarray(categorical_weights, dtype=np.float64)
        # radix of each column: levels + one "unseen" + one "missing" slot
        self.radix = [n_lev + 2 for n_lev in self.n_levels]
        self.blocks = _plan_blocks(self.radix)
        self.block_codes = self._combine_codes(data.categorical)
        p_cat = len(self.n_levels)
        self.numeric_fill = (
            np.zeros(self.numeric.shape[1]) if self.mask is None else
            (self.numeric.sum(axis=0) / np.maximum(self.mask.sum(axis=0), 1))
        )
        self.global_modes = np.zeros(p_cat, dtype=np.int32)
        for j in range(p_cat):
            codes = data.categorical[:, j]
            counts = np.bincount(codes[codes >= 0], minlength=max(self.n_levels[j], 1))
            self.global_modes[j] = int(np.argmax(counts)) if counts.size else 0
        row_bytes = 8 * (max(self.numeric.shape[1], 1) + 16)
        self.chunk_rows = int(max(1024, DEFAULT_CHUNK_BYTES // row_bytes))

    # -- categorical blocks --------------------------------------------------
    def _combine_codes(self, categorical: np.ndarray) -> np.ndarray:
        out = np.empty((len(self.blocks), categorical.shape[0]), dtype=np.int32)
        for b, columns in enumerate(self.blocks):
            combined = np.zeros(categorical.shape[0], dtype=np.int64)
            for j in columns:
                codes = categorical[:, j]
                n_lev = self.n_levels[j]
                digit = np.where(codes >= 0, codes, np.where(codes == MISSING, n_lev + 1, n_lev))
                combined = combined * self.radix[j] + digit
            out[b] = combined
        return out

    def block_tables(self, center_codes: np.ndarray) -> list[np.ndarray]:
        """Lookup tables ``(n_codes, k)`` of categorical cost for each block."""
        k = center_codes.shape[0]
        tables = []
        for columns in self.blocks:
            acc = np.zeros((1, k))
            for j in columns:
                n_lev = self.n_levels[j]
                penalty = self.gamma * self.categorical_weights[j]
                table = np.full((n_lev + 2, k), penalty)
                table[center_codes[:, j], np.arange(k)] = 0.0
                table[n_lev + 1] = 0.0  # missing value: no contribution
                acc = (acc[:, None, :] + table[None, :, :]).reshape(-1, k)
            tables.append(np.ascontiguousarray(acc))
        return tables

    # -- distances -------------------------------------------------------------
    def partial_distances(self, start: int, stop: int, centers: Centers,
                          tables: list[np.ndarray]) -> np.ndarray:
        """Distances of rows ``start:stop`` to each centre, minus the row constant.

        The missing-value rescaling and ``|z|^2`` are per-row and do not change the
        arg-min; :meth:`finish` turns these into real distances.
        """
        k = centers.n_clusters
        rows = stop - start
        if self.numeric.shape[1]:
            dist = self.numeric[start:stop] @ (-2.0 * centers.numeric.T)
            sq = centers.numeric**2
            if self.mask is None:
                dist += sq.sum(axis=1)
            else:
                dist += self.mask[start:stop] @ sq.T
        else:
            dist = np.zeros((rows, k))
        for codes, table in zip(self.block_codes, tables):
            dist += np.take(table, codes[start:stop], axis=0)
        return dist

    def finish(self, start: int, stop: int, partial: np.ndarray) -> np.ndarray:
        """Turn :meth:`partial_distances` into full (rescaled) distances, in place."""
        partial += self.row_sq[start:stop, None]
        np.maximum(partial, 0.0, out=partial)
        if self.row_scale is not None:
            partial *= self.row_scale[start:stop, None]
        return partial

    def distances(self, centers: Centers) -> np.ndarray:
        """Full ``(n, k)`` distance matrix (used by ``transform`` and seeding)."""
        tables = self.block_tables(centers.categorical)
        out = np.empty((self.n, centers.n_clusters))
        for start in range(0, self.n, self.chunk_rows):
            stop = min(start + self.chunk_rows, self.n)
            out[start:stop] = self.finish(start, stop,
                                          self.partial_distances(start, stop, centers, tables))
        return out

    def candidate_totals(self, candidates: Centers, closest: np.ndarray) -> np.ndarray:
        """Total (weighted) distance if each candidate were added to the prototypes.

        ``closest`` holds every row's distance to its nearest current prototype.
        Works chunk by chunk, so memory stays at one chunk of candidate distances.
        """
        tables = self.block_tables(candidates.categorical)
        totals = np.zeros(candidates.n_clusters)
        for start in range(0, self.n, self.chunk_rows):
            stop = min(start + self.chunk_rows, self.n)
            part = self.finish(start, stop, self.partial_distances(start, stop, candidates,
                                                                   tables))
            np.minimum(part, closest[start:stop, None], out=part)
            if self.sample_weight is None:
                totals += part.sum(axis=0)
            else:
                totals += self.sample_weight[start:stop] @ part
        return totals

    def min_distances(self, centers: Centers) -> tuple[np.ndarray, np.ndarray]:
        """Labels and distance to the nearest centre for every row."""
        tables = self.block_tables(centers.categorical)
        labels = np.empty(self.n, dtype=np.int32)
        nearest = np.empty(self.n)
        for start in range(0, self.n, self.chunk_rows):
            stop = min(start + self.chunk_rows, self.n)
            part = self.partial_distances(start, stop, centers, tables)
            lab = np.argmin(part, axis=1)
            labels[start:stop] = lab
            best = part[np.arange(stop - start), lab] + self.row_sq[start:stop]
            np.maximum(best, 0.0, out=best)
            if self.row_scale is not None:
                best *= self.row_scale[start:stop]
            nearest[start:stop] = best
        return labels, nearest

    # -- one Lloyd pass ---------------------------------------------------------
    def assign(self, centers: Centers, labels: np.ndarray, nearest: np.ndarray
               ) -> SufficientStats:
        """Assign every row to its nearest centre and accumulate the statistics.

        ``labels`` (previous labels, updated in place) and ``nearest`` (distance to
        the assigned centre, written in place) have length ``n``.
        """
        tables = self.block_tables(centers.categorical)
        k = centers.n_clusters
        total: SufficientStats | None = None
        for start in range(0, self.n, self.chunk_rows):
            stop = min(start + self.chunk_rows, self.n)
            part = self.partial_distances(start, stop, centers, tables)
            lab = np.argmin(part, axis=1).astype(np.int32)
            best = part[np.arange(stop - start), lab] + self.row_sq[start:stop]
            np.maximum(best, 0.0, out=best)
            if self.row_scale is not None:
                best *= self.row_scale[start:stop]
            n_changed = int(np.count_nonzero(labels[start:stop] != lab))
            labels[start:stop] = lab
            nearest[start:stop] = best
            stats = self.chunk_stats(start, stop, lab, k, best, n_changed)
            total = stats if total is None else total + stats
        assert total is not None
        return total

    def chunk_stats(self, start: int, stop: int, lab: np.ndarray, k: int, best: np.ndarray,
                    n_changed: int) -> SufficientStats:
        """Sufficient statistics of rows ``start:stop`` given their labels."""
        rows = stop - start
        weight = self.update_weight[start:stop]
        membership = np.zeros((rows, k))
        membership[np.arange(rows), lab] = weight
        cluster_weight = membership.sum(axis=0)
        numeric_sum = membership.T @ self.numeric[start:stop]
        if self.mask is None:
            numeric_weight = np.repeat(cluster_weight[:, None], self.numeric.shape[1], axis=1)
        else:
            numeric_weight = membership.T @ self.mask[start:stop]
        block_counts = []
        for b, codes in enumerate(self.block_codes):
            n_codes = int(np.prod([self.radix[j] for j in self.blocks[b]]))
            flat = lab.astype(np.int64) * n_codes + codes[start:stop]
            counts = np.bincount(flat, weights=weight, minlength=k * n_codes)
            block_counts.append(counts.reshape(k, n_codes))
        cost_weight = self.cost_weight
        cost = float(best @ cost_weight[start:stop]) if cost_weight is not None \
            else float(best.sum())
        return SufficientStats(cluster_weight, numeric_sum, numeric_weight, block_counts, cost,
                               n_changed)

    def stats_for_labels(self, labels: np.ndarray, k: int) -> SufficientStats:
        """Statistics for a given labelling (used to turn labels into prototypes)."""
        total: SufficientStats | None = None
        zeros = np.zeros(self.n)
        for start in range(0, self.n, self.chunk_rows):
            stop = min(start + self.chunk_rows, self.n)
            stats = self.chunk_stats(start, stop, labels[start:stop], k, zeros[start:stop], 0)
            total = stats if total is None else total + stats
        assert total is not None
        return total

    # -- centre update -----------------------------------------------------------
    def update_centers(self, stats: SufficientStats, previous: Centers) -> Centers:
        """Means and modes from ``stats``; clusters without data keep ``previous``."""
        numeric = previous.numeric.copy()
        observed = stats.numeric_weight > 0
        numeric[observed] = stats.numeric_sum[observed] / stats.numeric_weight[observed]
        categorical = previous.categorical.copy()
        for b, columns in enumerate(self.blocks):
            counts = stats.block_counts[b]
            k = counts.shape[0]
            shape = (k, *[self.radix[j] for j in columns])
            full = counts.reshape(shape)
            for position, j in enumerate(columns):
                other_axes = tuple(1 + a for a in range(len(columns)) if a != position)
                marginal = full.sum(axis=other_axes) if other_axes else full
                level_counts = marginal[:, : self.n_levels[j]]
                has_data = level_counts.sum(axis=1) > 0
                categorical[has_data, j] = np.argmax(level_counts[has_data], axis=1)
        return Centers(numeric, categorical)

    def row_as_center(self, rows: np.ndarray) -> Centers:
        """Centres copied from data rows (missing values filled with the overall centre)."""
        numeric = self.numeric[rows].copy()
        if self.mask is not None:
            missing = self.mask[rows] == 0
            numeric[missing] = np.broadcast_to(self.numeric_fill, numeric.shape)[missing]
        categorical = self.data.categorical[rows].copy()
        bad = categorical < 0
        categorical[bad] = np.broadcast_to(self.global_modes, categorical.shape)[bad]
        return Centers(numeric, categorical.astype(np.int32))


def _plan_blocks(radix: list[int]) -> list[list[int]]:
    """Group consecutive categorical columns so each block has <= MAX_BLOCK_CODES codes."""
    blocks: list[list[int]] = []
    current: list[int] = []
    size = 1
    for j, r in enumerate(radix):
        if current and size * r > MAX_BLOCK_CODES:
            blocks.append(current)
            current, size = [], 1
        current.append(j)
        size *= r
    if current:
        blocks.append(current)
    return blocks
