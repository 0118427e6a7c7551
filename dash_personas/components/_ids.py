"""Pattern-matching ids of the All-in-One components.

Every id carries the component's ``aio_id`` (unique per instance) and its selection
``group``: a gallery and the charts that share a group are linked; instances in
different groups never affect each other.
"""

from __future__ import annotations

import uuid
from typing import Any

__all__ = ["DEFAULT_GROUP", "chart_graph", "gallery_card", "gallery_select", "gallery_selection",
           "new_aio_id"]

DEFAULT_GROUP = "personas"
GALLERY = "dash-personas-gallery"
CHART = "dash-personas-chart"


def new_aio_id() -> str:
    """A fresh random ``aio_id`` (pass your own for stable ids)."""
    return uuid.uuid4().hex[:12]


def gallery_select(aio_id: str, group: str, persona: Any) -> dict[str, Any]:
    """The "select" button of one persona card in a gallery."""
    return {"component": GALLERY, "subcomponent": "select", "aio_id": aio_id, "group": group,
            "persona": persona}


def gallery_card(aio_id: str, group: str, persona: Any) -> dict[str, Any]:
    """The card (container) of one persona in a gallery."""
    return {"component": GALLERY, "subcomponent": "card", "aio_id": aio_id, "group": group,
            "persona": persona}


def gallery_selection(aio_id: str, group: str) -> dict[str, Any]:
    """The ``dcc.Store`` holding a gallery's selected persona id (``data``; ``None`` = none)."""
    return {"component": GALLERY, "subcomponent": "selection", "aio_id": aio_id, "group": group}


def chart_graph(aio_id: str, group: str) -> dict[str, Any]:
    """The ``dcc.Graph`` of a chart component."""
    return {"component": CHART, "subcomponent": "graph", "aio_id": aio_id, "group": group}
