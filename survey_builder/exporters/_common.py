"""Helpers shared by the XLSForm, SurveyJS and REDCap exporters.

Standard library only: the exporters are imported lazily by ``survey-builder build`` and
must not pull in pandas/numpy.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import SurveyError
from ..spec import Survey

__all__ = [
    "ExportWarning",
    "RandomizedBlock",
    "format_number",
    "language_display_name",
    "localized_message",
    "randomized_blocks",
    "resolve_languages",
    "unique_name",
    "warn_randomization",
]


class ExportWarning(UserWarning):
    """A target format cannot represent part of the spec natively.

    The exporter still records the information in a way the target keeps (an attribute,
    an annotation) and says so through this warning, so nothing is dropped silently.
    """


@dataclass(frozen=True)
class RandomizedBlock:
    """A section whose question order, or a grid whose row order, the spec randomises.

    Attributes
    ----------
    kind : {"section", "grid"}
    name : str
        Section name or grid question name.
    """

    kind: str
    name: str

    def describe(self) -> str:
        """``"section 'traits'"`` / ``"grid 'trust_grid' (rows)"``."""
        return f"section {self.name!r}" if self.kind == "section" else (
            f"grid {self.name!r} (rows)")


def randomized_blocks(survey: Survey) -> list[RandomizedBlock]:
    """Sections with ``randomize: true`` and grids with ``randomize: true``, in order."""
    blocks: list[RandomizedBlock] = []
    for section in survey.sections:
        if section.randomize:
            blocks.append(RandomizedBlock("section", section.name))
        for question in section.questions:
            if question.is_grid and question.randomize:
                blocks.append(RandomizedBlock("grid", question.name))
    return blocks


#: Up to this many randomised blocks are named in the warning; more are counted.
_LISTED_BLOCKS = 3


def warn_randomization(target: str, blocks: Sequence[RandomizedBlock], how: str) -> None:
    """Emit one :class:`ExportWarning` (one line) on the randomisation ``target`` cannot
    perform: the blocks by name when there are few, else their count per kind.

    Parameters
    ----------
    target : str
        Format name, e.g. ``"XLSForm"``.
    blocks : sequence of RandomizedBlock
        What the spec randomises; nothing is emitted when empty.
    how : str
        Where the export records the randomisation instead.
    """
    if not blocks:
        return
    if len(blocks) <= _LISTED_BLOCKS:
        listed = ", ".join(block.describe() for block in blocks)
    else:  # one line a researcher reads, not a list of every grid
        counts = Counter(block.kind for block in blocks)
        listed = " and ".join(f"{counts[kind]} {kind}{'s' if counts[kind] > 1 else ''}"
                              for kind in ("section", "grid") if counts[kind])
    warnings.warn(
        f"{target} cannot shuffle questions or grid rows; the spec randomises {listed}. "
        f"The order is fixed in this export and the randomisation is recorded {how}.",
        ExportWarning,
        stacklevel=3,
    )


def resolve_languages(survey: Survey, languages: Iterable[str] | None) -> list[str]:
    """The languages to export, the primary (default) one first.

    Parameters
    ----------
    survey : Survey
    languages : iterable of str, optional
        Requested language codes; ``None`` means all of the survey's languages.

    Returns
    -------
    list of str
        Unique codes. The survey's default language comes first when it is included,
        otherwise the first requested language does.

    Raises
    ------
    SurveyError
        A requested language is not one of the survey's, or none is requested.
    """
    requested = list(survey.languages if languages is None else languages)
    out: list[str] = []
    for lang in requested:
        if lang not in survey.languages:
            raise SurveyError(f"language {lang!r} is not one of the survey's languages "
                              f"({', '.join(survey.languages)})", field="--languages")
        if lang not in out:
            out.append(lang)
    if not out:
        raise SurveyError("no language to export", field="--languages")
    default = survey.default_language
    if default in out:
        out.remove(default)
        out.insert(0, default)
    return out


#: Native names of common languages, used where a target wants a human-readable language
#: name next to the code (XLSForm's ``label::Español (es)``).
LANGUAGE_NAMES: dict[str, str] = {
    "ar": "العربية", "bg": "Български", "bn": "বাংলা", "ca": "Català", "cs": "Čeština",
    "da": "Dansk", "de": "Deutsch", "el": "Ελληνικά", "en": "English", "es": "Español",
    "et": "Eesti", "eu": "Euskara", "fa": "فارسی", "fi": "Suomi", "fr": "Français",
    "ga": "Gaeilge", "gl": "Galego", "he": "עברית", "hi": "हिन्दी", "hr": "Hrvatski",
    "hu": "Magyar", "id": "Bahasa Indonesia", "is": "Íslenska", "it": "Italiano",
    "ja": "日本語", "ko": "한국어", "lt": "Lietuvių", "lv": "Latviešu", "ms": "Bahasa Melayu",
    "nb": "Norsk bokmål", "nl": "Nederlands", "no": "Norsk", "pl": "Polski",
    "pt": "Português", "ro": "Română", "ru": "Русский", "sk": "Slovenčina",
    "sl": "Slovenščina", "sr": "Српски", "sv": "Svenska", "sw": "Kiswahili", "th": "ไทย",
    "tr": "Türkçe", "uk": "Українська", "ur": "اردو", "vi": "Tiếng Việt", "zh": "中文",
}


def language_display_name(code: str) -> str:
    """``"Español (es)"``: native name plus the primary language subtag in parentheses.

    ODK (and pyxform's check) want a valid IANA *language subtag* in the trailing
    parentheses, so a regional tag keeps its region in the name:
    ``pt-BR`` -> ``"Português BR (pt)"``.
    """
    primary, _, region = code.partition("-")
    name = LANGUAGE_NAMES.get(primary.lower(), primary)
    if region:
        name = f"{name} {region}"
    return f"{name} ({primary.lower()})"


def format_number(value: float | int) -> str:
    """``5`` for 5.0, ``2.5`` for 2.5 (no trailing ``.0`` in expressions and labels)."""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return repr(number)


# Validation messages the exporters add themselves (the spec has no text for them).
# Keys: message id -> language -> template. Missing languages fall back to English.
_MESSAGES: dict[str, dict[str, str]] = {
    "min_selected": {
        "en": "Select at least {n} options.",
        "es": "Seleccione al menos {n} opciones.",
        "fr": "Sélectionnez au moins {n} options.",
        "de": "Wählen Sie mindestens {n} Optionen.",
        "it": "Selezioni almeno {n} opzioni.",
        "pt": "Selecione pelo menos {n} opções.",
    },
    "max_selected": {
        "en": "Select at most {n} options.",
        "es": "Seleccione como máximo {n} opciones.",
        "fr": "Sélectionnez au plus {n} options.",
        "de": "Wählen Sie höchstens {n} Optionen.",
        "it": "Selezioni al massimo {n} opzioni.",
        "pt": "Selecione no máximo {n} opções.",
    },
    "between": {
        "en": "Enter a number from {min} to {max}.",
        "es": "Introduzca un número entre {min} y {max}.",
        "fr": "Saisissez un nombre entre {min} et {max}.",
        "de": "Geben Sie eine Zahl von {min} bis {max} ein.",
        "it": "Inserisca un numero da {min} a {max}.",
        "pt": "Introduza um número entre {min} e {max}.",
    },
    "at_least": {
        "en": "Enter a number of at least {min}.",
        "es": "Introduzca un número igual o mayor que {min}.",
        "fr": "Saisissez un nombre supérieur ou égal à {min}.",
        "de": "Geben Sie eine Zahl von mindestens {min} ein.",
        "it": "Inserisca un numero maggiore o uguale a {min}.",
        "pt": "Introduza um número maior ou igual a {min}.",
    },
    "at_most": {
        "en": "Enter a number of at most {max}.",
        "es": "Introduzca un número igual o menor que {max}.",
        "fr": "Saisissez un nombre inférieur ou égal à {max}.",
        "de": "Geben Sie eine Zahl von höchstens {max} ein.",
        "it": "Inserisca un numero minore o uguale a {max}.",
        "pt": "Introduza um número menor ou igual a {max}.",
    },
    "record_id": {
        "en": "Respondent ID",
        "es": "ID del encuestado",
        "fr": "Identifiant du répondant",
        "de": "Teilnehmer-ID",
        "it": "ID del rispondente",
        "pt": "ID do inquirido",
    },
    "max_length": {
        "en": "Use at most {n} characters.",
        "es": "Use como máximo {n} caracteres.",
        "fr": "Utilisez au plus {n} caractères.",
        "de": "Verwenden Sie höchstens {n} Zeichen.",
        "it": "Usi al massimo {n} caratteri.",
        "pt": "Use no máximo {n} caracteres.",
    },
}


def localized_message(key: str, language: str, **values: object) -> str:
    """One of the exporters' own validation messages in ``language`` (English fallback)."""
    templates = _MESSAGES[key]
    template = templates.get(language.split("-")[0].lower(), templates["en"])
    return template.format(**values)


def unique_name(base: str, taken: set[str], *, suffix: str = "") -> str:
    """``base + suffix``, or with ``_2``, ``_3`` ... appended, not in ``taken``; claims it."""
    candidate = f"{base}{suffix}"
    n = 2
    while candidate in taken:
        candidate = f"{base}{suffix}_{n}"
        n += 1
    taken.add(candidate)
    return candidate
