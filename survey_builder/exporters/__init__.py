"""Questionnaire exporters, looked up by format name.

Each exporter module has ``export(survey, out_dir: Path, *, languages=None) -> list[Path]``:
it writes its file(s) into ``out_dir`` (through :mod:`survey_builder.atomic`) and returns
the paths written. ``languages`` restricts the languages exported (default: all of the
survey's). Modules are imported only when used, so the registry costs nothing at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import SurveyError

__all__ = ["EXPORTERS", "get_exporter"]

EXPORTERS: dict[str, str] = {
    "xlsform": "survey_builder.exporters.xlsform:export",
    "surveyjs": "survey_builder.exporters.surveyjs:export",
    "redcap": "survey_builder.exporters.redcap:export",
    "html": "survey_builder.exporters.html:export",
    "markdown": "survey_builder.exporters.markdown:export",
}

Exporter = Callable[..., list[Path]]


def get_exporter(name: str) -> Exporter:
    """The ``export`` function of format ``name``.

    Raises
    ------
    SurveyError
        Unknown format, or its module is not available in this installation.
    """
    target = EXPORTERS.get(name)
    if target is None:
        raise SurveyError(f"unknown export format {name!r} (choose from "
                          f"{', '.join(EXPORTERS)})", field="--format")
    module_name, attribute = target.split(":")
    try:
        module: Any = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise SurveyError(f"the {name} exporter is not available in this installation "
                          f"(module {module_name} is missing)", field="--format") from None
    return getattr(module, attribute)
