"""``PersonaGallery``: a responsive grid of persona cards with a linked selection."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from ..labels import NAME_LIMIT, clip_label
from ..personas import Section, persona_view, share_notes
from . import _ids
from ._validate import check_choice
from .card import DETAILS, PersonaCard

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


def button_label(selected: bool) -> str:
    """The text of a card's select button."""
    return "Selected" if selected else "Select"


#: ``columns=`` -> Bootstrap column widths: one column on phones, two from tablets, up
#: to the requested number on wide screens.
COLUMN_WIDTHS: dict[int, dict[str, int]] = {
    1: {"xs": 12},
    2: {"xs": 12, "md": 6},
    3: {"xs": 12, "md": 6, "xl": 4},
    4: {"xs": 12, "md": 6, "xl": 3},
}
#: ``persistence=`` -> where the selection is kept (``dcc.Store.storage_type``).
PERSISTENCE = {False: "memory", True: "session", "session": "session", "local": "local",
               "memory": "memory"}


class PersonaGallery(html.Div):
    """Persona cards in a grid: one column on phones, two on tablets, up to four wide.

    Each card has a "Select" toggle button (keyboard reachable, ``aria-pressed``).
    The selected persona id is the ``data`` of a ``dcc.Store`` whose id is
    :meth:`selection_id` ``(aio_id, group)`` (also :attr:`selection`), highlighted in
    every chart of the same ``group``; read it in your own callbacks with
    ``Input(PersonaGallery.selection_id("mine"), "data")``, or set it from one to
    select a persona. The callbacks must be registered once on the app with
    :func:`dash_personas.register_callbacks` (``create_app`` does it); it also adds the
    page's selection script, which shows a click (or Enter / Space on the button) on
    the cards and charts at once and then writes it to the store.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    aio_id : str, optional
        Instance id (random by default); pass one to read the selection in your callbacks
        and to keep it when the gallery is rendered again.
    group : str, default="personas"
        Selection group linking this gallery to charts.
    selected : str, optional
        Initially selected persona id (when no selection is remembered, see
        ``persistence``).
    detail : {"full", "compact"}, default="full"
    columns : {1, 2, 3, 4} or dict, default=4
        The most cards side by side on wide screens (≥ 1200 px; always one on phones,
        at most two on tablets), or Bootstrap column widths per breakpoint
        (e.g. ``{"xs": 12, "lg": 4}``).
    persistence : bool or {"session", "local", "memory"}, default=True
        Where the selection is kept: ``True`` (``"session"``) keeps it in the tab's
        session storage, so a gallery rendered again by a callback (same ``aio_id`` and
        ``group``) or a reloaded page shows the same persona selected; ``False``
        (``"memory"``) starts from ``selected`` on every render — pass the current
        selection as ``selected=`` then (e.g. from the URL).
    **div_props
        Passed to the outer ``html.Div``.

    Raises
    ------
    UserError
        ``detail``, ``columns`` or ``persistence`` not one of the choices.
    """

    class ids:
        """Id factories of the gallery's parts (pattern-matching dicts)."""

        select = staticmethod(_ids.gallery_select)
        card = staticmethod(_ids.gallery_card)
        selection = staticmethod(_ids.gallery_selection)

    @staticmethod
    def selection_id(aio_id: str, group: str = _ids.DEFAULT_GROUP) -> dict[str, Any]:
        """The id of the ``dcc.Store`` holding gallery ``aio_id``'s selected persona id.

        Parameters
        ----------
        aio_id : str
            The gallery's ``aio_id``.
        group : str, default="personas"
            Its ``group``.

        Returns
        -------
        dict
            A pattern-matching id; the store's ``data`` is a persona id or ``None``.
        """
        return _ids.gallery_selection(aio_id, group)

    def __init__(self, personas: Any, *, aio_id: str | None = None,
                 group: str = _ids.DEFAULT_GROUP, selected: str | None = None,
                 detail: str = "full", columns: int | dict[str, int] = 4,
                 persistence: bool | str = True, **div_props: Any) -> None:
        check_choice("detail", str(getattr(detail, "value", detail)), DETAILS)
        if isinstance(columns, dict):
            widths = dict(columns)
        else:
            widths = COLUMN_WIDTHS[check_choice("columns", columns, COLUMN_WIDTHS)]
        storage = PERSISTENCE[check_choice("persistence", persistence, PERSISTENCE)]
        self.aio_id = aio_id or _ids.new_aio_id()
        self.group = group
        people = list(getattr(personas, "personas", personas))
        views, legend = share_notes(persona_view(p, detail=detail) for p in people)
        legend_id = f"{self.aio_id}-{group}-legend" if legend is not None else None
        cols = []
        for persona, view in zip(people, views):
            is_selected = persona.id == selected
            button = html.Button(
                button_label(is_selected),
                id=_ids.gallery_select(self.aio_id, group, persona.id),
                type="button", className=button_class(is_selected),
                **{"aria-pressed": "true" if is_selected else "false",
                   "aria-label": f"Select persona {clip_label(persona.name, NAME_LIMIT)}"},
            )
            card = PersonaCard(persona, detail=detail, footer=button,
                               aio_id=f"{self.aio_id}-{persona.id}", legend_id=legend_id,
                               view=view)
            cols.append(dbc.Col(html.Div(card, id=_ids.gallery_card(self.aio_id, group,
                                                                    persona.id),
                                         className=card_class(is_selected)),
                                className="mb-4", **widths))
        div_props.setdefault("role", "region")
        div_props.setdefault("aria-label", "Persona gallery")
        super().__init__([
            dcc.Store(id=_ids.gallery_selection(self.aio_id, group), data=selected,
                      storage_type=storage),
            *([] if legend is None else [_legend(legend, legend_id)]),
            dbc.Row(cols, className="g-3"),
        ], **div_props)

    @property
    def selection(self) -> dict[str, Any]:
        """The id of this gallery's selection store (see :meth:`selection_id`)."""
        return self.selection_id(self.aio_id, self.group)


def _legend(legend: Section, legend_id: str) -> html.Details:
    """The one "Reading the numbers" of the gallery's cards (each card is described by it):
    one line until opened, so that the first card is on a phone's first screen."""
    return html.Details([html.Summary(legend.heading),
                         *(html.P(line.text, className="mb-1") for line in legend.lines)],
                        id=legend_id,
                        className="dash-personas-card-legend small text-body-secondary mb-3")
