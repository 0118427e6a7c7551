"""The latent-class model of mixed data, evaluated at and refined from a partition.

The model behind a latent-class (StepMix, poLCA, Latent GOLD) analysis of mixed data:
in each segment the numeric features are independent Gaussians with their own mean
and variance and each categorical feature is a multinomial. :func:`select_k` scores
each candidate k by this model's BIC; the k-prototypes partition is its starting
point, and classification EM (Celeux & Govaert 1992) moves it to the partition that
maximises the model's classification likelihood, so the BIC compares k on the
model's own terms rather than on where the k-prototypes restarts stopped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ._encoding import EncodedData

__all__ = ["LatentClassModel", "classification_bic", "classification_em"]

_TINY = np.finfo(np.float64).tiny
#: A level a segment never shows gets this log-probability instead of -inf, so the
#: sparse products stay finite (0 * -inf would be NaN); exp(-700) is 0 for any row.
_LOG_ZERO = -700.0
#: Variances are floored at this share of the feature's overall variance, so a
#: segment of identical values cannot buy an unbounded likelihood.
_VARIANCE_FLOOR = 1e-3


@dataclass
class _Parameters:
    """Segment sizes, numeric means and variances, categorical log-probabilities."""

    sizes: np.ndarray  # (k,) weighted
    means: np.ndarray  # (k, p_num)
    variances: np.ndarray  # (k, p_num), floored
    log_probabilities: np.ndarray  # (k, total levels)
    # the sufficient statistics they came from (for the likelihood of a partition)
    counts: np.ndarray  # (k, p_num) observed weight
    spread: np.ndarray  # (k, p_num) mean squared deviation, before the floor
    level_totals: np.ndarray  # (k, total levels) weight


class LatentClassModel:
    """The terms of the latent-class likelihood of some encoded rows, laid out once.

    Sample weights count as repeated rows; a feature's weight multiplies its
    log-likelihood and its parameters (as if the column were repeated), and features
    of weight 0 (or without variance) are left out. Missing values are left out of
    the feature they miss in; unseen levels count as missing.

    Parameters
    ----------
    data : EncodedData
        The encoded rows (numerics may be scaled: only within-feature ratios matter).
    numeric_weights, categorical_weights : ndarray
        Feature weights.
    n_levels : list of int
        Levels of each categorical feature.
    """

    def __init__(self, data: EncodedData, numeric_weights: np.ndarray,
                 categorical_weights: np.ndarray, n_levels: list[int]) -> None:
        self.n_samples = data.n_samples
        self.weight = (np.ones(data.n_samples) if data.sample_weight is None
                       else np.asarray(data.sample_weight, dtype=np.float64))
        self.total = float(self.weight.sum())
        numeric = data.numeric
        observed = (np.ones(numeric.shape, dtype=bool) if data.numeric_mask is None
                    else data.numeric_mask)
        self.observed = observed.astype(np.float64)
        self.values = np.where(observed, numeric, 0.0)
        self.squares = self.values**2
        count = self.weight @ self.observed
        mean = (self.weight @ self.values) / np.maximum(count, _TINY)
        variance = (self.weight @ self.squares) / np.maximum(count, _TINY) - mean**2
        feature_weight = np.asarray(numeric_weights, dtype=np.float64)
        self.numeric_weights = np.where((feature_weight > 0) & (variance > 0),
                                        feature_weight, 0.0)
        self.floor = np.maximum(_VARIANCE_FLOOR * variance, _TINY)

        # categorical answers as one sparse indicator matrix over all columns' levels
        columns, offsets, level_weights, self.level_counts = [], [], [], []
        offset = 0
        codes = data.categorical
        for j, levels in enumerate(n_levels):
            w_j = float(categorical_weights[j])
            column = codes[:, j]
            present = column >= 0
            if w_j <= 0 or levels < 1 or not present.any():
                continue
            rows = np.flatnonzero(present)
            columns.append((rows, offset + column[rows]))
            offsets.append(offset)
            level_weights.append(np.full(levels, w_j))
            self.level_counts.append(levels)
            offset += levels
        self.column_offsets = np.array(offsets, dtype=np.int64)
        self.column_weights = np.array([w[0] for w in level_weights])
        self.level_weight = np.concatenate(level_weights) if level_weights else np.zeros(0)
        rows = np.concatenate([r for r, _ in columns]) if columns else np.zeros(0, np.int64)
        cols = np.concatenate([c for _, c in columns]) if columns else np.zeros(0, np.int64)
        self.indicators = sparse.csr_matrix(
            (np.ones(rows.size), (rows, cols)), shape=(self.n_samples, offset))
        self.indicators_t = self.indicators.T.tocsr()
        # which column each level belongs to, for per-column normalisation
        self.level_column = np.repeat(np.arange(len(self.level_counts)), self.level_counts)

    def n_parameters(self, k: int) -> float:
        """Free parameters of a model with ``k`` segments (feature-weighted)."""
        categorical = float(self.column_weights @ (np.array(self.level_counts) - 1)
                            ) if self.level_counts else 0.0
        return (k - 1) + k * (2.0 * self.numeric_weights.sum() + categorical)

    def fit_parameters(self, responsibility: np.ndarray) -> _Parameters:
        """The M step: maximum-likelihood parameters given each row's segment weights."""
        weighted = responsibility * self.weight[:, None]
        sizes = weighted.sum(axis=0)
        counts = weighted.T @ self.observed
        means = (weighted.T @ self.values) / np.maximum(counts, _TINY)
        spread = np.maximum((weighted.T @ self.squares) / np.maximum(counts, _TINY)
                            - means**2, 0.0)
        variances = np.maximum(spread, self.floor)
        level_totals = np.asarray(self.indicators_t @ weighted).T  # (k, levels)
        column_totals = np.zeros((responsibility.shape[1], len(self.level_counts)))
        if self.level_counts:
            column_totals = np.add.reduceat(level_totals, self.column_offsets, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_probabilities = np.log(level_totals
                                       / np.maximum(column_totals[:, self.level_column], _TINY))
        log_probabilities = np.maximum(log_probabilities, _LOG_ZERO)
        return _Parameters(sizes, means, variances, log_probabilities, counts, spread,
                           level_totals)

    def log_joint(self, parameters: _Parameters) -> np.ndarray:
        """``log P(segment) + log f(row | segment)`` for every row and segment, (n, k)."""
        with np.errstate(divide="ignore"):
            log_sizes = np.maximum(np.log(parameters.sizes / self.total), _LOG_ZERO)
        precision = self.numeric_weights / parameters.variances  # feature weight / variance
        mean = parameters.means
        quadratic = (self.squares @ precision.T - 2.0 * self.values @ (precision * mean).T
                     + self.observed @ (precision * mean**2).T)
        normaliser = self.observed @ (self.numeric_weights
                                      * np.log(2 * np.pi * parameters.variances)).T
        categorical = self.indicators @ (parameters.log_probabilities * self.level_weight).T
        return log_sizes - 0.5 * (quadratic + normaliser) + np.asarray(categorical)

    def classification_bic(self, labels: np.ndarray, k: int) -> float:
        """BIC of the model with the parameters of the partition ``labels`` (lower is better).

        ``-2 log L`` is the classification likelihood of each row under its own
        segment (the integrated completed likelihood's likelihood term, Biernacki,
        Celeux & Govaert 2000) and the penalty is the BIC's ``n_parameters log n``
        for all k segments, so a partition that leaves a segment empty cannot beat
        the smaller k it amounts to.
        """
        parameters = self.partition_parameters(labels, k)
        # sum over rows of each row's log_joint under its own segment, from the
        # segments' sufficient statistics
        sizes = parameters.sizes
        with np.errstate(divide="ignore", invalid="ignore"):
            loglik = float(np.where(sizes > 0, sizes * np.log(sizes / self.total), 0.0).sum())
        variances = parameters.variances
        numeric = -0.5 * parameters.counts * (np.log(2 * np.pi * variances)
                                              + parameters.spread / variances)
        loglik += float((numeric * self.numeric_weights).sum())
        loglik += float((parameters.level_totals * parameters.log_probabilities
                         * self.level_weight).sum())
        return -2.0 * loglik + self.n_parameters(k) * np.log(self.total)

    def partition_parameters(self, labels: np.ndarray, k: int) -> _Parameters:
        """The M step on a hard partition."""
        return self.fit_parameters(_one_hot(labels, k))

    def assign(self, parameters: _Parameters) -> np.ndarray:
        """Each row's segment of highest ``log P(segment) + log f(row | segment)``."""
        return np.argmax(self.log_joint(parameters), axis=1)

    def classification_em(self, labels: np.ndarray, k: int, max_iter: int = 50
                          ) -> np.ndarray:
        """Move ``labels`` to a local maximum of the classification likelihood (CEM).

        Alternates the M step on the hard partition with assigning every row to the
        segment of highest ``log P(segment) + log f(row | segment)`` (Celeux &
        Govaert 1992) until no row moves or ``max_iter`` passes. Each pass cannot
        lower the classification likelihood. Segments may empty.
        """
        labels = np.asarray(labels, dtype=np.int64)
        for _ in range(max_iter):
            moved = self.assign(self.partition_parameters(labels, k))
            if np.array_equal(moved, labels):
                break
            labels = moved
        return labels


def _one_hot(labels: np.ndarray, k: int) -> np.ndarray:
    responsibility = np.zeros((labels.size, k))
    responsibility[np.arange(labels.size), labels] = 1.0
    return responsibility


def classification_bic(data: EncodedData, labels: np.ndarray, k: int,
                       numeric_weights: np.ndarray, categorical_weights: np.ndarray,
                       n_levels: list[int]) -> float:
    """BIC of the latent-class model evaluated at a hard partition (lower is better).

    In each segment the numeric features are independent Gaussians with their own
    mean and variance and each categorical feature is a multinomial, all estimated
    from the segment's rows; ``-2 log L`` is the classification likelihood of the
    integrated completed likelihood criterion (ICL, Biernacki, Celeux & Govaert
    2000) and the penalty is the BIC's ``n_parameters * log(n)``. Missing values are
    left out of the feature they miss in. Sample weights count as repeated rows; a
    feature's weight multiplies its log-likelihood and its parameters (as if the
    column were repeated), and features of weight 0 are left out. Variances are
    floored at 1e-3 of the feature's overall variance, so a segment of identical
    values cannot buy an unbounded likelihood.

    Parameters
    ----------
    data : EncodedData
        The encoded rows (numerics standardised and multiplied by the square root of
        their weight; only within-feature ratios matter here).
    labels : ndarray of shape (n_samples,)
        Segment of each row, in ``0..k-1``.
    k : int
        Number of segments.
    numeric_weights, categorical_weights : ndarray
        Feature weights.
    n_levels : list of int
        Levels of each categorical feature.

    Returns
    -------
    float
    """
    model = LatentClassModel(data, numeric_weights, categorical_weights, n_levels)
    return model.classification_bic(np.asarray(labels, dtype=np.int64), k)


def classification_em(data: EncodedData, labels: np.ndarray, k: int,
                      numeric_weights: np.ndarray, categorical_weights: np.ndarray,
                      n_levels: list[int], max_iter: int = 50) -> np.ndarray:
    """The partition that classification EM reaches from ``labels``.

    See :meth:`LatentClassModel.classification_em`; the arguments are those of
    :func:`classification_bic`.

    Returns
    -------
    ndarray of int of shape (n_samples,)
    """
    model = LatentClassModel(data, numeric_weights, categorical_weights, n_levels)
    return model.classification_em(labels, k, max_iter)
