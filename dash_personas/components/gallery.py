"""``PersonaGallery``: a responsive grid of persona cards with a linked selection."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from . import _ids
from .card import PersonaCard

__all__ = ["PersonaGallery"]

SELECTED_CLASS = "dash-personas-selected"


def card_class(selected: bool) -> str:
    """CSS classes of a gallery card (the selected one is outlined)."""
    base = "h-100 dash-personas-slot rounded-3"
    return f"{base} {SELECTED_CLASS} border border-3 border-primary" if selected else base


def button_class(selected: bool) -> str:
    """CSS classes of a card's select button (filled when selected)."""
    return "btn btn-sm dash-personas-select " + ("btn-primary" if selected
                                                   else "btn-outline-primary")


class PersonaGallery(html.Div):
    """Persona cards in a grid (1 column on phones, up to 4 on wide screens).

    Each card has a "Select" toggle button (keyboard reachable, ``aria-pressed``).
    The selected persona id is kept in a ``dcc.Store``
    (:meth:`ids.selection`) and highlighted in every chart of the same ``group``.
    The callbacks must be registered once on the app with
    :func:`dash_personas.register_callbacks` (``create_app`` does it).

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    aio_id : str, optional
        Instance id (random by default); pass one to read the selection in your callbacks.
    group : str, default="personas"
        Selection group linking this gallery to charts.
    selected : str, optional
        Initially selected persona id.
    detail : {"compact", "full"}, default="full"
    columns : dict, optional
        Bootstrap column widths per breakpoint (default ``xs=12, md=6, xl=4``).
    **div_props
        Passed to the outer ``html.Div``.
    """

    class ids:
        """Id factories of the gallery's parts (pattern-matching dicts)."""

        select = staticmethod(_ids.gallery_select)
        card = staticmethod(_ids.gallery_card)
        selection = staticmethod(_ids.gallery_selection)

    def __init__(self, personas: Any, *, aio_id: str | None = None,
                 group: str = _ids.DEFAULT_GROUP, selected: str | None = None,
                 detail: str = "full", columns: dict[str, int] | None = None,
                 **div_props: Any) -> None:
        self.aio_id = aio_id or _ids.new_aio_id()
        self.group = group
        widths = columns or {"xs": 12, "md": 6, "xl": 4}
        people = list(getattr(personas, "personas", personas))
        cols = []
        for persona in people:
            is_selected = persona.id == selected
            button = html.Button(
                "Selected" if is_selected else "Select",
                id=_ids.gallery_select(self.aio_id, group, persona.id), n_clicks=0,
                type="button", className=button_class(is_selected),
                **{"aria-pressed": "true" if is_selected else "false",
                   "aria-label": f"Select persona {persona.name}"},
            )
            card = PersonaCard(persona, detail=detail, footer=button,
                               aio_id=f"{self.aio_id}-{persona.id}")
            cols.append(dbc.Col(html.Div(card, id=_ids.gallery_card(self.aio_id, group,
                                                                    persona.id),
                                         className=card_class(is_selected)),
                                className="mb-4", **widths))
        div_props.setdefault("role", "region")
        div_props.setdefault("aria-label", "Persona gallery")
        super().__init__([
            dcc.Store(id=_ids.gallery_selection(self.aio_id, group), data=selected),
            dbc.Row(cols, className="g-3"),
        ], **div_props)
