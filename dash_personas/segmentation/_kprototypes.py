"""The k-prototypes estimator (Huang 1997/1998) with a scikit-learn interface."""

from __future__ import annotations

from numbers import Integral, Real
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from survey_builder.errors import UserError

from ._backend import is_dask_collection
from ._encoding import EncodedData, MixedEncoder
from ._gamma import resolve_gamma
from ._init import INIT_METHODS, SeedingPool
from ._kernels import KPrototypesDistance, PreparedData, Prototypes
from ._lloyd import LloydRun, lloyd, one_blas_thread, run_to_optimum
from ._membership import (
    Membership,
    membership_from_distances,
    membership_probabilities,
    membership_temperature,
)
from ._persistence import load_model, model_from_text, model_to_text, save_model
from ._restarts import (
    ranking_costs,
    restart_report,
    restarts_to_polish,
    warn_if_restarts_disagree,
)

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
    gamma : {"auto", "lambdaest", "huang"} or float, default="auto"
        Weight of one categorical mismatch against one unit of squared (scaled)
        numeric distance. ``"auto"`` chooses it on evidence from the data: among
        the two classic rules' values and five values spanning them, the one whose
        segments are most likely under the probability model the k-prototypes cost
        stands for (classification likelihood, see :func:`select_gamma`); ``gamma_selection_``
        reports the candidates, their scores and the reason of the pick. ``"lambdaest"`` is
        clustMixType's rule (mean numeric variance over mean categorical
        concentration, :func:`estimate_gamma`), ``"huang"`` kmodes' rule (0.5 x the
        mean numeric standard deviation, :func:`huang_gamma`). The value used is
        stored in ``gamma_``.
    weights : dict or sequence of float, optional
        Per-feature weights, by column name or in column order.
    init : {"k-prototypes++", "huang", "cao"} or array-like, default="k-prototypes++"
        Seeding method, or explicit initial prototypes with shape
        ``(n_clusters, n_features)`` in original units and labels.
    n_init : int, default=10
        Number of restarts; the run with the lowest cost is kept. ``restarts_``
        reports all of them, and a :class:`RestartsDisagreeWarning` says when
        equally cheap restarts found different segments (raise ``n_init`` then).
    max_iter : int, default=100
        Maximum number of assignment passes per run.
    tol : float, default=1e-4
        Screens the restarts: each stops once a pass lowers its cost by at most
        ``tol`` times the cost (rows may still move then, a few ppm above the
        optimum). The cheapest restart, and the next distinct one within 0.1 % of
        it, then run on to their local optimum (until no row changes segment or
        a pass no longer lowers the cost, capped by ``max_iter``) and the cheaper
        of them is kept. So the fitted model is always at a local optimum:
        ``predict`` on the training rows gives ``labels_`` and the prototypes are
        the means and modes of the segments. With 0 every restart runs to its
        optimum before they are compared (slower on overlapping segments).
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
    gamma_selection_ : GammaSelection or None
        With ``gamma="auto"``: the candidates tried, their criterion values, both
        classic rules' values, the rule and the reason of the pick in words
        (``gamma_selection_.to_frame()``, ``gamma_selection_.reason``);
        ``None`` otherwise. Not saved with the model.
    cluster_centers_ : DataFrame
        Prototypes: numeric means in original units, modes as original labels.
    prototypes_ : Prototypes
        The same prototypes in the encoded space the distance works in:
        ``prototypes_.numeric`` (n_clusters, n_numeric) standardised, weighted
        means and ``prototypes_.categorical`` (n_clusters, n_categorical) level
        codes into ``encoder_.levels_``.
    encoder_ : MixedEncoder
        The fitted encoding: ``feature_names_in_``, ``numeric_features_``,
        ``categorical_features_``, ``levels_``, ``mean_``, ``std_``,
        ``numeric_weights_``, ``categorical_weights_``; ``encoder_.transform(X)``
        gives the encoded rows the distance takes.
    distance_ : KPrototypesDistance
        The fitted distance (weights, levels and ``gamma_``): distances to the
        prototypes, pairwise distances and per-feature contributions.
    membership_ : Membership
        Soft membership of the training rows (not stored in model files): nearest
        and second-nearest segment, margin, confidence and probability; see
        :meth:`membership`.
    membership_temperature_ : float
        Softmax temperature of :meth:`predict_proba`.
    cluster_sizes_ : ndarray of shape (n_clusters,)
        Training rows in each segment.
    cluster_weights_ : ndarray of shape (n_clusters,)
        Total sample weight in each segment (``cluster_sizes_`` without weights).
    cost_history_ : list of float
        Cost after each assignment pass of the best run.
    restarts_ : RestartReport
        The restarts of the fit: ``costs`` and ``n_iter`` of each, ``best``,
        ``best_cost``, ``cost_spread`` and, for the cheapest few, ``top_labels``,
        ``top_cost_gap`` and ``top_ari`` (agreement with the best). Not saved
        with the model.
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

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "categorical": [StrOptions({"auto"}), "array-like", Integral, None],
        "gamma": [StrOptions({"auto", "lambdaest", "huang"}),
                  Interval(Real, 0, None, closed="left")],
        "weights": [dict, "array-like", None],
        "init": [StrOptions(set(INIT_METHODS)), "array-like"],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "scale": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

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
    @_fit_context(prefer_skip_nested_validation=True)
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
            Weight of each row (finite, non-negative). An integer weight ``w`` acts
            exactly like ``w`` copies of the row, seeding included; rows of weight 0
            are left out. At least ``n_clusters`` rows need a positive weight.

        Returns
        -------
        self

        Notes
        -----
        ``X`` may be a ``dask.dataframe.DataFrame`` (or a Dask array with
        ``categorical=``, and ``sample_weight`` a Dask Series aligned with it): the
        fit then runs on the active Dask scheduler (see
        :mod:`dash_personas.segmentation._dask`); ``labels_`` is a Dask array and
        ``membership_`` is not computed.
        """
        if is_dask_collection(X, sample_weight):
            from ._dask import fit_dask

            return fit_dask(self, X, categorical=categorical, sample_weight=sample_weight)
        encoder = MixedEncoder(
            categorical=self.categorical if categorical is None else categorical,
            scale=self.scale,
            weights=self.weights,
        )
        encoded = encoder.fit_transform(X, sample_weight=sample_weight)
        k = int(self.n_clusters)
        pool = SeedingPool.from_data(encoded)
        _check_enough_distinct_rows(encoded, pool, k)
        explicit_init = None if isinstance(self.init, str) else self._encode_init(encoder, k)
        n_init = int(self.n_init)
        if explicit_init is not None and n_init != 1:
            n_init = 1
        seeds = check_random_state(self.random_state).randint(np.iinfo(np.int32).max,
                                                               size=n_init)
        gamma, selection = resolve_gamma(self.gamma, encoded, encoder, k, pool)
        distance = KPrototypesDistance.from_encoder(encoder, gamma)
        prepared = distance.prepare(encoded)

        def run(run_index: int) -> LloydRun:
            rng = np.random.default_rng(seeds[run_index])
            if explicit_init is not None:
                start = explicit_init.copy()
            else:
                start = INIT_METHODS[self.init](prepared, k, rng, pool)
            return lloyd(prepared, start, int(self.max_iter), float(self.tol),
                          self.verbose, run_index, n_init)

        with one_blas_thread():
            results = self._map_runs(run, range(n_init))
            # compared where tol stopped them; the cheapest few then reach their optimum
            polished = restarts_to_polish(ranking_costs([run.cost for run in results]))
            finished = self._map_runs(lambda i, stopped=results: run_to_optimum(
                prepared, stopped[i], int(self.max_iter), self.verbose, i, n_init), polished)
            for index, result in zip(polished, finished):
                results[index] = result
        report = restart_report(ranking_costs([run.cost for run in results]),
                                [run.n_iter for run in results],
                                [run.labels for run in results],
                                [run.at_optimum for run in results])
        prototypes, labels, cost, n_iter, history, _ = results[report.best]
        del results  # the report keeps only the labels of the top restarts
        warn_if_restarts_disagree(report, n_init)

        self.encoder_ = encoder
        self.distance_ = distance
        self.prototypes_ = prototypes
        self.gamma_ = gamma
        self.gamma_selection_ = selection
        self.labels_ = labels.astype(np.int64)
        self.cost_ = float(cost)
        self.n_iter_ = int(n_iter)
        self.cost_history_ = history
        self.restarts_ = report
        self.cluster_sizes_ = np.bincount(self.labels_, minlength=k)
        self.cluster_weights_ = np.bincount(
            self.labels_, weights=encoded.sample_weight, minlength=k).astype(np.float64)
        self.n_features_in_ = len(encoder.feature_names_in_)
        if encoder.input_is_frame_:
            self.feature_names_in_ = np.asarray(encoder.feature_names_in_, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.numeric_features_ = list(encoder.numeric_features_)
        self.categorical_features_ = list(encoder.categorical_features_)
        self.cluster_centers_ = encoder.decode_prototypes(
            prototypes.numeric, prototypes.categorical,
            _zero_weight_means(encoder, X, prepared, labels, k))
        self._n_features_out = k
        self.membership_ = self._training_membership(prepared)
        return self

    def _map_runs(self, function: Any, indices: Any) -> list[LloydRun]:
        """``function`` over restart indices, in threads when ``n_jobs`` asks for them."""
        indices = list(indices)
        if len(indices) > 1 and self.n_jobs not in (None, 1):
            return Parallel(n_jobs=self.n_jobs, prefer="threads")(
                delayed(function)(i) for i in indices)
        return [function(i) for i in indices]

    def _encode_init(self, encoder: MixedEncoder, k: int) -> Prototypes:
        init = self.init
        if isinstance(init, pd.DataFrame):
            frame = init
        else:
            array = np.asarray(init, dtype=object)
            if array.ndim != 2:
                raise UserError("init must be a method name or a 2-D array of prototypes")
            if encoder.input_is_frame_ and array.shape[1] == len(encoder.feature_names_in_):
                frame = pd.DataFrame(array, columns=encoder.feature_names_in_)
            else:
                frame = array
        if len(frame) != k:
            raise UserError(f"init has {len(frame)} prototypes but n_clusters={k}")
        if isinstance(frame, pd.DataFrame):
            frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
            encoder._check_columns(frame)  # names a missing or extra column
            for name in encoder.numeric_features_:
                frame[name] = pd.to_numeric(frame[name])
            frame = frame.infer_objects()
        encoded = encoder.transform(frame, warn_unseen=False)
        if encoded.numeric_mask is not None or (encoded.categorical < 0).any():
            raise UserError("init prototypes must be complete and use levels seen in the data")
        return Prototypes(encoded.numeric.copy(), encoded.categorical.copy())

    # ------------------------------------------------------------- inference
    def _prepare(self, X: Any, warn_unseen: bool = True) -> PreparedData:
        check_is_fitted(self, "cost_")
        return self.distance_.prepare(self.encoder_.transform(X, warn_unseen=warn_unseen))

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
            A lazy Dask Series named ``segment`` when ``X`` is a Dask DataFrame.
        """
        if is_dask_collection(X):
            from ._dask import predict_dask

            check_is_fitted(self, "cost_")
            return predict_dask(self, X)
        prepared = self._prepare(X)  # checks the model is fitted
        labels, _ = self.distance_.nearest(prepared, self.prototypes_)
        return labels.astype(np.int64)

    def fit_predict(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(X, **kwargs).labels_

    def transform(self, X: Any) -> np.ndarray:
        """Distance of every row to every prototype, shape ``(n_samples, n_clusters)``.

        A lazy Dask array when ``X`` is a Dask collection.
        """
        if is_dask_collection(X):
            from ._dask import transform_dask

            check_is_fitted(self, "cost_")
            return transform_dask(self, X)
        prepared = self._prepare(X)
        return self.distance_.to_prototypes(prepared, self.prototypes_)

    # --------------------------------------------------------- soft membership
    @property
    def membership_temperature_(self) -> float:
        """Softmax temperature of :meth:`predict_proba`: ``2 * cost per row / total weight``.

        Derived from ``cost_`` and ``cluster_weights_`` (the cost per unit of sample
        weight, so a row of weight 2 counts as two rows), so a loaded model has it too.
        """
        check_is_fitted(self, "cost_")
        total = float(np.sum(self.cluster_weights_))
        per_row = self.cost_ / total if total > 0 else 0.0
        return membership_temperature(per_row, self.distance_.total_weight)

    def _training_membership(self, prepared: PreparedData) -> Membership:
        distances = self.distance_.to_prototypes(prepared, self.prototypes_)
        return membership_from_distances(distances, self.membership_temperature_)

    def membership(self, X: Any) -> Membership:
        """Nearest and second-nearest segment, margin, confidence and probability per row.

        Parameters
        ----------
        X : DataFrame or array-like
            Same columns as during ``fit``; missing values are allowed.

        Returns
        -------
        Membership
            ``segment`` (= :meth:`predict`), ``second_segment``, ``distance``,
            ``second_distance``, ``margin`` (``d2 - d1``), ``confidence`` (relative
            margin ``(d2 - d1) / d2``) and ``probability`` (the row maximum of
            :meth:`predict_proba`).
        """
        if is_dask_collection(X):  # a lazy Dask DataFrame with those columns
            from ._dask import membership_dask

            check_is_fitted(self, "cost_")
            return membership_dask(self, X)
        return membership_from_distances(self.transform(X), self.membership_temperature_)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Membership probability of every row in every segment.

        A softmax of ``-distance / membership_temperature_``: the posterior of a mixture
        of equal-sized components whose log-density falls linearly with the
        k-prototypes distance, with the within-segment spread estimated from the
        training cost (see :mod:`dash_personas.segmentation._membership`).

        Returns
        -------
        probabilities : ndarray of shape (n_samples, n_clusters)
            Rows sum to 1; the arg-max of each row is :meth:`predict`.
        """
        return membership_probabilities(self.transform(X), self.membership_temperature_)

    def fit_transform(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit, then return :meth:`transform` of the training data."""
        return self.fit(X, **kwargs).transform(X)

    def score(self, X: Any, y: Any = None) -> float:
        """Opposite of the cost of ``X`` under the fitted prototypes (higher is better)."""
        if is_dask_collection(X):
            from ._dask import score_dask

            check_is_fitted(self, "cost_")
            return score_dask(self, X)
        prepared = self._prepare(X)
        _, nearest = self.distance_.nearest(prepared, self.prototypes_)
        return -float(nearest.sum())

    # ----------------------------------------------------------- persistence
    def save(self, path: str | Path) -> None:
        """Write the fitted model to ``path`` as versioned JSON (atomically)."""
        save_model(self, path)

    @classmethod
    def load(cls, path: str | Path) -> KPrototypes:
        """Read a model written by :meth:`save`; refuses other major versions and tampering."""
        return load_model(cls, path)

    def to_json(self) -> str:
        """The fitted model as versioned, checksummed JSON text (what :meth:`save` writes)."""
        return model_to_text(self)

    @classmethod
    def from_json(cls, text: str, source: str = "model") -> KPrototypes:
        """Rebuild a model from :meth:`to_json` text (``source`` names it in errors)."""
        return model_from_text(cls, text, source)


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




def _check_enough_distinct_rows(encoded: EncodedData, pool: SeedingPool, k: int) -> None:
    n = encoded.n_samples
    if n < k:
        raise UserError(f"n_samples={n} should be >= n_clusters={k}")
    if encoded.sample_weight is not None:
        positive = int(np.count_nonzero(encoded.sample_weight > 0))
        if positive < k:
            raise UserError(
                f"only {positive} of the {n} rows have a positive sample_weight, fewer "
                f"than n_clusters={k}; lower n_clusters or give more rows weight")
    if pool.n_distinct < k:
        rows = "distinct rows" if encoded.sample_weight is None \
            else "distinct rows with a positive weight"
        raise UserError(
            f"the data has only {pool.n_distinct} {rows}, fewer than n_clusters={k}; "
            "lower n_clusters"
        )
