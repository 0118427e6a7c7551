"""The view of a dashboard as a URL query string: filters, the selected persona, the wave.

One parser (:func:`view_state_from_args`) and one serializer (:meth:`ViewState.to_query`)
for every part that reads or writes a view's URL (the dashboard, its Export menu):

* ``persona=<persona id>`` — the selected persona;
* ``wave=<wave label>`` — the wave of a tracking study;
* ``f.<column>=<level>`` — one pair per allowed level of a filter column (repeated for
  several levels), e.g. ``f.gender=Woman&f.age_band=18%20to%2024&f.age_band=25%20to%2034``;
* ``f.<column>=<low>..<high>`` — the range of a numeric filter column, bounds included
  (``f.clv=100..2500``; ``f.clv=100..`` at least, ``f.clv=..2500`` at most).

Values are URL-encoded; other keys are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlencode

__all__ = ["FILTER_PREFIX", "PERSONA_KEY", "WAVE_KEY", "ViewState", "view_state_from_args",
           "view_state_from_search"]

#: Query key of the selected persona's id.
PERSONA_KEY = "persona"
#: Query key of the wave label on a tracking study.
WAVE_KEY = "wave"
#: Prefix of a filter key: ``f.<column>``.
FILTER_PREFIX = "f."


@dataclass(frozen=True)
class ViewState:
    """What a dashboard shows: filters, the selected persona and the wave.

    Attributes
    ----------
    filters : dict of str to tuple of str
        Column -> the levels respondents may have (any of them; every column must
        match), or a one-value range ``("low..high",)``. Columns without levels are
        dropped.
    persona : str or None
        The selected persona's id.
    wave : str or None
        The wave's label (tracking studies).
    """

    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    persona: str | None = None
    wave: str | None = None

    def __post_init__(self) -> None:
        clean = {str(column): tuple(dict.fromkeys(str(level) for level in levels))
                 for column, levels in self.filters.items()}
        object.__setattr__(self, "filters", {c: v for c, v in clean.items() if v})
        object.__setattr__(self, "persona", self.persona or None)
        object.__setattr__(self, "wave", self.wave or None)

    def to_query(self) -> str:
        """The URL query string, without the leading ``?`` (empty for the default view).

        Examples
        --------
        >>> ViewState({"age_band": ("18 to 24",)}, persona="p2").to_query()
        'persona=p2&f.age_band=18%20to%2024'
        """
        pairs: list[tuple[str, str]] = []
        if self.persona:
            pairs.append((PERSONA_KEY, self.persona))
        if self.wave:
            pairs.append((WAVE_KEY, self.wave))
        pairs += [(FILTER_PREFIX + column, level)
                  for column, levels in self.filters.items() for level in levels]
        return urlencode(pairs, quote_via=quote)

    def replace(self, **changes: object) -> ViewState:
        """A copy with ``filters``, ``persona`` or ``wave`` changed."""
        return ViewState(**{"filters": self.filters, "persona": self.persona,
                            "wave": self.wave, **changes})


def view_state_from_args(args: Mapping[str, Iterable[str]]) -> ViewState:
    """The view a URL's query arguments describe.

    Parameters
    ----------
    args : mapping of str to list of str
        Each key's values, as :func:`urllib.parse.parse_qs` or Flask's
        ``request.args.to_dict(flat=False)`` give them (already decoded).

    Returns
    -------
    ViewState
        The first ``persona`` and ``wave``; every ``f.<column>`` level. Other keys
        are ignored; whether a column, level, persona or wave exists is for the
        dashboard to check.
    """
    def first(key: str) -> str | None:
        values = [v for v in args.get(key, ()) if v]
        return str(values[0]) if values else None

    filters = {key[len(FILTER_PREFIX):]: tuple(str(v) for v in values)
               for key, values in args.items()
               if key.startswith(FILTER_PREFIX) and len(key) > len(FILTER_PREFIX)}
    return ViewState(filters, persona=first(PERSONA_KEY), wave=first(WAVE_KEY))


def view_state_from_search(search: str | None) -> ViewState:
    """The view of a URL's search part (``"?persona=p1&f.gender=Woman"``; ``?`` optional)."""
    text = (search or "").lstrip("?")
    return view_state_from_args(parse_qs(text, keep_blank_values=False))
