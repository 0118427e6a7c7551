"""What changed between two renderings of a page section: ``patch_between(old, new)``.

A filter change recomputes every number of the persona sections but keeps their shape
(the same cards, charts and table rows). Sending the whole section again makes the
browser parse it and Dash re-render every component; a :class:`dash.Patch` of the
changed leaves (a card's share, a chart's ``x`` values, a table cell) lets it update
only those. The trees compared are the JSON the browser holds (:func:`plain_tree`).
"""

from __future__ import annotations

import json
from typing import Any

import dash
import numpy as np
from dash.development.base_component import Component

__all__ = ["MAX_PATCH_OPERATIONS", "patch_between", "plain_tree"]

#: Past this many changed places the whole section is sent (the patch would not be
#: smaller than the section itself).
MAX_PATCH_OPERATIONS = 5000

_DELETED = object()


def plain_tree(value: Any) -> Any:
    """``value`` (components, figure dicts, arrays) as the JSON values Dash sends.

    Components become ``{"props", "type", "namespace"}`` dicts, tuples and arrays lists,
    NumPy scalars Python numbers: what the browser's copy of the section looks like.
    """
    if isinstance(value, Component):
        # what Component.to_plotly_json gives (its props, then data-* and aria-*), read
        # from the instance at once: to_plotly_json tests every attribute against every
        # wildcard prefix, the most of a filter change's time in a page of cards
        names = _prop_names(value)
        wildcards = tuple(value._valid_wildcard_attributes)
        props = {key: plain_tree(v) for key, v in vars(value).items()
                 if key in names or (wildcards and key.startswith(wildcards))}
        return {"props": props, "type": value._type, "namespace": value._namespace}
    if isinstance(value, dict):
        return {key: plain_tree(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_tree(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


_PROP_NAMES: dict[type, frozenset[str]] = {}


def _prop_names(component: Component) -> frozenset[str]:
    names = _PROP_NAMES.get(type(component))
    if names is None:
        names = _PROP_NAMES[type(component)] = frozenset(component._prop_names)
    return names


def patch_between(old: Any, new: Any) -> Any:
    """A :class:`dash.Patch` turning ``old`` into ``new``, or ``new`` itself.

    Parameters
    ----------
    old, new : JSON values
        Two renderings of one output value (:func:`plain_tree`), ``old`` being what the
        browser holds.

    Returns
    -------
    dash.Patch or JSON value
        A patch that assigns the changed places (a list of numbers or texts is one
        place; a component or trace whose type changed, or a list whose length
        changed, is replaced whole) and deletes removed keys. Where the patch of a
        component would be longer than the component itself (most of a card's numbers
        changed), the component is assigned whole. ``new`` itself when that is the
        shortest, or more than :data:`MAX_PATCH_OPERATIONS` places changed; an empty
        patch when nothing changed.
    """
    changes, _, _ = _collect(old, new)
    if any(not path for path, _ in changes) or len(changes) > MAX_PATCH_OPERATIONS:
        return new
    patch = dash.Patch()
    parents: dict[tuple[Any, ...], Any] = {(): patch}
    for reversed_path, value in changes:
        path = reversed_path[::-1]
        target, prefix = patch, ()
        for key in path[:-1]:
            prefix += (key,)
            if prefix not in parents:
                parents[prefix] = target[key]
            target = parents[prefix]
        if value is _DELETED:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return patch


#: Bytes a patch operation costs besides its value (operation name, location keys).
_OPERATION_BYTES = 60
_KEY_BYTES = 10


def _size(value: Any) -> int:
    """About the bytes of ``value`` as JSON (exact for most texts; 8 for a number)."""
    if isinstance(value, str):
        return len(value) + 2
    if value is None or isinstance(value, (bool, int, float)):
        return 8
    return len(json.dumps(value, separators=(",", ":"), default=str))


def _collect(old: Any, new: Any) -> tuple[list[tuple[list[Any], Any]], int, int]:
    """The changes from ``old`` to ``new``: ``(changes, their bytes, bytes of new)``.

    Each change is ``(path reversed, value)``, the path relative to this place (reversed
    so that each level appends its key); a place whose changes would cost more bytes
    than ``new`` itself becomes one change assigning ``new``.
    """
    if old == new:
        return [], 0, -1  # -1: not measured (nobody replaces an unchanged place)
    changes: list[tuple[list[Any], Any]] = []
    cost = 0
    size = 2  # the brackets
    if type(old) is dict and type(new) is dict \
            and (old.get("type"), old.get("namespace")) == (new.get("type"), new.get("namespace")):
        for key, value in new.items():
            before = old.get(key, _DELETED)
            inner, inner_cost, inner_size = _collect(before, value) if before is not _DELETED \
                else ([([], value)], 0, -1)
            if inner_size < 0:
                inner_size = _size(value)
            if before is _DELETED:
                inner_cost = inner_size + _OPERATION_BYTES
            for path, change in inner:
                path.append(key)
                changes.append((path, change))
            cost += inner_cost + _KEY_BYTES * len(inner)
            size += inner_size + len(str(key)) + 4
        for key in old:
            if key not in new:
                changes.append(([key], _DELETED))
                cost += _OPERATION_BYTES + _KEY_BYTES
    elif type(old) is list and type(new) is list and len(old) == len(new) \
            and any(isinstance(item, (dict, list)) for item in new):
        for index, (before, after) in enumerate(zip(old, new)):
            inner, inner_cost, inner_size = _collect(before, after)
            for path, change in inner:
                path.append(index)
                changes.append((path, change))
            cost += inner_cost + _KEY_BYTES * len(inner)
            size += (inner_size if inner_size >= 0 else _size(after)) + 1
    else:
        size = _size(new)
        return [([], new)], size + _OPERATION_BYTES, size
    if cost > size + _OPERATION_BYTES:
        return [([], new)], size + _OPERATION_BYTES, size
    return changes, cost, size
