"""The statistics of the report: weighted shares, their intervals, and tests of change.

* Base size: Kish's effective sample size ``(Σw)² / Σw²`` (equals n without weights), so
  weighting widens intervals the way it widens the sampling variance.
* Interval of a share: Wilson's score interval on the effective base.
* Change between two waves: the two-sided two-proportion z-test with a pooled share on
  the effective bases. It treats the waves as independent samples; for panel members
  seen in both waves the true variance of the difference is smaller, so the test is
  conservative there.
* Several personas compared at once: Holm's step-down adjustment of the p-values
  (family-wise error at ``alpha`` across the personas of one comparison).
* Unfit share above the baseline's: the same z-test, one-sided (the baseline's share is
  an estimate too, so both samples' variance counts).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["effective_base", "holm", "two_proportion_greater", "two_proportion_test",
           "wilson_interval"]


def effective_base(sum_weights: float, sum_squared_weights: float) -> float:
    """Kish's effective base ``(Σw)² / Σw²`` (0 for an empty group)."""
    if sum_squared_weights <= 0:
        return 0.0
    return float(sum_weights * sum_weights / sum_squared_weights)


def wilson_interval(share: np.ndarray, base: float, confidence: float = 0.95
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of proportions ``share`` observed on ``base`` respondents.

    Parameters
    ----------
    share : array-like of float
        Observed (weighted) proportions.
    base : float
        Effective base size.
    confidence : float
        Two-sided coverage.

    Returns
    -------
    low, high : ndarray
    """
    p = np.asarray(share, dtype=float)
    if base <= 0:
        return np.zeros_like(p), np.ones_like(p)
    z = stats.norm.ppf(0.5 + confidence / 2)
    z2n = z * z / base
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * np.sqrt(p * (1 - p) / base + z2n / (4 * base)) / (1 + z2n)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def two_proportion_test(p1: np.ndarray, n1: float, p2: np.ndarray, n2: float) -> np.ndarray:
    """Two-sided p-values of ``p2 - p1`` (pooled two-proportion z-test).

    Returns 1 where the pooled share is 0 or 1 (nothing can differ) or a base is empty.
    """
    p1 = np.asarray(p1, dtype=float)
    p2 = np.asarray(p2, dtype=float)
    if n1 <= 0 or n2 <= 0:
        return np.ones(np.broadcast(p1, p2).shape)
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(variance > 0, (p2 - p1) / np.sqrt(variance), 0.0)
    return 2 * stats.norm.sf(np.abs(z))


def two_proportion_greater(p1: float, n1: float, p2: float, n2: float) -> float:
    """One-sided p-value that ``p2`` exceeds ``p1`` (pooled two-proportion z-test)."""
    two_sided = float(two_proportion_test(np.array([p1]), n1, np.array([p2]), n2)[0])
    return two_sided / 2 if p2 > p1 else 1 - two_sided / 2


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (monotone, capped at 1)."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p)
    scaled = np.minimum(1.0, np.maximum.accumulate(p[order] * (m - np.arange(m))))
    adjusted = np.empty_like(p)
    adjusted[order] = scaled
    return adjusted
