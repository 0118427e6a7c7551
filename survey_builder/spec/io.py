"""Reading and writing specs: YAML/JSON documents to validated models and back.

Validation errors become one :class:`~survey_builder.errors.SurveyError` with the file, the
line of the offending field and its location path (``sections[1].questions[3].scale``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .._source import Locator, format_loc, load_document
from ..atomic import write_text_atomic
from ..errors import SurveyError, UserErrors
from ._fields import YAML_BOOL_HINT
from .models import QUESTION_TYPES, Survey, SurveyProblems

__all__ = ["dump_survey", "load_survey", "survey_from_dict", "survey_to_dict", "survey_to_text"]

_TAG_NAMES = frozenset(QUESTION_TYPES)


def _clean_loc(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """Drop pydantic's union-tag steps (``questions.3.likert.scale``) and validator names."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and part in _TAG_NAMES and i > 0 and isinstance(loc[i - 1], int):
            continue
        if isinstance(part, str) and (part.startswith("function-") or "[" in part):
            continue
        out.append(part)
    return tuple(out)


#: Fields written where they do not belong, with what to do instead.
_MISPLACED = {
    "dont_know": "dont_know is only for likert, likert_grid and nps questions (a choice "
                 "question takes a \"Don't know\" option instead)",
    "dont_know_label": "dont_know_label is only for likert, likert_grid and nps questions "
                       "with dont_know: true",
    "other": "other belongs to an option: mark the \"Other (specify)\" option of a "
             "single_choice or multiple_choice with other: true",
}


def _message(error: Mapping[str, Any], data: Any) -> tuple[tuple[str | int, ...], str]:
    loc = _clean_loc(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "union_tag_invalid":
        return (*loc, "type"), (f"unknown question type {ctx.get('tag')!r} (expected one of: "
                                f"{', '.join(QUESTION_TYPES)})")
    if kind == "union_tag_not_found":
        return loc, f"question has no 'type' (one of: {', '.join(QUESTION_TYPES)})"
    if kind == "missing":
        return loc, f"missing required field {loc[-1]!r}" if loc else "missing field"
    if kind == "extra_forbidden":
        return loc, _MISPLACED.get(str(loc[-1]), f"unknown field {loc[-1]!r}")
    if kind == "value_error":
        return loc, str(ctx.get("error", error["msg"]))
    message = error["msg"]
    if isinstance(error.get("input"), bool) and kind in ("string_type", "literal_error"):
        message += YAML_BOOL_HINT
    return loc, f"{message[0].lower()}{message[1:]}" if message else kind


def survey_from_dict(data: Any, *, source: str | None = None,
                     locator: Locator | None = None) -> Survey:
    """Validate a plain mapping (parsed YAML/JSON) into a :class:`Survey`.

    Parameters
    ----------
    data : mapping
        The document.
    source : str, optional
        File name used in error messages.
    locator : Locator, optional
        Maps error locations to line numbers.

    Raises
    ------
    UserErrors
        The first problem, with file, line and field; the message says how many more
        problems there are, and ``problems`` lists every one.
    """
    if not isinstance(data, Mapping):
        raise SurveyError("a survey spec must be a mapping with id, title, languages and "
                          "sections", source, 1 if source else None)
    try:
        return Survey.model_validate(data)
    except ValidationError as exc:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for error in exc.errors():
            inner = (error.get("ctx") or {}).get("error")
            if isinstance(inner, SurveyProblems):
                problems.extend(inner.problems)
            else:
                problems.append(_message(error, data))
        locator = locator or Locator(None)
        every = tuple(SurveyError(text, source, locator.line(loc) if source else None,
                                  format_loc(loc) or None) for loc, text in problems)
        first = every[0]
        message = first.message
        if len(every) > 1:
            message += f" (and {len(every) - 1} more problem{'s' if len(every) > 2 else ''})"
        raise UserErrors(message, first.file, first.line, first.field, every) from None


def load_survey(path: str | Path) -> Survey:
    """Load and validate a spec from a ``.yaml``/``.yml``/``.json`` file (``-``: stdin).

    Raises
    ------
    SurveyError
        Malformed file, unknown question type, duplicate names, bad references ... with
        ``file:line field`` location.
    FileNotFoundError
        The file does not exist.
    """
    data, locator = load_document(path)
    return survey_from_dict(data, source="<stdin>" if str(path) == "-" else str(path),
                            locator=locator)


def survey_to_dict(survey: Survey) -> dict[str, Any]:
    """A JSON-compatible dict of the spec without default-valued fields."""
    data = survey.model_dump(mode="json", exclude_defaults=True)
    data["version"] = survey.version
    sets = data.get("anchor_sets") or {}
    for section in data["sections"]:
        for question in section["questions"]:
            anchors = question.get("anchors")
            if isinstance(anchors, list):  # write a reference back when it is a known set
                name = next((n for n, labels in sets.items() if labels == anchors), None)
                if name is not None:
                    question["anchors"] = name
    return data


def dump_survey(survey: Survey, path: str | Path) -> None:
    """Write a spec atomically as YAML (or JSON for a ``.json`` path; ``-``: stdout as YAML)."""
    write_text_atomic(path, survey_to_text(survey, json_format=str(path).lower().endswith(
        ".json")))


def survey_to_text(survey: Survey, *, json_format: bool = False) -> str:
    """The spec as YAML text (or JSON)."""
    data = survey_to_dict(survey)
    if json_format:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)
