"""Long user text made displayable: one rule for charts, menus and cards.

Labels come from people (codebook labels, answer levels, column names, persona names
from an overrides file) and can be of any length. Browsers lay out a 10,000-character
menu option or a 100,000-character heading slowly and too wide, and Plotly makes room
for the longest tick label, so what is *displayed* is clipped to a sane length with an
ellipsis; the full text stays available on hover (a ``title`` attribute or the chart's
hover text).
"""

from __future__ import annotations

__all__ = ["LABEL_LIMIT", "NAME_LIMIT", "OPTION_SEPARATOR", "TEXT_LIMIT", "clip_label",
           "menu_option", "option_first", "split_option"]

#: Characters shown of a label (feature, answer level, scale) in charts and menus.
LABEL_LIMIT = 60
#: Characters shown of a persona name in charts and card headings.
NAME_LIMIT = 48
#: Characters shown of a sentence on a card (quote, tagline, a list item).
TEXT_LIMIT = 400
_ELLIPSIS = "…"
#: Between a question and one of its options in a feature's label ("Channels — In a
#: shop": the 0/1 column of one option of a multiple-choice or ranking question).
OPTION_SEPARATOR = " — "


def clip_label(text: object, limit: int = LABEL_LIMIT) -> str:
    """``text`` shortened to at most ``limit`` characters, ending in an ellipsis if cut.

    Parameters
    ----------
    text : object
        Converted with ``str``.
    limit : int, default=LABEL_LIMIT
        Maximum length of the result (at least 2).

    Returns
    -------
    str
        ``text`` unchanged when it fits; otherwise its first ``limit - 1`` characters,
        cut at the last space of the second half when there is one, and "…".
    """
    value = str(text)
    if limit < 2:
        raise ValueError(f"limit must be at least 2, got {limit}")
    if len(value) <= limit:
        return value
    head = value[:limit - 1]
    space = head.rfind(" ")
    if space >= limit // 2:
        head = head[:space]
    return head.rstrip() + _ELLIPSIS


def menu_option(label: object, value: object) -> dict[str, object]:
    """An option of a menu (``dbc.Select``, ``dcc.Dropdown``) with a clipped label.

    Parameters
    ----------
    label : object
        What the option says (any length).
    value : object
        Its value.

    Returns
    -------
    dict
        ``{"label", "value"}``, plus ``"title"`` (the whole label, shown on hover) when
        the label was clipped to :data:`LABEL_LIMIT` characters.
    """
    text = str(label)
    option: dict[str, object] = {"label": clip_label(text), "value": value}
    if len(text) > LABEL_LIMIT:
        option["title"] = text
    return option


def split_option(label: object) -> tuple[str, str]:
    """The question and the option of a label ``"<question> — <option>"``.

    Parameters
    ----------
    label : object
        Converted with ``str``.

    Returns
    -------
    question, option : str
        ``(label, "")`` when the label names no option.
    """
    question, separator, option = str(label).rpartition(OPTION_SEPARATOR)
    return (question, option) if separator and question and option else (str(label), "")


def option_first(label: object) -> str:
    """A label with what tells it apart first: ``"Price (Rank these from most to least
    important)"`` for ``"Rank these from most to least important — Price"``.

    The options of one question share a long stem: clipped, they would all read the
    same. A label without an option is returned unchanged.
    """
    question, option = split_option(label)
    return f"{option} ({question})" if option else question
