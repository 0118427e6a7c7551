"""What each column is: its readable label, kind and role, from a codebook or from names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ._model import FeatureInfo

__all__ = ["FLAG_COLUMNS", "describe_features", "text_of"]

#: Data-quality columns written by ``survey-builder score``: never profiled.
FLAG_COLUMNS = frozenset({"attention_failed", "straightliner", "n_answered"})

_DEMOGRAPHIC_SECTIONS = {"demographics", "firmographic", "firmographics"}
_BEHAVIOUR_SECTIONS = {"behaviour", "behavior", "technographic", "technographics"}


def text_of(value: Any, language: str) -> str:
    """Pick ``language`` from a codebook text (``{lang: text}``) or pass a string through."""
    if isinstance(value, Mapping):
        if language in value:
            return str(value[language])
        return str(next(iter(value.values()), ""))
    return "" if value is None else str(value)


def humanise(name: str) -> str:
    """A readable name for a column (``age_band`` -> ``Age band``)."""
    text = name.replace("__", ": ").replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else name


def describe_features(frame: pd.DataFrame, numeric: list[str], categorical: list[str],
                      codebook: Mapping[str, Any] | None, language: str) -> list[FeatureInfo]:
    """Label and classify every profiled column.

    Roles: ``scale`` (psychometric scale score), ``clv``, ``journey``, ``demographic``,
    ``behaviour``, ``channel`` (a channel option column or channel feature), ``other``.
    With a codebook, roles come from its scales, derivations and sections; without one,
    numeric columns count as scales and a few names are recognised (``clv``,
    ``journey_stage``, ``channel...``).

    Parameters
    ----------
    frame : DataFrame
        The profiled data (for level values).
    numeric, categorical : list of str
        Column names by kind (as resolved by the profiler).
    codebook : mapping or None
        A survey-builder codebook (``build_codebook``/``load_codebook``).
    language : str
        Language of labels taken from the codebook.

    Returns
    -------
    list of FeatureInfo
    """
    scales: dict[str, Mapping[str, Any]] = {}
    columns: dict[str, Mapping[str, Any]] = {}
    questions: dict[str, Mapping[str, Any]] = {}
    journey_column = clv_column = None
    journey_stages: list[str] = []
    if codebook:
        scales = {str(s["name"]): s for s in codebook.get("scales", [])}
        columns = {str(c["name"]): c for c in codebook.get("columns", [])}
        questions = {str(q["name"]): q for q in codebook.get("questions", [])}
        derivations = codebook.get("derivations") or {}
        if derivations.get("journey"):
            journey_column = derivations["journey"].get("column")
            journey_stages = [str(s) for s in derivations["journey"].get("stages", [])]
        if derivations.get("clv"):
            clv_column = "clv"
    infos = []
    for name in [*numeric, *categorical]:
        kind = "numeric" if name in numeric else "categorical"
        levels: dict[str, str] = {}
        dimension = None
        role = "other"
        column = columns.get(name)
        if name in scales:
            scale = scales[name]
            label = text_of(scale.get("label"), language) or humanise(name)
            dimension = scale.get("dimension")
            role = "scale"
        elif column is not None:
            label = text_of(column.get("label"), language) or humanise(name)
            question = questions.get(str(column.get("question")))
            if column.get("option") is not None and question is not None:
                label = f"{text_of(question.get('label'), language)} — {label}"
            for level in column.get("levels") or []:
                levels[str(level["code"])] = text_of(level.get("label"), language)
            section = str(column.get("section") or "")
            if name == journey_column:
                role = "journey"
            elif str(column.get("question", "")).startswith("channel"):
                role = "channel"
            elif section in _DEMOGRAPHIC_SECTIONS:
                role = "demographic"
            elif section in _BEHAVIOUR_SECTIONS:
                role = "behaviour"
        else:
            label = humanise(name)
            if name == clv_column or name.lower() == "clv":
                label, role = "Customer lifetime value", "clv"
            elif name == journey_column or name.lower() in ("journey_stage", "journey"):
                role = "journey"
            elif name.lower().startswith("channel"):
                role = "channel"
            elif kind == "numeric" and not codebook:
                role = "scale"
        if role == "journey" and journey_stages and not levels:
            levels = {s: humanise(s) for s in journey_stages}
        if kind == "categorical" and not levels:
            values = pd.unique(frame[name].dropna())
            levels = {str(v): str(v) for v in values}
        infos.append(FeatureInfo(name=name, label=label, kind=kind, role=role,
                                 dimension=dimension, levels=levels))
    return infos
