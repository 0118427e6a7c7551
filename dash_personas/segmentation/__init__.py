"""Mixed-type segmentation: the k-prototypes engine, choosing k, and segment profiles."""

from ._encoding import EncodedData, MixedEncoder
from ._gamma import GammaSelection, estimate_gamma, huang_gamma, select_gamma
from ._io import model_frame
from ._kernels import KPrototypesDistance, Prototypes
from ._kprototypes import KPrototypes
from ._membership import Membership, membership_from_distances
from ._persistence import ModelFileError
from ._profile import SegmentProfiles, profile_segments
from ._restarts import RestartReport, RestartsDisagreeWarning
from ._select import KSelection, pairwise_kprototypes_distances, select_k
from ._sql import model_to_sql
from ._typing import TypingTool

__all__ = [
    "EncodedData",
    "GammaSelection",
    "KPrototypes",
    "KPrototypesDistance",
    "KSelection",
    "Membership",
    "MixedEncoder",
    "ModelFileError",
    "Prototypes",
    "RestartReport",
    "RestartsDisagreeWarning",
    "SegmentProfiles",
    "TypingTool",
    "estimate_gamma",
    "huang_gamma",
    "membership_from_distances",
    "model_frame",
    "model_to_sql",
    "pairwise_kprototypes_distances",
    "profile_segments",
    "select_gamma",
    "select_k",
]
