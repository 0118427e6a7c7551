"""Analyst overrides of persona fields, matched to segments by prototype.

An overrides file (YAML or JSON) looks like::

    personas:
      - prototype: {at_price_focus: 4.1, age_band: "25_34", ...}   # what the segment looked like
        name: Deal-Hunting Dana
        tagline: Never pays full price.
        guidelines: {tone: cheerful, do: ["Lead with the discount"]}

Each entry is matched to the persona whose prototype is nearest to ``prototype``
(k-prototypes distance: squared standardised numeric differences plus ``gamma`` per
categorical mismatch, over the features both have; the fitted model's own
:meth:`~dash_personas.KPrototypes.transform` when it is available), with a one-to-one
assignment (Hungarian algorithm), so edits follow the segment through a re-fit that
renumbers the labels. Write a starting file with :func:`write_overrides_template`.
Every :class:`Persona` field can be overridden except ``id``, ``segment``, ``size``,
``share`` and ``prototype``; nested objects (``behaviour``, ``guidelines``) are merged.

Texts have length limits (:data:`TEXT_LIMITS`, checked by the :class:`PersonaEdits`
model): a persona is read on a card, and a 100,000-character name pasted by mistake
would otherwise reach every page. A text over its limit is a :class:`UserError` naming
the file, the field and the limit.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from survey_builder.atomic import write_text_atomic
from survey_builder.errors import UserError

from ._model import Persona, PersonaSet

__all__ = ["TEXT_LIMITS", "GuidelineEdits", "PersonaEdits", "apply_overrides", "load_overrides",
           "match_overrides", "prototype_distances", "write_overrides_template"]

LOCKED_FIELDS = frozenset({"id", "segment", "size", "share", "prototype"})
EDITABLE_FIELDS = ("name", "tagline", "quote", "motivations", "frustrations", "goals", "objections",
                   "day_in_life", "guidelines")

#: Longest text (characters) of each overridable text field; ``item`` is one entry of a
#: list (motivations, do, channels...), ``items`` the most entries of a list.
TEXT_LIMITS: dict[str, int] = {"name": 80, "tagline": 200, "quote": 400, "day_in_life": 1500,
                               "tone": 200, "item": 300, "items": 12}

class _Edits(BaseModel):
    # other fields are checked by the Persona model once merged
    model_config = ConfigDict(extra="allow")


class GuidelineEdits(_Edits):
    """The length limits of an override's ``guidelines``."""

    tone: str | None = Field(None, max_length=TEXT_LIMITS["tone"])
    channels: list[str] | None = Field(None, max_length=TEXT_LIMITS["items"])
    do: list[str] | None = Field(None, max_length=TEXT_LIMITS["items"])
    dont: list[str] | None = Field(None, max_length=TEXT_LIMITS["items"])


class PersonaEdits(_Edits):
    """The texts of one override entry, with their length limits (:data:`TEXT_LIMITS`)."""

    name: str | None = Field(None, min_length=1, max_length=TEXT_LIMITS["name"])
    tagline: str | None = Field(None, max_length=TEXT_LIMITS["tagline"])
    quote: str | None = Field(None, max_length=TEXT_LIMITS["quote"])
    day_in_life: str | None = Field(None, max_length=TEXT_LIMITS["day_in_life"])
    motivations: list[str] | None = Field(None, max_length=TEXT_LIMITS["items"])
    frustrations: list[str] | None = Field(None, max_length=TEXT_LIMITS["items"])
    goals: list[str] | None = Field(None, max_length=TEXT_LIMITS["items"])
    objections: list[str] | None = Field(None, max_length=TEXT_LIMITS["items"])
    guidelines: GuidelineEdits | None = None


def _list_items_fit(entry: Mapping[str, Any]) -> list[tuple[str, int]]:
    """(field path, length) of list items over the item limit."""
    too_long = []
    lists = {k: entry.get(k) for k in ("motivations", "frustrations", "goals", "objections")}
    guidelines = entry.get("guidelines")
    if isinstance(guidelines, Mapping):
        lists.update({f"guidelines.{k}": guidelines.get(k) for k in ("channels", "do", "dont")})
    for key, items in lists.items():
        if isinstance(items, list):
            too_long += [(f"{key}[{j}]", len(item)) for j, item in enumerate(items)
                         if isinstance(item, str) and len(item) > TEXT_LIMITS["item"]]
    return too_long


def _check_texts(entry: Mapping[str, Any], index: int, where: str, is_file: bool) -> None:
    """Raise a :class:`UserError` for the first text of ``entry`` over its limit."""
    edits = {k: v for k, v in entry.items() if k != "prototype"}
    file = where if is_file else None
    for path, length in _list_items_fit(edits):
        raise UserError(f"too long: {length:,} characters (the limit is "
                        f"{TEXT_LIMITS['item']:,})", file=file, field=f"personas[{index}].{path}")
    try:
        PersonaEdits.model_validate(edits)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"])
        limit = (first.get("ctx") or {}).get("max_length")
        if first["type"] == "string_too_long":
            message = f"too long: {len(first['input']):,} characters (the limit is {limit:,})"
        elif first["type"] == "too_long":
            message = f"too many items: {len(first['input'])} (the limit is {limit})"
        else:
            message = first["msg"]
        raise UserError(message, file=file, field=f"personas[{index}].{path}") from None


def load_overrides(source: Any) -> list[dict[str, Any]]:
    """Read overrides from a path (YAML/JSON), a mapping with ``personas`` or a list.

    Returns
    -------
    list of dict
        The entries, each with a ``prototype`` mapping.
    """
    where = "overrides"
    if isinstance(source, (str, Path)):
        path = Path(source)
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UserError(f"{path}: no such overrides file") from None
        if path.suffix.lower() == ".json":
            try:
                source = json.loads(text)
            except json.JSONDecodeError as exc:
                raise UserError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
        else:
            import yaml

            try:
                source = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = f" at line {mark.line + 1}" if mark is not None else ""
                raise UserError(f"{path}: not valid YAML{line}") from None
    entries = source.get("personas") if isinstance(source, Mapping) else source
    if not isinstance(entries, list):
        raise UserError(f"{where}: expected a list of personas under 'personas'")
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise UserError(f"{where}: personas[{i}] is not a mapping")
        if not isinstance(entry.get("prototype"), Mapping) or not entry["prototype"]:
            raise UserError(f"{where}: personas[{i}] needs a 'prototype' mapping to be matched "
                             "to a segment (write one with --overrides-template)")
        locked = sorted(LOCKED_FIELDS & set(entry) - {"prototype"})
        if locked:
            raise UserError(f"{where}: personas[{i}].{locked[0]} cannot be overridden")
        _check_texts(entry, i, where, where != "overrides")
    return [dict(e) for e in entries]


def prototype_distances(prototypes: list[Mapping[str, Any]], personas: PersonaSet,
                        model: Any = None) -> np.ndarray:
    """Distance of each given prototype (rows) to each persona's prototype (columns).

    Parameters
    ----------
    prototypes : list of mapping
        Feature -> value, e.g. the ``prototype`` of override entries.
    personas : PersonaSet
    model : KPrototypes, optional
        When given and every prototype has all its features, its ``transform`` (the
        engine's distance) is used; otherwise the persona set's ``matching`` spec.

    Returns
    -------
    ndarray of shape (len(prototypes), len(personas))
    """
    if model is not None and hasattr(model, "feature_names_in_"):
        names = list(model.feature_names_in_)
        if all(all(n in p for n in names) for p in prototypes):
            import pandas as pd

            frame = pd.DataFrame([{n: p[n] for n in names} for p in prototypes])
            for n in model.numeric_features_:
                frame[n] = pd.to_numeric(frame[n], errors="coerce")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                to_segment = model.transform(frame)  # (n_protos, k) by model label
            columns = []
            for persona in personas:
                columns.append(to_segment[:, int(persona.segment)])
            return np.column_stack(columns)
    scale: Mapping[str, float] = personas.matching.get("numeric_scale", {})
    categorical = set(personas.matching.get("categorical", []))
    gamma = float(personas.matching.get("gamma", 1.0))
    out = np.zeros((len(prototypes), len(personas)))
    for i, proto in enumerate(prototypes):
        for j, persona in enumerate(personas):
            total, used = 0.0, 0
            for feature, value in proto.items():
                other = persona.prototype.get(feature)
                if value is None or other is None:
                    continue
                if feature in categorical:
                    total += gamma * (str(value) != str(other))
                    used += 1
                elif feature in scale:
                    try:
                        diff = (float(value) - float(other)) / (scale[feature] or 1.0)
                    except (TypeError, ValueError):
                        continue
                    total += diff * diff
                    used += 1
            out[i, j] = total if used else np.inf
    return out


def _merge(base: dict[str, Any], edits: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in edits.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


def match_overrides(personas: PersonaSet, overrides: Any, model: Any = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Which persona each override entry is for: one-to-one, by nearest prototype.

    Parameters
    ----------
    personas : PersonaSet
    overrides : path, mapping or list
        See the module documentation for the format.
    model : KPrototypes, optional
        The fitted model, to match with the engine's own distance.

    Returns
    -------
    entries, positions : ndarray of int
        Entry ``entries[i]`` is for ``personas[positions[i]]`` (Hungarian algorithm on
        :func:`prototype_distances`); entries beyond the number of personas match none.
    """
    from scipy.optimize import linear_sum_assignment

    entries = load_overrides(overrides)
    if not entries:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    dist = prototype_distances([e["prototype"] for e in entries], personas, model=model)
    finite = np.where(np.isfinite(dist), dist, 1e12)
    return linear_sum_assignment(finite)


def apply_overrides(personas: PersonaSet, overrides: Any, model: Any = None) -> PersonaSet:
    """Apply analyst edits to the matching personas (by nearest prototype).

    Parameters
    ----------
    personas : PersonaSet
    overrides : path, mapping or list
        See the module documentation for the format.
    model : KPrototypes, optional
        The fitted model, to match with the engine's own distance.

    Returns
    -------
    PersonaSet
        A new set; entries that match no persona (more entries than personas) are
        skipped with a warning.

    Raises
    ------
    ValueError
        Invalid file or field values, or two personas ending up with the same name.
    """
    entries = load_overrides(overrides)
    if not entries:
        return personas
    rows, cols = match_overrides(personas, entries, model=model)
    if len(rows) < len(entries):
        warnings.warn(f"{len(entries) - len(rows)} override(s) matched no persona "
                      f"(there are only {len(personas)} personas)", UserWarning, stacklevel=2)
    updated = list(personas.personas)
    for row, col in zip(rows, cols):
        edits = {k: v for k, v in entries[row].items() if k != "prototype"}
        base = updated[col].model_dump()
        try:
            updated[col] = Persona.model_validate(_merge(base, edits))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise UserError(f"overrides: personas[{row}].{where}: {first['msg']}") from None
    names = [p.name for p in updated]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UserError(f"overrides: two personas would be called {duplicates[0]!r}")
    return personas.model_copy(update={"personas": updated})


def write_overrides_template(personas: PersonaSet, path: str | Path) -> None:
    """Write an overrides file (YAML) with each persona's prototype and editable texts.

    Analysts edit the texts; the prototypes tie each entry to its segment across re-fits.
    """
    import yaml

    entries = []
    for persona in personas:
        entry: dict[str, Any] = {"prototype": dict(persona.prototype)}
        data = persona.model_dump()
        for key in EDITABLE_FIELDS:
            entry[key] = data[key]
        entries.append(entry)
    header = ("# dash-personas overrides: edit the texts; keep each 'prototype' so the entry\n"
              "# finds its segment again after a re-fit (matched by nearest prototype).\n")
    body = yaml.safe_dump({"personas": entries}, sort_keys=False, allow_unicode=True, width=100)
    write_text_atomic(path, header + body)
