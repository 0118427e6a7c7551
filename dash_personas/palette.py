"""The colour-blind-safe palette shared by persona cards, avatars and charts, and the
light/dark colours of the charts.

Colours follow Okabe & Ito (2008), *Color Universal Design*: eight hues that stay
distinguishable for the common forms of colour-vision deficiency. A persona's colour
belongs to the persona: :func:`build_personas <dash_personas.build_personas>` gives
the ``i``-th persona of a new set ``OKABE_ITO[i % 8]`` and stores it in
``Persona.colour``; from then on every chart, card and tracking view asks
:func:`persona_colour` for *that* colour, so a filtered subset (personas 2 and 4 only)
keeps the colours of the full set.

:func:`colour_mode` maps a Bootstrap theme name (``"darkly"``, ``"flatly"``...) or a
colour mode to ``"light"`` or ``"dark"``; :data:`MODE_COLOURS` holds the chart text,
grid and reference-line colours of each mode.
"""

from __future__ import annotations

import zlib
from typing import Any

__all__ = ["DARK_THEMES", "DIVERGING_SCALE", "MODE_COLOURS", "OKABE_ITO", "colour_mode",
           "contrast_text", "persona_colour"]

#: Okabe-Ito colours without black (black is kept for text), then a neutral grey.
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#999999",  # grey
)

#: Blue-white-orange diverging scale (colour-blind safe) for standardised differences.
DIVERGING_SCALE: list[list[float | str]] = [
    [0.0, "#0072B2"],
    [0.5, "#F7F7F7"],
    [1.0, "#D55E00"],
]

#: Bootswatch themes whose colours are dark.
DARK_THEMES = frozenset({"cyborg", "darkly", "slate", "solar", "superhero", "vapor"})

#: Chart colours per colour mode: text (``ink``), grid lines and reference lines
#: (averages, highlight outlines), each readable on the mode's page background
#: (Bootstrap's body colours: white and ``#212529``).
MODE_COLOURS: dict[str, dict[str, str]] = {
    "light": {"ink": "#212529", "grid": "#E5E5E5", "reference": "#212529"},
    "dark": {"ink": "#E8E8E8", "grid": "#3A3F44", "reference": "#F8F9FA"},
}


def colour_mode(theme: str) -> str:
    """The colour mode of ``theme``: a mode itself or a Bootstrap/Bootswatch theme name.

    Parameters
    ----------
    theme : str
        ``"light"``, ``"dark"``, ``"bootstrap"`` or a Bootswatch theme name
        (``"darkly"`` is dark, ``"flatly"`` light; case-insensitive).

    Returns
    -------
    {"light", "dark"}

    Raises
    ------
    UserError
        Neither a colour mode nor a theme the installed bootstrap-flask ships.
    """
    from survey_builder.errors import UserError

    name = str(theme).strip().lower()
    if name in MODE_COLOURS:
        return name
    if name in DARK_THEMES:
        return "dark"
    from .components.theme import available_themes

    if name in available_themes():
        return "light"
    raise UserError(f"theme must be 'light', 'dark' or a Bootstrap theme name "
                    f"({', '.join(available_themes())}), got {theme!r}")


def persona_colour(persona: Any) -> str:
    """The colour of a persona, the same on its card, its avatar and every chart.

    Parameters
    ----------
    persona : Persona, int or str
        A :class:`~dash_personas.Persona` (its stored ``colour``, whatever list it is
        shown in); an ``int``: the palette colour a new persona set gives its
        ``persona``-th persona (cycling after eight); a ``str`` (a persona name or id
        with no stored colour, e.g. in a tracking report): a palette colour chosen from
        the text itself, so it is the same in every chart that shows that name.

    Returns
    -------
    str
        A ``#RRGGBB`` colour.
    """
    stored = getattr(persona, "colour", None)
    if isinstance(stored, str):
        return stored
    if isinstance(persona, str):
        return OKABE_ITO[zlib.crc32(persona.encode("utf-8")) % len(OKABE_ITO)]
    if isinstance(persona, int) and not isinstance(persona, bool):
        return OKABE_ITO[persona % len(OKABE_ITO)]
    raise TypeError(f"persona_colour takes a Persona, an int or a str, "
                    f"not {type(persona).__name__}")


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_text(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG contrast ratio).

    Parameters
    ----------
    colour : str
        A ``#RRGGBB`` background colour.

    Returns
    -------
    str
        ``"#000000"`` or ``"#FFFFFF"``.
    """
    lum = _luminance(colour)
    on_black = (lum + 0.05) / 0.05
    on_white = 1.05 / (lum + 0.05)
    return "#000000" if on_black >= on_white else "#FFFFFF"
