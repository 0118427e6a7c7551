"""Mixed-type segmentation: the k-prototypes engine, choosing k, and segment profiles."""

from ._gamma import estimate_gamma
from ._kprototypes import KPrototypes

__all__ = ["KPrototypes", "estimate_gamma"]
