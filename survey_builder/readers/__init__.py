"""Read response exports and convert them to the canonical layout of the codebook.

Supported inputs (``input_format``)
-----------------------------------
``canonical``
    The flat layout :mod:`survey_builder.codebook` defines (what ``simulate`` writes).
``odk``
    ODK Central / KoboToolbox CSV exports ("XML values and headers"). Column names may carry
    group prefixes (``views/trust_grid/trust_1``; ODK Central joins groups with ``-``, Kobo
    can use ``.``), select-multiple answers come as one space-separated column (``channels`` =
    ``"store web"``) and/or one 0/1 column per option (``channels/store``; when both are
    present, a blank space-separated column means unanswered), ``rank`` answers as
    space-separated values in rank order. Notes, which ODK Central and Kobo export as empty
    columns, are dropped.
    Form metadata (``start``, ``end``, ``today``, ``deviceid``, ``meta/instanceID``, ``KEY``,
    ``SubmissionDate``, ``rootUuid``, every column starting with ``_`` such as ``_id``, ``_uuid``,
    ``_submission_time``, ``_validation_status``) and the XLSForm export's auxiliary fields
    (grid header rows ``<grid>_hdr``, attention-check calculations ``<name>_passed``) are
    dropped. The respondent id is taken from ``respondent_id``, else ``_uuid``, else
    ``meta/instanceID``/``KEY``, else ``_id``. Kobo's semicolon-separated CSV is detected.
    ODK Central's default ZIP export is read from its ``<form>.csv`` (repeat-group CSVs and
    media beside it are not answers of the questionnaire) and Kobo's default XLSX export from
    its first sheet (any XLSX works the same way); an Excel 97-2003 ``.xls`` is refused
    with the advice to export CSV.
``surveyjs``
    SurveyJS result JSON: a list of ``survey.data`` objects (or ``{"results": [...]}``, or one
    object per line). Grids are nested objects ``{"trust_grid": {"trust_1": 4}}``, checkbox
    answers lists of values, ranking answers lists in rank order; absent keys are unanswered;
    ``<name>-Comment`` keys are ignored. The id is ``respondent_id`` (or ``id``) when present,
    else the position in the file.
``redcap``
    REDCap "CSV (raw data)" exports: the first column (``respondent_id`` in projects made from
    ``survey-builder build --format redcap``, often ``record_id`` elsewhere) is the id,
    checkbox questions come as ``<name>___<code>`` 0/1 columns (all 0 = unanswered), REDCap's
    own columns (``redcap_event_name``, ``redcap_repeat_instrument``, ``redcap_repeat_instance``,
    ``redcap_data_access_group``, ``redcap_survey_identifier``, ``<form>_timestamp``,
    ``<form>_complete``) are dropped. "CSV (labels)" exports work too for single-choice answers
    (labels are matched back to codes) and ``Checked``/``Unchecked``.

``auto`` (the default) detects the format from the content: JSON → SurveyJS; a CSV with
``record_id``, ``redcap_*`` or ``x___y`` columns or a last column ``<form>_complete`` →
REDCap; with ``/``-prefixed names or ODK/Kobo metadata columns → ODK; anything else →
canonical.

"Labels" exports (Kobo's "Labels" export, REDCap's "CSV (labels)") are read too: a header
of question, item and option labels (any language of the codebook) is turned back into
names, and selections written as option labels joined by spaces into codes (:mod:`._labels`).

Every reader ends in the same validation against the codebook: missing or unknown columns
(named), values that are not valid codes, out-of-range or non-integer numbers (named by file,
line/row and column) and undecodable bytes raise :class:`~survey_builder.errors.SurveyError`.
Labels are accepted wherever a code is expected (any language, case-insensitive).

The writers (:func:`to_odk`, :func:`to_surveyjs`, :func:`to_redcap`, :func:`write_responses`)
do the reverse; they are used by ``survey-builder simulate --format`` and by the round-trip
tests.

Package layout
--------------
One module per format, each with its ``parse`` / ``write`` pair (:mod:`.canonical`,
:mod:`.odk`, :mod:`.surveyjs`, :mod:`.redcap`); ``_container`` unpacks ZIP and XLSX files;
:mod:`.detect` guesses the format;
:mod:`.validate` checks the parsed columns against the codebook; ``_base`` holds the format
registry behind :func:`read_responses` and :func:`write_responses`. The readers depend on
the spec and the codebook only (``spec -> expressions -> codebook -> readers ->
scoring/simulate``).
"""

from __future__ import annotations

from ._base import (
    INPUT_FORMATS,
    OUTPUT_FORMATS,
    read_responses,
    responses_from_text,
    write_responses,
)
from ._decode import decode_bytes
from ._layout import respondent_ids
from .detect import detect_format
from .odk import to_odk
from .redcap import to_redcap
from .surveyjs import to_surveyjs
from .validate import dont_know_column

__all__ = [
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "decode_bytes",
    "detect_format",
    "dont_know_column",
    "read_responses",
    "respondent_ids",
    "responses_from_text",
    "to_odk",
    "to_redcap",
    "to_surveyjs",
    "write_responses",
]
