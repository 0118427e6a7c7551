"""The k-prototypes distance and the vectorised, chunked kernels built on it.

:class:`KPrototypesDistance` is the one implementation of the k-prototypes
dissimilarity: distances to prototypes, pairwise distances between rows and each
feature's contribution. :class:`PreparedData` lays encoded rows out for it and
adds what the Lloyd iterations need: the data is visited in chunks of rows, and
each chunk yields labels, distances and a :class:`SufficientStats` that can be
summed with the statistics of other chunks (or other workers) before the
prototypes are updated. That split is what lets the same kernels run out-of-core
or on a cluster later.

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
from typing import Any

import numpy as np

from ._encoding import MISSING, EncodedData

__all__ = ["KPrototypesDistance", "Prototypes"]

MAX_BLOCK_CODES = 4096
DEFAULT_CHUNK_BYTES = 8 * 2**20


@dataclass
class Prototypes:
    """Prototypes in the encoded space.

    Attributes
    ----------
    numeric : ndarray of shape (n_clusters, n_numeric_features)
        Means of the standardised numeric features, multiplied by the square root
        of each feature's weight (the space of ``MixedEncoder.transform``).
    categorical : ndarray of shape (n_clusters, n_categorical_features)
        Modes of the categorical features as level codes (indices into the
        encoder's ``levels_``), int32.
    """

    numeric: np.ndarray
    categorical: np.ndarray

    @property
    def n_clusters(self) -> int:
        """Number of prototypes."""
        return int(max(self.numeric.shape[0], self.categorical.shape[0]))

    def copy(self) -> Prototypes:
        """An independent copy."""
        return Prototypes(self.numeric.copy(), self.categorical.copy())


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


class KPrototypesDistance:
    """The k-prototypes dissimilarity between encoded rows and prototypes.

    For a row ``x`` and a prototype (or another row) ``c``::

        d(x, c) = sum_j (z_j(x) - z_j(c))**2 + gamma * sum_l w_l [x_l != c_l]

    where ``z_j = (x_j - mean_j) / std_j * sqrt(w_j)`` are the encoded numeric
    features (so the squared difference carries the weight ``w_j``) and the second
    sum counts categorical mismatches, each weighted by ``w_l``. A level never
    seen during ``fit`` always mismatches a prototype. Only the features observed
    in the row (for pairwise distances: in both rows) count, and the sum is
    rescaled by ``total feature weight / observed feature weight``.

    Parameters
    ----------
    numeric_weights : array-like of shape (n_numeric_features,)
        Weight of each numeric feature (already applied to the encoded values; the
        missing-value rescaling needs them).
    categorical_weights : array-like of shape (n_categorical_features,)
        Weight of each categorical feature.
    n_levels : sequence of int
        Number of levels of each categorical feature.
    gamma : float
        Weight of one categorical mismatch relative to one unit of squared
        (scaled) numeric distance.

    See Also
    --------
    KPrototypes : exposes its fitted distance as ``distance_``.
    """

    def __init__(self, numeric_weights: Any, categorical_weights: Any, n_levels: Any,
                 gamma: float) -> None:
        self.numeric_weights = np.asarray(numeric_weights, dtype=np.float64)
        self.categorical_weights = np.asarray(categorical_weights, dtype=np.float64)
        self.n_levels = [int(n_lev) for n_lev in n_levels]
        self.gamma = float(gamma)
        # radix of each column: levels + one "unseen" + one "missing" slot
        self.radix = [n_lev + 2 for n_lev in self.n_levels]
        self.blocks = _plan_blocks(self.radix)

    @classmethod
    def from_encoder(cls, encoder: Any, gamma: float) -> KPrototypesDistance:
        """The distance for the weights and levels learnt by a fitted ``MixedEncoder``."""
        return cls(encoder.numeric_weights_, encoder.categorical_weights_, encoder.n_levels,
                   gamma)

    def __repr__(self) -> str:
        return (f"KPrototypesDistance(n_numeric={self.numeric_weights.size}, "
                f"n_categorical={self.categorical_weights.size}, gamma={self.gamma:.6g})")

    @property
    def total_weight(self) -> float:
        """Sum of all feature weights (the scale distances with gaps are rescaled to)."""
        return float(self.numeric_weights.sum()) + float(self.categorical_weights.sum())

    def prepare(self, data: EncodedData | PreparedData) -> PreparedData:
        """Lay encoded rows out for the kernels (reuses ``data`` if already prepared)."""
        if isinstance(data, PreparedData):
            if data.distance is self:
                return data
            data = data.data
        return PreparedData(data, self)

    # -- public distances --------------------------------------------------------
    def to_prototypes(self, data: EncodedData | PreparedData,
                      prototypes: Prototypes) -> np.ndarray:
        """Distance of every row to every prototype.

        Parameters
        ----------
        data : EncodedData or PreparedData
            Rows encoded by the fitted encoder.
        prototypes : Prototypes
            ``k`` prototypes in the same encoded space.

        Returns
        -------
        distances : ndarray of shape (n_samples, k)
        """
        prepared = self.prepare(data)
        tables = self.block_tables(prototypes.categorical)
        out = np.empty((prepared.n, prototypes.n_clusters))
        for start, stop in prepared.chunks():
            out[start:stop] = self.finish(
                prepared, start, stop, self.partial(prepared, start, stop, prototypes, tables))
        return out

    def nearest(self, data: EncodedData | PreparedData,
                prototypes: Prototypes) -> tuple[np.ndarray, np.ndarray]:
        """Nearest prototype of every row and the distance to it.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int32
        distances : ndarray of shape (n_samples,)
        """
        prepared = self.prepare(data)
        tables = self.block_tables(prototypes.categorical)
        labels = np.empty(prepared.n, dtype=np.int32)
        nearest = np.empty(prepared.n)
        for start, stop in prepared.chunks():
            part = self.partial(prepared, start, stop, prototypes, tables)
            labels[start:stop] = lab = np.argmin(part, axis=1)
            nearest[start:stop] = self.finish_selected(prepared, start, stop, part, lab)
        return labels, nearest

    def pairwise(self, data: EncodedData | PreparedData, *,
                 chunk_rows: int | None = None) -> np.ndarray:
        """All pairwise distances between the rows of ``data``.

        A pair is compared on the features observed in both rows and rescaled to
        the full feature weight. The matrix is filled in blocks of ``chunk_rows``
        rows (default: about 8 MiB per block), so the temporaries stay small.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_samples)
            Symmetric, zero on the diagonal.
        """
        prepared = self.prepare(data)
        n = prepared.n
        if chunk_rows is None:
            chunk_rows = max(1, DEFAULT_CHUNK_BYTES // (8 * max(n, 1)))
        z, mask = prepared.numeric, prepared.mask
        codes = prepared.data.categorical
        z2 = z**2
        rescale = prepared.row_scale is not None
        out = np.empty((n, n))
        for start in range(0, n, chunk_rows):
            stop = min(start + chunk_rows, n)
            rows = slice(start, stop)
            if mask is None:
                dist = prepared.row_sq[rows, None] + prepared.row_sq[None, :] \
                    - 2.0 * (z[rows] @ z.T)
                numeric_seen: Any = float(self.numeric_weights.sum())  # every pair
            else:
                dist = z2[rows] @ mask.T + mask[rows] @ z2.T - 2.0 * (z[rows] @ z.T)
                numeric_seen = (mask[rows] * self.numeric_weights) @ mask.T
            np.maximum(dist, 0.0, out=dist)
            categorical_seen = np.zeros_like(dist)
            for j, weight in enumerate(self.categorical_weights):
                present = codes[:, j] != MISSING
                both = present[rows, None] & present[None, :]
                mismatch = (codes[rows, j, None] != codes[None, :, j]) & both
                dist += self.gamma * weight * mismatch
                categorical_seen += weight * both
            if rescale:
                seen = numeric_seen + categorical_seen
                with np.errstate(divide="ignore", invalid="ignore"):
                    dist *= np.where(seen > 0, self.total_weight / seen, 0.0)
            dist[np.arange(stop - start), np.arange(start, stop)] = 0.0
            out[rows] = dist
        return out

    def contributions(self, data: EncodedData | PreparedData, prototypes: Prototypes, *,
                      rescale: bool = True, features: Any = None) -> np.ndarray:
        """Each feature's share of every row-to-prototype distance.

        Parameters
        ----------
        data : EncodedData or PreparedData
            Rows encoded by the fitted encoder.
        prototypes : Prototypes
            ``k`` prototypes in the same encoded space.
        rescale : bool, default=True
            Apply the missing-value rescaling, so that the contributions sum to
            :meth:`to_prototypes`. It multiplies all ``k`` distances of a row alike,
            so leaving it out (``False``) never changes which prototype is nearest.
        features : sequence of int, optional
            Only these features, as positions in the encoder's order
            (``numeric_features_ + categorical_features_``); all by default. Asking
            for a few keeps the result at ``len(features) x n_samples x k``.

        Returns
        -------
        contributions : ndarray of shape (n_features, n_samples, k)
            Numeric features first, then categorical ones, in the encoder's order
            (``numeric_features_ + categorical_features_``), or the ``features``
            asked for in that order. Unobserved features contribute 0.
        """
        prepared = self.prepare(data)
        p_num = prepared.numeric.shape[1]
        codes = prepared.data.categorical
        wanted = (range(p_num + codes.shape[1]) if features is None
                  else [int(f) for f in features])
        out = np.empty((len(wanted), prepared.n, prototypes.n_clusters))
        for position, f in enumerate(wanted):
            if f < p_num:
                diff = prepared.numeric[:, f, None] - prototypes.numeric[None, :, f]
                np.square(diff, out=out[position])
                if prepared.mask is not None:
                    out[position] *= prepared.mask[:, f, None]
            else:
                j = f - p_num
                mismatch = ((codes[:, j, None] != prototypes.categorical[None, :, j])
                            & (codes[:, j] != MISSING)[:, None])
                out[position] = self.gamma * self.categorical_weights[j] * mismatch
        if rescale and prepared.row_scale is not None:
            out *= prepared.row_scale[None, :, None]
        return out

    # -- kernel pieces -------------------------------------------------------------
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

    def partial(self, prepared: PreparedData, start: int, stop: int, prototypes: Prototypes,
                tables: list[np.ndarray]) -> np.ndarray:
        """Distances of rows ``start:stop`` to each prototype, minus the row constant.

        The missing-value rescaling and ``|z|^2`` are per-row and do not change the
        arg-min; :meth:`finish` turns these into real distances.
        """
        return self.partial_rows(prepared, slice(start, stop), prototypes, tables)

    def partial_rows(self, prepared: PreparedData, rows: slice | np.ndarray,
                     prototypes: Prototypes, tables: list[np.ndarray]) -> np.ndarray:
        """:meth:`partial` of the rows selected by a slice or an index array."""
        numeric = prepared.numeric[rows]
        if numeric.shape[1]:
            dist = numeric @ (-2.0 * prototypes.numeric.T)
            sq = prototypes.numeric**2
            if prepared.mask is None:
                dist += sq.sum(axis=1)
            else:
                dist += prepared.mask[rows] @ sq.T
        else:
            dist = np.zeros((numeric.shape[0], prototypes.n_clusters))
        for codes, table in zip(prepared.block_codes, tables):
            dist += np.take(table, codes[rows], axis=0)
        return dist

    def prototype_drift(self, old: Prototypes, new: Prototypes) -> np.ndarray:
        """How far each prototype moved: ``sqrt(d(old_c, new_c))``, shape ``(k,)``.

        ``sqrt(d)`` is a metric (the Euclidean combination of a Euclidean distance
        and the square root of a weighted Hamming distance), so a row's ``sqrt`` of
        its distance to prototype ``c`` changes by at most ``sqrt(row scale)`` times
        this when ``c`` moves (over its observed features only, by even less).
        """
        numeric = ((old.numeric - new.numeric) ** 2).sum(axis=1)
        mismatch = (old.categorical != new.categorical) @ (self.gamma * self.categorical_weights)
        return np.sqrt(numeric + mismatch)

    def finish(self, prepared: PreparedData, start: int, stop: int,
               partial: np.ndarray) -> np.ndarray:
        """Turn :meth:`partial` into full (rescaled) distances, in place."""
        partial += prepared.row_sq[start:stop, None]
        np.maximum(partial, 0.0, out=partial)
        if prepared.row_scale is not None:
            partial *= prepared.row_scale[start:stop, None]
        return partial

    def finish_selected(self, prepared: PreparedData, start: int, stop: int,
                        partial: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Full distance of each row of a :meth:`partial` block to its labelled prototype."""
        return self.finish_rows(prepared, slice(start, stop),
                                partial[np.arange(stop - start), labels])

    def finish_rows(self, prepared: PreparedData, rows: slice | np.ndarray,
                    values: np.ndarray) -> np.ndarray:
        """Full distances from one :meth:`partial` value per selected row (in place)."""
        values += prepared.row_sq[rows]
        np.maximum(values, 0.0, out=values)
        if prepared.row_scale is not None:
            values *= prepared.row_scale[rows]
        return values


class PreparedData:
    """Encoded rows laid out for a :class:`KPrototypesDistance` (built once per call).

    Parameters
    ----------
    data : EncodedData
        The encoded rows.
    distance : KPrototypesDistance
        The distance whose kernels will read this layout.
    """

    def __init__(self, data: EncodedData, distance: KPrototypesDistance) -> None:
        self.data = data
        self.distance = distance
        self.n = data.n_samples
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
        self.block_codes = self._combine_codes(data.categorical)
        self.block_sizes = [int(np.prod([distance.radix[j] for j in columns], dtype=np.int64))
                            for columns in distance.blocks]
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

    @property
    def n_levels(self) -> list[int]:
        """Number of levels of each categorical column."""
        return self.distance.n_levels

    @property
    def blocks(self) -> list[list[int]]:
        """Categorical columns packed together into one lookup code."""
        return self.distance.blocks

    def chunks(self) -> list[tuple[int, int]]:
        """``(start, stop)`` of each chunk of rows."""
        return [(start, min(start + self.chunk_rows, self.n))
                for start in range(0, self.n, self.chunk_rows)]

    def _combine_codes(self, categorical: np.ndarray) -> np.ndarray:
        radix = self.distance.radix
        out = np.empty((len(self.blocks), categorical.shape[0]), dtype=np.int32)
        for b, columns in enumerate(self.blocks):
            combined = np.zeros(categorical.shape[0], dtype=np.int64)
            for j in columns:
                codes = categorical[:, j]
                n_lev = self.n_levels[j]
                digit = np.where(codes >= 0, codes, np.where(codes == MISSING, n_lev + 1, n_lev))
                combined = combined * radix[j] + digit
            out[b] = combined
        return out

    def candidate_totals(self, candidates: Prototypes, closest: np.ndarray) -> np.ndarray:
        """Total (weighted) distance if each candidate were added to the prototypes.

        ``closest`` holds every row's distance to its nearest current prototype.
        Works chunk by chunk, so memory stays at one chunk of candidate distances.
        """
        distance = self.distance
        tables = distance.block_tables(candidates.categorical)
        totals = np.zeros(candidates.n_clusters)
        for start, stop in self.chunks():
            part = distance.finish(self, start, stop,
                                   distance.partial(self, start, stop, candidates, tables))
            np.minimum(part, closest[start:stop, None], out=part)
            if self.sample_weight is None:
                totals += part.sum(axis=0)
            else:
                totals += self.sample_weight[start:stop] @ part
        return totals

    # -- one Lloyd pass ---------------------------------------------------------
    def assign(self, centers: Prototypes, labels: np.ndarray, nearest: np.ndarray,
               second: np.ndarray | None = None) -> SufficientStats:
        """Assign every row to its nearest centre and accumulate the statistics.

        ``labels`` (previous labels, updated in place) and ``nearest`` (distance to
        the assigned centre, written in place) have length ``n``; so has ``second``
        (distance to the second-nearest centre, written in place when given).
        """
        distance = self.distance
        tables = distance.block_tables(centers.categorical)
        k = centers.n_clusters
        total: SufficientStats | None = None
        for start, stop in self.chunks():
            part = distance.partial(self, start, stop, centers, tables)
            lab = np.argmin(part, axis=1).astype(np.int32)
            best = distance.finish_selected(self, start, stop, part, lab)
            if second is not None:
                second[start:stop] = self.runner_up(slice(start, stop), part, lab)
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
        cost_weight = self.cost_weight
        cost = float(best @ cost_weight[start:stop]) if cost_weight is not None \
            else float(best.sum())
        return self.stats_for_rows(slice(start, stop), lab, k, self.update_weight[start:stop],
                                   cost, n_changed)

    def stats_for_rows(self, rows: slice | np.ndarray, lab: np.ndarray, k: int,
                       weight: np.ndarray, cost: float = 0.0, n_changed: int = 0
                       ) -> SufficientStats:
        """Statistics of the selected rows given their labels, each row counted with
        ``weight`` (negative to take rows out of a running total)."""
        n_rows = lab.shape[0]
        membership = np.zeros((n_rows, k))
        membership[np.arange(n_rows), lab] = weight
        # bincount adds in row order, as membership.sum(axis=0) did: the same bits, 10x faster
        cluster_weight = np.bincount(lab, weights=weight, minlength=k)
        numeric_sum = membership.T @ self.numeric[rows]
        if self.mask is None:
            numeric_weight = np.repeat(cluster_weight[:, None], self.numeric.shape[1], axis=1)
        else:
            numeric_weight = membership.T @ self.mask[rows]
        block_counts = []
        lab64 = lab.astype(np.int64)
        for codes, n_codes in zip(self.block_codes, self.block_sizes):
            flat = lab64 * n_codes + codes[rows]
            counts = np.bincount(flat, weights=weight, minlength=k * n_codes)
            block_counts.append(counts.reshape(k, n_codes))
        return SufficientStats(cluster_weight, numeric_sum, numeric_weight, block_counts, cost,
                               n_changed)

    def runner_up(self, rows: slice | np.ndarray, partial: np.ndarray,
                  lab: np.ndarray) -> np.ndarray:
        """Distance of each selected row to its second-nearest prototype (``inf`` for
        k = 1); overwrites the nearest column of ``partial``."""
        partial[np.arange(partial.shape[0]), lab] = np.inf
        with np.errstate(invalid="ignore"):  # inf x a row scale of 0
            return self.distance.finish_rows(self, rows, partial.min(axis=1))

    def stats_cost(self, stats: SufficientStats, square_sums: np.ndarray, centers: Prototypes,
                   tables: list[np.ndarray]) -> float:
        """Cost of the labelling ``stats`` sums up, against ``centers``, from the sums alone.

        ``square_sums[c]`` is the weighted sum of ``|z|^2`` over segment ``c``'s rows
        (``update_weight * row_sq``). The numeric part is ``sum w|z - c|^2 = sum w|z|^2 -
        2 c . sum wz + c^2 . sum w`` (observed features only), the categorical one each
        block's counts times its cost table, so a pass in which few rows moved costs
        O(k x codes), not O(n). Equals the sum over rows up to rounding (~1e-15 relative
        where the segments' spread is not tiny against their distance from 0).
        """
        numeric = (square_sums - 2.0 * np.einsum("kj,kj->k", centers.numeric, stats.numeric_sum)
                   + np.einsum("kj,kj->k", centers.numeric**2, stats.numeric_weight))
        categorical = sum((np.einsum("kc,ck->k", counts, table)
                           for counts, table in zip(stats.block_counts, tables)),
                          np.zeros(centers.n_clusters))
        return float((numeric + categorical).sum())

    def stats_for_labels(self, labels: np.ndarray, k: int) -> SufficientStats:
        """Statistics for a given labelling (used to turn labels into prototypes)."""
        total: SufficientStats | None = None
        zeros = np.zeros(self.n)
        for start, stop in self.chunks():
            stats = self.chunk_stats(start, stop, labels[start:stop], k, zeros[start:stop], 0)
            total = stats if total is None else total + stats
        assert total is not None
        return total

    # -- centre update -----------------------------------------------------------
    def update_centers(self, stats: SufficientStats, previous: Prototypes) -> Prototypes:
        """Means and modes from ``stats``; clusters without data keep ``previous``."""
        numeric = previous.numeric.copy()
        observed = stats.numeric_weight > 0
        numeric[observed] = stats.numeric_sum[observed] / stats.numeric_weight[observed]
        categorical = previous.categorical.copy()
        for b, columns in enumerate(self.blocks):
            counts = stats.block_counts[b]
            k = counts.shape[0]
            shape = (k, *[self.distance.radix[j] for j in columns])
            full = counts.reshape(shape)
            for position, j in enumerate(columns):
                other_axes = tuple(1 + a for a in range(len(columns)) if a != position)
                marginal = full.sum(axis=other_axes) if other_axes else full
                level_counts = marginal[:, : self.n_levels[j]]
                has_data = level_counts.sum(axis=1) > 0
                categorical[has_data, j] = np.argmax(level_counts[has_data], axis=1)
        return Prototypes(numeric, categorical)

    def row_as_center(self, rows: np.ndarray) -> Prototypes:
        """Centres copied from data rows (missing values filled with the overall centre)."""
        numeric = self.numeric[rows].copy()
        if self.mask is not None:
            missing = self.mask[rows] == 0
            numeric[missing] = np.broadcast_to(self.numeric_fill, numeric.shape)[missing]
        categorical = self.data.categorical[rows].copy()
        bad = categorical < 0
        categorical[bad] = np.broadcast_to(self.global_modes, categorical.shape)[bad]
        return Prototypes(numeric, categorical.astype(np.int32))



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
