"""The texts of the "Other (specify)" and "Don't know" options, as every export shows them.

A "Don't know" option (``dont_know: true`` on a Likert item, grid or NPS question) reads
the question's ``dont_know_label`` when it has one, else the built-in text of the language;
the text box of an "Other (specify)" option is introduced by the built-in prompt. Both
fall back to English for a language without a built-in text.
"""

from __future__ import annotations

from typing import Any

__all__ = ["dont_know_texts", "specify_prompts"]

_DONT_KNOW = {"en": "Don't know", "es": "No sé", "fr": "Je ne sais pas", "de": "Weiß nicht",
              "it": "Non so", "pt": "Não sei"}
_SPECIFY = {"en": "Please specify", "es": "Especifique", "fr": "Veuillez préciser",
            "de": "Bitte angeben", "it": "Specificare", "pt": "Especifique"}


def _builtin(table: dict[str, str], language: str) -> str:
    return table.get(language.split("-")[0].lower(), table["en"])


def dont_know_texts(question: Any, languages: list[str]) -> dict[str, str]:
    """The "Don't know" option's text per language of a question with ``dont_know``.

    Parameters
    ----------
    question : LikertQuestion, LikertGridQuestion or NpsQuestion
    languages : list of str

    Returns
    -------
    dict
        ``{language: text}``: the question's ``dont_know_label``, else the built-in text.
    """
    own = question.dont_know_label or {}
    return {lang: own.get(lang) or _builtin(_DONT_KNOW, lang) for lang in languages}


def specify_prompts(languages: list[str]) -> dict[str, str]:
    """The prompt of an "Other (specify)" text box per language (``"Please specify"``)."""
    return {lang: _builtin(_SPECIFY, lang) for lang in languages}
