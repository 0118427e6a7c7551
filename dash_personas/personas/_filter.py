"""Personas of a subset of respondents: ``filter_personas(personas, data, filters)``.

The same personas (ids, names, texts, colours) with every number recomputed on the
respondents the filters keep: sizes, shares, bases, means, answer shares, behaviour,
significance and small-base flags, by :func:`~dash_personas.profile_segments` (the one
profile formula) and the persona builders of ``_build``. Respondents are assigned to
personas once (nearest prototype) and the filter columns coded once
(:class:`PersonaFilter`), so a filter change is a few vectorised passes over the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from survey_builder.codebook import as_codebook
from survey_builder.errors import UserError
from survey_builder.layout import QUALITY_COLUMNS

from ..segmentation._profile import DEFAULT_ALPHA, DEFAULT_MIN_BASE, _from_statistics
from ..segmentation._profile_sums import ProfileSums
from ._build import category_shares, feature_diffs, journey_shares, scale_scores
from ._content import _option_shares, behaviour_of
from ._features import humanise
from ._model import FeatureInfo, Persona, PersonaSet
from ._nps import nps_by_feature, segment_nps
from ._rows import rows

__all__ = ["RANGE_SEPARATOR", "FilterOption", "PersonaFilter", "filter_personas",
           "format_range", "parse_range"]

#: A categorical column with more levels than this is not offered as a filter.
MAX_FILTER_LEVELS = 40
#: A numeric column is offered as a filter when it holds at most this many distinct
#: whole numbers (option ticks 0/1, ranks, Likert answers); its values are its levels.
MAX_NUMERIC_LEVELS = 12
#: Between the bounds of a numeric filter: ``"18..34"``, ``"100.."`` (at least),
#: ``"..65"`` (at most).
RANGE_SEPARATOR = ".."


def format_range(low: float | None, high: float | None) -> str:
    """A numeric filter's value: ``"18..34"``, ``"100.."`` or ``"..65"`` (see :func:`parse_range`).

    Examples
    --------
    >>> format_range(18, 34.5), format_range(None, 65.0)
    ('18..34.5', '..65')
    """
    def text(bound: float | None) -> str:
        if bound is None:
            return ""
        shortest = repr(float(bound))  # the shortest text that reads back the same float
        return shortest[:-2] if shortest.endswith(".0") else shortest

    return f"{text(low)}{RANGE_SEPARATOR}{text(high)}"


def parse_range(value: str) -> tuple[float | None, float | None] | None:
    """The bounds of a numeric filter's value, ``None`` when it is not a range.

    A bound may be left out (``"100.."``: at least 100); the low bound must not exceed
    the high one, and at least one must be given.

    Examples
    --------
    >>> parse_range("18..34"), parse_range("..65"), parse_range("34..18"), parse_range("x")
    ((18.0, 34.0), (None, 65.0), None, None)
    """
    low_text, separator, high_text = str(value).strip().partition(RANGE_SEPARATOR)
    if not separator:
        return None
    bounds: list[float | None] = []
    for text in (low_text.strip(), high_text.strip()):
        if not text:
            bounds.append(None)
            continue
        try:
            number = float(text)
        except ValueError:
            return None
        if not np.isfinite(number):
            return None
        bounds.append(number)
    low, high = bounds
    if (low is None and high is None) or (low is not None and high is not None and low > high):
        return None
    return low, high


@dataclass(frozen=True)
class FilterOption:
    """One column respondents can be filtered on.

    Attributes
    ----------
    column : str
        The data column (the ``f.<column>`` key of a view's URL).
    label : str
        Its readable name (the codebook's, when there is one).
    levels : tuple of str
        The values respondents have, as written in the URL, in questionnaire order
        (empty for a range).
    level_labels : tuple of str
        A readable label for each level.
    kind : {"levels", "range"}
        Filtered by answers (any of the chosen levels) or, for a numeric column with
        many values (age in years, spend, minutes...), by a range ``low..high``.
    minimum, maximum : float or None
        A range's smallest and largest value in the data.
    whole : bool
        A range's values are all whole numbers.
    """

    column: str
    label: str
    levels: tuple[str, ...]
    level_labels: tuple[str, ...]
    kind: str = "levels"
    minimum: float | None = None
    maximum: float | None = None
    whole: bool = False


class PersonaFilter:
    """Personas recomputed on subsets of respondents, with the costly work done once.

    Assigns every row to its nearest persona prototype
    (:func:`~dash_personas.personas.assign_personas`) and codes every filter column
    once; :meth:`apply` then recomputes the personas' numbers on the rows that pass.

    Parameters
    ----------
    personas : PersonaSet
    data : DataFrame
        One row per respondent, with the columns the personas describe (e.g. the scores
        file the personas were built from) and the columns to filter on.
    codebook : Codebook or mapping, optional
        Readable labels of filter columns and levels that the personas do not describe
        (e.g. ``read_scores(path).codebook``).
    labels : array-like, optional
        Each row's segment (``Persona.segment``), e.g. a tracking wave's stored
        assignment (:attr:`~dash_personas.tracking.WaveData.segment`). Default: each
        row's nearest persona prototype.
    sample_weight : array-like, optional
        Each row's survey weight (e.g. :attr:`~dash_personas.tracking.WaveData.weight`).
        Default: the personas' weight column (``statistics.weight``) when ``data`` has
        it, else unweighted.

    Attributes
    ----------
    options : list of FilterOption
        The columns that can be filtered on: every describable categorical column of
        ``data`` with 2 to 40 levels and numeric column of at most 12 distinct whole
        numbers (by level), every other describable numeric column (by range) except
        the personas' attitude scale scores.
    n_respondents : int
    """

    def __init__(self, personas: PersonaSet, data: pd.DataFrame,
                 codebook: Mapping[str, Any] | None = None, *, labels: Any = None,
                 sample_weight: Any = None) -> None:
        from ..pipeline import read_weights, select_features

        frame = data.set_axis([str(c) for c in data.columns], axis=1)
        self.personas = personas
        self.n_respondents = len(frame)
        self._labels = _positions(personas, frame, labels)
        stats = personas.statistics
        weight_column = stats.weight if stats is not None else None
        if sample_weight is not None:
            self._weights = np.asarray(sample_weight, dtype=np.float64)
            if self._weights.shape != (len(frame),):
                raise ValueError(f"sample_weight has {self._weights.size} values for "
                                 f"{len(frame)} rows")
        else:
            self._weights = (read_weights(frame, weight_column, source="data")
                             if weight_column and weight_column in frame.columns else None)
        self._info = {f.name: f for f in personas.features if f.name in frame.columns}
        self._categorical = [n for n, f in self._info.items() if f.kind == "categorical"]
        self._sums = _CodedRows(_profile_columns(frame, self._info), self._categorical,
                                  self._labels, len(personas), self._weights)
        self._nps_labels = {name: label for name, label in nps_by_feature(personas).items()
                            if name in frame.columns}
        self._nps = frame[list(self._nps_labels)]
        describable = select_features(frame, allow_empty=True,
                                      exclude=[weight_column] if weight_column in frame.columns
                                      else ()).features
        book = as_codebook(codebook) if codebook is not None else None
        self.options: list[FilterOption] = []
        # level code per row (-1: no answer), or the number per row for a range
        self._codes: dict[str, np.ndarray] = {}
        for name in describable:
            if name in QUALITY_COLUMNS:
                continue
            coded = _coded(frame[name], self._info.get(name), book, personas.language)
            if coded is not None:
                option, codes = coded
                self.options.append(option)
                self._codes[name] = codes

    def option(self, column: str) -> FilterOption | None:
        """The :class:`FilterOption` of ``column`` (``None`` when it cannot be filtered)."""
        return next((o for o in self.options if o.column == column), None)

    def check(self, filters: Mapping[str, Iterable[str]]
              ) -> tuple[dict[str, tuple[str, ...]], list[str]]:
        """The filters this data can apply, and a note for everything left out.

        Parameters
        ----------
        filters : mapping of str to iterable of str
            Column -> allowed levels, or a one-value range ``("low..high",)`` for a
            range option (e.g. from a URL).

        Returns
        -------
        filters : dict of str to tuple of str
            Known columns with their known levels, in the options' order (a range
            written as :func:`format_range` writes it); a column with no level left,
            or with a value that is not a range, is dropped.
        notes : list of str
            One sentence per unknown column, level or bad range.
        """
        kept: dict[str, tuple[str, ...]] = {}
        notes: list[str] = []
        for column, wanted in filters.items():
            option = self.option(str(column))
            wanted = [str(level) for level in wanted]
            if option is None:
                notes.append(f"No filter {column!r}: the data has no such question.")
                continue
            if option.kind == "range":
                bounds = parse_range(wanted[0]) if len(wanted) == 1 else None
                if bounds is None:
                    notes.append(f"{option.label}: {', '.join(map(repr, wanted))} is not a "
                                 f"range (write low{RANGE_SEPARATOR}high, e.g. "
                                 f"{format_range(option.minimum, option.maximum)}).")
                else:
                    kept[option.column] = (format_range(*bounds),)
                continue
            unknown = [level for level in wanted if level not in option.levels]
            if unknown:
                notes.append(f"{option.label}: no answer {', '.join(map(repr, unknown))}.")
            levels = tuple(level for level in option.levels if level in wanted)
            if levels:
                kept[option.column] = levels
        return kept, notes

    def mask(self, filters: Mapping[str, Iterable[str]]) -> np.ndarray:
        """The rows that pass every filter (any of a column's levels; all columns).

        Unknown columns and levels are ignored (see :meth:`check`).
        """
        keep = np.ones(self.n_respondents, dtype=bool)
        for column, levels in self.check(filters)[0].items():
            option = self.option(column)
            if option.kind == "range":
                low, high = parse_range(levels[0])
                # no answer (NaN) is outside every range: NaN compares False
                numbers = self._codes[column]
                keep &= numbers >= (-np.inf if low is None else low)
                keep &= numbers <= (np.inf if high is None else high)
                continue
            allowed = [option.levels.index(level) for level in levels]
            keep &= np.isin(self._codes[column], allowed)
        return keep

    def describe(self, filters: Mapping[str, Iterable[str]]) -> str:
        """The filters in words: ``"Gender: Woman; Age: 18 to 34"`` (what :meth:`check` keeps)."""
        kept = self.check(filters)[0]
        parts = []
        for option in self.options:
            if option.column not in kept:
                continue
            values = kept[option.column]
            if option.kind == "range":
                text = _range_words(*parse_range(values[0]))
            else:
                text = " or ".join(option.level_labels[option.levels.index(v)] for v in values)
            parts.append(f"{option.label}: {text}")
        return "; ".join(parts)

    def apply(self, filters: Mapping[str, Iterable[str]]) -> PersonaSet:
        """The personas recomputed on the respondents that pass ``filters``.

        Parameters
        ----------
        filters : mapping of str to iterable of str
            Column -> allowed levels; unknown columns and levels are ignored (see
            :meth:`check`). Empty: every respondent.

        Returns
        -------
        PersonaSet
            Same personas, order, names and texts; ``n_respondents`` is the subset's
            size. A persona with no respondent in the subset has size 0, base 0 and no
            profile, and is flagged ``small_base``.
        """
        keep = self.mask(filters)
        stats = self.personas.statistics
        labels = self._labels[keep]
        profiles = None
        if labels.size:
            # the profile formula of profile_segments, from sums over the kept rows
            profiles = _from_statistics(
                self._sums.of(keep),
                stats.correction if stats is not None else "holm",
                stats.alpha if stats is not None else DEFAULT_ALPHA,
                stats.min_base if stats is not None else DEFAULT_MIN_BASE, drivers=False)
        split = _BySegment(profiles) if profiles is not None else None
        people = [_refreshed(persona, i, split, self._info)
                  for i, persona in enumerate(self.personas)]
        if self._nps_labels:  # the subset's NPS, by the same rule as the full set's
            nps = segment_nps(self._nps[keep], labels, self._nps_labels,
                              None if self._weights is None else self._weights[keep],
                              stats.min_base if stats is not None else DEFAULT_MIN_BASE)
            people = [p.model_copy(update={"nps": nps.get(i, [])})
                      for i, p in enumerate(people)]
        update: dict[str, Any] = {"personas": people, "n_respondents": int(keep.sum())}
        if stats is not None and profiles is not None:
            update["statistics"] = stats.model_copy(update={"n_tests": profiles.n_tests})
        return self.personas.model_copy(update=update)


def filter_personas(personas: PersonaSet, data: pd.DataFrame,
                    filters: Mapping[str, Iterable[str]],
                    codebook: Mapping[str, Any] | None = None) -> PersonaSet:
    """The personas with their numbers recomputed on the respondents ``filters`` keep.

    Parameters
    ----------
    personas : PersonaSet
    data : DataFrame
        One row per respondent (e.g. the scores file the personas were built from);
        rows are assigned to the nearest persona prototype.
    filters : mapping of str to iterable of str
        Column -> allowed levels, as written in ``data`` (e.g. ``{"gender": ["Woman"],
        "age_band": ["18 to 24", "25 to 34"]}``), or for a numeric column with many
        values a range (``{"spend": ["100..250"]}``, ``"100.."``, ``"..250"``, bounds
        included): a row passes when its answer is one of a column's levels or in its
        range, for every column. Unknown columns and levels are
        ignored (:meth:`PersonaFilter.check` says which).
    codebook : Codebook or mapping, optional
        Labels of the filter columns the personas do not describe.

    Returns
    -------
    PersonaSet
        Same personas, names and texts; sizes, shares, bases, means, answer shares,
        behaviour, significance and small-base flags of the subset.

    Notes
    -----
    For many filter changes on the same data (a dashboard), build one
    :class:`PersonaFilter` and call its :meth:`~PersonaFilter.apply`.

    Examples
    --------
    >>> from dash_personas import KPrototypes, make_mixed_blobs, build_personas
    >>> X, _ = make_mixed_blobs(300, n_clusters=3, random_state=0)
    >>> personas = build_personas(KPrototypes(3, random_state=0).fit(X), X)
    >>> column = personas.features[-1].name
    >>> level = str(X[column].iloc[0])
    >>> kept = filter_personas(personas, X, {column: [level]}).n_respondents
    >>> bool(kept == (X[column].astype(str) == level).sum())
    True
    """
    return PersonaFilter(personas, data, codebook).apply(filters)


def _positions(personas: PersonaSet, frame: pd.DataFrame, labels: Any) -> np.ndarray:
    """Each row's persona position: from ``labels`` (segments), else the nearest prototype."""
    if labels is None:
        from ._assign import assign_personas

        position = {p.id: i for i, p in enumerate(personas)}
        return np.array([position[i] for i in assign_personas(personas, frame)], dtype=np.int64)
    segments = pd.Series(np.asarray(labels)).astype(str)
    if len(segments) != len(frame):
        raise ValueError(f"labels has {len(segments)} values for {len(frame)} rows")
    known = pd.Index([str(p.segment) for p in personas])
    positions = known.get_indexer(segments)
    if (positions < 0).any():
        unknown = sorted(set(segments[positions < 0]))[:5]
        raise UserError(f"segments {', '.join(map(repr, unknown))} are not among the "
                        f"personas' ({', '.join(known)})", field="labels")
    return positions.astype(np.int64)


def _profile_columns(frame: pd.DataFrame, info: Mapping[str, FeatureInfo]) -> pd.DataFrame:
    """The described columns, typed once: categoricals as ``category``, the rest float."""
    columns = {}
    for name, feature in info.items():
        column = frame[name]
        if feature.kind == "categorical":
            columns[name] = column if isinstance(column.dtype, pd.CategoricalDtype) \
                else column.astype("category")
        else:
            columns[name] = pd.to_numeric(column, errors="coerce").astype(np.float64)
    return pd.DataFrame(columns, index=frame.index)


def _coded(column: pd.Series, feature: FeatureInfo | None, book: Any,
           language: str) -> tuple[FilterOption, np.ndarray] | None:
    """The filter option of one column and its level code per row (-1: no answer)."""
    name = str(column.name)
    if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(
            column.dtype) or isinstance(column.dtype, pd.CategoricalDtype):
        values = column.astype("category") if not isinstance(column.dtype,
                                                              pd.CategoricalDtype) else column
        used = values.cat.remove_unused_categories()
        levels = [str(v) for v in used.cat.categories]
        if not 2 <= len(levels) <= MAX_FILTER_LEVELS:
            return None
        order = _questionnaire_order(levels, feature)
        codes = used.cat.codes.to_numpy()
        remap = np.array([order.index(level) for level in levels], dtype=np.int64)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        levels = order
    else:
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
        observed = numbers[~np.isnan(numbers)]
        distinct = np.unique(observed)
        whole = bool(np.all(distinct == np.round(distinct)))
        if distinct.size < 2:
            return None
        if distinct.size > MAX_NUMERIC_LEVELS or not whole:
            if feature is not None and feature.role == "scale":
                return None  # an attitude score, not a question people are picked by
            label, _ = _labels(name, [], feature, book, language)
            return FilterOption(name, label, (), (), kind="range",
                                minimum=float(distinct[0]), maximum=float(distinct[-1]),
                                whole=whole), numbers
        codes = np.full(numbers.shape, -1, dtype=np.int64)
        seen = ~np.isnan(numbers)
        codes[seen] = np.searchsorted(distinct, numbers[seen])
        levels = [str(int(v)) for v in distinct]
    label, level_labels = _labels(name, levels, feature, book, language)
    return FilterOption(name, label, tuple(levels), tuple(level_labels)), codes


def _range_words(low: float | None, high: float | None) -> str:
    def number(value: float) -> str:
        return f"{value:,.15g}"

    if low is None:
        return f"at most {number(high)}"
    if high is None:
        return f"at least {number(low)}"
    return f"{number(low)} to {number(high)}"


def _questionnaire_order(levels: list[str], feature: FeatureInfo | None) -> list[str]:
    """``levels`` (codes or labels) in the personas' level order, unknown ones after."""
    if feature is None or not feature.levels:
        return levels
    codes, labels = list(feature.levels), list(feature.levels.values())

    def position(value: str) -> int:
        if value in codes:
            return codes.index(value)
        return labels.index(value) if value in labels else len(codes)

    return sorted(levels, key=position)


def _labels(name: str, levels: list[str], feature: FeatureInfo | None, book: Any,
            language: str) -> tuple[str, list[str]]:
    """The readable name of a filter column and of each level."""
    if feature is not None:
        label, by_code = feature.label, dict(feature.levels)
    elif book is not None and book.source_column(name) is not None:
        label = book.label(name, language) or humanise(name)
        by_code = {str(o.code): o.label for o in book.levels(name, language)}
    else:
        label, by_code = humanise(name), {}
    return label, [by_code.get(level, level) for level in levels]


class _CodedRows:
    """Every row coded once for the profile sums: :meth:`of` then takes one pass (a few
    matrix products and one ``bincount``) over the rows a filter keeps.

    Numeric columns are held centred on their overall mean (the variances then do not
    cancel), with 0 for no answer; categorical columns as level codes shifted so that
    all of them share one ``bincount`` (-1: no answer).
    """

    def __init__(self, profiled: pd.DataFrame, categorical: list[str], labels: np.ndarray,
                 n_segments: int, weights: np.ndarray | None) -> None:
        self.labels, self.k, self.weights = labels, n_segments, weights
        self.numeric = [c for c in profiled.columns if c not in set(categorical)]
        values = profiled[self.numeric].to_numpy(dtype=np.float64) if self.numeric \
            else np.zeros((len(profiled), 0))
        observed = ~np.isnan(values)
        counts = observed.sum(axis=0)
        self.shift = np.where(counts > 0, np.where(observed, values, 0.0).sum(axis=0)
                              / np.maximum(counts, 1), 0.0)
        # row-major: a filter copies whole rows (pandas gives the columns column-major,
        # where copying the kept rows took ten times as long)
        self.centred = np.ascontiguousarray(np.where(observed, values - self.shift, 0.0))
        # columns with unanswered rows need their own sums of weights
        self.gaps = np.flatnonzero(counts < len(profiled))
        self.observed = np.ascontiguousarray(observed[:, self.gaps], dtype=np.float64)
        self.categorical = list(categorical)
        self.levels = [list(profiled[c].cat.categories) for c in self.categorical]
        self.offsets = np.cumsum([0] + [len(levels) for levels in self.levels])
        codes = [profiled[c].cat.codes.to_numpy().astype(np.int64) for c in self.categorical]
        self.codes = np.column_stack([np.where(code >= 0, code + offset, -1) for code, offset
                                      in zip(codes, self.offsets)]) if codes \
            else np.zeros((len(profiled), 0), dtype=np.int64)

    def of(self, keep: np.ndarray) -> ProfileSums:
        """The sums of the rows where ``keep`` is true (at least one), by segment."""
        # np.compress copies the kept rows about twice as fast as a boolean index
        labels = np.compress(keep, self.labels)
        weight = np.ones(labels.size) if self.weights is None \
            else np.compress(keep, self.weights)
        k = self.k
        sizes = np.bincount(labels, minlength=k)
        present = np.flatnonzero(sizes)
        seg_weight = np.bincount(labels, weights=weight, minlength=k)
        seg_weight_sq = np.bincount(labels, weights=weight**2, minlength=k)
        onehot = np.zeros((labels.size, k))
        onehot[np.arange(labels.size), labels] = weight
        centred = np.compress(keep, self.centred, axis=0)
        total, total_sq = onehot.T @ centred, onehot.T @ (centred * centred)
        sw = np.repeat(seg_weight[:, None], len(self.numeric), axis=1)
        sw2 = np.repeat(seg_weight_sq[:, None], len(self.numeric), axis=1)
        if self.gaps.size:
            observed = np.compress(keep, self.observed, axis=0)
            sw[:, self.gaps] = onehot.T @ observed
            sw2[:, self.gaps] = (onehot * weight[:, None]).T @ observed
        sums = ProfileSums(present, sizes[present], seg_weight[present],
                           seg_weight_sq[present], self.weights is not None, self.numeric,
                           sw[present], sw2[present], total[present], total_sq[present],
                           self.shift, self.categorical)
        if not self.categorical:
            return sums
        codes = np.compress(keep, self.codes, axis=0)
        n_levels, n_columns = int(self.offsets[-1]), codes.shape[1]
        # the answered cells, row by row (each row's label and weight once per column)
        answered = (codes >= 0).ravel()
        rows = np.compress(answered, np.repeat(labels, n_columns))
        weights = np.compress(answered, np.repeat(weight, n_columns))
        counts = np.bincount(rows * n_levels + np.compress(answered, codes.ravel()),
                             weights=weights, minlength=k * n_levels).reshape(k, n_levels)[present]
        columns = np.compress(answered, np.tile(np.arange(n_columns), labels.size))
        answered_sq = np.bincount(rows * n_columns + columns, weights=weights**2,
                                  minlength=k * n_columns).reshape(k, -1)[present]
        for j, levels in enumerate(self.levels):
            table = counts[:, self.offsets[j]:self.offsets[j + 1]]
            used = table.sum(axis=0) > 0  # as profile_segments: the levels the rows have
            sums.levels.append([level for level, u in zip(levels, used) if u])
            sums.level_counts.append(table[:, used])
            sums.level_weight_sq.append(answered_sq[:, j])
        return sums


class _BySegment:
    """A profile's rows split by segment once, read as records (:func:`rows`): the
    persona builders take them as they take the tables, without a table per segment."""

    def __init__(self, profiles: Any) -> None:
        self.summary = profiles.summary
        self._numeric = _records_by_segment(profiles.numeric)
        self._categorical = _records_by_segment(profiles.categorical)

    def segment(self, segment: Any) -> tuple[list[Any], list[Any]]:
        """The numeric and categorical rows of ``segment``."""
        return self._numeric.get(segment, []), self._categorical.get(segment, [])


def _records_by_segment(table: pd.DataFrame) -> dict[Any, list[Any]]:
    by_segment: dict[Any, list[Any]] = {}
    for record in rows(table):
        by_segment.setdefault(record.segment, []).append(record)
    return by_segment


def _refreshed(persona: Persona, position: int, profiles: Any,
               info: Mapping[str, FeatureInfo]) -> Persona:
    """``persona`` with the numbers of segment ``position`` of ``profiles`` (the same
    builders as ``build_personas``); its texts and chosen items stay."""
    if profiles is None or position not in profiles.summary.index:
        return persona.model_copy(update={
            "size": 0, "share": 0.0, "base": 0.0, "small_base": True, "aspects": [],
            "profile": [], "categories": [], "demographics": [], "triggers": [],
            "journey": [], "typical_share": None,
            "behaviour": persona.behaviour.model_copy(update={
                "frequency": None, "frequency_share": None, "overall_frequency_share": None,
                "spend": None, "overall_spend": None, "clv": None, "overall_clv": None,
                "channels": [], "channel_shares": []})})
    numeric, categorical = profiles.segment(position)
    info = dict(info)
    categories = category_shares(categorical, info)
    by_level = {(c.feature, c.level): c for c in categories}
    triggers = {c.feature: c for c in _option_shares(numeric, info, "trigger")}
    row = profiles.summary.loc[position]
    return persona.model_copy(update={
        "size": int(row["size"]), "share": float(row["share"]),
        "base": float(row["effective_base"]), "small_base": bool(row["small_base"]),
        "aspects": scale_scores(numeric, info), "profile": feature_diffs(numeric, info),
        "categories": categories, "journey": journey_shares(categories, info),
        "behaviour": behaviour_of(numeric, categorical, info, persona.behaviour.currency),
        # the persona's own picks (its typical answers, its distinctive triggers)
        "demographics": [by_level[(d.feature, d.level)] for d in persona.demographics
                         if (d.feature, d.level) in by_level],
        "triggers": [triggers[t.feature] for t in persona.triggers if t.feature in triggers],
        # the share of the segment with exactly the typical answers is not recounted
        "typical_share": None,
    })
