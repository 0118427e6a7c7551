"""Mixed-type segmentation: the k-prototypes engine, choosing k, and segment profiles."""

from ._gamma import estimate_gamma
from ._kprototypes import KPrototypes
from ._persistence import ModelFileError
from ._profile import SegmentProfiles, profile_segments
from ._select import KSelection, pairwise_kprototypes_distances, select_k
from ._typing import TypingTool

__all__ = [
    "KPrototypes",
    "KSelection",
    "ModelFileError",
    "SegmentProfiles",
    "TypingTool",
    "estimate_gamma",
    "pairwise_kprototypes_distances",
    "profile_segments",
    "select_k",
]
