"""Field types of the spec models and the naming rules they enforce.

Names (questions, grid items, sections, scales) are lowercase identifiers safe for XLSForm
and REDCap: a letter, then letters, digits or single underscores, at most
:data:`NAME_MAX_LENGTH` characters, no ``__`` (reserved for the ``question__option`` response
columns). Choice values follow the same rule but may start with a digit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

#: The six ASPECTS dimensions, in model order.
ASPECTS_DIMENSIONS: tuple[str, ...] = (
    "attitudes",
    "social_values",
    "personal_interests",
    "emotions",
    "conscious_needs",
    "traits",
)
NAME_MAX_LENGTH = 26
_NAME_RE = re.compile(r"^[a-z](?:[a-z0-9]|_(?!_))*$")
_VALUE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|_(?!_))*$")
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
YAML_BOOL_HINT = " (YAML reads yes/no/on/off/true/false as booleans: put the value in quotes)"


def _check_name(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > NAME_MAX_LENGTH:
            raise ValueError(f"name {value!r} is longer than {NAME_MAX_LENGTH} characters "
                             "(REDCap/XLSForm-safe names are short)")
        if not _NAME_RE.match(value) or value.endswith("_"):
            raise ValueError(f"invalid name {value!r}: use lowercase letters, digits and "
                             "single underscores, starting with a letter")
    return value


def _check_value(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"choice value is the boolean {value}{YAML_BOOL_HINT}")
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str):
        if len(value) > 32:
            raise ValueError(f"choice value {value!r} is longer than 32 characters")
        if not _VALUE_RE.match(value) or value.endswith("_"):
            raise ValueError(f"invalid choice value {value!r}: use lowercase letters, digits "
                             "and single underscores")
    return value


def _check_text(value: Any) -> Any:
    if isinstance(value, Mapping):
        for key, text in value.items():
            if isinstance(key, bool):
                raise ValueError(f"language key is the boolean {key}{YAML_BOOL_HINT}")
            if not isinstance(text, str):
                raise ValueError(f"text for language {key!r} must be a string")
    elif isinstance(value, str):
        raise ValueError("give the text per language, e.g. {en: 'Your age', es: 'Su edad'}")
    return value


Name = Annotated[str, BeforeValidator(_check_name)]
ChoiceValue = Annotated[str, BeforeValidator(_check_value)]
#: Text per language code, e.g. ``{"en": "Age", "es": "Edad"}``.
Text = Annotated[dict[str, str], BeforeValidator(_check_text)]
Points = Literal[5, 7]


def _anchors_must_be_resolved(value: Any) -> Any:
    if isinstance(value, str):
        raise ValueError(f"unknown anchor set {value!r} (define it under anchor_sets)")
    return value


#: Likert anchor labels (a set name is resolved by :class:`~.models.Survey` before this).
Anchors = Annotated[list[Text], BeforeValidator(_anchors_must_be_resolved)]
