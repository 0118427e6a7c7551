"""Choosing the number of segments with evidence: internal indices and stability."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.utils.validation import check_is_fitted

from survey_builder.errors import UserError

from ._kprototypes import KPrototypes
from ._restarts import RestartsDisagreeWarning

__all__ = ["KSelection", "pairwise_kprototypes_distances", "select_k"]

MIN_STABILITY = 0.75
MIN_SHARE = 0.05


class KSelection(pd.DataFrame):
    """Evidence for each candidate number of segments (a DataFrame indexed by ``k``).

    Columns: ``cost``, ``silhouette`` (higher is better), ``mcclain_rao`` (lower
    is better), ``dunn`` (higher is better), ``stability`` (mean adjusted Rand
    index between the fit on all data and fits on bootstrap resamples; 1 means
    the same segments every time), ``smallest_share`` and ``eligible``.

    Attributes
    ----------
    recommended_k : int
        The suggested number of segments.
    rule : str
        The rule that produced ``recommended_k``, in words.
    models : dict of int to KPrototypes
        The model fitted on all data for each k.
    """

    _metadata: ClassVar[list[str]] = ["recommended_k", "rule", "models"]

    @property
    def _constructor(self) -> type[KSelection]:
        return KSelection

    @property
    def recommended_model(self) -> KPrototypes:
        """The fitted model for ``recommended_k``."""
        return self.models[self.recommended_k]


def pairwise_kprototypes_distances(model: KPrototypes, X: Any) -> np.ndarray:
    """All pairwise k-prototypes distances between the rows of ``X``.

    Pairs are compared on the features observed in both rows and rescaled to the
    full feature weight, as in the assignment step (see
    :meth:`KPrototypesDistance.pairwise`).

    Parameters
    ----------
    model : KPrototypes
        A fitted model: its encoding, weights and ``gamma_`` define the distance.
    X : DataFrame or array-like of shape (n_samples, n_features)
        Rows with the model's columns.

    Returns
    -------
    distances : ndarray of shape (n_samples, n_samples)
    """
    check_is_fitted(model, "distance_")
    return model.distance_.pairwise(model.encoder_.transform(X, warn_unseen=False))


def _internal_indices(dist: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Silhouette, McClain-Rao and Dunn indices from a precomputed distance matrix."""
    present = np.unique(labels)
    if present.size < 2 or present.size >= labels.size:
        return {"silhouette": np.nan, "mcclain_rao": np.nan, "dunn": np.nan}
    silhouette = float(silhouette_score(dist, labels, metric="precomputed"))
    same = labels[:, None] == labels[None, :]
    upper = np.triu(np.ones_like(same, dtype=bool), k=1)
    within = dist[same & upper]
    between = dist[~same & upper]
    mcclain = float(within.mean() / between.mean()) if within.size and between.mean() > 0 \
        else np.nan
    # Dunn: smallest between-segment distance over the largest segment diameter
    diameter = max(float(dist[np.ix_(labels == a, labels == a)].max()) for a in present)
    dunn = float(between.min() / diameter) if diameter > 0 else np.nan
    return {"silhouette": silhouette, "mcclain_rao": mcclain, "dunn": dunn}


def select_k(
    data: Any,
    k: Iterable[int] = range(2, 11),
    *,
    categorical: Any = "auto",
    gamma: Any = "auto",
    n_init: int = 5,
    sample_size: int = 2000,
    n_bootstrap: int = 10,
    min_stability: float = MIN_STABILITY,
    min_share: float = MIN_SHARE,
    random_state: Any = None,
    n_jobs: int | None = None,
    verbose: bool = False,
    progress: Callable[[int, int], None] | None = None,
    **params: Any,
) -> KSelection:
    """Fit k-prototypes for each candidate ``k`` and collect the evidence to choose one.

    Parameters
    ----------
    data : DataFrame or array-like
        Mixed data, as for :meth:`KPrototypes.fit`.
    k : iterable of int, default=range(2, 11)
        Candidate numbers of segments.
    categorical, gamma : see :class:`KPrototypes`
        ``gamma="auto"`` is estimated once and shared by every k so costs compare.
    n_init : int, default=5
        Restarts per fit.
    sample_size : int, default=2000
        Rows (drawn at random) on which the distance-based indices are computed;
        the pairwise distances cost ``sample_size**2`` memory.
    n_bootstrap : int, default=10
        Bootstrap refits per k for the stability score (0 to skip).
    min_stability, min_share : float
        Thresholds of the recommendation rule (see Returns).
    random_state : int or None
        Seed; the same seed gives the same table.
    n_jobs : int, optional
        Parallel restarts inside each fit.
    verbose : bool
        Print one line per k to stderr.
    progress : callable, optional
        Called as ``progress(done, total)`` after each k (for progress bars).
    **params
        Other :class:`KPrototypes` parameters (``weights``, ``scale``, ...).

    Returns
    -------
    KSelection
        A DataFrame indexed by k. ``recommended_k`` is the k with the highest
        silhouette among those whose segments are stable (mean bootstrap ARI >=
        ``min_stability``) and actionable (smallest segment >= ``min_share`` of
        the rows); if no k qualifies, the most stable k. ``rule`` says which.
    """
    ks = sorted({int(v) for v in k})
    if not ks or ks[0] < 2:
        raise UserError("select_k needs candidate values of k that are all >= 2")
    rng = np.random.default_rng(random_state)
    base = KPrototypes(n_clusters=ks[0], categorical=categorical, gamma=gamma, n_init=n_init,
                       random_state=int(rng.integers(2**31 - 1)), n_jobs=n_jobs, **params)
    probe = base.fit(data)
    n = probe.labels_.shape[0]
    shared_gamma = probe.gamma_
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(np.asarray(data))
    sample_rows = np.sort(rng.choice(n, size=min(n, sample_size), replace=False))
    sample_frame = frame.iloc[sample_rows]
    dist = pairwise_kprototypes_distances(probe, sample_frame)

    rows = []
    models: dict[int, KPrototypes] = {}
    for done, n_clusters in enumerate(ks, start=1):
        model = KPrototypes(n_clusters=n_clusters, categorical=categorical, gamma=shared_gamma,
                            n_init=n_init, random_state=int(rng.integers(2**31 - 1)),
                            n_jobs=n_jobs, **params).fit(data)
        models[n_clusters] = model
        sample_labels = model.labels_[sample_rows]
        indices = _internal_indices(dist, sample_labels)
        stability = _stability(model, frame, n_bootstrap, rng) if n_bootstrap else np.nan
        shares = np.bincount(model.labels_, minlength=n_clusters) / n
        rows.append({"k": n_clusters, "cost": model.cost_, **indices, "stability": stability,
                     "smallest_share": float(shares.min())})
        if verbose:
            print(f"k={n_clusters:2d}  cost={model.cost_:.6g}  "
                  f"silhouette={indices['silhouette']:.3f}  stability={stability:.3f}",
                  file=sys.stderr)
        if progress is not None:
            progress(done, len(ks))

    table = KSelection(pd.DataFrame(rows).set_index("k"))
    stable = table["stability"].fillna(1.0) >= min_stability
    actionable = table["smallest_share"] >= min_share
    table["eligible"] = stable & actionable
    if table["eligible"].any():
        best = int(table.loc[table["eligible"], "silhouette"].idxmax())
        rule = (f"highest silhouette among k with stability >= {min_stability:g} "
                f"and every segment >= {min_share:.0%} of respondents")
        if not n_bootstrap:
            rule = (f"highest silhouette among k with every segment >= {min_share:.0%} of "
                    "respondents (stability not computed: n_bootstrap=0)")
    elif not n_bootstrap or table["stability"].isna().all():
        best = int(table["silhouette"].idxmax())
        rule = (f"no k had every segment >= {min_share:.0%} of respondents and stability "
                "was not computed; chose the highest silhouette")
    else:
        best = int(table["stability"].fillna(0).idxmax())
        rule = (f"no k met stability >= {min_stability:g} with every segment >= "
                f"{min_share:.0%}; chose the most stable k")
    table.recommended_k = best
    table.rule = rule
    table.models = models
    return table


def _stability(model: KPrototypes, frame: pd.DataFrame, n_bootstrap: int,
               rng: np.random.Generator, max_rows: int = 20000) -> float:
    """Mean ARI between ``model`` and refits on bootstrap resamples, on shared rows."""
    n = frame.shape[0]
    eval_rows = np.arange(n) if n <= max_rows else np.sort(rng.choice(n, max_rows, replace=False))
    reference = model.labels_[eval_rows]
    eval_frame = frame.iloc[eval_rows]
    params = model.get_params()
    # the resolved kinds: "auto" on the resampled frame could differ from an array fit
    params.update(gamma=model.gamma_, n_init=max(1, min(3, params["n_init"])), n_jobs=None,
                  verbose=False, categorical=list(model.categorical_features_))
    scores = []
    for _ in range(n_bootstrap):
        boot = rng.choice(n, size=min(n, max_rows), replace=True)
        params["random_state"] = int(rng.integers(2**31 - 1))
        try:
            with warnings.catch_warnings():
                # the bootstrap refits use few restarts on purpose: their disagreement is
                # what stability measures, not something the analyst should act on
                warnings.simplefilter("ignore", RestartsDisagreeWarning)
                refit = KPrototypes(**params).fit(frame.iloc[boot])
        except ValueError:
            continue  # a degenerate resample (too few distinct rows)
        # warn_unseen=False: a resample can miss a rare level of the evaluated rows
        encoded = refit.encoder_.transform(eval_frame, warn_unseen=False)
        scores.append(adjusted_rand_score(
            reference, refit.distance_.nearest(encoded, refit.prototypes_)[0]))
    return float(np.mean(scores)) if scores else np.nan
