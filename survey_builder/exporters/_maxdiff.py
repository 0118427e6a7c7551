"""Texts every exporter shows around a MaxDiff question: column headings, set titles and the
best-is-not-worst message, per language (English fallback)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..spec import MaxDiffQuestion, Survey

_TEXTS: dict[str, dict[str, str]] = {
    "best": {"en": "Most important", "es": "Más importante", "fr": "Le plus important",
             "de": "Am wichtigsten", "it": "Più importante", "pt": "Mais importante"},
    "worst": {"en": "Least important", "es": "Menos importante", "fr": "Le moins important",
              "de": "Am wenigsten wichtig", "it": "Meno importante",
              "pt": "Menos importante"},
    "set": {"en": "Set {k} of {n}", "es": "Grupo {k} de {n}", "fr": "Série {k} sur {n}",
            "de": "Gruppe {k} von {n}", "it": "Gruppo {k} di {n}", "pt": "Grupo {k} de {n}"},
    "differ": {"en": "Pick a different item as the least important.",
               "es": "Elija otro elemento como el menos importante.",
               "fr": "Choisissez un autre élément comme le moins important.",
               "de": "Wählen Sie ein anderes Element als das am wenigsten wichtige.",
               "it": "Scelga un altro elemento come il meno importante.",
               "pt": "Escolha outro item como o menos importante."},
}


def _builtin(key: str, language: str, **values: object) -> str:
    templates = _TEXTS[key]
    return templates.get(language.split("-")[0].lower(), templates["en"]).format(**values)


def best_worst_labels(survey: Survey, q: MaxDiffQuestion, languages: list[str]
                      ) -> tuple[dict[str, str], dict[str, str]]:
    """The best and the worst heading per language: the spec's, else the built-in ones."""
    best = {lang: survey.text(q.best_label, lang) if q.best_label
            else builtin_best_worst(lang)[0] for lang in languages}
    worst = {lang: survey.text(q.worst_label, lang) if q.worst_label
             else builtin_best_worst(lang)[1] for lang in languages}
    return best, worst


def set_title(label: str, language: str, k: int, n: int) -> str:
    """``"<label> (Set k of n)"`` in ``language``: the title of set ``k`` (1-based) of
    ``n`` (the readers of label exports match it too)."""
    return f"{label} ({_builtin('set', language, k=k, n=n)})"


def builtin_best_worst(language: str) -> tuple[str, str]:
    """The built-in best and worst headings in ``language`` (English fallback)."""
    return _builtin("best", language), _builtin("worst", language)


def set_titles(survey: Survey, q: MaxDiffQuestion, languages: list[str], k: int
               ) -> dict[str, str]:
    """``"<label> (Set k of n)"`` per language, the title of set ``k`` (1-based)."""
    return {lang: set_title(survey.text(q.label, lang), lang, k, q.sets) for lang in languages}


def differ_message(languages: list[str]) -> dict[str, str]:
    """The message shown when the worst pick is the best one, per language."""
    return {lang: _builtin("differ", lang) for lang in languages}
