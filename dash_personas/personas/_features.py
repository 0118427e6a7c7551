"""What each column is: its readable label, kind and role, from a codebook or from names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from survey_builder.codebook import OPTION_SEPARATOR, as_codebook

from ._model import FeatureInfo
from ._rules import BEHAVIOUR_QUESTIONS

__all__ = ["describe_features", "humanise"]

_DEMOGRAPHIC_SECTIONS = {"demographics", "firmographic", "firmographics"}
_BEHAVIOUR_SECTIONS = {"behaviour", "behavior", "technographic", "technographics"}


def humanise(name: str) -> str:
    """A readable name for a column (``age_band`` -> ``Age band``)."""
    text = name.replace("__", ": ").replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else name


def describe_features(observed_levels: Mapping[str, Sequence[Any]], numeric: list[str],
                      categorical: list[str], codebook: Mapping[str, Any] | None,
                      language: str) -> list[FeatureInfo]:
    """Label and classify every profiled column.

    Roles: ``scale`` (psychometric scale score), ``clv``, ``journey``, ``demographic``,
    ``behaviour``, ``channel`` (a channel option column or channel feature), ``trigger``
    (an option of the purchase-triggers question), ``driver`` (an option of the
    choice-drivers ranking), ``frequency`` and ``spend`` (the CLV frequency and value
    questions), ``other``. With a codebook, roles come from its scales, derivations,
    questions and sections; without one, numeric columns count as scales and a few names
    are recognised (``clv``, ``journey_stage``, ``channel...``, the bank's question names).

    Parameters
    ----------
    observed_levels : mapping of str to sequence
        The answers each categorical column holds, in order of first appearance (the
        levels of a column the codebook does not describe).
    numeric, categorical : list of str
        Column names by kind (as resolved by the profiler).
    codebook : Codebook, mapping or None
        A survey-builder codebook (``load_codebook``, or the one ``read_scores`` finds
        beside a scores file); a codebook dict is validated into a ``Codebook``.
    language : str
        Language of labels taken from the codebook.

    Returns
    -------
    list of FeatureInfo
    """
    book = None if codebook is None else as_codebook(codebook)
    journey_column = clv_column = None
    term_roles = {"purchase_frequency": "frequency", "avg_purchase_value": "spend"}
    if book is not None:
        journey = book.derivations.journey
        journey_column = journey.column if journey is not None else None
        clv = book.derivations.clv
        clv_column = "clv" if clv is not None else None
        terms = clv.terms if clv is not None else {}
        term_roles = {terms[t].column: role for t, role in
                      (("frequency", "frequency"), ("value", "spend")) if t in terms}
    infos = []
    for name in [*numeric, *categorical]:
        kind = "numeric" if name in numeric else "categorical"
        levels: dict[str, str] = {}
        dimension = None
        role = "other"
        scale = book.scale(name) if book is not None else None
        column = book.source_column(name) if book is not None else None
        if scale is not None:
            label = book.label(name, language) or humanise(name)
            dimension = scale.dimension
            role = "scale"
        elif column is not None:
            label = book.label(name, language) or humanise(name)
            levels = {level.code: level.label for level in book.levels(name, language)}
            section = str(column.section or "")
            question = str(column.question or "")
            if column.name == journey_column:
                role = "journey"
            elif column.name in term_roles:
                role = term_roles[column.name]
            elif question in BEHAVIOUR_QUESTIONS and column.option is not None:
                role = BEHAVIOUR_QUESTIONS[question]
            elif question.startswith("channel"):
                role = "channel"
            elif section in _DEMOGRAPHIC_SECTIONS:
                role = "demographic"
            elif section in _BEHAVIOUR_SECTIONS:
                role = "behaviour"
        else:
            label = humanise(name)
            if name == clv_column or name.lower() == "clv":
                label, role = "Customer lifetime value", "clv"
            elif name.lower() in ("journey_stage", "journey"):
                role = "journey"
            elif book is None and name in term_roles:
                role = term_roles[name]
            elif book is None and name.split(OPTION_SEPARATOR)[0] in BEHAVIOUR_QUESTIONS:
                role = BEHAVIOUR_QUESTIONS[name.split(OPTION_SEPARATOR)[0]]
            elif name.lower().startswith("channel"):
                role = "channel"
            elif kind == "numeric" and book is None:
                role = "scale"
        if kind == "categorical" and not levels:
            levels = {str(v): str(v) for v in observed_levels.get(name, ())}
        infos.append(FeatureInfo(name=name, label=label, kind=kind, role=role,
                                 dimension=dimension, levels=levels))
    return infos
