"""The k-prototypes estimator (Huang 1997/1998) with a scikit-learn interface."""

from __future__ import annotations

import sys
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from survey_builder.errors import UserError

from ._encoding import EncodedData, MixedEncoder
from ._gamma import estimate_gamma
from ._init import INIT_METHODS
from ._kernels import Centers, PreparedData

__all__ = ["KPrototypes"]


class KPrototypes(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    """K-prototypes clustering for mixed numeric and categorical data.

    The distance between a row and a prototype is the squared Euclidean distance
    over the (optionally standardised and weighted) numeric features plus
    ``gamma`` times the (weighted) number of categorical mismatches. Prototypes are
    the means of the numeric features and the modes of the categorical ones.
    Missing values are allowed in both kinds of columns: distances use the observed
    features of a row and are rescaled to the full feature count.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of segments.
    categorical : "auto", list of str or int, or None, default="auto"
        Categorical columns. ``"auto"`` takes object, string, category and bool
        columns of a DataFrame (arrays are numeric unless non-numeric). A list
        names columns or gives positions (kmodes-compatible). Ordered categoricals
        (e.g. Likert answers) not listed here are used as numeric ranks.
    gamma : "auto" or float, default="auto"
        Weight of one categorical mismatch. ``"auto"`` balances the mean numeric
        variance against the mean categorical concentration (see
        :func:`estimate_gamma`); the value used is stored in ``gamma_``.
    weights : dict or sequence of float, optional
        Per-feature weights, by column name or in column order.
    init : {"k-prototypes++", "huang", "cao"} or array-like, default="k-prototypes++"
        Seeding method, or explicit initial prototypes with shape
        ``(n_clusters, n_features)`` in original units and labels.
    n_init : int, default=10
        Number of restarts; the run with the lowest cost is kept.
    max_iter : int, default=100
        Maximum number of assignment passes per run.
    tol : float, default=1e-4
        Stop when the relative cost improvement of a pass is at most ``tol``.
    scale : bool, default=True
        Standardise numeric features before clustering.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible seeding. The same seed gives the same result
        whatever ``n_jobs`` is.
    n_jobs : int, optional
        Restarts to run in parallel (threads). ``-1`` uses all cores.
    verbose : bool or int, default=False
        Print the cost of every pass to stderr.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Segment of each training row.
    cost_ : float
        Sum of the distances of the training rows to their prototype.
    n_iter_ : int
        Assignment passes of the best run.
    gamma_ : float
        Categorical weight used.
    cluster_centers_ : DataFrame
        Prototypes: numeric means in original units, modes as original labels.
    numeric_features_, categorical_features_ : list of str
        Which columns were used as which kind.
    feature_names_in_ : ndarray of str
        Column names (DataFrame input only, as in scikit-learn).
    n_features_in_ : int
        Number of input columns.

    Examples
    --------
    >>> from dash_personas import KPrototypes, make_mixed_blobs
    >>> X, y = make_mixed_blobs(n_samples=500, n_clusters=3, random_state=0)
    >>> model = KPrototypes(n_clusters=3, random_state=0).fit(X)
    >>> model.cluster_centers_.shape
    (3, 8)
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        categorical: Any = "auto",
        gamma: Any = "auto",
        weights: Any = None,
        init: Any = "k-prototypes++",
        n_init: int = 10,
        max_iter: int = 100,
        tol: float = 1e-4,
        scale: bool = True,
        random_state: Any = None,
        n_jobs: int | None = None,
        verbose: bool | int = False,
    ) -> None:
        self.n_clusters = n_clusters
        self.categorical = categorical
        self.gamma = gamma
        self.weights = weights
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.scale = scale
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # Not the `categorical`/`string` input tags: for those, scikit-learn's checks
        # round the data to a few integer values, which leaves too few distinct rows.
        tags.input_tags.allow_nan = True
        return tags

    # ------------------------------------------------------------------ fit
    def _validate_params(self) -> None:
        def check_int(name: str, value: Any, minimum: int) -> None:
            if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
                raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")

        check_int("n_clusters", self.n_clusters, 1)
        check_int("n_init", self.n_init, 1)
        check_int("max_iter", self.max_iter, 1)
        if not isinstance(self.tol, Real) or self.tol < 0:
            raise ValueError(f"tol must be a number >= 0, got {self.tol!r}")
        if isinstance(self.gamma, str):
            if self.gamma != "auto":
                raise ValueError(f"gamma must be 'auto' or a number >= 0, got {self.gamma!r}")
        elif not isinstance(self.gamma, Real) or not np.isfinite(self.gamma) or self.gamma < 0:
            raise ValueError(f"gamma must be 'auto' or a number >= 0, got {self.gamma!r}")
        if isinstance(self.init, str) and self.init not in INIT_METHODS:
            raise ValueError(
                f"init must be one of {sorted(INIT_METHODS)} or an array of prototypes, "
                f"got {self.init!r}"
            )

    def fit(self, X: Any, y: Any = None, *, categorical: Any = None,
            sample_weight: Any = None) -> KPrototypes:
        """Compute the segments.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Mixed data. Missing values (NaN/None) are allowed.
        y : ignored
        categorical : list of str or int, optional
            Overrides the ``categorical`` parameter for this call (kmodes-compatible).
        sample_weight : array-like of shape (n_samples,), optional
            Weight of each row.

        Returns
        -------
        self
        """
        self._validate_params()
        encoder = MixedEncoder(
            categorical=self.categorical if categorical is None else categorical,
            scale=self.scale,
            weights=self.weights,
        )
        encoded = encoder.fit_transform(X, sample_weight=sample_weight)
        k = int(self.n_clusters)
        _check_enough_distinct_rows(encoded, k)
        if self.gamma == "auto":
            gamma = estimate_gamma(encoded, encoder.n_levels, encoder.categorical_weights_)
        else:
            gamma = float(self.gamma)
        prepared = PreparedData(encoded, encoder.n_levels, encoder.categorical_weights_, gamma)

        explicit_init = None if isinstance(self.init, str) else self._encode_init(encoder, k)
        n_init = int(self.n_init)
        if explicit_init is not None and n_init != 1:
            n_init = 1
        seeds = check_random_state(self.random_state).randint(np.iinfo(np.int32).max,
                                                               size=n_init)

        def run(run_index: int) -> tuple[Centers, np.ndarray, float, int, list[float]]:
            rng = np.random.default_rng(seeds[run_index])
            if explicit_init is not None:
                start = explicit_init.copy()
            else:
                start = INIT_METHODS[self.init](prepared, k, rng)
            return _lloyd(prepared, start, int(self.max_iter), float(self.tol),
                          self.verbose, run_index, n_init)

        if n_init > 1 and self.n_jobs not in (None, 1):
            results = Parallel(n_jobs=self.n_jobs, prefer="threads")(
                delayed(run)(i) for i in range(n_init)
            )
        else:
            results = [run(i) for i in range(n_init)]
        best = min(range(n_init), key=lambda i: results[i][2])
        centers, labels, cost, n_iter, history = results[best]

        self._encoder = encoder
        self._centers = centers
        self._zero_weight_means = _zero_weight_means(encoder, X, prepared, labels, k)
        self.gamma_ = gamma
        self.labels_ = labels.astype(np.int64)
        self.cost_ = float(cost)
        self.n_iter_ = int(n_iter)
        self.cost_history_ = history
        self.cluster_sizes_ = np.bincount(self.labels_, minlength=k)
        self.n_features_in_ = len(encoder.feature_names_in_)
        if encoder.input_is_frame_:
            self.feature_names_in_ = np.asarray(encoder.feature_names_in_, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.numeric_features_ = list(encoder.numeric_features_)
        self.categorical_features_ = list(encoder.categorical_features_)
        self.cluster_centers_ = self._centers_frame()
        self._n_features_out = k
        return self

    def _encode_init(self, encoder: MixedEncoder, k: int) -> Centers:
        init = self.init
        if isinstance(init, pd.DataFrame):
            frame = init
        else:
            array = np.asarray(init, dtype=object)
            if array.ndim != 2:
                raise ValueError("init must be a method name or a 2-D array of prototypes")
            if encoder.input_is_frame_ and array.shape[1] == len(encoder.feature_names_in_):
                frame = pd.DataFrame(array, columns=encoder.feature_names_in_)
            else:
                frame = array
        if len(frame) != k:
            raise ValueError(f"init has {len(frame)} prototypes but n_clusters={k}")
        if isinstance(frame, pd.DataFrame):
            frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
            encoder._check_columns(frame)  # names a missing or extra column
            for name in encoder.numeric_features_:
                frame[name] = pd.to_numeric(frame[name])
            frame = frame.infer_objects()
        encoded = encoder.transform(frame, warn_unseen=False)
        if encoded.numeric_mask is not None or (encoded.categorical < 0).any():
            raise UserError("init prototypes must be complete and use levels seen in the data")
        return Centers(encoded.numeric.copy(), encoded.categorical.copy())

    def _centers_frame(self) -> pd.DataFrame:
        encoder = self._encoder
        numeric = encoder.numeric_to_original(self._centers.numeric)
        zero_weight_means = getattr(self, "_zero_weight_means", None)
        if zero_weight_means is not None:
            numeric[:, encoder.numeric_weights_ == 0] = zero_weight_means
        columns: dict[str, Any] = {}
        for j, name in enumerate(encoder.numeric_features_):
            columns[name] = numeric[:, j]
        for j, name in enumerate(encoder.categorical_features_):
            columns[name] = pd.Series(
                [encoder.decode_level(j, int(code)) for code in self._centers.categorical[:, j]],
                dtype=object,
            ).to_numpy()
        frame = pd.DataFrame({name: columns[name] for name in encoder.feature_names_in_})
        frame.index.name = "segment"
        return frame

    # ------------------------------------------------------------- inference
    def _prepare(self, X: Any, warn_unseen: bool = True) -> PreparedData:
        check_is_fitted(self, "cost_")
        encoded = self._encoder.transform(X, warn_unseen=warn_unseen)
        return PreparedData(encoded, self._encoder.n_levels,
                            self._encoder.categorical_weights_, self.gamma_)

    def predict(self, X: Any) -> np.ndarray:
        """Assign rows (which may have missing values) to the nearest segment.

        Parameters
        ----------
        X : DataFrame or array-like
            Same columns as during ``fit``. A category never seen during ``fit``
            counts as a mismatch (with a warning).

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        labels, _ = self._prepare(X).min_distances(self._centers)
        return labels.astype(np.int64)

    def fit_predict(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(X, **kwargs).labels_

    def transform(self, X: Any) -> np.ndarray:
        """Distance of every row to every prototype, shape ``(n_samples, n_clusters)``."""
        return self._prepare(X).distances(self._centers)

    def fit_transform(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit, then return :meth:`transform` of the training data."""
        return self.fit(X, **kwargs).transform(X)

    def score(self, X: Any, y: Any = None) -> float:
        """Opposite of the cost of ``X`` under the fitted prototypes (higher is better)."""
        _, nearest = self._prepare(X).min_distances(self._centers)
        return -float(nearest.sum())

    # ----------------------------------------------------------- persistence
    def save(self, path: str | Path) -> None:
        """Write the fitted model to ``path`` as versioned JSON (atomically)."""
        from ._persistence import save_model

        save_model(self, path)

    @classmethod
    def load(cls, path: str | Path) -> KPrototypes:
        """Read a model written by :meth:`save`; refuses other major versions and tampering."""
        from ._persistence import load_model

        return load_model(cls, path)


def _lloyd(prepared: PreparedData, centers: Centers, max_iter: int, tol: float, verbose: Any,
           run_index: int, n_runs: int) -> tuple[Centers, np.ndarray, float, int, list[float]]:
    """Batch k-prototypes iterations from ``centers`` until labels stop changing."""
    n = prepared.n
    labels = np.full(n, -1, dtype=np.int32)
    nearest = np.empty(n)
    history: list[float] = []
    n_iter = 0
    previous_cost = np.inf
    for n_iter in range(1, max_iter + 1):
        stats = prepared.assign(centers, labels, nearest)
        history.append(stats.cost)
        if verbose:
            print(f"run {run_index + 1}/{n_runs}  pass {n_iter:3d}  cost {stats.cost:.6g}  "
                  f"moved {stats.n_changed}", file=sys.stderr)
        converged = stats.n_changed == 0 or (
            np.isfinite(previous_cost) and previous_cost - stats.cost <= tol * previous_cost
        )
        empty = np.flatnonzero(stats.weight <= 0)
        # an empty cluster is not converged while a row is left to re-seed it with
        if (converged and not empty.size) or n_iter == max_iter:
            break
        previous_cost = stats.cost
        updated = prepared.update_centers(stats, centers)
        if empty.size:
            updated, n_reseeded = _reseed_empty(prepared, updated, empty)
            if converged and n_reseeded == 0:
                break  # fewer distinct rows than clusters: keep the final assignment
        centers = updated
    return centers, labels, history[-1], n_iter, history


def _reseed_empty(prepared: PreparedData, centers: Centers, empty: np.ndarray
                  ) -> tuple[Centers, int]:
    """Move the empty clusters onto rows far from every prototype (farthest-first).

    Each new prototype is the row farthest from all prototypes so far, including
    the ones just re-seeded, so two re-seeded clusters never land on identical
    rows and each gets at least its own row in the next pass. Rows that already
    sit on a prototype are never used. Returns the centres and how many clusters
    were re-seeded (fewer than ``empty.size`` when no such row is left).
    """
    centers = centers.copy()
    keep = np.setdiff1d(np.arange(centers.n_clusters), empty)
    closest = prepared.min_distances(Centers(centers.numeric[keep],
                                             centers.categorical[keep]))[1]
    closest *= prepared.update_weight > 0
    n_reseeded = 0
    for cluster in empty:
        row = int(np.argmax(closest))
        if closest[row] <= 0:
            break
        replacement = prepared.row_as_center(np.array([row]))
        centers.numeric[cluster] = replacement.numeric[0]
        centers.categorical[cluster] = replacement.categorical[0]
        np.minimum(closest, prepared.min_distances(replacement)[1], out=closest)
        n_reseeded += 1
    return centers, n_reseeded


def _zero_weight_means(encoder: MixedEncoder, X: Any, prepared: PreparedData,
                       labels: np.ndarray, k: int) -> np.ndarray | None:
    """Segment means, in original units, of the numeric features weighted 0.

    The encoding multiplies such a feature by 0, so the prototypes cannot carry it;
    ``cluster_centers_`` still shows how it differs between the segments.
    """
    zero = np.flatnonzero(encoder.numeric_weights_ == 0)
    if not zero.size:
        return None
    raw = encoder._numeric_values(encoder._as_frame(X, fitting=False))[:, zero]
    observed = ~np.isnan(raw)
    weight = prepared.update_weight[:, None] * observed
    weighted = np.where(observed, raw, 0.0) * weight
    sums = np.zeros((k, zero.size))
    counts = np.zeros((k, zero.size))
    np.add.at(sums, labels, weighted)
    np.add.at(counts, labels, weight)
    tiny = np.finfo(np.float64).tiny
    overall = weighted.sum(axis=0) / np.maximum(weight.sum(axis=0), tiny)
    return np.where(counts > 0, sums / np.maximum(counts, tiny), overall)


def _check_enough_distinct_rows(encoded: EncodedData, k: int) -> None:
    n = encoded.n_samples
    if n < k:
        raise UserError(f"n_samples={n} should be >= n_clusters={k}")

    def distinct_rows(size: int) -> int:
        # hash only the first `size` rows: a prefix nearly always settles it cheaply
        columns = {f"n{j}": encoded.numeric[:size, j] for j in range(encoded.numeric.shape[1])}
        columns.update({f"c{j}": encoded.categorical[:size, j]
                        for j in range(encoded.categorical.shape[1])})
        if encoded.numeric_mask is not None:
            # which numerics are observed, as one number per row
            bits = 2.0 ** (np.arange(encoded.numeric_mask.shape[1]) % 50)
            columns["observed"] = encoded.numeric_mask[:size] @ bits
        return int(pd.util.hash_pandas_object(pd.DataFrame(columns), index=False).nunique())

    prefix = min(n, 10 * k + 100)
    distinct = distinct_rows(prefix)
    if distinct < k and prefix < n:
        distinct = distinct_rows(n)
    if distinct < k:
        raise UserError(
            f"the data has only {distinct} distinct rows, fewer than n_clusters={k}; "
            "lower n_clusters"
        )
