"""What the issue-13 audit tests share (imported as a plain module from tests/).

The cases are built once per test process (``functools.cache``) and shared by the
``test_issue13_audit*.py`` files: the survey of the dashboard tests (1,500 simulated
respondents, four personas) and the three-wave tracking study of ``_study.py``.
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Survey:
    """A simulated survey segmented into four personas, and the files the CLI writes."""

    codebook: Any
    scores: Any
    personas: Any
    folder: Path
    labels: Any  #: each respondent's segment (the fitted model's labels)

    @property
    def personas_file(self) -> Path:
        return self.folder / "personas.json"

    @property
    def scores_file(self) -> Path:
        return self.folder / "scores.csv"


def _folder(prefix: str) -> Path:
    """A temporary folder removed when the test process ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@functools.cache
def survey() -> Survey:
    """The survey of ``tests/dashboard/conftest.py``'s ``survey_case``, saved as files."""
    from dash_personas.personas import save_personas
    from dash_personas.pipeline import run_pipeline
    from survey_builder.codebook import build_codebook
    from survey_builder.compose import compose_survey
    from survey_builder.scores import write_scores
    from survey_builder.scoring import score_responses
    from survey_builder.simulate import simulate_responses
    from survey_builder.spec import survey_from_dict

    spec = survey_from_dict(compose_survey("aspects", ["demographics", "behaviour", "journey",
                                                       "clv"], languages=["en"]))
    codebook = build_codebook(spec)
    responses, _ = simulate_responses(spec, 1500, 4, 0)
    scores = score_responses(spec, responses).scores
    result = run_pipeline(scores, codebook=codebook, k=4, n_init=3, random_state=0)
    personas = result.personas
    folder = _folder("issue13-")
    save_personas(personas, folder / "personas.json")
    write_scores(scores, codebook, folder / "scores.csv")
    return Survey(codebook, scores, personas, folder, result.model.labels_)


@functools.cache
def study() -> Path:
    """The SQLite tracking study of ``_study.py`` (three waves): its path."""
    from _study import build_study

    return build_study(_folder("issue13-study-") / "study.db")


def id_key(component_id: Any) -> str:
    """A component id as Dash writes it in ``changedPropIds`` (dict ids as sorted JSON)."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return component_id


def pdf_reader() -> Any:
    """``tests/export/_pdf.py`` (the facts of a Chromium PDF read without a PDF library),
    loaded from its file: ``tests/export`` is only importable once pytest collected it."""
    import importlib.util

    path = Path(__file__).parent / "export" / "_pdf.py"
    spec = importlib.util.spec_from_file_location("_issue13_pdf", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
