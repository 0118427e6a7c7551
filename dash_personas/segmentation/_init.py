"""Initial prototypes: k-prototypes++, Huang (1997) and Cao et al. (2009)."""

from __future__ import annotations

import numpy as np

from ._kernels import PreparedData, Prototypes
from ._lloyd import lloyd

N_SEEDINGS = 5
SAMPLE_PASSES = 10


def seeding_sample_size(k: int) -> int:
    """Rows used for seeding: a segment of 1% share still has 25 rows or more in it."""
    return max(2_500, 250 * k)


def init_kprototypes_pp(data: PreparedData, k: int, rng: np.random.Generator,
                        n_local_trials: int | None = None,
                        n_seedings: int = N_SEEDINGS) -> Prototypes:
    """Distance-weighted seeding refined on a sample (k-means++ meets Bradley-Fayyad).

    Each seeding follows greedy k-means++ with the k-prototypes distance: a new
    prototype is drawn with probability proportional to a row's distance to its
    nearest prototype so far, several candidates are tried per step and the one
    that lowers the total distance most is kept. Because the categorical mismatch
    noise of mixed data flattens that distance distribution, a single seeding puts
    two prototypes into one segment more often than with numeric data. So, in the
    spirit of Bradley & Fayyad (1998, "Refining initial points for k-means"), the
    seeding is repeated ``n_seedings`` times on a random sample of
    :func:`seeding_sample_size` rows, each seeding is refined by a few batch passes
    on that sample, and the refined prototypes with the lowest sample cost win.
    The whole initialisation costs about as much as a few passes over large data,
    and the full fit then starts close to a good optimum. Data no larger than the
    sample gets a single greedy seeding (``n_init`` restarts cover the rest).
    """
    if data.n <= seeding_sample_size(k):
        # small data: refining on "a sample" would be a full restart; n_init does that
        return _greedy_seeding(data, k, rng, n_local_trials)
    rows = np.sort(rng.choice(data.n, size=seeding_sample_size(k), replace=False))
    data = PreparedData(data.data.take(rows), data.distance)
    best: tuple[float, Prototypes] | None = None
    for _ in range(max(1, n_seedings)):
        seeded = _greedy_seeding(data, k, rng, n_local_trials)
        refined = lloyd(data, seeded, SAMPLE_PASSES, 1e-4, False, 0, 1)
        if best is None or refined.cost < best[0]:
            best = (refined.cost, refined.prototypes)
    assert best is not None
    return best[1]


def _greedy_seeding(data: PreparedData, k: int, rng: np.random.Generator,
                    n_local_trials: int | None) -> Prototypes:
    n = data.n
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(k))
    weight = data.sample_weight if data.sample_weight is not None else None
    first = _weighted_choice(rng, n, weight, size=1)
    chosen = [int(first[0])]
    closest = data.distance.to_prototypes(data, data.row_as_center(np.array(chosen)))[:, 0]
    for _ in range(1, k):
        mass = closest if weight is None else closest * weight
        total = mass.sum()
        if total <= 0:  # every row sits on a prototype: pick any not chosen yet
            remaining = np.setdiff1d(np.arange(n), chosen)
            candidates = rng.choice(remaining, size=min(n_local_trials, remaining.size),
                                    replace=False)
        else:
            cumulative = np.cumsum(mass)
            draws = rng.random(n_local_trials) * cumulative[-1]
            candidates = np.minimum(np.searchsorted(cumulative, draws), n - 1)
        totals = data.candidate_totals(data.row_as_center(candidates), closest)
        best = int(np.argmin(totals))
        chosen.append(int(candidates[best]))
        newest = data.row_as_center(candidates[best : best + 1])
        closest = np.minimum(closest, data.distance.to_prototypes(data, newest)[:, 0])
    return data.row_as_center(np.array(chosen))


def init_huang(data: PreparedData, k: int, rng: np.random.Generator) -> Prototypes:
    """Huang's initialisation, extended to mixed data.

    Categorical values are drawn from each column's frequency distribution and
    numeric values around the column means; each draw is then replaced by the
    nearest data row not chosen yet, so every prototype is a real respondent.
    """
    p_num = data.numeric.shape[1]
    std = data.numeric.std(axis=0) if p_num else np.zeros(0)
    numeric = data.numeric_fill + rng.standard_normal((k, p_num)) * std
    categorical = np.empty((k, len(data.n_levels)), dtype=np.int32)
    for j, n_lev in enumerate(data.n_levels):
        codes = data.data.categorical[:, j]
        freq = np.bincount(codes[codes >= 0], minlength=n_lev).astype(np.float64)
        categorical[:, j] = rng.choice(n_lev, size=k, p=freq / freq.sum())
    dist = data.distance.to_prototypes(data, Prototypes(numeric, categorical))
    chosen: list[int] = []
    for cluster in range(k):
        order = np.argsort(dist[:, cluster], kind="stable")
        row = next(int(r) for r in order[: len(chosen) + 1] if int(r) not in chosen)
        chosen.append(row)
    return data.row_as_center(np.array(chosen))


def init_cao(data: PreparedData, k: int, rng: np.random.Generator) -> Prototypes:
    """Cao et al.'s density-based initialisation, extended to mixed data.

    A row's density is the mean frequency of its categorical values. The densest
    row starts; each next prototype maximises ``density x distance to the nearest
    chosen prototype``. Deterministic apart from ties (broken by ``rng``).
    """
    n = data.n
    density = np.zeros(n)
    n_cat = len(data.n_levels)
    for j, n_lev in enumerate(data.n_levels):
        codes = data.data.categorical[:, j]
        freq = np.bincount(codes[codes >= 0], minlength=n_lev) / n
        density += np.where(codes >= 0, freq[np.clip(codes, 0, None)], 0.0)
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


def _weighted_choice(rng: np.random.Generator, n: int, weight: np.ndarray | None,
                     size: int) -> np.ndarray:
    if weight is None or weight.sum() <= 0:
        return rng.integers(0, n, size=size)
    return rng.choice(n, size=size, p=weight / weight.sum())


INIT_METHODS = {
    "k-prototypes++": init_kprototypes_pp,
    "huang": init_huang,
    "cao": init_cao,
}
