"""Answers given as lists of option values (select-multiple and rank answers) turned into
the canonical one-column-per-option layout, vectorised with NumPy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import SurveyError
from ._labels import codes_from_labels
from ._layout import Layout, Locate

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd


def split_tokens(series: pd.Series, options: list[str] | None = None,
                 labels: Mapping[str, str] | None = None) -> pd.Series:
    """Space-separated values -> list of tokens (``None`` when blank); with ``labels``
    (normalised label -> code), option labels joined by spaces are read as codes too."""
    import pandas as pd

    def tokens(value: Any) -> list[str] | None:
        if not isinstance(value, str):
            return None
        if labels:
            return codes_from_labels(value, options or [], labels) or None
        return value.split() or None

    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    per_unique = [tokens(v) for v in uniques.tolist()]
    return pd.Series([per_unique[c] if c >= 0 else None for c in codes], index=series.index,
                     dtype=object)


def _explode(tokens: pd.Series, options: list[str], question: str, origin: str, source: str,
             locate: Locate) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Flatten token lists: (row of each token, token, 1-based position in its list, rows
    that have any token). Raises for a token that is not an option."""
    import numpy as np
    import pandas as pd

    lengths = np.fromiter((len(t) if isinstance(t, list) else 0 for t in tokens.tolist()),
                          dtype=np.int64, count=len(tokens))
    rows = np.repeat(np.arange(len(tokens)), lengths)
    flat = np.array([x for t in tokens.tolist() if isinstance(t, list) for x in t],
                    dtype=object)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    position = np.arange(len(flat)) - starts + 1
    valid = pd.Series(flat, dtype=object).isin(options).to_numpy() if len(flat) else flat
    if len(flat) and not valid.all():
        first = int(np.argmax(~valid))
        line, where = locate(int(rows[first]))
        raise SurveyError(f"{flat[first]!r} is not an option of {question!r} (options: "
                          f"{', '.join(options)}; {where}) — export values, not labels",
                          source, line, origin)
    return rows, flat, position, lengths > 0


def expand_multi(tokens: pd.Series, options: list[str], layout: Layout, question: str,
                  origin: str, source: str, locate: Locate) -> dict[str, Any]:
    """Space-separated selections -> one 0/1 column per option (NaN when unanswered)."""
    import numpy as np

    rows, flat, _, answered = _explode(tokens, options, question, origin, source, locate)
    out = {}
    for option in options:
        picked = np.where(answered, 0.0, np.nan)
        picked[rows[flat == option]] = 1.0
        out[layout.option_column(question, option)] = picked
    return out


def expand_rank(tokens: pd.Series, options: list[str], layout: Layout, question: str,
                 origin: str, source: str, locate: Locate) -> dict[str, Any]:
    """Space-separated values in rank order -> one rank column per option (NaN if unranked)."""
    import numpy as np

    rows, flat, position, _ = _explode(tokens, options, question, origin, source, locate)
    out = {}
    for option in options:
        rank = np.full(len(tokens), np.nan)
        hit = flat == option
        rank[rows[hit]] = position[hit]
        out[layout.option_column(question, option)] = rank
    return out

