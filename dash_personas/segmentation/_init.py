"""Initial prototypes: k-prototypes++, Huang (1997) and Cao et al. (2009)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._encoding import EncodedData
from ._kernels import PreparedData, Prototypes
from ._lloyd import lloyd

N_SEEDINGS = 5
SAMPLE_PASSES = 10


def seeding_sample_size(k: int) -> int:
    """Rows used for seeding: a segment of 1% share still has 25 rows or more in it."""
    return max(2_500, 250 * k)


@dataclass(frozen=True)
class SeedingPool:
    """The distinct positive-weight rows that seeding draws from, in content order.

    Seeding draws rows with probability proportional to their weight (times a
    distance). Doing so over the distinct rows with their summed weights, ordered
    by their content, makes the draws the same whether a row is repeated ``w`` times
    or given the integer weight ``w``, and whatever the row order: weights mean
    repeated rows, as scikit-learn's ``check_sample_weight_equivalence`` asks.

    Attributes
    ----------
    rows : ndarray of int
        One row index per distinct row content, sorted by the row's hash.
    weight : ndarray of float
        Total sample weight of the rows with that content (their count if unweighted).
    """

    rows: np.ndarray
    weight: np.ndarray

    @classmethod
    def from_data(cls, data: EncodedData | PreparedData) -> SeedingPool:
        """Group the rows of ``data`` with positive weight by content."""
        encoded = data.data if isinstance(data, PreparedData) else data
        weight = encoded.sample_weight
        positive = (np.arange(encoded.n_samples) if weight is None
                    else np.flatnonzero(weight > 0))
        hashes = encoded.take(positive).row_hashes() if weight is not None \
            else encoded.row_hashes()
        order = np.argsort(hashes, kind="stable")
        sorted_hashes = hashes[order]
        starts = np.flatnonzero(np.r_[True, sorted_hashes[1:] != sorted_hashes[:-1]])
        row_weight = (np.ones(positive.size) if weight is None
                      else weight[positive])[order]
        return cls(positive[order[starts]], np.add.reduceat(row_weight, starts))

    @property
    def n_distinct(self) -> int:
        """Number of distinct rows with positive weight."""
        return int(self.rows.size)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Positions (into ``rows``) of ``size`` draws with replacement, by weight."""
        return _draw_by_cumulative(np.cumsum(self.weight), rng.random(size))

    def subset(self, data: PreparedData, positions: np.ndarray | None = None,
               weight: np.ndarray | None = None) -> PreparedData:
        """The pool rows at ``positions`` (all by default) as data weighted by ``weight``."""
        positions = np.arange(self.n_distinct) if positions is None else positions
        encoded = data.data.take(self.rows[positions])
        encoded.sample_weight = self.weight[positions] if weight is None else weight
        return PreparedData(encoded, data.distance)


def init_kprototypes_pp(data: PreparedData, k: int, rng: np.random.Generator,
                        pool: SeedingPool | None = None, n_local_trials: int | None = None,
                        n_seedings: int = N_SEEDINGS) -> Prototypes:
    """Distance-weighted seeding refined on a sample (k-means++ meets Bradley-Fayyad).

    Each seeding follows greedy k-means++ with the k-prototypes distance: a new
    prototype is drawn with probability proportional to a row's weight times its
    distance to the nearest prototype so far (by cumulative weight, as
    scikit-learn's ``_kmeans_plusplus`` does), several candidates are tried per
    step and the one that lowers the total weighted distance most is kept. Because
    the categorical mismatch noise of mixed data flattens that distance
    distribution, a single seeding puts two prototypes into one segment more often
    than with numeric data. So, in the spirit of Bradley & Fayyad (1998, "Refining
    initial points for k-means"), the seeding is repeated ``n_seedings`` times on a
    sample of :func:`seeding_sample_size` rows drawn by weight, each seeding is
    refined by a few batch passes on that sample, and the refined prototypes with
    the lowest sample cost win. The whole initialisation costs about as much as a
    few passes over large data, and the full fit then starts close to a good
    optimum. Data with no more distinct rows than the sample gets a single greedy
    seeding (``n_init`` restarts cover the rest).

    All draws go through ``pool`` (:class:`SeedingPool`), so integer weights and
    repeated rows give the same prototypes.
    """
    pool = SeedingPool.from_data(data) if pool is None else pool
    size = seeding_sample_size(k)
    if pool.n_distinct <= size:
        # small data: refining on "a sample" would be a full restart; n_init does that
        return _greedy_seeding(pool.subset(data), k, rng, n_local_trials)
    positions, counts = np.unique(pool.draw(rng, size), return_counts=True)
    sample = pool.subset(data, positions, weight=counts.astype(np.float64))
    best: tuple[float, Prototypes] | None = None
    for _ in range(max(1, n_seedings)):
        seeded = _greedy_seeding(sample, k, rng, n_local_trials)
        refined = lloyd(sample, seeded, SAMPLE_PASSES, 1e-4, False, 0, 1)
        if best is None or refined.cost < best[0]:
            best = (refined.cost, refined.prototypes)
    assert best is not None
    return best[1]


def _draw_by_cumulative(cumulative: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Rows hit by ``uniform`` draws in [0, 1) scaled to the cumulative mass."""
    hits = np.searchsorted(cumulative, uniform * cumulative[-1], side="right")
    return np.minimum(hits, cumulative.size - 1)  # rounding can reach past the end


def _greedy_seeding(data: PreparedData, k: int, rng: np.random.Generator,
                    n_local_trials: int | None) -> Prototypes:
    """Greedy k-means++ on distinct rows weighted by ``data.sample_weight``."""
    n = data.n
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(k))
    weight = data.sample_weight if data.sample_weight is not None else np.ones(n)
    chosen = [int(_draw_by_cumulative(np.cumsum(weight), rng.random(1))[0])]
    closest = data.distance.to_prototypes(data, data.row_as_center(np.array(chosen)))[:, 0]
    for _ in range(1, k):
        mass = np.cumsum(closest * weight)
        if mass[-1] <= 0:  # every row sits on a prototype: pick any not chosen yet
            remaining = np.setdiff1d(np.arange(n), chosen)
            candidates = rng.choice(remaining, size=min(n_local_trials, remaining.size),
                                    replace=False)
        else:
            candidates = _draw_by_cumulative(mass, rng.random(n_local_trials))
        totals = data.candidate_totals(data.row_as_center(candidates), closest)
        best = int(np.argmin(totals))
        chosen.append(int(candidates[best]))
        newest = data.row_as_center(candidates[best : best + 1])
        closest = np.minimum(closest, data.distance.to_prototypes(data, newest)[:, 0])
    return data.row_as_center(np.array(chosen))


def init_huang(data: PreparedData, k: int, rng: np.random.Generator,
               pool: SeedingPool | None = None) -> Prototypes:
    """Huang's initialisation, extended to mixed data.

    Categorical values are drawn from each column's (weighted) frequency
    distribution and numeric values around the column means; each draw is then
    replaced by the nearest distinct data row not chosen yet, so every prototype is
    a real respondent.
    """
    pool = SeedingPool.from_data(data) if pool is None else pool
    data = pool.subset(data)
    weight = data.sample_weight
    p_num = data.numeric.shape[1]
    if p_num:
        observed = np.ones_like(data.numeric) if data.mask is None else data.mask
        total = np.maximum(weight @ observed, np.finfo(np.float64).tiny)
        mean = (weight @ (data.numeric * observed)) / total
        std = np.sqrt((weight @ ((data.numeric - mean) ** 2 * observed)) / total)
    else:
        std = np.zeros(0)
    numeric = data.numeric_fill + rng.standard_normal((k, p_num)) * std
    categorical = np.empty((k, len(data.n_levels)), dtype=np.int32)
    for j, n_lev in enumerate(data.n_levels):
        codes = data.data.categorical[:, j]
        present = codes >= 0
        freq = np.bincount(codes[present], weights=weight[present], minlength=n_lev)
        categorical[:, j] = rng.choice(n_lev, size=k, p=freq / freq.sum())
    dist = data.distance.to_prototypes(data, Prototypes(numeric, categorical))
    chosen: list[int] = []
    for cluster in range(k):
        order = np.argsort(dist[:, cluster], kind="stable")
        row = next(int(r) for r in order[: len(chosen) + 1] if int(r) not in chosen)
        chosen.append(row)
    return data.row_as_center(np.array(chosen))


def init_cao(data: PreparedData, k: int, rng: np.random.Generator,
             pool: SeedingPool | None = None) -> Prototypes:
    """Cao et al.'s density-based initialisation, extended to mixed data.

    A row's density is the mean (weighted) frequency of its categorical values.
    The densest distinct row starts; each next prototype maximises ``density x
    distance to the nearest chosen prototype``. Deterministic apart from ties
    (broken by ``rng``).
    """
    pool = SeedingPool.from_data(data) if pool is None else pool
    data = pool.subset(data)
    weight = data.sample_weight
    n = data.n
    density = np.zeros(n)
    n_cat = len(data.n_levels)
    for j, n_lev in enumerate(data.n_levels):
        codes = data.data.categorical[:, j]
        present = codes >= 0
        freq = np.bincount(codes[present], weights=weight[present],
                           minlength=n_lev) / weight.sum()
        density += np.where(present, freq[np.clip(codes, 0, None)], 0.0)
    density = density / n_cat if n_cat else np.ones(n)
    density += rng.random(n) * 1e-12  # break exact ties reproducibly
    chosen = [int(np.argmax(density))]
    closest = data.distance.to_prototypes(data, data.row_as_center(np.array(chosen)))[:, 0]
    for _ in range(1, k):
        score = closest * density
        score[chosen] = -1.0
        nxt = int(np.argmax(score))
        chosen.append(nxt)
        newest = data.row_as_center(np.array([nxt]))
        closest = np.minimum(closest, data.distance.to_prototypes(data, newest)[:, 0])
    return data.row_as_center(np.array(chosen))


INIT_METHODS = {
    "k-prototypes++": init_kprototypes_pp,
    "huang": init_huang,
    "cao": init_cao,
}
