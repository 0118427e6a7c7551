"""The colour-blind-safe palette shared by persona cards, avatars and charts.

Colours follow Okabe & Ito (2008), *Color Universal Design*: eight hues that stay
distinguishable for the common forms of colour-vision deficiency. Persona ``i``
(in the order of a persona set) always gets ``OKABE_ITO[i % 8]``, so a persona has
the same colour on its card, its avatar and every chart.
"""

from __future__ import annotations

__all__ = ["DIVERGING_SCALE", "OKABE_ITO", "contrast_text", "persona_colour"]

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


def persona_colour(index: int) -> str:
    """The palette colour of the ``index``-th persona (cycling after eight).

    Parameters
    ----------
    index : int
        Position of the persona in its set (0-based).

    Returns
    -------
    str
        A ``#RRGGBB`` colour.
    """
    return OKABE_ITO[index % len(OKABE_ITO)]


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
