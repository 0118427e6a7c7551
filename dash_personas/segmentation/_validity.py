"""Cluster validity indices for choosing k: pairwise, likelihood and resampling evidence.

Every function here takes labels (and distances or encoded rows) that are already
computed, so :func:`~dash_personas.segmentation.select_k` can fit each candidate k
once and score it with all of them.

* Pairwise indices (clustMixType's ``validation_kproto`` list): silhouette, C-index,
  McClain-Rao, Dunn, point-biserial, Baker-Hubert gamma, G+ and tau, from the
  k-prototypes distances of a sample of rows.
* :func:`classification_bic` (defined with the latent-class model in
  ``_latent_class``): the Bayesian information criterion of the latent-class model
  (diagonal Gaussian numerics, multinomial categoricals) evaluated at the hard
  partition, i.e. the BIC form of Biernacki, Celeux & Govaert's (2000) integrated
  completed likelihood.
* :func:`segment_jaccard` (Hennig's ``clusterboot``) and :func:`prediction_strength`
  (Tibshirani & Walther 2005): how well each segment is found again on other samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import squareform

from ._latent_class import classification_bic

__all__ = [
    "HIGHER_IS_BETTER",
    "PairwiseDistances",
    "classification_bic",
    "pairwise_indices",
    "prediction_strength",
    "segment_jaccard",
]

#: Direction of each index: ``True`` when a higher value means a better partition
#: (clustMixType's ``validation_kproto`` choices).
HIGHER_IS_BETTER = {
    "silhouette": True,
    "cindex": False,
    "mcclain_rao": False,
    "dunn": True,
    "ptbiserial": True,
    "gamma_index": True,
    "g_plus": False,
    "tau": True,
    "bic": False,
    "partition_bic": False,
    "stability": True,
    "min_jaccard": True,
    "prediction_strength": True,
}


@dataclass
class PairwiseDistances:
    """The distances between the rows of a sample, laid out once for every k.

    Parameters
    ----------
    square : ndarray of shape (n, n)
        Symmetric distances, zero on the diagonal.
    """

    square: np.ndarray

    def __post_init__(self) -> None:
        n = self.square.shape[0]
        condensed = squareform(self.square, checks=False)
        order = np.argsort(condensed)
        self.sorted = condensed[order]
        # the two rows of each pair, in the order of the sorted distances
        first, second = np.triu_indices(n, k=1)
        self.first = first[order].astype(np.int32)
        self.second = second[order].astype(np.int32)
        # tie groups of the sorted distances (categorical distances tie often)
        self.group_starts = np.flatnonzero(np.r_[True, self.sorted[1:] != self.sorted[:-1]])
        self.cumsum = np.cumsum(self.sorted)
        self.total_sd = float(np.std(self.sorted, ddof=1)) if self.sorted.size > 1 else 0.0

    @property
    def n_samples(self) -> int:
        return int(self.square.shape[0])


def pairwise_indices(distances: PairwiseDistances, labels: np.ndarray) -> dict[str, float]:
    """Distance-based validity indices of one partition of the sampled rows.

    Definitions follow clustMixType's ``validation_kproto`` (pairs counted once;
    ``s+``/``s-`` count (within, between) pairs of pairs where the within distance
    is smaller/larger, ties in neither):

    * ``silhouette``: mean over rows of ``(b - a) / max(a, b)`` (Rousseeuw 1987).
    * ``cindex``: ``(S_w - S_min) / (S_max - S_min)`` with ``S_w`` the sum of the
      ``N_w`` within distances and ``S_min``/``S_max`` the sums of the ``N_w``
      smallest/largest distances (Hubert & Levin 1976). Lower is better.
    * ``mcclain_rao``: mean within over mean between distance. Lower is better.
    * ``dunn``: smallest between distance over the largest segment diameter.
    * ``ptbiserial``: ``(mean_b - mean_w) * sqrt(N_w N_b / N_t^2) / sd`` (Milligan 1981).
    * ``gamma_index``: ``(s+ - s-) / (s+ + s-)`` (Baker & Hubert 1975).
    * ``g_plus``: ``2 s- / (N_t (N_t - 1))``. Lower is better.
    * ``tau``: ``(s+ - s-) / sqrt((N_t (N_t - 1) / 2 - t) N_t (N_t - 1) / 2)`` with
      ``t`` the pairs of pairs that are both within or both between (Rohlf 1974).

    Parameters
    ----------
    distances : PairwiseDistances
        Distances between the sampled rows.
    labels : ndarray of shape (n,)
        Segment of each sampled row.

    Returns
    -------
    dict of str to float
        NaN for every index when the sample holds fewer than two segments.
    """
    labels = np.asarray(labels)
    names = ("silhouette", "cindex", "mcclain_rao", "dunn", "ptbiserial", "gamma_index",
             "g_plus", "tau")
    present, codes = np.unique(labels, return_inverse=True)
    n = labels.size
    if present.size < 2 or present.size >= n:
        return dict.fromkeys(names, np.nan)
    within = codes[distances.first] == codes[distances.second]
    n_t = within.size
    n_w = int(within.sum())
    n_b = n_t - n_w
    values = distances.sorted
    sum_w = float(values @ within)
    sum_all = float(distances.cumsum[-1])
    sum_b = sum_all - sum_w
    mean_w = sum_w / n_w if n_w else np.nan
    mean_b = sum_b / n_b if n_b else np.nan

    s_min = float(distances.cumsum[n_w - 1]) if n_w else 0.0
    s_max = sum_all - (float(distances.cumsum[n_t - n_w - 1]) if n_t > n_w else 0.0)
    cindex = (sum_w - s_min) / (s_max - s_min) if s_max > s_min else np.nan

    # s+ / s-: for each tie group, within pairs times between pairs strictly beyond it
    starts = distances.group_starts
    w_count = np.add.reduceat(within, starts, dtype=np.int64).astype(np.float64)
    b_count = np.diff(np.r_[starts, n_t]) - w_count
    b_before = np.cumsum(b_count) - b_count
    s_minus = float(w_count @ b_before)
    s_plus = float(w_count @ (n_b - b_before - b_count))
    concordance = s_plus + s_minus
    pairs_of_pairs = n_t * (n_t - 1) / 2
    ties = n_w * (n_w - 1) / 2 + n_b * (n_b - 1) / 2
    tau_denominator = np.sqrt(max(pairs_of_pairs - ties, 0.0) * pairs_of_pairs)

    # the distances are sorted: the first between pair is the closest, the last within
    # pair the largest diameter
    closest_between = float(values[np.argmin(within)]) if n_b else np.nan
    diameter = float(values[n_t - 1 - np.argmax(within[::-1])]) if n_w else 0.0
    return {
        "silhouette": _silhouette(distances.square, codes, present.size),
        "cindex": cindex,
        "mcclain_rao": mean_w / mean_b if n_w and mean_b > 0 else np.nan,
        "dunn": closest_between / diameter if diameter > 0 else np.nan,
        "ptbiserial": ((mean_b - mean_w) * np.sqrt(n_w * n_b / n_t**2) / distances.total_sd
                       if distances.total_sd > 0 and n_w else np.nan),
        "gamma_index": (s_plus - s_minus) / concordance if concordance else np.nan,
        "g_plus": 2.0 * s_minus / (n_t * (n_t - 1)) if n_t > 1 else np.nan,
        "tau": (s_plus - s_minus) / tau_denominator if tau_denominator > 0 else np.nan,
    }


def _silhouette(square: np.ndarray, codes: np.ndarray, k: int) -> float:
    """Mean silhouette width; rows alone in their segment score 0 (as scikit-learn)."""
    n = codes.size
    onehot = np.zeros((n, k))
    onehot[np.arange(n), codes] = 1.0
    sums = square @ onehot
    sizes = onehot.sum(axis=0)
    own = sizes[codes] - 1
    a = np.where(own > 0, sums[np.arange(n), codes] / np.maximum(own, 1), 0.0)
    means = sums / np.maximum(sizes, 1)
    means[np.arange(n), codes] = np.inf
    b = means.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(own > 0, (b - a) / np.maximum(a, b), 0.0)
    return float(np.nan_to_num(s).mean())


def segment_jaccard(reference: np.ndarray, other: np.ndarray, k: int,
                    weight: np.ndarray | None = None) -> np.ndarray:
    """For each reference segment, its best Jaccard similarity with a segment of ``other``.

    ``|C ∩ D| / |C ∪ D|`` over the same rows labelled twice, maximised over the
    segments ``D`` of the other partition, as in Hennig's (2007) ``clusterboot``
    (there a segment whose mean Jaccard over resamples is below 0.6 is unstable,
    from 0.75 stable). Rows count with their weight.

    Parameters
    ----------
    reference, other : ndarray of int of shape (n,)
        Two labellings of the same rows; ``reference`` in ``0..k-1``.
    k : int
        Segments of ``reference``.
    weight : ndarray, optional
        Row weights.

    Returns
    -------
    ndarray of shape (k,)
        NaN for a reference segment with no rows here.
    """
    k_other = int(other.max()) + 1 if other.size else 1
    table = np.bincount(reference * k_other + other, weights=weight,
                        minlength=k * k_other).reshape(k, k_other)
    size_ref = table.sum(axis=1)
    size_other = table.sum(axis=0)
    union = size_ref[:, None] + size_other[None, :] - table
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(union > 0, table / union, 0.0).max(axis=1)
    return np.where(size_ref > 0, jaccard, np.nan)


def prediction_strength(test_labels: np.ndarray, predicted: np.ndarray,
                        weight: np.ndarray | None = None) -> float:
    """Tibshirani & Walther's (2005) prediction strength of one split.

    For each segment found on the test half, the share of its pairs of rows that the
    prototypes fitted on the training half also put in one segment; the prediction
    strength is the smallest share over the test segments (a segment with one row
    is left out). Weights count as repeated rows: a segment of total weight ``W``
    has ``W (W - 1)`` ordered pairs.

    Parameters
    ----------
    test_labels : ndarray of int of shape (n,)
        Segments of a fit on the test rows.
    predicted : ndarray of int of shape (n,)
        The training fit's segments for the same rows.
    weight : ndarray, optional
        Row weights.

    Returns
    -------
    float
    """
    k_test = int(test_labels.max()) + 1
    k_pred = int(predicted.max()) + 1
    w = np.ones(test_labels.size) if weight is None else weight
    table = np.bincount(test_labels * k_pred + predicted, weights=w,
                        minlength=k_test * k_pred).reshape(k_test, k_pred)
    together = (table * (table - 1)).sum(axis=1)
    size = table.sum(axis=1)
    pairs = size * (size - 1)
    usable = pairs > 0
    if not usable.any():
        return np.nan
    return float(np.min(together[usable] / pairs[usable]))
