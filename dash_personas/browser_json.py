"""Dash components as the JSON values Dash sends the browser: ``plain_tree(value)``.

A filter change rebuilds the persona sections (about 1,500 components for 8 personas);
reading each component's props once, here, is several times faster than Dash's own
``Component.to_plotly_json`` walk, and the plain tree is what a dashboard keeps of
its recent renderings.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from dash.development.base_component import Component

__all__ = ["plain_tree"]


def plain_tree(value: Any) -> Any:
    """``value`` (components, figure dicts, arrays) as the JSON values Dash sends.

    Components become ``{"props", "type", "namespace"}`` dicts, tuples and arrays lists,
    NumPy scalars Python numbers: what the browser's copy of the section looks like.

    Examples
    --------
    >>> from dash import html
    >>> plain_tree(html.P("Hi", id="x"))
    {'props': {'children': 'Hi', 'id': 'x'}, 'type': 'P', 'namespace': 'dash_html_components'}
    """
    if isinstance(value, Component):
        # what Component.to_plotly_json gives (its props, then data-* and aria-*), read
        # from the instance at once: to_plotly_json tests every attribute against every
        # wildcard prefix, the most of a filter change's time in a page of cards
        names = _prop_names(value)
        wildcards = tuple(value._valid_wildcard_attributes)
        props = {key: v if type(v) in _LEAVES else plain_tree(v)
                 for key, v in vars(value).items()
                 if key in names or (wildcards and key.startswith(wildcards))}
        return {"props": props, "type": value._type, "namespace": value._namespace}
    # texts and numbers (most of a page's values) are taken as they are, without a call
    if isinstance(value, dict):
        return {key: v if type(v) in _LEAVES else plain_tree(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _LEAVES else plain_tree(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


#: Values that are their own JSON (exact types: a str or float subclass may not be).
_LEAVES = frozenset({str, int, float, bool, type(None)})
_PROP_NAMES: dict[type, frozenset[str]] = {}


def _prop_names(component: Component) -> frozenset[str]:
    names = _PROP_NAMES.get(type(component))
    if names is None:
        names = _PROP_NAMES[type(component)] = frozenset(component._prop_names)
    return names
