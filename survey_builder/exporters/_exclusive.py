"""The exclusive ("None of these") option of a multiple-choice question, as the exports
need it: which option it is, and the message shown when it is ticked with others."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..spec import Choice, MultipleChoiceQuestion

_MESSAGE = {
    "en": "\"{label}\" cannot be combined with other options.",
    "es": "\"{label}\" no se puede combinar con otras opciones.",
    "fr": "« {label} » ne peut pas être combiné avec d'autres options.",
    "de": "„{label}“ kann nicht mit anderen Optionen kombiniert werden.",
    "it": "\"{label}\" non può essere combinata con altre opzioni.",
    "pt": "\"{label}\" não pode ser combinada com outras opções.",
}


def exclusive_choice(q: MultipleChoiceQuestion) -> Choice | None:
    """The question's exclusive option (the spec allows at most one), or ``None``."""
    return next((c for c in q.choices if c.exclusive), None)


def exclusive_message(language: str, label: str) -> str:
    """The message for ticking the exclusive option ``label`` with others."""
    template = _MESSAGE.get(language.split("-")[0].lower(), _MESSAGE["en"])
    return template.format(label=label)
