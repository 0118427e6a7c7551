"""Reading and writing responses in any supported format: the format registry."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SurveyError
from ..timing import attach_times
from . import canonical, odk, redcap, surveyjs
from ._container import unpack
from ._decode import decode_bytes
from ._labels import relabel_header
from ._layout import Layout, Parsed
from .detect import detect_format
from .validate import validate

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..spec import Survey

__all__ = ["INPUT_FORMATS", "OUTPUT_FORMATS", "read_responses", "responses_from_text",
           "write_responses"]

_PARSERS: dict[str, Callable[[str, Layout, str, bool], Parsed]] = {
    "canonical": canonical.parse,
    "odk": odk.parse,
    "surveyjs": surveyjs.parse,
    "redcap": redcap.parse,
}
_WRITERS: dict[str, Callable[[pd.DataFrame, Layout, str | Path], None]] = {
    "canonical": canonical.write,
    "odk": odk.write,
    "surveyjs": surveyjs.write,
    "redcap": redcap.write,
}
#: Values of ``input_format``: ``auto`` (detect) or one of the formats.
INPUT_FORMATS = ("auto", *_PARSERS)
#: Values of ``output_format``.
OUTPUT_FORMATS = tuple(_WRITERS)


def responses_from_text(text: str, source: Survey | Mapping[str, Any], *,
                        input_format: str = "auto", name: str = "<input>",
                        allow_extra_columns: bool = False) -> pd.DataFrame:
    """Parse response text (already decoded) into the canonical layout.

    Parameters
    ----------
    text : str
        File content.
    source : Survey or codebook dict
        The questionnaire the responses belong to.
    input_format : {"auto", "canonical", "odk", "surveyjs", "redcap"}
        Export format, or ``auto`` to detect it.
    name : str
        File name used in error messages.
    allow_extra_columns : bool
        Ignore columns/keys the codebook does not know instead of failing.

    Returns
    -------
    DataFrame
        Canonical columns in codebook order: the id as strings, Likert/option/rank/integer
        columns as nullable ``Int64``, other numbers as float, codes and text as strings;
        then ``started_at``/``ended_at`` (UTC timestamps) when the file has interview
        times (:mod:`survey_builder.timing`).

    Raises
    ------
    SurveyError
        Unknown format, columns that do not match the codebook, invalid values.
    """
    if input_format not in INPUT_FORMATS:
        raise SurveyError(f"unknown input format {input_format!r} (choose from "
                          f"{', '.join(INPUT_FORMATS)})", field="--input-format")
    layout = Layout.of(source)
    if not text.lstrip().startswith(("[", "{")):
        text = relabel_header(text, layout)  # a "labels" export: headers back to names
    fmt = (detect_format(text, name, canonical_columns=layout.columns)
           if input_format == "auto" else input_format)
    if fmt == "surveyjs" and not text.strip():
        raise SurveyError("the file is empty", name, 1)
    parsed = _PARSERS[fmt](text, layout, name, allow_extra_columns)
    return attach_times(validate(parsed, layout, name), parsed.values, source=name,
                        origin=parsed.origin, locate=parsed.locate)


def read_responses(path: str | Path, source: Survey | Mapping[str, Any], *,
                   input_format: str = "auto", encoding: str = "utf-8",
                   allow_extra_columns: bool = False) -> pd.DataFrame:
    """Read a response file (``-`` = standard input) into the canonical layout.

    Parameters
    ----------
    path : path or "-"
        The export: a CSV or JSON file, an ODK Central ZIP export (its ``<form>.csv`` is
        read) or an XLSX workbook such as Kobo's default export (its first sheet).
    source : Survey or codebook dict
        The questionnaire the responses belong to.
    input_format : {"auto", "canonical", "odk", "surveyjs", "redcap"}
        Export format; ``auto`` detects it (see :mod:`survey_builder.readers`).
    encoding : str
        Text encoding of the file (UTF-8 with or without BOM by default).
    allow_extra_columns : bool
        Ignore columns the codebook does not know.

    Returns
    -------
    DataFrame
        See :func:`responses_from_text`.

    Examples
    --------
    >>> responses = read_responses("kobo_export.csv", survey)  # doctest: +SKIP
    """
    name = "<stdin>" if str(path) == "-" else str(path)
    data = sys.stdin.buffer.read() if str(path) == "-" else Path(path).read_bytes()
    content, name = unpack(data, name)
    text = content if isinstance(content, str) else decode_bytes(content, encoding, name)
    return responses_from_text(text, source, input_format=input_format, name=name,
                               allow_extra_columns=allow_extra_columns)


def write_responses(responses: pd.DataFrame, source: Survey | Mapping[str, Any],
                    path: str | Path, output_format: str = "canonical") -> None:
    """Write canonical responses to ``path`` (``-`` = stdout) in one of
    :data:`OUTPUT_FORMATS`, atomically.

    Parameters
    ----------
    responses : DataFrame
        Canonical-layout responses (e.g. from :func:`read_responses` or ``simulate``).
    source : Survey or codebook dict
        The questionnaire the responses belong to.
    path : path or "-"
        Where to write.
    output_format : {"canonical", "odk", "surveyjs", "redcap"}
        The layout to write.

    Raises
    ------
    SurveyError
        Unknown output format.
    """
    if output_format not in OUTPUT_FORMATS:
        raise SurveyError(f"unknown output format {output_format!r} (choose from "
                          f"{', '.join(OUTPUT_FORMATS)})", field="--format")
    _WRITERS[output_format](responses, Layout.of(source), path)
