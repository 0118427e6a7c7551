"""``build_personas``: from segment labels (or a fitted model) and data to personas."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from survey_builder.codebook import as_codebook, text_in
from survey_builder.errors import UserError

from ..palette import persona_colour
from ..segmentation import profile_segments
from ..segmentation._backend import is_dask_collection
from ..segmentation._profile import DEFAULT_ALPHA, DEFAULT_MIN_BASE
from ._content import (
    Peers,
    behaviour_of,
    day_in_life,
    goals_of,
    guideline_candidates,
    guidelines_from,
    ration_guidelines,
    stands_out,
    triggers_of,
)
from ._features import describe_features
from ._guidelines import Candidate, resolve_advice
from ._model import (
    CategoryShare,
    FeatureDiff,
    FeatureInfo,
    JourneyShare,
    Persona,
    PersonaSet,
    ProfileStatistics,
    ScaleScore,
)
from ._nps import nps_labels, segment_nps
from ._rows import rows
from ._rules import DISTINCT_LIFT, DISTINCT_SD, FIRST_NAMES, direction_rule
from ._typical import TypicalPerson, typical_people

__all__ = ["build_personas", "prototypes_from_labels"]


def _python(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else round(float(value), 6)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if pd.isna(value):
        return None
    return value if isinstance(value, (int, str)) else str(value)


def prototypes_from_labels(data: pd.DataFrame, labels: np.ndarray,
                           numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    """Segment prototypes as k-prototypes defines them: numeric means, categorical modes.

    Parameters
    ----------
    data : DataFrame
    labels : ndarray
    numeric, categorical : list of str

    Returns
    -------
    DataFrame
        Indexed by segment.
    """
    groups = data.groupby(np.asarray(labels), sort=True)
    parts = []
    if numeric:
        parts.append(groups[numeric].agg(lambda s: pd.to_numeric(s, errors="coerce").mean()))
    if categorical:
        parts.append(groups[categorical].agg(
            lambda s: s.mode(dropna=True).iloc[0] if s.notna().any() else None))
    frame = pd.concat(parts, axis=1)[[*numeric, *categorical]]
    frame.index.name = "segment"
    return frame


def _resolve(model_or_labels: Any, data: pd.DataFrame) -> tuple[np.ndarray, Any]:
    if hasattr(model_or_labels, "cluster_centers_"):
        model = model_or_labels
        labels = getattr(model, "labels_", None)
        if labels is None or len(labels) != len(data):
            from ..segmentation import model_frame

            labels = model.predict(model_frame(model, data))
        return np.asarray(labels), model
    labels = np.asarray(model_or_labels)
    if labels.ndim != 1 or len(labels) != len(data):
        raise UserError(f"labels must have one value per row of the data ({len(data)}), "
                         f"got shape {labels.shape}")
    return labels, None


def _profile_frame(data: pd.DataFrame, scores: pd.DataFrame | None,
                   exclude: list[str] | None = None) -> pd.DataFrame:
    frame = data
    if scores is not None:
        if len(scores) != len(data):
            raise UserError(f"scores has {len(scores)} rows but the data has {len(data)}")
        extra = [c for c in scores.columns if c not in data.columns]
        frame = pd.concat([data.reset_index(drop=True),
                           scores[extra].reset_index(drop=True)], axis=1)
    from ..pipeline import select_features

    # what can describe a person: the segmentation's own rules (no ids, flags, free text...)
    return frame[select_features(frame, allow_empty=True, exclude=exclude or ()).features]


def _matching(model: Any, data: pd.DataFrame, numeric: list[str],
              categorical: list[str]) -> dict[str, Any]:
    if model is not None and hasattr(model, "encoder_"):
        encoder = model.encoder_
        scale = dict(zip(encoder.numeric_features_, (float(s) for s in encoder.std_)))
        return {"numeric_scale": scale, "categorical": list(encoder.categorical_features_),
                "gamma": float(model.gamma_)}
    scale = {}
    for name in numeric:
        sd = float(pd.to_numeric(data[name], errors="coerce").std(ddof=0))
        scale[name] = sd if np.isfinite(sd) and sd > 0 else 1.0
    return {"numeric_scale": scale, "categorical": list(categorical), "gamma": 1.0}


class _Namer:
    """Hands out unique, deterministic names (adjective + alliterative first name)."""

    def __init__(self) -> None:
        self.adjectives: set[str] = set()
        self.names: set[str] = set()

    def name(self, candidates: list[str]) -> str:
        fresh = [a for a in candidates if a not in self.adjectives] or candidates or ["Everyday"]
        adjective = fresh[0]
        self.adjectives.add(adjective)
        initial = next((ch.upper() for ch in adjective if ch.isalpha() and ch.isascii()), "S")
        pool = FIRST_NAMES.get(initial, FIRST_NAMES["S"])
        used_first = {n.split()[-1] for n in self.names}
        first = next((f for f in pool if f not in used_first), pool[0])
        candidate = f"{adjective} {first}"
        n = 2
        while candidate in self.names:
            candidate = f"{adjective} {first} {n}"
            n += 1
        self.names.add(candidate)
        return candidate


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def build_personas(model_or_labels: Any, data: Any, codebook: Mapping[str, Any] | None = None,
                   scores: Any = None, overrides: Any = None, *, language: str | None = None,
                   selection: Any = None, sample_weight: Any = None,
                   min_base: float = DEFAULT_MIN_BASE, correction: str = "holm",
                   alpha: float = DEFAULT_ALPHA) -> PersonaSet:
    """Turn segments into personas: names, texts, profiles and communication guidelines.

    Parameters
    ----------
    model_or_labels : KPrototypes or array-like
        A fitted model (its ``labels_`` are used when they match ``data``, otherwise it
        predicts) or one segment label per row.
    data : DataFrame
        The rows that were segmented (the model's features).
    codebook : Codebook or mapping, optional
        A survey-builder codebook (e.g. ``read_scores(path).codebook``): gives readable
        labels, answer levels in questionnaire order, ASPECTS dimensions, the
        ``high_score`` notes (advice for scales outside the rule tables), and which
        columns are demographics, behaviour (purchase frequency, spend, channels,
        triggers, choice drivers), CLV and journey stage. Without it the numeric columns
        are treated as scales and names are generated from column names.
    scores : DataFrame, optional
        More per-respondent columns to describe the personas with (e.g. the whole
        ``survey-builder score`` table: CLV, journey, demographics, plus the behaviour
        answers of :func:`with_answers`), row-aligned with ``data``. Identifier and
        data-quality columns are ignored.
    overrides : path, mapping or list, optional
        Analyst edits (see :func:`apply_overrides`), matched by prototype.
    language : str, optional
        Language of codebook texts (default: the survey's default language).
    selection : KSelection, optional
        The k-selection evidence to keep with the personas (shown by the dashboard).
    sample_weight : array-like or str, optional
        Survey weights (one per row), or the name of the weight column of ``scores``
        (or ``data``); that column is never described. Profiles, sizes and shares are
        weighted and tests use effective bases (see
        :func:`~dash_personas.profile_segments`).
    min_base : float, default=30
        Effective base under which a persona (or one of its answers) is flagged
        ``small_base``: cards, charts and tables grey it out.
    correction : {"holm", "fdr_bh"}, default="holm"
        Multiple-comparison correction of the significance tests.
    alpha : float, default=0.05
        Significance level of the corrected tests.

    Returns
    -------
    PersonaSet
        Personas ordered by (weighted) share, largest first, with ids ``p1``, ``p2``, ...

    Examples
    --------
    >>> from dash_personas import KPrototypes, make_mixed_blobs, build_personas
    >>> X, _ = make_mixed_blobs(300, n_clusters=3, random_state=0)
    >>> model = KPrototypes(3, random_state=0).fit(X)
    >>> personas = build_personas(model, X)
    >>> len({p.name for p in personas})
    3
    """
    on_dask = is_dask_collection(data)
    if on_dask:
        from ._on_dask import dask_inputs

        lazy = dask_inputs(model_or_labels, data, scores, sample_weight)
        frame, labels, model = lazy.described, lazy.labels, lazy.model
        weight_name, weights, described = lazy.weight_name, lazy.weights, lazy.described
        segmented: set[str] = {str(c) for c in model.feature_names_in_}
    else:
        frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(np.asarray(data))
        frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
        score_frame = None
        if scores is not None:
            score_frame = scores if isinstance(scores, pd.DataFrame) else pd.DataFrame(scores)
            score_frame = score_frame.set_axis([str(c) for c in score_frame.columns], axis=1)
        labels, model = _resolve(model_or_labels, frame)
        weight_name, weights = _weights(sample_weight, frame, score_frame)
        described = _profile_frame(frame, score_frame, [weight_name] if weight_name else None)
        segmented = set(frame.columns)
    book = None if codebook is None else as_codebook(codebook)
    language = language or (book.default_language if book is not None else "en")

    categorical_arg: Any = "auto"
    if model is not None:
        categorical_arg = [c for c in model.categorical_features_ if c in described.columns]
        categorical_arg += [c for c in described.columns if c not in segmented
                            and not pd.api.types.is_numeric_dtype(described[c])]
    profiles = profile_segments(described, labels, categorical=categorical_arg,
                                sample_weight=weights, min_base=min_base,
                                correction=correction, alpha=alpha)
    numeric_cols = list(dict.fromkeys(profiles.numeric["feature"]))
    categorical_cols = list(dict.fromkeys(profiles.categorical["feature"]))
    features = describe_features(_observed_levels(profiles.categorical), numeric_cols,
                                 categorical_cols, book, language)
    info = {f.name: f for f in features}

    if model is not None:
        prototypes = model.cluster_centers_
    else:
        seg_numeric = [c for c in frame.columns if c in numeric_cols]
        seg_categorical = [c for c in frame.columns if c in categorical_cols]
        prototypes = prototypes_from_labels(frame, labels, seg_numeric, seg_categorical)
    matching = _matching(model, frame, [c for c in prototypes.columns if c in numeric_cols
                                        or c not in categorical_cols],
                         [c for c in prototypes.columns if c in categorical_cols])

    high_score = {}
    currency = None
    if book is not None:
        for scale in book.scales:
            text = text_in(scale.high_score, language)
            if text:
                high_score[scale.name] = text
        currency = book.clv_currency()

    summary = profiles.summary.sort_values("share", ascending=False, kind="stable")
    demographic = [f.name for f in features if f.role == "demographic"
                   and f.kind == "categorical"]
    if on_dask:
        from ._on_dask import typical_people_dask

        typical = typical_people_dask(described, demographic, labels, weights)
    else:
        typical = typical_people(described, demographic, labels, weights)
    namer = _Namer()
    peers = Peers.of(profiles)
    drafts = [_one_persona(position, segment, summary, profiles, info, prototypes,
                           high_score, currency, namer, peers, typical.get(segment))
              for position, segment in enumerate(summary.index)]
    personas = []
    rationed = ration_guidelines([draft.advice for draft in drafts])
    for draft, (advice, taken) in zip(drafts, rationed):
        draft.persona.guidelines = guidelines_from(advice, draft.scales, draft.dropped + taken)
        personas.append(draft.persona)
    # NPS per segment, from the NPS groups of the data or the scores
    if on_dask:
        from ._on_dask import segment_nps_dask

        nps = segment_nps_dask(lazy.data, labels, nps_labels(book, list(lazy.data.columns),
                                                             language), weights, min_base)
    else:
        table = _all_columns(frame, score_frame)
        nps = segment_nps(table, labels, nps_labels(book, list(table.columns), language),
                          weights, min_base)
    for segment, persona in zip(summary.index, personas):
        persona.nps = nps.get(segment, [])

    statistics = ProfileStatistics(weight=weight_name, weighted=profiles.weighted,
                                   correction=profiles.correction, alpha=profiles.alpha,
                                   min_base=profiles.min_base, n_tests=profiles.n_tests)
    result = PersonaSet(personas=personas, features=features, matching=matching,
                        language=language,
                        n_respondents=int(profiles.summary["size"].sum()),
                        selection=selection_evidence(selection), statistics=statistics)
    if overrides is not None:
        from ._overrides import apply_overrides

        result = apply_overrides(result, overrides, model=model)
    return result


def _all_columns(data: pd.DataFrame, scores: pd.DataFrame | None) -> pd.DataFrame:
    """The data's columns and the scores' others, row-aligned."""
    if scores is None:
        return data.reset_index(drop=True)
    extra = [c for c in scores.columns if c not in data.columns]
    return pd.concat([data.reset_index(drop=True), scores[extra].reset_index(drop=True)],
                     axis=1)


def _observed_levels(categorical: pd.DataFrame) -> dict[str, list[Any]]:
    """Each categorical feature's levels in the profile, in order of first appearance."""
    if categorical.empty:
        return {}
    first = categorical.drop_duplicates(["feature", "level"])
    return {str(name): list(group["level"]) for name, group in first.groupby(
        "feature", sort=False)}


def _weights(sample_weight: Any, frame: pd.DataFrame, scores: pd.DataFrame | None
             ) -> tuple[str | None, np.ndarray | None]:
    """The weight column's name (when given by name) and the weights."""
    if sample_weight is None:
        return None, None
    if isinstance(sample_weight, str):
        from ..pipeline import read_weights

        table = scores if scores is not None and sample_weight in scores.columns else frame
        return sample_weight, read_weights(table, sample_weight,
                                           source="scores" if table is scores else "data")
    from ..segmentation._encoding import _check_sample_weight

    return None, _check_sample_weight(sample_weight, frame.shape[0])


def _tested(row: Any) -> dict[str, Any]:
    """The significance fields of a persona profile item from a profile row."""
    return {"p_value": float(row.p_value), "p_adjusted": float(row.p_adjusted),
            "significant": bool(row.significant), "small_base": bool(row.small_base)}


def selection_evidence(selection: Any) -> dict[str, Any] | None:
    """The k-selection table as plain JSON-able data (``None`` if not given)."""
    if selection is None:
        return None
    if isinstance(selection, Mapping):
        return dict(selection)
    table = pd.DataFrame(selection).reset_index()
    rows = [{k: _python(v) for k, v in row.items()} for row in table.to_dict("records")]
    return {"recommended_k": _python(getattr(selection, "recommended_k", None)),
            "rule": str(getattr(selection, "rule", "")), "table": rows}


@dataclass
class _Draft:
    """A persona whose guidelines wait for the others (see ``ration_guidelines``)."""

    persona: Persona
    scales: list[tuple[ScaleScore, dict[str, Any]]]
    advice: list[Candidate]
    dropped: list[str]


def _one_persona(position: int, segment: Any, summary: pd.DataFrame, profiles: Any,
                 info: dict[str, FeatureInfo], prototypes: pd.DataFrame,
                 high_score: dict[str, str], currency: str | None, namer: _Namer,
                 peers: Peers, typical: TypicalPerson | None = None) -> _Draft:
    numeric = profiles.numeric[profiles.numeric["segment"] == segment]
    categorical = profiles.categorical[profiles.categorical["segment"] == segment]
    profile = feature_diffs(numeric, info)
    aspects = scale_scores(numeric, info)
    categories = category_shares(categorical, info)

    # distinctive scales, strongest first
    distinct = sorted((s for s in aspects if abs(s.std_diff) >= DISTINCT_SD),
                      key=lambda s: -abs(s.std_diff))
    words = [(s, direction_rule(s.scale, s.dimension, "high" if s.std_diff > 0 else "low",
                                s.label)) for s in distinct]
    adjectives = [w["adj"] for _, w in words]
    for r in rows(categorical.sort_values("lift", ascending=False)):
        if r.lift >= DISTINCT_LIFT and info[r.feature].role != "channel":
            # a question is too long for a name: then the answer alone names ("65-Or-Older")
            level_label = info[r.feature].label_of(str(r.level))
            label = info[r.feature].label
            words_ = (level_label if len(label.split()) > 3 else f"{label} {level_label}").split()
            adjectives.append("-".join(w.capitalize() for w in words_) or "Everyday")
    name = namer.name(adjectives or ["Everyday"])
    first = name.split()[1] if len(name.split()) > 1 else name

    phrases = [w["phrase"] for _, w in words[:3]]
    if phrases:
        body = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
        tagline = _sentence(f"{first} {body}")
    else:
        tagline = f"{first} is close to the average respondent."
    quote = " ".join(_sentence(w["quote"]) for _, w in words[:2]) or "I'm pretty typical, really."
    # lists only from scales on which the persona also stands out from the other personas
    outstanding = [(s, w) for s, w in words if stands_out(s.std_diff,
                                                          peers.std_diff.get(s.scale, 0.0))]
    goals, overruled = goals_of(numeric, info, peers, outstanding)
    outstanding = [(s, w) for s, w in outstanding if s.scale not in overruled]
    motivations = [w["motivation"] for _, w in outstanding if w.get("motivation")][:3]
    frustrations = [w["frustration"] for _, w in outstanding if w.get("frustration")][:3]
    objections = [w["objection"] for _, w in outstanding if w.get("objection")][:3]

    behaviour = behaviour_of(numeric, categorical, info, currency)
    advice, dropped = resolve_advice(guideline_candidates(
        outstanding, high_score, numeric, categorical, info, behaviour, peers))
    triggers = triggers_of(numeric, info, peers)
    journey = journey_shares(categories, info)
    demographics = _typical_demographics(typical, categories)

    proto = {str(k): _python(v) for k, v in prototypes.loc[segment].items()}
    persona = Persona(
        id=f"p{position + 1}", segment=_python(segment), name=name, tagline=tagline, quote=quote,
        size=int(summary.loc[segment, "size"]), share=float(summary.loc[segment, "share"]),
        colour=persona_colour(position), aspects=aspects, motivations=motivations,
        frustrations=frustrations, demographics=demographics, behaviour=behaviour,
        journey=journey, goals=goals, triggers=triggers,
        objections=objections, day_in_life=day_in_life(first, behaviour, triggers, numeric, info),
        profile=profile, categories=categories, prototype=proto,
        base=float(summary.loc[segment, "effective_base"]),
        weighted=bool(profiles.weighted), small_base=bool(summary.loc[segment, "small_base"]),
        typical_rule=typical.rule if typical is not None and demographics else "",
        typical_share=typical.share if typical is not None and demographics else None,
    )
    return _Draft(persona, outstanding, advice, dropped)


def feature_diffs(numeric: pd.DataFrame, info: dict[str, FeatureInfo]) -> list[FeatureDiff]:
    """A segment's numeric profile rows (``SegmentProfiles.numeric``) as persona items."""
    return [FeatureDiff(feature=r.feature, label=info[r.feature].label, mean=float(r.mean),
                        overall_mean=float(r.overall_mean), std_diff=float(r.std_diff),
                        **_tested(r))
            for r in rows(numeric) if np.isfinite(r.mean)]


def scale_scores(numeric: pd.DataFrame, info: dict[str, FeatureInfo]) -> list[ScaleScore]:
    """The psychometric scales among a segment's numeric profile rows."""
    return [ScaleScore(scale=r.feature, label=info[r.feature].label,
                       dimension=info[r.feature].dimension, mean=float(r.mean),
                       overall_mean=float(r.overall_mean), std_diff=float(r.std_diff),
                       **_tested(r))
            for r in rows(numeric) if info[r.feature].role == "scale"
            and np.isfinite(r.mean)]


def category_shares(categorical: pd.DataFrame,
                    info: dict[str, FeatureInfo]) -> list[CategoryShare]:
    """A segment's categorical profile rows as answer shares, in questionnaire order."""
    categories = []
    for r in _in_level_order(categorical, info):
        feat = info[r.feature]
        level = str(r.level)
        categories.append(CategoryShare(
            feature=r.feature, label=feat.label, level=level,
            level_label=feat.label_of(level), share=float(r.share),
            overall_share=float(r.overall_share), lift=float(r.lift), **_tested(r)))
    return categories


def journey_shares(categories: list[CategoryShare],
                   info: dict[str, FeatureInfo]) -> list[JourneyShare]:
    """The journey-stage mix among ``categories``, in stage order."""
    journey = [JourneyShare(stage=info[c.feature].code_of(c.level), label=c.level_label,
                            share=c.share, overall_share=c.overall_share)
               for c in categories if info[c.feature].role == "journey"]
    order = list(next((f.levels for f in info.values() if f.role == "journey"), {}))
    journey.sort(key=lambda j: order.index(j.stage) if j.stage in order else len(order))
    return journey


def _typical_demographics(typical: TypicalPerson | None,
                          categories: list[CategoryShare]) -> list[CategoryShare]:
    """The typical person's answers (one real member's), as profile shares."""
    if typical is None:
        return []
    chosen = []
    for feature, level in typical.answers.items():
        match = next((c for c in categories if c.feature == feature
                      and c.level == str(level)), None)
        if match is not None:
            chosen.append(match)
    return chosen


def _in_level_order(categorical: pd.DataFrame, info: dict[str, FeatureInfo]) -> list[Any]:
    """Profile rows with each feature's levels in questionnaire order (``info`` levels),
    not in the order they first occur in the data."""
    def position(row: Any) -> int:
        feature = info[row.feature]
        order = list(feature.levels)
        code = feature.code_of(str(row.level))
        return order.index(code) if code in order else len(order)

    records = rows(categorical)
    first = {f: i for i, f in enumerate(dict.fromkeys(r.feature for r in records))}
    return sorted(records, key=lambda r: (first[r.feature], position(r)))
