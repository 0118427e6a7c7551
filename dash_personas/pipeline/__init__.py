"""The data path as library calls: scores -> features -> segments -> profiles -> personas.

Every entry point (the ``dash-personas`` commands, the demo, the Dash hooks and Jupyter
plugins, the tests and the benchmarks) goes through these functions, so there is one rule
set for choosing the columns and one way to go from a scores table to personas.

>>> from dash_personas.pipeline import run_pipeline, select_features
"""

from ._features import FeatureSelection, identifier_columns, select_features
from ._steps import (
    DEFAULT_K_RANGE,
    PipelineResult,
    Segmentation,
    fit_segments,
    make_personas,
    profile,
    run_pipeline,
    weights_of,
)
from ._weights import read_weights

__all__ = [
    "DEFAULT_K_RANGE",
    "FeatureSelection",
    "PipelineResult",
    "Segmentation",
    "fit_segments",
    "identifier_columns",
    "make_personas",
    "profile",
    "read_weights",
    "run_pipeline",
    "select_features",
    "weights_of",
]
