"""Choosing the number of segments with evidence: one fit per k, many indices, one rule.

The rule (see :func:`select_k`) was chosen on measured recovery of planted segments
(``benchmarks/bench_select_k.py``): among the candidate k whose segments are all
large enough to act on, the k with the lowest latent-class BIC (evaluated at the
partition classification EM reaches from the k-prototypes one) when that minimum is
clear, else the elbow where the BIC curve flattens; how well its segments are found
again on resamples (prediction strength) says how far to trust it.
"""

from __future__ import annotations

import operator
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, NamedTuple

import numpy as np
import pandas as pd
from joblib import effective_n_jobs
from sklearn.utils.validation import check_is_fitted

from survey_builder.errors import UserError

from ._encoding import EncodedData, _check_sample_weight
from ._init import SeedingPool, init_kprototypes_pp
from ._kernels import PreparedData, Prototypes
from ._kprototypes import KPrototypes
from ._latent_class import LatentClassModel
from ._lloyd import LloydRun, lloyd
from ._restarts import RestartsDisagreeWarning, adjusted_rand_index
from ._validity import (
    HIGHER_IS_BETTER,
    PairwiseDistances,
    pairwise_indices,
    prediction_strength,
    segment_jaccard,
)

__all__ = ["KSelection", "pairwise_kprototypes_distances", "select_k"]

#: A segment smaller than this share of the (weighted) respondents is not actionable.
MIN_SHARE = 0.05
#: Prediction strength from which a k counts as reproducible (Tibshirani & Walther 2005);
#: below it the recommendation is called tentative.
MIN_PREDICTION_STRENGTH = 0.8
#: A step to one more segment counts when it improves the latent-class BIC by at least
#: this share of the improvement the lowest-BIC k makes over a single segment. Measured
#: (``bench_select_k.py --rules``): on simulated survey data every step beyond the
#: planted k bought at most 6.4 % (9 % after one poor fit) and the last planted step at
#: least 8.6 % (but for 8 overlapping personas); on the planted mixed data every value
#: from 0.05 to 0.1 recovers the same k.
MIN_BIC_STEP = 0.075
#: Rows per segment (on average) a candidate k needs to be tried at all.
MIN_SEGMENT_ROWS = 10
#: Rows the restarts of each k run on; larger data is then refined from the best one.
#: At the seeding sample's size, each restart is one greedy seeding and its passes.
FIT_SIZE = 2_500
#: Rows per half of a resampling split (prediction strength and Jaccard): 50 rows per
#: segment at k=10.
RESAMPLE_SIZE = 500
#: Restarts per half: with one, a half stuck in a poor local optimum reads as an
#: irreproducible k (measured: planted k=5 at 50,000 rows, prediction strength 0.70).
HALF_RESTARTS = 2
#: Kass & Raftery (1995): evidence from a BIC difference.
BIC_EVIDENCE = ((10.0, "very strong"), (6.0, "strong"), (2.0, "positive"), (0.0, "weak"))

COLUMNS = ["cost", "bic", "bic_step", "partition_bic", "silhouette", "cindex", "mcclain_rao",
           "dunn", "ptbiserial", "gamma_index", "g_plus", "tau", "prediction_strength",
           "min_jaccard", "stability", "smallest_share", "eligible"]


class KSelection(pd.DataFrame):
    """Evidence for each candidate number of segments (a DataFrame indexed by ``k``).

    Columns (one row per k):

    * ``cost``: the k-prototypes cost of the fit on all rows.
    * ``bic``: latent-class BIC (lower is better) of the partition that
      classification EM reaches from the k-prototypes partition (the latent-class
      model's own optimum near it; see ``_latent_class``).
    * ``bic_step``: how much the BIC improves from the candidate before (a single
      segment for the first) as a share of the improvement the lowest-BIC actionable k
      makes over a single segment (NaN when no k beats one segment).
    * ``partition_bic``: the same BIC at the k-prototypes partition itself.
    * ``silhouette``, ``cindex``, ``mcclain_rao``, ``dunn``, ``ptbiserial``,
      ``gamma_index``, ``g_plus``, ``tau``: clustMixType's ``validation_kproto``
      indices on a sample of rows with the model's distance (higher is better for
      silhouette, Dunn, point-biserial, gamma and tau; lower for C-index,
      McClain-Rao and G+).
    * ``prediction_strength``: Tibshirani & Walther's prediction strength, mean over
      the resampling splits (the share of each segment's pairs of rows that a fit
      on other rows puts together, for the worst segment; 1 is perfect).
    * ``min_jaccard``: the least reproducible segment's mean Jaccard similarity
      with its best match on the resamples (Hennig's clusterboot; < 0.6 unstable).
    * ``stability``: mean adjusted Rand index between the fit on all rows and the
      fits on the resamples.
    * ``smallest_share``: (weighted) share of the smallest segment.
    * ``eligible``: the k may be recommended: every segment holds at least
      ``min_share`` (see :func:`select_k`).

    Attributes
    ----------
    recommended_k : int
        The suggested number of segments.
    lowest_bic_k : int
        The actionable k with the lowest BIC (``recommended_k`` unless the BIC flattens
        before it).
    rule : str
        The rule that produced ``recommended_k`` and how confident it is, in words.
    runner_up_k : int or None
        When the rule took the BIC's elbow, ``lowest_bic_k``. Otherwise the eligible k
        with the next-lowest BIC; if no other k is eligible, the other k with the
        lowest BIC (``rule`` then says what it lacks). None with a single candidate.
    margin : float
        BIC of the runner-up minus BIC of the recommended k (NaN without runner-up;
        negative when the runner-up has a lower BIC: ruled out by the share, or beyond
        the elbow).
    confidence : str
        Kass & Raftery's (1995) reading of ``margin``: "very strong" (> 10), "strong"
        (6-10), "positive" (2-6), "weak" (< 2), or starting with "none".
    segment_jaccard : dict of int to ndarray
        Per k, each segment's mean Jaccard similarity on the resamples.
    min_share, min_prediction_strength, min_bic_step : float
        The thresholds the rule used (see :func:`select_k`).
    one_segment_bic : float
        The latent-class BIC of a single segment (the base of ``bic_step``).
    models : dict of int to KPrototypes
        The model fitted on all rows for each k.
    """

    _metadata: ClassVar[list[str]] = ["recommended_k", "lowest_bic_k", "rule", "runner_up_k",
                                      "margin", "confidence", "segment_jaccard", "models",
                                      "min_share", "min_prediction_strength", "min_bic_step",
                                      "one_segment_bic"]

    @property
    def _constructor(self) -> type[KSelection]:
        return KSelection

    @property
    def recommended_model(self) -> KPrototypes:
        """The fitted model for ``recommended_k``."""
        return self.models[self.recommended_k]

    def explain(self) -> str:
        """The choice in words: the rule, the runner-up and its margin, the confidence.

        Returns
        -------
        str
            Three lines (four when a candidate was ruled out): the chosen k and the
            rule; the runner-up k and the BIC margin on Kass & Raftery's scale; how
            well the chosen segments are found again on resamples; which k were ruled
            out for a segment under ``min_share`` and which k the k-prototypes
            partitions' own BIC (``partition_bic``) would have taken, when it differs.
        """
        best, lowest = self.recommended_k, self.lowest_bic_k
        tried = ", ".join(str(k) for k in self.index)
        among = f"among the k whose every segment is at least {self.min_share:.0%} of respondents"
        if best == lowest:
            how = f"lowest latent-class BIC {among}"
        else:
            how = (f"elbow of the latent-class BIC {among}: each further segment up to "
                   f"k = {lowest} improves it by less than {self.min_bic_step:.1%} of the "
                   "improvement over one segment")
        lines = [f"Chosen k = {best} ({how}; tried k = {tried})"]
        if self.runner_up_k is None:
            lines.append("Runner-up: none (a single candidate)")
        elif self.runner_up_k == lowest != best:
            lines.append(f"Runner-up: k = {lowest}, the lowest BIC (lower by {-self.margin:,.1f}"
                         f"), but its extra segments buy at most "
                         f"{_largest_step(self['bic_step'], best, lowest):.1%} each")
        elif self.margin < 0:
            lines.append(f"Runner-up: k = {self.runner_up_k}, BIC lower by {-self.margin:,.1f} "
                         "but ruled out for a segment under the share")
        else:
            lines.append(f"Runner-up: k = {self.runner_up_k}, BIC higher by {self.margin:,.1f}"
                         f" ({self.confidence} evidence on Kass & Raftery's scale: > 10 very "
                         "strong, 6-10 strong, 2-6 positive)")
        strength = self.loc[best, "prediction_strength"]
        jaccard = self.loc[best, "min_jaccard"]
        if not np.isfinite(strength):
            lines.append("Confidence: reproducibility not checked (n_bootstrap=0)")
        else:
            found = ("found again on resamples" if strength >= self.min_prediction_strength
                     else "tentative: found again on resamples only in part")
            lines.append(f"Confidence: {found} (prediction strength {strength:.2f}, "
                         f"threshold {self.min_prediction_strength:g}; least reproducible "
                         f"segment's Jaccard {jaccard:.2f})")
        ruled_out = [f"k={k} (smallest segment {share:.1%})"
                     for k, share in self.loc[~self["eligible"], "smallest_share"].items()]
        notes = []
        if ruled_out:
            notes.append("ruled out for a segment under the share: " + ", ".join(ruled_out))
        eligible = self.loc[self["eligible"], "partition_bic"]
        by_partition = int(eligible.idxmin())
        if by_partition != best:
            notes.append(f"the k-prototypes partitions' own BIC would take k={by_partition}")
        if notes:
            lines.append("Note: " + "; ".join(notes))
        return "\n".join(lines)

    def best_by(self, index: str) -> int:
        """The k that one index alone prefers (its maximum or minimum, by its direction).

        Parameters
        ----------
        index : str
            A column with a direction: ``bic``, ``silhouette``, ``cindex``,
            ``mcclain_rao``, ``dunn``, ``ptbiserial``, ``gamma_index``, ``g_plus``,
            ``tau``, ``prediction_strength``, ``min_jaccard`` or ``stability``.

        Returns
        -------
        int
        """
        if index not in HIGHER_IS_BETTER:
            raise UserError(f"{index!r} is not an index with a direction; choose from "
                            + ", ".join(HIGHER_IS_BETTER))
        values = self[index]
        return int(values.idxmax() if HIGHER_IS_BETTER[index] else values.idxmin())


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


def select_k(
    data: Any,
    k: Iterable[int] = range(2, 11),
    *,
    sample_weight: Any = None,
    categorical: Any = "auto",
    gamma: Any = "auto",
    n_init: int = 5,
    sample_size: int = 1000,
    n_bootstrap: int = 5,
    min_share: float = MIN_SHARE,
    min_prediction_strength: float = MIN_PREDICTION_STRENGTH,
    min_bic_step: float = MIN_BIC_STEP,
    fit_size: int = FIT_SIZE,
    random_state: Any = None,
    n_jobs: int | None = None,
    verbose: bool = False,
    progress: Callable[[int, int], None] | None = None,
    **params: Any,
) -> KSelection:
    """Fit k-prototypes for each candidate ``k``, score it on many indices, recommend one.

    The rule: among the candidates whose every segment holds at least ``min_share``
    of the (weighted) respondents, take the k with the lowest latent-class BIC when
    that is a clear minimum, and the elbow of the BIC curve when the curve flattens
    instead. The BIC is that of the latent-class model (Gaussian numerics,
    multinomial categoricals, as StepMix or poLCA fit it) at the partition
    classification EM (Celeux & Govaert 1992) reaches from the k-prototypes
    partition (scored at the k-prototypes partition itself, ``partition_bic``, it
    under-estimated overlapping segments). The minimum is clear when the next larger
    candidate's BIC is worse by at least ``min_bic_step`` of the improvement the
    lowest-BIC k makes over a single segment. Otherwise the rule takes the smallest
    candidate from which every further segment improves the BIC by less than that
    share (``bic_step``): on survey data the model is only an approximation (skewed
    values such as customer lifetime value, answers that depend on each other within
    a segment), and with thousands of respondents the BIC keeps buying a little more
    likelihood with every extra segment, as latent-class analysts read an "elbow"
    when the criterion keeps decreasing (Nylund-Gibson & Choi 2018). Its prediction
    strength (how well its segments are found again on resamples) is reported with
    it, and below ``min_prediction_strength`` the rule calls the recommendation
    tentative. Measured by ``benchmarks/bench_select_k.py`` (see README,
    Performance): on planted mixed data (20 data sets per setting) this finds the
    planted k 20 times in 20 at the default separation and on hard, overlapping
    segments, as StepMix's latent-class BIC does; on simulated survey data the
    lowest BIC alone over-split almost every time. Prediction strength as a filter
    did worse: on the hard data sets the planted k's strength ranged from 0.40 to
    0.92 while a k one too large never exceeded 0.53.

    Parameters
    ----------
    data : DataFrame or array-like
        Mixed data, as for :meth:`KPrototypes.fit`.
    k : iterable of int, default=range(2, 11)
        Candidate numbers of segments.
    sample_weight : array-like of shape (n_samples,), optional
        Survey weights. They count like repeated rows everywhere: in the fits, the
        BIC, the shares (``min_share`` applies to weighted shares), the resampling
        (prediction strength and Jaccard weigh rows) and the sample the pairwise
        indices use (drawn with probability proportional to weight).
    categorical, gamma : see :class:`KPrototypes`
        gamma is resolved once (``gamma_`` of a fit on all rows at the smallest
        candidate k) and shared by every k, so costs and indices compare.
    n_init : int, default=5
        Restarts per k.
    sample_size : int, default=1000
        Rows on which the pairwise indices are computed (``sample_size**2`` memory).
    n_bootstrap : int, default=5
        Resampling rounds per k. Each round splits (at most ``2 * 500``) rows into two
        halves, fits both (2 restarts each) and predicts across: prediction strength,
        per-segment Jaccard and ARI stability. 0 skips them (the recommendation is the
        same; the rule then says reproducibility was not checked).
    min_share : float, default=0.05
        Smallest segment share a recommended k may have.
    min_prediction_strength : float, default=0.8
        Prediction strength from which the recommendation counts as reproducible
        (Tibshirani & Walther suggest 0.8-0.9); below it the rule starts with
        "tentative". It does not change which k is recommended.
    min_bic_step : float, default=0.075
        Share of the BIC improvement over a single segment from which one more
        segment counts as a real step (see the rule above).
    fit_size : int, default=2500
        Larger data runs the restarts of each k on a random ``fit_size`` rows and
        assigns every row to the nearest prototype (the table's cost, BIC and shares
        are on all rows). ``models[k]`` is refined on all rows from those prototypes
        when first looked up; for the recommended k, fresh ``n_init`` restarts on all
        rows are tried too and the cheaper kept (if its segments are all at
        ``min_share`` or more).
    random_state : int or None
        Seed; the same seed gives the same table.
    n_jobs : int, optional
        Threads for the scan (one candidate k per thread; every k draws from its own
        random stream, so the table does not depend on ``n_jobs``) and parallel
        restarts in the fits on all rows (``models``). None means 1, -1 all cores.
    verbose : bool
        Print one line per k to stderr.
    progress : callable, optional
        Called as ``progress(done, total)`` after each k (for progress bars).
    **params
        Other :class:`KPrototypes` parameters (``weights``, ``scale``, ...).

    Returns
    -------
    KSelection
        The indices per k, ``recommended_k``, ``rule`` (in words, with the runner-up
        and the BIC margin), ``runner_up_k``, ``margin``, ``confidence`` and the
        fitted ``models``.

    Raises
    ------
    UserError
        When there are too few rows for any candidate (candidates with fewer than ten
        rows per segment on average are not tried), or when no candidate has every
        segment at ``min_share`` or more.
    """
    ks = _whole_numbers(k)
    if not ks or ks[0] < 2:
        raise UserError("select_k needs candidate values of k that are all >= 2")
    rng = np.random.default_rng(random_state)
    weight = _check_sample_weight(sample_weight, len(data))
    n_positive = len(data) if weight is None else int(np.count_nonzero(weight > 0))
    ks = _feasible(ks, n_positive)
    # resolves the columns, the encoding and gamma once, on all rows, for every k
    probe = KPrototypes(n_clusters=ks[0], categorical=categorical, gamma=gamma, n_init=1,
                        random_state=_seed(rng), **{**params, "max_iter": 1})
    _quiet_fit(probe, data, sample_weight)
    distance = probe.distance_
    encoded = probe.encoder_.transform(data, sample_weight=sample_weight, warn_unseen=False)
    everyone = distance.prepare(encoded)
    weight = (np.ones(encoded.n_samples) if encoded.sample_weight is None
              else encoded.sample_weight)
    positive = np.flatnonzero(weight > 0)
    fit_rows = (positive if positive.size <= fit_size
                else np.sort(rng.choice(positive, size=fit_size, replace=False)))
    fit_data = distance.prepare(encoded.take(fit_rows))
    max_iter = int(params.get("max_iter", 100))

    # one random stream per k: the table is the same whatever n_jobs is, and each k's
    # fit whatever n_bootstrap and sample_size are
    seeds = [_seed(rng) for _ in ks]
    sample = _index_sample(weight, positive, sample_size, rng)
    distances = PairwiseDistances(distance.pairwise(encoded.take(sample)))
    splits = []
    for _ in range(max(0, n_bootstrap)):
        halves = _split(positive, rng)
        prepared = tuple(distance.prepare(encoded.take(h)) for h in halves)
        splits.append(_Split(halves, prepared, tuple(SeedingPool.from_data(h) for h in prepared)))

    latent = _LatentClass.of(probe, encoded, fit_rows)
    scan = _Scan(latent, weight, fit_data, everyone, sample, distances, splits, n_init,
                 max_iter)
    rows = []
    starts: dict[int, Prototypes] = {}
    jaccards: dict[int, np.ndarray] = {}
    workers = max(1, min(effective_n_jobs(n_jobs), len(ks)))
    with ThreadPoolExecutor(max_workers=workers) as threads:
        results = (map(scan.evaluate, ks, seeds) if workers == 1
                   else threads.map(scan.evaluate, ks, seeds))
        for done, (row, prototypes, jaccard) in enumerate(results, start=1):
            n_clusters = row["k"]
            starts[n_clusters] = prototypes
            jaccards[n_clusters] = jaccard
            rows.append(row)
            if verbose:
                print(f"k={n_clusters:2d}  bic={row['bic']:.6g}  "
                      f"prediction_strength={row['prediction_strength']:.3f}  "
                      f"smallest_share={row['smallest_share']:.3f}", file=sys.stderr)
            if progress is not None:
                progress(done, len(ks))

    table = pd.DataFrame(rows).set_index("k")
    actionable = table["smallest_share"] >= min_share
    one_segment_bic = latent.everyone.classification_bic(
        np.zeros(encoded.n_samples, dtype=np.int64), 1)
    table["bic_step"] = (_bic_steps(table["bic"], one_segment_bic,
                                    int(table.loc[actionable, "bic"].idxmin()))
                         if actionable.any() else np.nan)
    table = KSelection(table[COLUMNS[:-1]])
    table["eligible"] = actionable
    table.min_share, table.min_prediction_strength = min_share, min_prediction_strength
    table.min_bic_step, table.one_segment_bic = min_bic_step, one_segment_bic
    _recommend(table, actionable, min_share, min_prediction_strength, n_bootstrap,
               one_segment_bic, min_bic_step)
    table.segment_jaccard = jaccards
    settings = dict(categorical=list(probe.categorical_features_), gamma=probe.gamma_,
                    random_state=_seed(rng), n_jobs=n_jobs, **params)
    table.models = FittedModels(data, sample_weight, probe.encoder_, starts, settings)
    if positive.size > fit_size:
        # the evidence came from a sample: try fresh restarts on all rows as well
        fresh = _quiet_fit(KPrototypes(table.recommended_k, n_init=n_init, **settings), data,
                           sample_weight)
        refined = table.models[table.recommended_k]
        share = (np.bincount(fresh.labels_, weights=weight, minlength=fresh.n_clusters).min()
                 / weight.sum())
        if fresh.cost_ < refined.cost_ and share >= min_share:
            table.models.replace(fresh)
    return table


class FittedModels(Mapping[int, KPrototypes]):
    """The model of each candidate k, fitted on all rows when first looked up.

    Each is refined on all rows from the prototypes the evidence was measured on
    (one warm-started fit), so looking at ``models[k]`` for a k that was not
    recommended costs a fit then, not during :func:`select_k`.
    """

    def __init__(self, data: Any, sample_weight: Any, encoder: Any,
                 starts: dict[int, Prototypes], settings: dict[str, Any]) -> None:
        self._data = data
        self._sample_weight = sample_weight
        self._encoding = encoder
        self._starts = starts
        self._settings = settings
        self._fitted: dict[int, KPrototypes] = {}

    def __getitem__(self, k: int) -> KPrototypes:
        if k not in self._fitted:
            start = self._starts[k]  # KeyError for a k that was not tried
            init = self._encoding.decode_prototypes(start.numeric, start.categorical)
            self._fitted[k] = _quiet_fit(KPrototypes(k, init=init, n_init=1, **self._settings),
                                         self._data, self._sample_weight)
        return self._fitted[k]

    def replace(self, model: KPrototypes) -> None:
        """Use ``model`` for its k (a better fit found on all rows)."""
        self._fitted[model.n_clusters] = model

    def __iter__(self) -> Iterator[int]:
        return iter(self._starts)

    def __len__(self) -> int:
        return len(self._starts)


class _Scan:
    """What every candidate k is evaluated on: the rows, the samples and the splits."""

    def __init__(self, latent: _LatentClass, weight: np.ndarray, fit_data: PreparedData,
                 everyone: PreparedData, sample: np.ndarray, distances: PairwiseDistances,
                 splits: list[_Split], n_init: int, max_iter: int) -> None:
        self.latent = latent
        self.weight = weight
        self.fit_data = fit_data
        self.fit_pool = SeedingPool.from_data(fit_data)
        self.everyone = everyone
        self.sample = sample
        self.distances = distances
        self.splits = splits
        self.n_init = n_init
        self.max_iter = max_iter

    def evaluate(self, n_clusters: int, seed: int
                 ) -> tuple[dict[str, Any], Prototypes, np.ndarray]:
        """The table row of one k, the prototypes it was measured on, segment Jaccards."""
        rng = np.random.default_rng(seed)
        run = _cluster(self.fit_data, n_clusters, self.n_init, self.max_iter, rng,
                       self.fit_pool)
        labels, nearest = self.everyone.distance.nearest(self.everyone, run.prototypes)
        labels = labels.astype(np.int64)
        weight = self.weight
        shares = np.bincount(labels, weights=weight, minlength=n_clusters) / weight.sum()
        resampled = _resampled(labels, n_clusters, self.splits, self.max_iter, rng)
        jaccard = resampled.pop("jaccard")
        row = {"k": n_clusters, "cost": float(nearest @ weight),
               "bic": self.latent.refined_bic(labels, n_clusters),
               "partition_bic": self.latent.everyone.classification_bic(labels, n_clusters),
               **pairwise_indices(self.distances, labels[self.sample]), **resampled,
               "smallest_share": float(shares.min())}
        return row, run.prototypes, jaccard


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(2**31 - 1))


def _cluster(data: PreparedData, k: int, n_init: int, max_iter: int,
             rng: np.random.Generator, pool: SeedingPool | None = None) -> LloydRun:
    """The cheapest of ``n_init`` k-prototypes++ restarts, each run to its local optimum."""
    pool = SeedingPool.from_data(data) if pool is None else pool
    best: LloydRun | None = None
    for _ in range(max(1, n_init)):
        start = init_kprototypes_pp(data, k, rng, pool)
        run = lloyd(data, start, max_iter, 0.0, False, 0, 1)
        if best is None or run.cost < best.cost:
            best = run
    assert best is not None
    return best


def _feasible(ks: list[int], n_rows: int) -> list[int]:
    """The candidates with ``MIN_SEGMENT_ROWS`` rows per segment, or a clear error."""
    feasible = [k for k in ks if k * MIN_SEGMENT_ROWS <= n_rows]
    if not feasible:
        raise UserError(
            f"too little data to choose the number of segments: {n_rows} rows (with positive "
            f"weight), and k={ks[0]} needs at least {ks[0] * MIN_SEGMENT_ROWS} "
            f"({MIN_SEGMENT_ROWS} per segment)"
        )
    return feasible


def _index_sample(weight: np.ndarray, positive: np.ndarray, size: int,
                  rng: np.random.Generator) -> np.ndarray:
    """Rows for the pairwise indices: all, a random subset, or weight-proportional draws."""
    uniform = np.allclose(weight[positive], weight[positive[0]])
    if uniform:
        if positive.size <= size:
            return positive
        return np.sort(rng.choice(positive, size=size, replace=False))
    # weights as repeated rows: draw with probability proportional to weight
    return np.sort(rng.choice(positive, size=size, replace=True,
                              p=weight[positive] / weight[positive].sum()))


def _split(positive: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two disjoint random halves of the positive-weight rows, at most RESAMPLE_SIZE each."""
    order = rng.permutation(positive)
    half = min(order.size // 2, RESAMPLE_SIZE)
    return np.sort(order[:half]), np.sort(order[half:2 * half])


def _whole_numbers(k: Iterable[Any]) -> list[int]:
    """The distinct candidate k, sorted; 2.5 or "3" is an error, not a truncation."""
    candidates = list(k)
    try:
        return sorted({operator.index(v) for v in candidates})
    except TypeError:
        raise UserError(f"select_k needs whole numbers of segments as k, got {candidates!r}",
                        field="k") from None


def _quiet_fit(model: KPrototypes, X: Any, sample_weight: Any) -> KPrototypes:
    with warnings.catch_warnings():
        # select_k reports how reproducible each k is; a warning per fit would repeat it
        warnings.simplefilter("ignore", RestartsDisagreeWarning)
        return model.fit(X, sample_weight=sample_weight)


class _LatentClass(NamedTuple):
    """The latent-class model's terms on all rows and on the rows the restarts run on."""

    everyone: LatentClassModel
    fitted: LatentClassModel
    fit_rows: np.ndarray | None  # None: the restarts ran on every row

    @classmethod
    def of(cls, probe: KPrototypes, encoded: EncodedData, fit_rows: np.ndarray
           ) -> _LatentClass:
        encoder = probe.encoder_
        weights = (encoder.numeric_weights_, encoder.categorical_weights_, encoder.n_levels)
        everyone = LatentClassModel(encoded, *weights)
        if fit_rows.size == encoded.n_samples:
            return cls(everyone, everyone, None)
        return cls(everyone, LatentClassModel(encoded.take(fit_rows), *weights), fit_rows)

    def refined_bic(self, labels: np.ndarray, k: int) -> float:
        """BIC of the partition classification EM reaches from the k-prototypes one.

        On larger data, classification EM runs on the restarts' rows and its
        parameters then assign every row once (as the k-prototypes prototypes do).
        """
        if self.fit_rows is None:
            return self.everyone.classification_bic(self.fitted.classification_em(labels, k), k)
        refined = self.fitted.classification_em(labels[self.fit_rows], k)
        moved = self.everyone.assign(self.fitted.partition_parameters(refined, k))
        return self.everyone.classification_bic(moved, k)


class _Split(NamedTuple):
    """Two disjoint halves of the rows: their positions and their prepared data."""

    rows: tuple[np.ndarray, np.ndarray]
    data: tuple[PreparedData, PreparedData]
    pools: tuple[SeedingPool, SeedingPool]  # what seeding draws from, grouped once


def _resampled(labels: np.ndarray, k: int, splits: list[_Split], max_iter: int,
               rng: np.random.Generator) -> dict[str, Any]:
    """Prediction strength, per-segment Jaccard and ARI stability over the splits.

    Each half is clustered on its own (``HALF_RESTARTS`` restarts). Its prototypes
    label the other half, which is compared with that half's own segments
    (prediction strength), and label both halves, which are compared with the
    segments of all rows (Jaccard per segment and ARI).
    """
    strengths, jaccards, aris = [], [], []
    for split in splits:
        if min(half.n for half in split.data) < k:
            continue
        fits = [_cluster(half, k, HALF_RESTARTS, max_iter, rng, pool)
                for half, pool in zip(split.data, split.pools)]
        for train, test in ((0, 1), (1, 0)):
            data = split.data[test]
            predicted = data.distance.nearest(data, fits[train].prototypes)[0]
            strengths.append(prediction_strength(fits[test].labels, predicted,
                                                 data.sample_weight))
            # the training half's own labels and its labels of the other half
            rows = np.concatenate([split.rows[train], split.rows[test]])
            both = np.concatenate([fits[train].labels, predicted])
            weight = (None if data.sample_weight is None else
                      np.concatenate([split.data[train].sample_weight, data.sample_weight]))
            jaccards.append(segment_jaccard(labels[rows], both, k, weight))
            aris.append(adjusted_rand_index(labels[rows], both))
    if not strengths:
        return {"prediction_strength": np.nan, "min_jaccard": np.nan, "stability": np.nan,
                "jaccard": np.full(k, np.nan)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a segment absent from every split
        jaccard = np.nanmean(np.vstack(jaccards), axis=0)
    return {"prediction_strength": float(np.mean(strengths)),
            "min_jaccard": float(np.nanmin(jaccard)) if np.isfinite(jaccard).any() else np.nan,
            "stability": float(np.mean(aris)), "jaccard": jaccard}


def _bic_steps(bic: pd.Series, one_segment_bic: float, lowest: int) -> pd.Series:
    """Each candidate's BIC improvement over the candidate before it (one segment for the
    first), as a share of the improvement ``lowest`` makes over one segment."""
    gain = one_segment_bic - float(bic.loc[lowest])
    if not gain > 0:  # no k beats a single segment: the shares say nothing
        return pd.Series(np.nan, index=bic.index)
    previous = np.r_[one_segment_bic, bic.to_numpy()[:-1]]
    return (previous - bic) / gain


def _elbow(steps: pd.Series, candidates: pd.Index, lowest: int, min_step: float) -> int:
    """The k the rule takes: ``lowest`` at a clear minimum, else the BIC curve's elbow.

    The minimum is clear when the next larger candidate's BIC is worse by at least
    ``min_step`` (of the improvement over one segment). Otherwise the curve flattens
    after some k, and the smallest candidate from which every further step up to
    ``lowest`` improves the BIC by less than ``min_step`` is taken.
    """
    ks = list(steps.index)
    after = ks.index(lowest) + 1
    if not np.isfinite(steps.to_numpy()).all() or (
            after < len(ks) and -steps.iloc[after] >= min_step):
        return lowest
    for position, k in enumerate(ks[:after]):
        if k in candidates and (steps.iloc[position + 1:after] < min_step).all():
            return int(k)
    return lowest  # pragma: no cover - the loop ends at ``lowest`` at the latest


def _recommend(table: KSelection, actionable: pd.Series, min_share: float,
               min_strength: float, n_bootstrap: int, one_segment_bic: float,
               min_step: float) -> None:
    """Set ``recommended_k``, ``lowest_bic_k``, ``runner_up_k``, ``margin``,
    ``confidence`` and ``rule``."""
    share_words = f"every segment >= {min_share:.0%} of respondents"
    if not actionable.any():
        shares = ", ".join(f"k={k}: {share:.1%}" for k, share in table["smallest_share"].items())
        raise UserError(
            f"no candidate k has {share_words} (smallest segment {shares}); try smaller k, "
            "more data, or a lower min_share"
        )
    candidates = table.index[actionable]
    ranked = table.loc[candidates, "bic"].sort_values(kind="stable")
    lowest = int(ranked.index[0])
    table.lowest_bic_k = lowest
    steps = table["bic_step"]
    best = _elbow(steps, candidates, lowest, min_step)
    table.recommended_k = best
    if best == lowest:
        basis = f"lowest latent-class BIC among k with {share_words}"
        after = list(table.index).index(best) + 1
        if after < len(table.index) and -steps.iloc[after] >= min_step:
            basis += (f", a clear minimum (k={table.index[after]} is worse by "
                      f"{-steps.iloc[after]:.1%} of the improvement over one segment)")
    else:
        basis = (f"the elbow of the latent-class BIC among k with {share_words}: every "
                 f"further segment up to k={lowest} improves it by less than {min_step:.1%} "
                 f"of the improvement over one segment (at most "
                 f"{_largest_step(steps, best, lowest):.1%})")
    strength = table.loc[best, "prediction_strength"]
    if not n_bootstrap or not np.isfinite(strength):
        basis += " (reproducibility not checked: n_bootstrap=0)" if not n_bootstrap else ""
    elif strength >= min_strength:
        basis += (f"; its segments are found again on resamples (prediction strength "
                  f"{strength:.2f} >= {min_strength:g})")
    else:
        basis = (f"tentative: {basis}, but its segments are found again on resamples only "
                 f"in part (prediction strength {strength:.2f} < {min_strength:g})")
    if best != lowest:
        # the BIC alone prefers more segments: that k is the runner-up
        table.runner_up_k = lowest
        table.margin = float(table.loc[lowest, "bic"] - table.loc[best, "bic"])
        table.confidence = "none: more segments have a lower BIC, but buy little of it"
        table.rule = (f"{basis}; runner-up k={lowest}, the lowest BIC (lower by "
                      f"{-table.margin:,.1f})")
        return
    others = table["bic"].drop(index=best)
    if len(ranked) > 1:
        runner_up, why = int(ranked.index[1]), ""
    elif len(others):
        # no other k met the rule: the next-best BIC, and what it lacks
        runner_up = int(others.idxmin())
        why = (f" but its smallest segment is {table.loc[runner_up, 'smallest_share']:.1%} of "
               "respondents")
    else:
        table.runner_up_k, table.margin, table.confidence = None, np.nan, "none"
        table.rule = f"{basis}; k={best} was the only candidate"
        return
    table.runner_up_k = runner_up
    table.margin = float(table.loc[runner_up, "bic"] - table.loc[best, "bic"])
    table.confidence = next((word for bound, word in BIC_EVIDENCE if table.margin > bound),
                            "weak")
    if table.margin < 0:
        table.confidence = "none: a k ruled out has a lower BIC"
    table.rule = (f"{basis}; runner-up k={runner_up}, BIC higher by {table.margin:,.1f} "
                  f"({table.confidence} evidence){why}")


def _largest_step(steps: pd.Series, start: int, end: int) -> float:
    """The largest BIC step share after ``start`` up to ``end``."""
    ks = list(steps.index)
    return float(steps.iloc[ks.index(start) + 1:ks.index(end) + 1].max())
