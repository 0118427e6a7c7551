"""Simulated surveys whose personas carry the questionnaire's behaviour answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest


@dataclass
class Simulated:
    """One simulated segmentation: answers, scores + behaviour, labels and personas."""

    codebook: Any
    frame: pd.DataFrame
    labels: Any
    personas: Any


@pytest.fixture(scope="session")
def survey_and_codebook():
    from survey_builder.codebook import build_codebook
    from survey_builder.compose import compose_survey
    from survey_builder.spec import survey_from_dict

    survey = survey_from_dict(compose_survey(
        "aspects", ["demographics", "behaviour", "journey", "clv"], languages=["en"]))
    return survey, build_codebook(survey)


def simulate_case(survey: Any, codebook: Any, n: int, k: int, seed: int,
                  labels: str = "planted") -> Simulated:
    """Simulate ``n`` respondents of ``k`` planted personas and build personas for them.

    ``labels="planted"`` segments by the planted persona, ``"shuffled"`` by labels that
    mean nothing (every persona close to average).
    """
    import numpy as np

    from dash_personas.personas import build_personas
    from survey_builder.scoring import score_responses
    from survey_builder.simulate import simulate_responses

    responses, planted = simulate_responses(survey, n, k, seed)
    # the scores carry the behaviour answers (CLV inputs, multiple-choice and ranking options)
    frame = score_responses(survey, responses).scores
    segments = planted.to_numpy()
    if labels == "shuffled":
        segments = np.random.default_rng(seed).permutation(segments)
    return Simulated(codebook, frame, segments,
                     build_personas(segments, frame, codebook=codebook))


@pytest.fixture(scope="session")
def simulate(survey_and_codebook):
    """``simulate(n, k, seed, labels="planted")`` -> :class:`Simulated` (see ``simulate_case``)."""
    survey, codebook = survey_and_codebook

    def run(n: int, k: int, seed: int, labels: str = "planted") -> Simulated:
        return simulate_case(survey, codebook, n, k, seed, labels)

    return run
