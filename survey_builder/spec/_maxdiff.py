"""The spec rules of a MaxDiff question (sizes its design needs, item codes, column names)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._fields import NAME_MAX_LENGTH

if TYPE_CHECKING:  # pragma: no cover
    from .models import MaxDiffQuestion

#: Suffixes of a MaxDiff question's response columns: ``<name>__b<k>``, ``<name>__w<k>``.
BEST_PREFIX, WORST_PREFIX = "b", "w"


def maxdiff_problems(q: MaxDiffQuestion) -> list[tuple[tuple[Any, ...], str]]:
    """Every problem of one MaxDiff question, as ``(location inside it, message)``.

    The set size must fit the item list, the sets must show every item at least once,
    item codes must be unique, and the longest column name (``<name>__w<sets>``) must fit
    the 26 characters of a REDCap field.
    """
    problems: list[tuple[tuple[Any, ...], str]] = []
    n = len(q.items)
    seen: set[str] = set()
    for i, item in enumerate(q.items):
        if item.value in seen:
            problems.append((("items", i, "value"),
                             f"duplicate item value {item.value!r} in {q.name!r}"))
        seen.add(item.value)
        if item.exclusive:
            problems.append((("items", i, "exclusive"), "a MaxDiff item cannot be exclusive"))
        if item.anchor:
            problems.append((("items", i, "anchor"), "a MaxDiff item cannot be anchored (the "
                                                     "design places the items)"))
    if q.per_set > n:
        problems.append((("per_set",), f"per_set {q.per_set} exceeds the {n} items"))
    elif q.per_set * q.sets < n:
        problems.append((("sets",), f"{q.sets} set(s) of {q.per_set} show only "
                                    f"{q.per_set * q.sets} of the {n} items; use at least "
                                    f"{-(-n // q.per_set)} sets"))
    longest = f"{q.name}__{WORST_PREFIX}{q.sets}"
    if len(longest) > NAME_MAX_LENGTH:
        problems.append((("name",), f"the response column {longest!r} is longer than "
                                    f"{NAME_MAX_LENGTH} characters (REDCap's limit); "
                                    "shorten the name"))
    return problems
