"""The survey statistics every report shares: bases, intervals, tests and corrections.

One implementation of each rule, used by the segment profiles, the personas and the
tracking reports:

* Base size: Kish's effective sample size ``(Σw)² / Σw²`` (equals n without weights),
  so weighting widens intervals and tests the way it widens the sampling variance.
* Interval of a share: Wilson's score interval on the effective base.
* Share against share: the two-sided two-proportion z-test with a pooled share on the
  effective bases.
* Mean against mean: Welch's unequal-variance t-test on the effective bases, with the
  Welch–Satterthwaite degrees of freedom. With survey weights it is what
  ``statsmodels``' weighted ``ttest_ind(usevar="unequal")`` gives once each group's
  weights are rescaled to sum to its effective base.
* Many tests at once: Holm's step-down adjustment (family-wise error) or
  Benjamini–Hochberg's step-up adjustment (false discovery rate) of the p-values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from survey_builder.errors import UserError

__all__ = [
    "CORRECTIONS",
    "SIGNIFICANCE_MARK",
    "adjust_p_values",
    "benjamini_hochberg",
    "effective_base",
    "format_p_value",
    "holm",
    "significance_legend",
    "two_proportion_greater",
    "two_proportion_test",
    "welch_test",
    "wilson_interval",
]

#: Multiple-comparison corrections by name (statsmodels' ``multipletests`` names), in words.
CORRECTIONS = {"holm": "Holm", "fdr_bh": "Benjamini–Hochberg"}
#: The marker of a significant difference in tables and charts.
SIGNIFICANCE_MARK = "*"


def effective_base(sum_weights: Any, sum_squared_weights: Any) -> Any:
    """Kish's effective base ``(Σw)² / Σw²`` (0 for an empty group).

    Parameters
    ----------
    sum_weights, sum_squared_weights : float or array-like
        Per group.

    Returns
    -------
    float or ndarray
        A float for scalar input.
    """
    sw = np.asarray(sum_weights, dtype=float)
    sw2 = np.asarray(sum_squared_weights, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        base = np.where(sw2 > 0, sw * sw / np.where(sw2 > 0, sw2, 1.0), 0.0)
    return float(base) if base.ndim == 0 else base


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


def two_proportion_test(p1: Any, n1: Any, p2: Any, n2: Any) -> np.ndarray:
    """Two-sided p-values of ``p2 - p1`` (pooled two-proportion z-test).

    Parameters
    ----------
    p1, p2 : array-like of float
        Shares of the two groups.
    n1, n2 : float or array-like of float
        Their (effective) bases; broadcast against the shares.

    Returns
    -------
    ndarray
        1 where the pooled share is 0 or 1 (nothing can differ) or a base is empty.
    """
    p1 = np.asarray(p1, dtype=float)
    p2 = np.asarray(p2, dtype=float)
    n1 = np.asarray(n1, dtype=float)
    n2 = np.asarray(n2, dtype=float)
    shape = np.broadcast_shapes(p1.shape, p2.shape, n1.shape, n2.shape)
    usable = np.broadcast_to((n1 > 0) & (n2 > 0), shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
        z = np.where(usable & (variance > 0), (p2 - p1) / np.sqrt(variance), 0.0)
    return np.broadcast_to(2 * stats.norm.sf(np.abs(z)), shape).copy()


def two_proportion_greater(p1: float, n1: float, p2: float, n2: float) -> float:
    """One-sided p-value that ``p2`` exceeds ``p1`` (pooled two-proportion z-test)."""
    two_sided = float(two_proportion_test(np.array([p1]), n1, np.array([p2]), n2)[0])
    return two_sided / 2 if p2 > p1 else 1 - two_sided / 2


def welch_test(mean1: Any, var1: Any, n1: Any, mean2: Any, var2: Any, n2: Any) -> np.ndarray:
    """Two-sided p-values of Welch's t-test from group summaries (vectorised).

    Parameters
    ----------
    mean1, mean2 : array-like
        Group means.
    var1, var2 : array-like
        Group variances with Bessel's correction on the effective base
        (``Σw(x - m)² / Σw · n / (n - 1)``; the sample variance without weights).
    n1, n2 : array-like
        Effective bases.

    Returns
    -------
    ndarray
        NaN where a group has fewer than two respondents' worth of base or both
        variances are 0 (no test is possible).
    """
    mean1, var1, n1, mean2, var2, n2 = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (mean1, var1, n1, mean2, var2, n2)))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = var1 / n1
        b = var2 / n2
        se2 = a + b
        t = (mean1 - mean2) / np.sqrt(se2)
        dof = se2**2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1))
        p = 2.0 * stats.t.sf(np.abs(t), dof)
    testable = (n1 > 1) & (n2 > 1) & (se2 > 0) & np.isfinite(p)
    return np.where(testable, p, np.nan)


def holm(p_values: Any) -> np.ndarray:
    """Holm's step-down adjusted p-values (monotone, capped at 1)."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, np.maximum.accumulate(p[order] * (m - np.arange(m))))
    adjusted = np.empty_like(p)
    adjusted[order] = scaled
    return adjusted


def benjamini_hochberg(p_values: Any) -> np.ndarray:
    """Benjamini–Hochberg step-up adjusted p-values (q-values; monotone, capped at 1)."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    scaled = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    adjusted = np.empty_like(p)
    adjusted[order] = scaled
    return adjusted


def adjust_p_values(p_values: Any, method: str = "holm") -> np.ndarray:
    """Adjust a family of p-values for multiple comparisons.

    Parameters
    ----------
    p_values : array-like of float
        NaN marks a test that could not be run: it stays NaN and does not count in
        the family.
    method : {"holm", "fdr_bh"}, default="holm"
        See :data:`CORRECTIONS`.

    Returns
    -------
    ndarray
        Same shape as ``p_values``.

    Raises
    ------
    UserError
        Unknown ``method``.
    """
    if method not in CORRECTIONS:
        raise UserError(f"unknown multiple-comparison correction {method!r}; "
                        f"expected one of {', '.join(CORRECTIONS)}", field="correction")
    p = np.asarray(p_values, dtype=float)
    flat = p.ravel()
    adjusted = np.full_like(flat, np.nan)
    tested = ~np.isnan(flat)
    rule = holm if method == "holm" else benjamini_hochberg
    adjusted[tested] = rule(flat[tested])
    return adjusted.reshape(p.shape)


def format_p_value(p: float) -> str:
    """A p-value as market research reports print it: ``"p < 0.001"`` or ``"p = 0.042"``.

    Never scientific notation (``"p = 8.15e-261"`` reads as noise to most readers, and
    digits past the third decimal of a p-value mean nothing).

    Parameters
    ----------
    p : float
        A p-value (adjusted or not), in [0, 1].

    Returns
    -------
    str
    """
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def significance_legend(correction: str, alpha: float, min_base: float, n_tests: int = 0,
                        weighted: bool = False) -> str:
    """The sentence that explains significance markers and small-base flags.

    Parameters
    ----------
    correction : {"holm", "fdr_bh"}
    alpha : float
    min_base : float
    n_tests : int, optional
        Size of the corrected family (left out when 0).
    weighted : bool
        Whether the bases are weighted (effective) ones.

    Returns
    -------
    str
    """
    family = f" across {n_tests:,} tests" if n_tests else " across all tests"
    base = "effective base" if weighted else "base"
    return (f"{SIGNIFICANCE_MARK} differs from the rest of the respondents at "
            f"{alpha:.0%} (Welch t-test for numbers, two-proportion z-test for answers, "
            f"on {'effective ' if weighted else ''}bases; p-values adjusted with "
            f"{CORRECTIONS.get(correction, correction)}'s method{family}). "
            f"Greyed: {base} under {min_base:g} respondents, do not read.")
