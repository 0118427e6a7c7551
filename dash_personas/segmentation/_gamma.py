"""Estimate gamma, the weight of a categorical mismatch against numeric distance."""

from __future__ import annotations

import numpy as np

from ._encoding import EncodedData


def estimate_gamma(data: EncodedData, n_levels: list[int],
                   categorical_weights: np.ndarray) -> float:
    """Balance the average numeric spread against the average categorical spread.

    Follows the idea of clustMixType's ``lambdaest`` (variance for numerics,
    concentration for categoricals): ``gamma = mean_j w_j var(x_j) /
    mean_j w_j (1 - sum_l p_jl^2)``, where ``p_jl`` is the share of level ``l`` in
    categorical column ``j``. Each kind of feature then contributes, on average,
    about equally to the distance between two random rows. The numeric data here is
    already weighted by ``sqrt(w_j)``, so its variance carries the weight.

    Sample weights (``data.sample_weight``) count like repeated rows.

    Returns 1.0 when the data has only one kind of feature (gamma is then moot).
    """
    p_num, p_cat = data.numeric.shape[1], data.categorical.shape[1]
    if p_num == 0 or p_cat == 0:
        return 1.0
    weight = data.sample_weight  # sample weights count like repeated rows
    if weight is None and data.numeric_mask is None:
        variance = data.numeric.var(axis=0)
    elif weight is None:
        mask = data.numeric_mask
        count = np.maximum(mask.sum(axis=0), 1)
        mean = data.numeric.sum(axis=0) / count
        variance = ((data.numeric - mean) ** 2 * mask).sum(axis=0) / count
    else:
        mask = (np.ones(data.numeric.shape, dtype=bool) if data.numeric_mask is None
                else data.numeric_mask)
        count = np.maximum(weight @ mask, np.finfo(np.float64).tiny)
        mean = (weight @ np.where(mask, data.numeric, 0.0)) / count
        variance = (weight @ np.where(mask, (data.numeric - mean) ** 2, 0.0)) / count
    concentration = np.empty(p_cat)
    for j, n_lev in enumerate(n_levels):
        codes = data.categorical[:, j]
        present = codes >= 0
        counts = np.bincount(codes[present], minlength=n_lev,
                             weights=None if weight is None else weight[present])
        counts = counts.astype(np.float64)
        share = counts / counts.sum() if counts.sum() > 0 else counts
        concentration[j] = 1.0 - np.sum(share**2)
    numeric_spread = float(np.mean(variance))
    categorical_spread = float(np.mean(concentration * categorical_weights))
    if categorical_spread <= 0 or numeric_spread <= 0:
        return 1.0
    return numeric_spread / categorical_spread
