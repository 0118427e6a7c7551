"""Automatic detection of a response file's export format from its content."""

from __future__ import annotations

from collections.abc import Collection

from ._csv import read_header
from .odk import ODK_META

__all__ = ["detect_format"]


def detect_format(text: str, source: str | None = None,
                  canonical_columns: Collection[str] | None = None) -> str:
    """Guess the export format of a response file's text.

    JSON (or a ``.json``/``.jsonl`` file name) is SurveyJS; a CSV whose columns are all
    ``canonical_columns`` (the codebook's) is canonical, whatever they are called (a
    question may well be named ``survey_complete``); else a CSV with ``record_id``,
    ``redcap_*`` or ``x___y`` columns or a last column ``<form>_complete`` is REDCap; one with
    ``/``-prefixed names or ODK/Kobo metadata columns is ODK; anything else is canonical.

    Parameters
    ----------
    text : str
        The decoded file.
    source : str, optional
        File name; its extension decides for JSON files.
    canonical_columns : collection of str, optional
        The canonical column names of the codebook.

    Returns
    -------
    str
        ``"surveyjs"``, ``"redcap"``, ``"odk"`` or ``"canonical"``.
    """
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")) or (source or "").lower().endswith((".json", ".jsonl")):
        return "surveyjs"
    header, _ = read_header(stripped)
    if canonical_columns is not None and header and set(header) <= set(canonical_columns):
        return "canonical"
    if any(h == "record_id" or h.startswith("redcap_") or "___" in h for h in header) or (
            header and header[-1].endswith("_complete")):
        return "redcap"
    if any("/" in h or h.startswith("_") or h in ODK_META for h in header):
        return "odk"
    return "canonical"
