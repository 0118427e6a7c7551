"""Soft membership: how clearly each row belongs to its segment.

From the distances of rows to the ``k`` prototypes this module derives, for every
row, the nearest and second-nearest segment, the margin between them, the relative
margin (``confidence``) and membership probabilities. It is the one implementation
of these rules: the estimator (``KPrototypes.membership`` / ``predict_proba``), the
``assign`` command and the tracking study all use it.

Probabilities
-------------
k-prototypes is the classification-EM form of a mixture of equal-sized components
whose log-density falls linearly with the k-prototypes distance (for the numeric
part: spherical Gaussians of one shared variance, Celeux & Govaert 1992). The
posterior of segment ``j`` for a row with distances ``d_1..d_k`` is then::

    p_j = exp(-d_j / T) / sum_l exp(-d_l / T),   T = 2 * mean_distance / total_weight

where ``mean_distance`` is the training cost per row (the maximum-likelihood
within-segment variance times the number of dimensions) and ``total_weight`` the sum
of the feature weights (the number of dimensions when every weight is 1). Categorical
mismatches enter on the same scale through ``gamma``. ``T = 0`` (every training row on
its prototype) gives hard 0/1 memberships. On planted mixed data the mean top
probability matches the share of rows put in their planted segment to within 0.03
(``tests/segmentation/test_membership.py``); the relative-margin ``confidence`` is
a ranking, not a probability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Membership", "membership_from_distances", "membership_probabilities",
           "membership_temperature"]


@dataclass(frozen=True)
class Membership:
    """Each row's segment, its runner-up and how clearly the row belongs.

    Attributes
    ----------
    segment : ndarray of shape (n_samples,), int64
        Nearest prototype (what ``predict`` returns).
    second_segment : ndarray of shape (n_samples,), int64
        Second-nearest prototype; -1 when there is a single segment.
    distance : ndarray of shape (n_samples,)
        Distance ``d1`` to the nearest prototype.
    second_distance : ndarray of shape (n_samples,)
        Distance ``d2`` to the second-nearest prototype (``inf`` for a single segment).
    margin : ndarray of shape (n_samples,)
        ``d2 - d1`` (``inf`` for a single segment).
    confidence : ndarray of shape (n_samples,)
        Relative margin ``(d2 - d1) / d2``: 0 for a row exactly between two segments,
        1 for a row on its prototype; 1 with a single segment, 0 when ``d1 = d2 = 0``.
    probability : ndarray of shape (n_samples,)
        Membership probability of ``segment`` (the row maximum of
        :func:`membership_probabilities`).
    """

    segment: np.ndarray
    second_segment: np.ndarray
    distance: np.ndarray
    second_distance: np.ndarray
    margin: np.ndarray
    confidence: np.ndarray
    probability: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """The membership as a table, one row per input row."""
        return pd.DataFrame({"segment": self.segment, "second_segment": self.second_segment,
                             "distance": self.distance, "second_distance": self.second_distance,
                             "margin": self.margin, "confidence": self.confidence,
                             "probability": self.probability})


def membership_temperature(mean_distance: float, total_weight: float) -> float:
    """The softmax temperature ``T = 2 * mean_distance / total_weight`` (see the module).

    Parameters
    ----------
    mean_distance : float
        Training cost per row.
    total_weight : float
        Sum of the feature weights.
    """
    if not (np.isfinite(mean_distance) and mean_distance > 0 and total_weight > 0):
        return 0.0
    return 2.0 * float(mean_distance) / float(total_weight)


def membership_probabilities(distances: np.ndarray, temperature: float) -> np.ndarray:
    """Membership probabilities from row-to-prototype distances.

    Parameters
    ----------
    distances : ndarray of shape (n_samples, n_clusters)
        k-prototypes distances (``KPrototypes.transform``).
    temperature : float
        Softmax temperature (:func:`membership_temperature`); 0 gives hard 0/1
        memberships, ties shared equally.

    Returns
    -------
    probabilities : ndarray of shape (n_samples, n_clusters)
        Rows sum to 1; the row maximum is at the nearest prototype.
    """
    distances = np.asarray(distances, dtype=np.float64)
    excess = distances - distances.min(axis=1, keepdims=True)
    if temperature > 0:
        weights = np.exp(-excess / temperature)
    else:
        weights = (excess == 0).astype(np.float64)
    return weights / weights.sum(axis=1, keepdims=True)


def membership_from_distances(distances: np.ndarray, temperature: float = 0.0) -> Membership:
    """Nearest and second-nearest segment, margin, confidence and probability per row.

    Parameters
    ----------
    distances : ndarray of shape (n_samples, n_clusters)
        k-prototypes distances (``KPrototypes.transform``).
    temperature : float, default=0.0
        Softmax temperature of the probabilities (:func:`membership_temperature`).

    Returns
    -------
    Membership
    """
    distances = np.asarray(distances, dtype=np.float64)
    n, k = distances.shape
    segment = np.argmin(distances, axis=1)
    nearest = np.take_along_axis(distances, segment[:, None], axis=1)[:, 0]
    probability = np.take_along_axis(membership_probabilities(distances, temperature),
                                     segment[:, None], axis=1)[:, 0]
    if k < 2:
        infinite = np.full(n, np.inf)
        return Membership(segment.astype(np.int64), np.full(n, -1, dtype=np.int64), nearest,
                          infinite, infinite, np.ones(n), probability)
    masked = distances.copy()
    masked[np.arange(n), segment] = np.inf
    second_segment = np.argmin(masked, axis=1)
    second = masked[np.arange(n), second_segment]
    with np.errstate(divide="ignore", invalid="ignore"):
        confidence = np.where(second > 0, (second - nearest) / second, 0.0)
    return Membership(segment.astype(np.int64), second_segment.astype(np.int64), nearest,
                      second, second - nearest, np.clip(confidence, 0.0, 1.0), probability)
