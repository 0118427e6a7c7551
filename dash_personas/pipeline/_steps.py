"""Scores -> segments -> personas, as library calls: the steps every entry point shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from survey_builder.errors import UserError

from ._features import FeatureSelection, select_features
from ._weights import read_weights

__all__ = ["PipelineResult", "Segmentation", "fit_segments", "make_personas", "profile",
           "run_pipeline", "weights_of"]

#: Candidate numbers of segments tried when ``k="auto"``.
DEFAULT_K_RANGE = range(2, 9)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Segmentation:
    """A fitted segmentation and the evidence behind its number of segments.

    Attributes
    ----------
    model : KPrototypes
        Fitted on the selected features.
    selection : KSelection or None
        The per-k evidence when ``k`` was chosen with :func:`~dash_personas.select_k`.
    """

    model: Any
    selection: Any = None

    @property
    def rule(self) -> str:
        """How the number of segments was decided, in words."""
        return str(self.selection.rule) if self.selection is not None else "given"


def fit_segments(data: pd.DataFrame, k: int | str = "auto", *,
                 k_range: Iterable[int] = DEFAULT_K_RANGE, categorical: Any = "auto",
                 n_init: int = 10, n_bootstrap: int = 5, random_state: Any = 0,
                 progress: Progress | None = None, sample_weight: Any = None,
                 weight_column: str | None = None, **params: Any) -> Segmentation:
    """Fit k-prototypes on ``data``, choosing ``k`` with evidence when asked to.

    Parameters
    ----------
    data : DataFrame
        The segmentation features (see :func:`select_features`).
    k : int or "auto", default="auto"
        ``"auto"`` runs :func:`~dash_personas.select_k` over ``k_range`` and keeps its
        recommended model.
    k_range : iterable of int
        Candidates for ``k="auto"``; values that are not below the number of rows are
        dropped.
    categorical : "auto" or list of str
        As in :class:`~dash_personas.KPrototypes`.
    n_init : int
        Restarts per fit.
    n_bootstrap : int
        Resampling rounds per candidate k (prediction strength, per-segment Jaccard),
        with ``k="auto"``; see :func:`~dash_personas.select_k` for the rule.
    random_state : int, RandomState or None
    progress : callable, optional
        ``progress(done, total)`` after each candidate k.
    sample_weight : array-like of shape (n_rows,), optional
        Survey weights, passed to :meth:`~dash_personas.KPrototypes.fit` (and to
        :func:`~dash_personas.select_k` when it accepts them; otherwise the
        recommended k is refitted with the weights).
    weight_column : str, optional
        Name of the column ``sample_weight`` came from; recorded on the model
        (``weight_column_``) and in its file, so the personas reuse it.
    **params
        More :class:`~dash_personas.KPrototypes` parameters (``gamma``, ``max_iter``...).

    Returns
    -------
    Segmentation
    """
    from ..segmentation import KPrototypes, select_k

    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if k == "auto":
        candidates = [int(v) for v in k_range if 2 <= int(v) < len(data)]
        if not candidates:
            raise UserError(f"too few rows ({len(data)}) to try any number of segments in "
                            f"{list(k_range)}")
        selection = select_k(data, candidates, categorical=categorical, n_init=n_init,
                             n_bootstrap=n_bootstrap, random_state=random_state,
                             progress=progress, sample_weight=weights, **params)
        model = selection.recommended_model
        model.weight_column_ = weight_column
        return Segmentation(model, selection)
    model = KPrototypes(int(k), categorical=categorical, n_init=n_init,
                        random_state=random_state, **params).fit(data, sample_weight=weights)
    model.weight_column_ = weight_column
    return Segmentation(model)


def profile(segmentation: Segmentation | Any, data: pd.DataFrame, *, sample_weight: Any = None,
            **options: Any) -> Any:
    """What sets each segment apart (:func:`~dash_personas.profile_segments`).

    Parameters
    ----------
    segmentation : Segmentation or KPrototypes
        Fitted on ``data``.
    data : DataFrame
        The segmentation features, row-aligned with the model's ``labels_``.
    sample_weight : array-like of shape (n_rows,), optional
        Survey weights (weighted profiles, effective bases).
    **options
        ``min_base``, ``correction``, ``alpha`` of :func:`~dash_personas.profile_segments`.

    Returns
    -------
    SegmentProfiles
    """
    from ..segmentation import profile_segments

    model = segmentation.model if isinstance(segmentation, Segmentation) else segmentation
    categorical = [c for c in model.categorical_features_ if c in data.columns]
    return profile_segments(data, model.labels_, categorical=categorical,
                            sample_weight=sample_weight, **options)


def make_personas(segmentation: Segmentation | Any, data: pd.DataFrame, *,
                  scores: pd.DataFrame | None = None, codebook: Mapping[str, Any] | None = None,
                  overrides: Any = None, language: str | None = None,
                  sample_weight: Any = None, **options: Any) -> Any:
    """Build the personas of a segmentation (:func:`~dash_personas.build_personas`).

    Parameters
    ----------
    segmentation : Segmentation or KPrototypes
        A :class:`Segmentation` (its k-selection evidence is kept with the personas) or
        a fitted model.
    data : DataFrame
        The segmentation features the model was fitted on.
    scores : DataFrame, optional
        The whole scores table (demographics, CLV, journey...), row-aligned with ``data``.
    codebook : mapping, optional
        The questionnaire's codebook: labels, level order, scale texts.
    overrides : path, mapping or list, optional
        Analyst edits, matched by prototype.
    language : str, optional
        Language of codebook texts.
    sample_weight : array-like or str, optional
        Survey weights, or the name of the weight column of ``scores`` (default: the
        column the model was fitted with, ``weight_column_``, when ``scores`` has it).
    **options
        ``min_base``, ``correction``, ``alpha`` (see :func:`~dash_personas.profile_segments`).

    Returns
    -------
    PersonaSet
    """
    from ..personas import build_personas

    if isinstance(segmentation, Segmentation):
        model, selection = segmentation.model, segmentation.selection
    else:
        model, selection = segmentation, None
    if sample_weight is None:
        recorded = getattr(model, "weight_column_", None)
        if recorded and scores is not None and recorded in scores.columns:
            sample_weight = recorded
    return build_personas(model, data, codebook, scores=scores, overrides=overrides,
                          language=language, selection=selection,
                          sample_weight=sample_weight, **options)


@dataclass(frozen=True)
class PipelineResult:
    """Everything :func:`run_pipeline` produced.

    Attributes
    ----------
    features : FeatureSelection
        The columns segmented on, the ids, and the columns left out with their reasons.
    data : DataFrame
        The segmentation features.
    segmentation : Segmentation
        The fitted model and the k-selection evidence.
    personas : PersonaSet
    """

    features: FeatureSelection
    data: pd.DataFrame
    segmentation: Segmentation
    personas: Any

    @property
    def model(self) -> Any:
        """The fitted :class:`~dash_personas.KPrototypes`."""
        return self.segmentation.model

    @property
    def selection(self) -> Any:
        """The :class:`~dash_personas.KSelection` evidence, or ``None`` when k was given."""
        return self.segmentation.selection


def run_pipeline(scores: pd.DataFrame, *, codebook: Mapping[str, Any] | None = None,
                 k: int | str = "auto", k_range: Iterable[int] = DEFAULT_K_RANGE,
                 include: Iterable[str] = (), exclude: Iterable[str] = (),
                 categorical: Any = "auto", n_init: int = 10, n_bootstrap: int = 5,
                 random_state: Any = 0, overrides: Any = None, language: str | None = None,
                 progress: Progress | None = None, source: str = "scores",
                 weight: str | Any = None, **params: Any) -> PipelineResult:
    """Scores -> features -> segments (k chosen with evidence) -> personas, in one call.

    Parameters
    ----------
    scores : DataFrame
        One row per respondent, e.g. the table ``survey-builder score`` writes.
    codebook : mapping, optional
        The questionnaire's codebook (readable labels, level order, guideline texts).
    k, k_range, categorical, n_init, n_bootstrap, random_state, progress
        See :func:`fit_segments`.
    include, exclude
        See :func:`select_features`.
    overrides, language
        See :func:`make_personas`.
    source : str
        Name of the scores table in error messages.
    weight : str or array-like, optional
        Survey weights: the name of a column of ``scores`` (never used as a
        feature) or one weight per row. Used by the fit, the profiles and the
        personas.
    **params
        More :class:`~dash_personas.KPrototypes` parameters (``gamma``, ``max_iter``...).

    Returns
    -------
    PipelineResult

    Examples
    --------
    >>> from dash_personas import make_mixed_blobs
    >>> from dash_personas.pipeline import run_pipeline
    >>> X, _ = make_mixed_blobs(300, n_clusters=3, random_state=0)
    >>> result = run_pipeline(X, k=3, n_init=2)
    >>> len(result.personas)
    3
    """
    scores = scores.set_axis([str(c) for c in scores.columns], axis=1)
    column, weights = weights_of(scores, weight, include=include, source=source)
    chosen = select_features(scores, include=include,
                             exclude=[*exclude, *([column] if column else [])],
                             codebook=codebook, source=source)
    data = scores[chosen.features]
    segmentation = fit_segments(data, k, k_range=k_range, categorical=categorical,
                                n_init=n_init, n_bootstrap=n_bootstrap,
                                random_state=random_state, progress=progress,
                                sample_weight=weights, weight_column=column, **params)
    personas = make_personas(segmentation, data, scores=scores, codebook=codebook,
                             overrides=overrides, language=language,
                             sample_weight=column if column else weights)
    return PipelineResult(chosen, data, segmentation, personas)


def weights_of(scores: pd.DataFrame, weight: str | Any, *, include: Iterable[str] = (),
               source: str = "scores") -> tuple[str | None, np.ndarray | None]:
    """The weight column's name and the weights, from a column name or an array.

    Parameters
    ----------
    scores : DataFrame
    weight : str, array-like or None
    include : iterable of str
        The requested features: the weight column may not be one of them.
    source : str
        Name of the table in error messages.

    Returns
    -------
    column : str or None
    weights : ndarray or None
    """
    if weight is None:
        return None, None
    if isinstance(weight, str):
        if weight in set(include):
            raise UserError("the weight column cannot also be a segmentation feature",
                            file=source, field=f"weight column {weight!r}")
        return weight, read_weights(scores, weight, source=source)
    weights = np.asarray(weight, dtype=np.float64).ravel()
    if weights.shape[0] != len(scores):
        raise UserError(f"{weights.shape[0]} weights for {len(scores)} rows", file=source)
    return None, weights
