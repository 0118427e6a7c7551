"""MaxDiff (best-worst scaling): the experimental design, and item scores from the answers.

A MaxDiff question shows ``sets`` subsets of ``per_set`` items out of a list; in each the
respondent picks the best and the worst item. This module knows nothing about a survey: it
works on item indices ``0..n_items-1`` and NumPy arrays.

Design
------
:func:`maxdiff_design` builds a (near) balanced incomplete block design, seeded: set after
set, the items shown least often so far are taken (so every item is shown equally often when
``sets * per_set`` is a multiple of ``n_items``, and otherwise within one), choosing among
them, item by item, the one that has appeared least often *with* the items already in the
set (so pairs are as balanced as the greedy allows); a few seeded restarts keep the design
with the most even pairs, and the items of each set are shuffled (no item always first).
:attr:`MaxDiffDesign.statistics` reports how balanced it is.

Choice model
------------
The *sequential best-worst* multinomial logit (Marley & Louviere 2005): in a set ``S`` with
utilities ``u``, the best is ``i`` with probability ``exp(u_i) / sum_{k in S} exp(u_k)``, and
then the worst is ``j`` among the remaining items with probability
``exp(-u_j) / sum_{k in S - {i}} exp(-u_k)``. It is what a respondent with Gumbel errors does
who picks the best as the highest ``u + e`` and then the worst as the lowest ``u - e'``
among the rest (:func:`simulate_best_worst`).

Scores
------
* :func:`maxdiff_counts` — per respondent and item, (times best - times worst) / times shown,
  in -1..1 (``NaN`` for an item the respondent never judged).
* :func:`maxdiff_utilities` — per respondent, the posterior mode of the individual
  sequential best-worst logit utilities under a normal population prior
  ``u_r ~ N(mu, diag(sigma^2))`` whose ``mu`` and ``sigma^2`` are estimated from all
  respondents by EM with the Laplace approximation (parametric empirical Bayes): each
  respondent's logit is pulled towards the population mean, the more the fewer answers
  they gave and the less the items vary in the population. Utilities are centred to mean 0
  per respondent (the logit fixes only their differences). Newton steps run vectorised over
  all respondents at once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "MaxDiffDesign",
    "MaxDiffFit",
    "cached_design",
    "maxdiff_counts",
    "maxdiff_design",
    "maxdiff_utilities",
    "simulate_best_worst",
]

_RESTARTS = 4


@dataclass(frozen=True)
class MaxDiffDesign:
    """A MaxDiff design: which items each set shows, in display order.

    Attributes
    ----------
    sets : ndarray of int, shape (n_sets, per_set)
        Item indices of each set (distinct within a set).
    n_items : int
    """

    sets: np.ndarray
    n_items: int

    @property
    def per_set(self) -> int:
        """Items shown in each set."""
        return int(self.sets.shape[1])

    @property
    def n_sets(self) -> int:
        """Number of sets."""
        return int(self.sets.shape[0])

    def appearances(self) -> np.ndarray:
        """Times each item is shown, shape ``(n_items,)``."""
        import numpy as np

        return np.bincount(self.sets.ravel(), minlength=self.n_items)

    def pair_counts(self) -> np.ndarray:
        """Times each two items are shown together, shape ``(n_items, n_items)``
        (the diagonal is the appearances)."""
        incidence = self.incidence().sum(axis=1)  # (n_sets, n_items)
        return incidence.T @ incidence

    def incidence(self) -> np.ndarray:
        """One-hot of the design, shape ``(n_sets, per_set, n_items)``."""
        import numpy as np

        return (self.sets[:, :, None] == np.arange(self.n_items)).astype(float)

    def statistics(self) -> dict[str, Any]:
        """How balanced the design is (JSON-ready).

        Returns
        -------
        dict
            ``items``, ``per_set``, ``sets``; ``appearances`` (min, max, and whether every
            item is shown equally often), ``pairs`` (min, max, mean and standard deviation
            of the times two items are shown together, over all pairs, and ``even``:
            every pair within one of the others, as even as the arithmetic allows) and
            ``equal_possible`` (whether ``sets * per_set`` is a multiple of ``items``).
        """
        import numpy as np

        shown = self.appearances()
        pairs = self.pair_counts()[np.triu_indices(self.n_items, 1)]
        return {
            "items": self.n_items, "per_set": self.per_set, "sets": self.n_sets,
            "equal_possible": (self.n_sets * self.per_set) % self.n_items == 0,
            "appearances": {"min": int(shown.min()), "max": int(shown.max()),
                            "equal": bool(shown.min() == shown.max())},
            "pairs": {"min": int(pairs.min()) if pairs.size else 0,
                      "max": int(pairs.max()) if pairs.size else 0,
                      "mean": round(float(pairs.mean()), 4) if pairs.size else 0.0,
                      "sd": round(float(pairs.std()), 4) if pairs.size else 0.0,
                      "even": bool(pairs.size == 0 or pairs.max() - pairs.min() <= 1)},
        }


def maxdiff_design(n_items: int, per_set: int, n_sets: int, seed: int = 0) -> MaxDiffDesign:
    """A near-balanced incomplete block design for MaxDiff (see the module docstring).

    Parameters
    ----------
    n_items : int
        Items in the list (``>= 2``).
    per_set : int
        Items shown per set (``2 <= per_set <= n_items``).
    n_sets : int
        Number of sets (``>= 1``).
    seed : int
        The same seed gives the same design.

    Returns
    -------
    MaxDiffDesign
        Every item shown ``n_sets * per_set / n_items`` times, rounded down or up (exactly
        when that is whole).

    Raises
    ------
    ValueError
        Impossible sizes (the spec checks them first, with their location).

    Examples
    --------
    >>> design = maxdiff_design(8, 4, 6, seed=1)
    >>> design.sets.shape, design.appearances().tolist()
    ((6, 4), [3, 3, 3, 3, 3, 3, 3, 3])
    """
    import numpy as np

    if n_items < 2 or not 2 <= per_set <= n_items or n_sets < 1:
        raise ValueError(f"no MaxDiff design of {n_sets} set(s) of {per_set} out of "
                         f"{n_items} items")
    rng = np.random.default_rng([seed, n_items, per_set, n_sets])
    target = _least_pair_cost(n_items, per_set, n_sets)
    best, best_cost = None, np.inf
    for _ in range(_RESTARTS):
        sets = _improve_pairs(_greedy_sets(n_items, per_set, n_sets, rng), n_items, rng)
        design = MaxDiffDesign(sets, n_items)
        cost = _pair_cost(design.pair_counts())
        if cost < best_cost:
            best, best_cost = design, cost
        if cost <= target:
            break
    return best  # type: ignore[return-value]


@functools.lru_cache(maxsize=64)
def cached_design(n_items: int, per_set: int, n_sets: int, seed: int = 0) -> MaxDiffDesign:
    """:func:`maxdiff_design`, computed once per arguments (a spec's question asks for its
    design from every export, the codebook and scoring). Do not modify the result."""
    design = maxdiff_design(n_items, per_set, n_sets, seed)
    design.sets.flags.writeable = False
    return design


def _greedy_sets(n_items: int, per_set: int, n_sets: int,
                 rng: np.random.Generator) -> np.ndarray:
    import numpy as np

    shown = np.zeros(n_items, dtype=int)
    together = np.zeros((n_items, n_items), dtype=int)
    sets = np.empty((n_sets, per_set), dtype=int)
    for s in range(n_sets):
        chosen: list[int] = []
        available = np.ones(n_items, dtype=bool)
        for _ in range(per_set):
            # least shown first (keeps every item within one showing of the others), then
            # least often seen with the items already in this set, then at random
            pair_cost = together[chosen].sum(axis=0) if chosen else np.zeros(n_items)
            key = np.lexsort((rng.random(n_items), pair_cost, shown, ~available))
            item = int(key[0])
            chosen.append(item)
            available[item] = False
        for item in chosen:
            together[item, chosen] += 1
        shown[chosen] += 1
        sets[s] = rng.permutation(chosen)
    return sets


def _pair_cost(together: np.ndarray) -> int:
    """Sum of squared pair counts over the pairs (lowest when the counts are even)."""
    import numpy as np

    return int((np.triu(together, 1) ** 2).sum())


def _least_pair_cost(n_items: int, per_set: int, n_sets: int) -> int:
    """:func:`_pair_cost` of pair counts as even as the arithmetic allows."""
    pairs = n_items * (n_items - 1) // 2
    total = n_sets * per_set * (per_set - 1) // 2
    low, extra = divmod(total, pairs)
    return (pairs - extra) * low ** 2 + extra * (low + 1) ** 2


def _improve_pairs(sets: np.ndarray, n_items: int, rng: np.random.Generator,
                   tries: int = 3000) -> np.ndarray:
    """Swap items between two sets (which keeps every item's showings) whenever that
    lowers the sum of squared pair counts, i.e. makes pairs more even."""
    import numpy as np

    n_sets, per_set = sets.shape
    if n_sets < 2 or per_set == n_items:
        return sets
    sets = sets.copy()
    members = [set(row.tolist()) for row in sets]
    together = np.zeros((n_items, n_items), dtype=int)
    for row in sets:
        together[np.ix_(row, row)] += 1
    cost = _pair_cost(together)
    target = _least_pair_cost(n_items, per_set, n_sets)
    proposals = rng.integers(0, [n_sets, per_set, n_sets, per_set], size=(tries, 4))
    for s, i, t, j in proposals.tolist():
        if cost <= target:
            break
        a, b = int(sets[s, i]), int(sets[t, j])
        if s == t or a in members[t] or b in members[s]:
            continue
        # pair counts move from (a, x) to (b, x) for x in set s, and from (b, y) to (a, y)
        # for y in set t; an item in both sets keeps its pairs with a and b
        xs = [x for x in sets[s].tolist() if x != a]
        ys = [y for y in sets[t].tolist() if y != b]
        delta = sum(2 * (together[b, x] - together[a, x]) + 2 for x in xs)
        delta += sum(2 * (together[a, y] - together[b, y]) + 2 for y in ys)
        delta -= 4 * len(members[s] & members[t])
        if delta > 0:  # equal moves are taken too: they walk across plateaus
            continue
        for x in xs:
            together[a, x] -= 1
            together[x, a] -= 1
            together[b, x] += 1
            together[x, b] += 1
        for y in ys:
            together[b, y] -= 1
            together[y, b] -= 1
            together[a, y] += 1
            together[y, a] += 1
        cost += delta
        sets[s, i], sets[t, j] = b, a
        members[s].discard(a)
        members[s].add(b)
        members[t].discard(b)
        members[t].add(a)
    return sets


def _answer_positions(design: MaxDiffDesign, picks: np.ndarray) -> np.ndarray:
    """Item indices (``-1`` missing) -> position within each set (``-1`` when missing or
    not an item of that set)."""
    import numpy as np

    picks = np.asarray(picks)
    match = design.sets[None, :, :] == picks[:, :, None]
    return np.where(match.any(axis=2), match.argmax(axis=2), -1)


def maxdiff_counts(design: MaxDiffDesign, best: np.ndarray, worst: np.ndarray) -> np.ndarray:
    """Count scores: (times best - times worst) / times shown, per respondent and item.

    Parameters
    ----------
    design : MaxDiffDesign
    best, worst : ndarray of int, shape (n_respondents, n_sets)
        Item index picked as best / worst in each set; ``-1`` when the set is unanswered
        (a set counts as shown only when both picks are there).

    Returns
    -------
    ndarray of float, shape (n_respondents, n_items)
        In ``-1..1``; ``NaN`` for an item in no answered set of the respondent.

    Examples
    --------
    >>> import numpy as np
    >>> design = MaxDiffDesign(np.array([[0, 1, 2], [0, 1, 3]]), 4)
    >>> maxdiff_counts(design, np.array([[0, 0]]), np.array([[2, 1]])).round(2).tolist()
    [[1.0, -0.5, -1.0, 0.0]]
    """
    import numpy as np

    b = _answer_positions(design, best)
    w = _answer_positions(design, worst)
    answered = (b >= 0) & (w >= 0) & (b != w)
    incidence = design.incidence()  # (S, m, K)
    shown = np.einsum("ns,sk->nk", answered.astype(float), incidence.sum(axis=1))
    m = design.per_set
    best_onehot = (b[:, :, None] == np.arange(m)) & answered[:, :, None]
    worst_onehot = (w[:, :, None] == np.arange(m)) & answered[:, :, None]
    net = np.einsum("nsj,sjk->nk", best_onehot.astype(float) - worst_onehot, incidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(shown > 0, net / shown, np.nan)


def simulate_best_worst(design: MaxDiffDesign, utilities: np.ndarray,
                        rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Best and worst picks of respondents following the sequential best-worst logit.

    Parameters
    ----------
    design : MaxDiffDesign
    utilities : ndarray, shape (n_respondents, n_items)
    rng : numpy.random.Generator

    Returns
    -------
    best, worst : ndarray of int, shape (n_respondents, n_sets)
        Item indices.
    """
    import numpy as np

    shown = np.asarray(utilities, dtype=float)[:, design.sets]  # (n, S, m)
    best_pos = np.argmax(shown + rng.gumbel(size=shown.shape), axis=2)
    rest = shown - rng.gumbel(size=shown.shape)
    np.put_along_axis(rest, best_pos[:, :, None], np.inf, axis=2)
    worst_pos = np.argmin(rest, axis=2)
    sets = np.broadcast_to(design.sets, shown.shape)
    return (np.take_along_axis(sets, best_pos[:, :, None], 2)[:, :, 0],
            np.take_along_axis(sets, worst_pos[:, :, None], 2)[:, :, 0])


@dataclass(frozen=True)
class MaxDiffFit:
    """What :func:`maxdiff_utilities` returns.

    Attributes
    ----------
    utilities : ndarray, shape (n_respondents, n_items)
        Empirical-Bayes utilities, centred to mean 0 per respondent (``NaN`` rows for
        respondents who answered no set).
    mean : ndarray, shape (n_items,)
        Population mean utility (centred).
    sd : ndarray, shape (n_items,)
        Population standard deviation of each item's utility.
    iterations : int
        EM iterations run.
    converged : bool
    """

    utilities: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    iterations: int
    converged: bool


@dataclass(frozen=True)
class _Scatter:
    """Sums columns into target slots: ``apply(x)[:, t] = x[:, targets == t].sum(1)``
    (sorted once, then one ``add.reduceat``: no BLAS, whose threads only slow these small
    products down on a busy machine)."""

    order: np.ndarray
    starts: np.ndarray
    slots: np.ndarray
    size: int

    @classmethod
    def of(cls, targets: np.ndarray, size: int) -> _Scatter:
        import numpy as np

        order = np.argsort(targets, kind="stable")
        slots, starts = np.unique(targets[order], return_index=True)
        return cls(order, starts, slots, size)

    def apply(self, x: np.ndarray) -> np.ndarray:
        import numpy as np

        out = np.zeros((x.shape[0], self.size))
        out[:, self.slots] = np.add.reduceat(x[:, self.order], self.starts, axis=1)
        return out


def _log_posterior_terms(shown: np.ndarray, b_onehot: np.ndarray, w_onehot: np.ndarray,
                         answered: np.ndarray, scatter: _Scatter, pair_scatter: _Scatter
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log-likelihood, gradient and Hessian of the sequential best-worst logit per
    respondent, from the utilities of the shown items ``shown`` (n, S, m).

    ``scatter`` (S*m -> K) and ``pair_scatter`` (S*m*m -> K*K) add position terms onto
    items."""
    import numpy as np

    n = shown.shape[0]
    weight = answered[:, :, None].astype(float)
    top = shown.max(axis=2, keepdims=True)
    p = np.exp(shown - top)
    p_total = p.sum(axis=2, keepdims=True)
    p /= p_total
    neg = np.where(b_onehot, -np.inf, -shown)
    low = neg.max(axis=2, keepdims=True)
    q = np.exp(neg - low)
    q_total = q.sum(axis=2, keepdims=True)
    q /= q_total
    per_set = ((shown * b_onehot).sum(2) - top[:, :, 0] - np.log(p_total[:, :, 0])
               - (shown * w_onehot).sum(2) - low[:, :, 0] - np.log(q_total[:, :, 0]))
    loglik = (answered * per_set).sum(1)
    gradient = scatter.apply((weight * (b_onehot - p - w_onehot + q)).reshape(n, -1))
    p, q = p * weight, q * weight
    outer = p[:, :, :, None] * p[:, :, None, :] + q[:, :, :, None] * q[:, :, None, :]
    diagonal = scatter.apply((p + q).reshape(n, -1))
    k = scatter.size
    hessian = pair_scatter.apply(outer.reshape(n, -1)).reshape(n, k, k)
    hessian -= diagonal[:, :, None] * np.eye(k)
    return loglik, gradient, hessian


def maxdiff_utilities(design: MaxDiffDesign, best: np.ndarray, worst: np.ndarray, *,
                      max_iter: int = 20, tol: float = 1e-3) -> MaxDiffFit:
    """Empirical-Bayes individual utilities of the sequential best-worst logit.

    Each respondent's utilities are the posterior mode under the population prior
    ``N(mean, diag(sd^2))``; the prior's mean and variances are re-estimated from the
    posterior modes and their Laplace (inverse-Hessian) variances until they settle (EM).

    Parameters
    ----------
    design : MaxDiffDesign
    best, worst : ndarray of int, shape (n_respondents, n_sets)
        Item index picked as best / worst in each set; ``-1`` for an unanswered set.
    max_iter : int
        Maximum EM iterations. The variance of an item on which respondents hardly differ
        shrinks towards zero ever more slowly, which hardly moves the utilities (planted
        personas, 12 items in 9 sets of 4: mean Spearman correlation with the planted
        utilities 0.805 after 10 iterations, 0.801 after 30, 0.798 after 100), so the
        default stops at 20 and says whether the prior had settled (``converged``).
    tol : float
        Stop when the population mean and standard deviations move less than this.

    Returns
    -------
    MaxDiffFit
    """
    import numpy as np

    b = _answer_positions(design, best)
    w = _answer_positions(design, worst)
    answered = (b >= 0) & (w >= 0) & (b != w)
    m, k = design.per_set, design.n_items
    b_onehot = (b[:, :, None] == np.arange(m)) & answered[:, :, None]
    w_onehot = (w[:, :, None] == np.arange(m)) & answered[:, :, None]
    scatter = _Scatter.of(design.sets.ravel(), k)
    pair_scatter = _Scatter.of(
        (design.sets[:, :, None] * k + design.sets[:, None, :]).ravel(), k * k)
    n = len(b)
    any_answer = answered.any(axis=1)
    mean = np.zeros(k)
    var = np.ones(k)
    u = np.zeros((n, k))
    rows = any_answer if any_answer.any() else np.ones(n, dtype=bool)
    converged, iteration = False, 0
    for iteration in range(1, max_iter + 1):  # noqa: B007 - reported
        # generalised EM: one Newton step from the last modes per iteration, the
        # modes polished to convergence once the prior has settled
        u, covariance = _posterior_modes(u, mean, var, design, b_onehot, w_onehot, answered,
                                         scatter, pair_scatter, max_steps=1)
        new_mean = u[rows].mean(axis=0)
        new_mean -= new_mean.mean()
        spread = (u[rows] - new_mean) ** 2 + np.diagonal(covariance, axis1=1, axis2=2)[rows]
        new_var = np.maximum(spread.mean(axis=0), 1e-4)
        change = max(np.abs(new_mean - mean).max(),
                     np.abs(np.sqrt(new_var) - np.sqrt(var)).max())
        mean, var = new_mean, new_var
        if change < tol:
            converged = True
            break
    u, _ = _posterior_modes(u, mean, var, design, b_onehot, w_onehot, answered, scatter,
                            pair_scatter)
    centred = u - u.mean(axis=1, keepdims=True)
    centred[~any_answer] = np.nan
    return MaxDiffFit(centred, mean, np.sqrt(var), iteration, converged)


def _posterior_modes(u: np.ndarray, mean: np.ndarray, var: np.ndarray, design: MaxDiffDesign,
                     b_onehot: np.ndarray, w_onehot: np.ndarray, answered: np.ndarray,
                     scatter: _Scatter, pair_scatter: _Scatter, max_steps: int = 50,
                     tol: float = 1e-6
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Newton's method on every respondent's (concave) log posterior at once; returns the
    modes and the posterior covariances (inverse negative Hessians)."""
    import numpy as np

    precision = np.diag(1.0 / var)

    def objective(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        loglik, grad, hess = _log_posterior_terms(values[:, design.sets], b_onehot,
                                                  w_onehot, answered, scatter,
                                                  pair_scatter)
        deviation = values - mean
        return (loglik - 0.5 * (deviation ** 2 / var).sum(1), grad - deviation / var,
                hess - precision)

    value, grad, hess = objective(u)
    for _ in range(max_steps):
        step = np.linalg.solve(-hess, grad[:, :, None])[:, :, 0]
        trial = u + step
        trial_value, trial_grad, trial_hess = objective(trial)
        # step halving where a full step does not ascend (rare: the posterior is concave)
        scale = np.ones(len(u))
        for _ in range(30):
            worse = trial_value < value - 1e-10
            if not worse.any():
                break
            scale = np.where(worse, scale / 2, scale)
            trial = u + scale[:, None] * step
            trial_value, trial_grad, trial_hess = objective(trial)
        u, value, grad, hess = trial, trial_value, trial_grad, trial_hess
        if np.abs(scale[:, None] * step).max() < tol:
            break
    return u, np.linalg.inv(-hess)
