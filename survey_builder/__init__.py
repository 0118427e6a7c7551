"""survey-builder: ASPECTS psychometric questionnaires, exports, codebooks and scoring.

The data contract with ``dash-personas`` is public here: the column names of
:mod:`survey_builder.layout`, the typed :class:`Codebook` with its one loader
:func:`load_codebook` (spec or codebook), and the scores files that carry their
codebook (:func:`write_scores`, :func:`read_scores`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .layout import (
    CLV_COLUMN,
    DONT_KNOW_CODE,
    DONT_KNOW_COLUMN,
    FLAG_COLUMNS,
    ID_COLUMN,
    JOURNEY_COLUMN,
    N_ANSWERED_COLUMN,
    QUALITY_COLUMNS,
    SIDECAR_SUFFIX,
    other_text_column,
    sidecar_path,
)

if TYPE_CHECKING:  # pragma: no cover
    from .codebook import Codebook, build_codebook, load_codebook
    from .errors import UserError
    from .scores import ScoresTable, read_scores, write_scores

# Imported on first use: ``survey-builder --help`` must not pay for pydantic or pandas.
_LAZY = {
    "Codebook": "codebook",
    "build_codebook": "codebook",
    "load_codebook": "codebook",
    "ScoresTable": "scores",
    "read_scores": "scores",
    "write_scores": "scores",
    "UserError": "errors",
}

__all__ = [
    "CLV_COLUMN",
    "DONT_KNOW_CODE",
    "DONT_KNOW_COLUMN",
    "FLAG_COLUMNS",
    "ID_COLUMN",
    "JOURNEY_COLUMN",
    "N_ANSWERED_COLUMN",
    "QUALITY_COLUMNS",
    "SIDECAR_SUFFIX",
    "Codebook",
    "ScoresTable",
    "UserError",
    "__version__",
    "build_codebook",
    "load_codebook",
    "other_text_column",
    "read_scores",
    "sidecar_path",
    "write_scores",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
