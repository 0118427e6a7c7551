"""The typing tool as a live screener: golden questions that assign the segment in the form.

:func:`compile_screener` compiles a :class:`~dash_personas.segmentation.TypingTool` and
its codebook into a :class:`ScreenerRule` (the questions and the assignment rule as
calculations); :func:`write_screener` writes it as SurveyJS JSON, an XLSForm workbook, a
REDCap data dictionary and an Excel scoring workbook, into one folder, atomically.
In every form the computed segment is stored as ``segment`` (its number, as
``TypingTool.predict`` returns it) and the persona's name as ``persona``.
"""

from ._compile import PERSONA_FIELD, SEGMENT_FIELD, ScreenerRule, compile_screener
from ._forms import redcap_dictionary, surveyjs_document, xlsform_sheets
from ._workbook import scoring_workbook
from ._write import SCREENER_FORMATS, screener_files, write_screener

__all__ = [
    "PERSONA_FIELD",
    "SCREENER_FORMATS",
    "SEGMENT_FIELD",
    "ScreenerRule",
    "compile_screener",
    "redcap_dictionary",
    "scoring_workbook",
    "screener_files",
    "surveyjs_document",
    "write_screener",
    "xlsform_sheets",
]
