"""Piping: an earlier answer shown inside a later text, written ``${question}`` in the spec.

Every export spells it its own way (SurveyJS ``{question}``, XLSForm ``${question}``,
REDCap ``[question]``); :func:`pipe` rewrites the references of a text, and
:func:`piped_names` lists them for the checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

__all__ = ["PIPE_RE", "pipe", "piped_names"]

#: A piped reference: ``${name}``.
PIPE_RE = re.compile(r"\$\{([a-z][a-z0-9_]*)\}")


def piped_names(text: str) -> list[str]:
    """The question names piped into ``text``, in order.

    Examples
    --------
    >>> piped_names("You chose ${brand}; how often do you buy ${brand}?")
    ['brand', 'brand']
    """
    return PIPE_RE.findall(text)


def pipe(text: str, spell: Callable[[str], str], names: Collection[str] | None = None) -> str:
    """``text`` with each ``${name}`` replaced by ``spell(name)``.

    Parameters
    ----------
    text : str
    spell : callable
        How the export writes a reference to ``name``.
    names : collection of str, optional
        Only these names are rewritten (the survey's questions); other ``${...}`` stay.

    Examples
    --------
    >>> pipe("Why ${brand}?", lambda name: f"[{name}]")
    'Why [brand]?'
    """
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return spell(name) if names is None or name in names else match.group(0)

    return PIPE_RE.sub(replace, text)
