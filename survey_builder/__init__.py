"""survey-builder: ASPECTS psychometric questionnaires, exports, codebooks and scoring."""

from ._version import __version__

__all__ = ["__version__"]
