"""Batch k-prototypes (Lloyd) iterations and the re-seeding of empty clusters.

Both the estimator (full fits) and the k-prototypes++ seeding (refinement on a
sample) run these, so they live below both in the import graph.
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

import numpy as np

from ._bounds import BoundedAssignment
from ._kernels import PreparedData, Prototypes, SufficientStats

#: Whether :func:`run_to_optimum` uses bounded passes (a switch for the benchmarks,
#: which measure it against full passes).
BOUNDED_LATE_PASSES = True


class LloydRun(NamedTuple):
    """Where a run of batch passes stopped."""

    prototypes: Prototypes
    labels: np.ndarray
    cost: float
    n_iter: int
    cost_history: list[float]
    at_optimum: bool  # no row moved (or the cost stopped falling): a local optimum


class PassOutcome(NamedTuple):
    """What one assignment pass says about a run (see :func:`judge_pass`)."""

    at_optimum: bool  # no row moved, or the cost stopped falling
    converged: bool  # at the optimum, or the cost fell by at most tol x the cost
    empty: np.ndarray  # clusters that received no weight


def judge_pass(stats: SufficientStats, previous_cost: float, tol: float) -> PassOutcome:
    """The stopping rule of a batch pass, shared by in-memory and distributed runs.

    ``previous_cost`` is the cost of the pass before (``inf`` on the first pass).
    """
    first = not np.isfinite(previous_cost)
    improvement = previous_cost - stats.cost
    at_optimum = stats.n_changed == 0 or (not first and improvement <= 0)
    converged = at_optimum or (not first and improvement <= tol * previous_cost)
    return PassOutcome(bool(at_optimum), bool(converged), np.flatnonzero(stats.weight <= 0))


def lloyd(prepared: PreparedData, prototypes: Prototypes, max_iter: int, tol: float,
          verbose: Any, run_index: int, n_runs: int, *, labels: np.ndarray | None = None,
          bounded: bool = False) -> LloydRun:
    """Batch k-prototypes iterations from ``prototypes`` until labels stop changing.

    Parameters
    ----------
    prepared : PreparedData
        The rows, laid out for their distance.
    prototypes : Prototypes
        Starting prototypes.
    max_iter : int
        Most assignment passes.
    tol : float
        Also stop when a pass lowers the cost by at most ``tol`` times the cost (then
        rows may still move: ``at_optimum`` is False). With 0, stop only when no row
        changes segment or the cost stops falling, or after ``max_iter`` passes.
    verbose : bool or int
        Print one line per pass to stderr.
    run_index, n_runs : int
        Which restart this is (for the verbose output).
    labels : ndarray of int32, optional
        Labels of a run being continued (moves are counted against them); updated
        in place.
    bounded : bool, default=False
        Recompute only the rows whose bounds do not settle them
        (:class:`BoundedAssignment`): for runs in which few rows still move.

    Returns
    -------
    LloydRun
    """
    n = prepared.n
    labels = np.full(n, -1, dtype=np.int32) if labels is None else labels
    nearest = np.empty(n)
    history: list[float] = []
    n_iter = 0
    previous_cost = np.inf
    at_optimum = False
    passes = BoundedAssignment(prepared, labels) if bounded else None
    for n_iter in range(1, max_iter + 1):
        if passes is None:
            stats = prepared.assign(prototypes, labels, nearest)
        else:
            stats, prototypes = passes.assign(prototypes)
        history.append(stats.cost)
        if verbose:
            print(f"run {run_index + 1}/{n_runs}  pass {n_iter:3d}  cost {stats.cost:.6g}  "
                  f"moved {stats.n_changed}", file=sys.stderr)
        at_optimum, converged, empty = judge_pass(stats, previous_cost, tol)
        # an empty cluster is not converged while a row is left to re-seed it with
        if (converged and not empty.size) or n_iter == max_iter:
            break
        previous_cost = stats.cost
        updated = prepared.update_centers(stats, prototypes)
        if empty.size:
            updated, n_reseeded = reseed_empty(prepared, updated, empty)
            if converged and n_reseeded == 0:
                break  # fewer distinct rows than clusters: keep the final assignment
        prototypes = updated
    return LloydRun(prototypes, labels, history[-1], n_iter, history, at_optimum)


def one_blas_thread() -> Any:
    """A context in which BLAS uses one thread, for a fit's passes.

    The passes' matrix products are small (rows x features x k): BLAS threads
    only add synchronisation there (2-3x slower on a busy 2-core machine here),
    and with one thread the last bits of every distance no longer depend on the
    number of cores. scikit-learn's KMeans limits BLAS the same way.
    """
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency

    return threadpool_limits(limits=1, user_api="blas")


def run_to_optimum(prepared: PreparedData, run: LloydRun, max_iter: int, verbose: Any,
                   run_index: int, n_runs: int) -> LloydRun:
    """Continue a run that stopped on ``tol`` until no row moves (``max_iter`` passes in all).

    With a positive ``tol`` the restarts are compared where it stopped them; the
    cheapest then pay for the last passes, so the fitted model is always at a
    local optimum (its prototypes are the means and modes of its segments). Few
    rows move in those passes, so they recompute only the rows their bounds do not
    settle (:class:`BoundedAssignment`) and end with one full pass.
    """
    if run.at_optimum or run.n_iter >= max_iter:
        return run
    k = run.prototypes.n_clusters
    start = prepared.update_centers(prepared.stats_for_labels(run.labels, k), run.prototypes)
    more = lloyd(prepared, start, max_iter - run.n_iter, 0.0, verbose, run_index, n_runs,
                 labels=run.labels.copy(), bounded=BOUNDED_LATE_PASSES)
    return more._replace(n_iter=run.n_iter + more.n_iter,
                         cost_history=run.cost_history + more.cost_history)


def reseed_empty(prepared: PreparedData, prototypes: Prototypes, empty: np.ndarray
                 ) -> tuple[Prototypes, int]:
    """Move the empty clusters onto rows far from every prototype (farthest-first).

    Each new prototype is the row farthest from all prototypes so far, including
    the ones just re-seeded, so two re-seeded clusters never land on identical
    rows and each gets at least its own row in the next pass. Rows that already
    sit on a prototype are never used. Returns the prototypes and how many clusters
    were re-seeded (fewer than ``empty.size`` when no such row is left).
    """
    distance = prepared.distance
    prototypes = prototypes.copy()
    keep = np.setdiff1d(np.arange(prototypes.n_clusters), empty)
    closest = distance.nearest(prepared, Prototypes(prototypes.numeric[keep],
                                                    prototypes.categorical[keep]))[1]
    closest *= prepared.update_weight > 0
    n_reseeded = 0
    for cluster in empty:
        row = int(np.argmax(closest))
        if closest[row] <= 0:
            break
        replacement = prepared.row_as_center(np.array([row]))
        prototypes.numeric[cluster] = replacement.numeric[0]
        prototypes.categorical[cluster] = replacement.categorical[0]
        np.minimum(closest, distance.nearest(prepared, replacement)[1], out=closest)
        n_reseeded += 1
    return prototypes, n_reseeded
