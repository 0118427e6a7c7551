"""The codebook as the readers and writers see it, and the parsed-file type they share.

Every format module matches the columns or keys of its file against a :class:`Layout`
(which canonical columns exist, which questions are grids, multiple choice or ranking) and
hands a :class:`Parsed` (canonical columns of raw values) to :mod:`.validate`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..codebook import as_codebook
from ..layout import ID_COLUMN

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from ..spec import Survey

#: Maps a 0-based data row to (1-based file line or None, a description like "row 17").
Locate = Callable[[int], tuple[int | None, str]]


@dataclass
class Layout:
    """What a reader needs from the codebook.

    Attributes
    ----------
    codebook : dict
        The codebook document (:func:`survey_builder.codebook.build_codebook`).
    id_column : str
        Name of the respondent id column.
    columns : dict
        Canonical column name -> its codebook entry, in codebook order.
    plain : set of str
        One-column answers (everything but multiple-choice and ranking option columns).
    multi, rank : dict
        Multiple-choice / ranking question -> its option values, in order.
    grids : dict
        Grid question -> its item columns.
    other : dict
        Question with an "Other (specify)" option -> that option's code (its text column
        is :func:`survey_builder.layout.other_text_column`).
    auxiliary : re.Pattern, optional
        Names of fields that hold no answer, which readers drop: the XLSForm/REDCap
        exports' helper fields (``<grid>_hdr``, ``<check>_passed``, ``<question>_screenout``)
        and the notes
        (see :func:`note_names`).
    """

    codebook: dict[str, Any]
    id_column: str
    columns: dict[str, dict[str, Any]]
    plain: set[str] = field(default_factory=set)
    multi: dict[str, list[str]] = field(default_factory=dict)
    rank: dict[str, list[str]] = field(default_factory=dict)
    grids: dict[str, list[str]] = field(default_factory=dict)
    other: dict[str, str] = field(default_factory=dict)
    auxiliary: re.Pattern[str] | None = None

    @classmethod
    def of(cls, source: Survey | Mapping[str, Any]) -> Layout:
        """The layout of a :class:`~survey_builder.spec.Survey` or of a codebook mapping."""
        codebook = as_codebook(source)
        columns = {c["name"]: c for c in codebook["columns"]}
        layout = cls(codebook, codebook.get("id_column", ID_COLUMN), columns)
        for name, col in columns.items():
            if col["type"] == "id":
                continue
            if col["type"] == "multiple_choice_option":
                layout.multi.setdefault(col["question"], []).append(str(col["option"]))
            elif col["type"] == "ranking_option":
                layout.rank.setdefault(col["question"], []).append(str(col["option"]))
            else:
                layout.plain.add(name)
                if col.get("item") is not None:
                    layout.grids.setdefault(col["question"], []).append(name)
        layout.other = {q["name"]: str(q["other"]) for q in codebook.get("questions", [])
                        if q.get("other") is not None}
        aux = [re.escape(q) + "_hdr" for q in layout.grids]
        aux += [re.escape(c["question"]) + "_passed" for c in codebook.get("attention_checks", [])]
        aux += [re.escape(c["question"]) + "_screenout" for c in codebook.get("screening", [])]
        pattern = r"^(?:" + "|".join(aux) + r")(?:_\d+)?$" if aux else None
        notes = [re.escape(name) for name in note_names(source, codebook)]
        if notes:  # ODK Central and Kobo export notes as empty columns
            pattern = "|".join(p for p in (pattern, r"^(?:" + "|".join(notes) + r")$") if p)
        if pattern:
            layout.auxiliary = re.compile(pattern)
        return layout

    def is_numeric(self, column: str) -> bool:
        """True for a canonical column holding numbers (Likert, 0/1, rank, numeric)."""
        col = self.columns.get(column)
        return col is not None and col["value_type"] in ("integer", "number")

    def option_column(self, question: str, option: str) -> str:
        """The canonical column of one option of a multiple-choice or ranking question."""
        return f"{question}{self.codebook.get('option_separator', '__')}{option}"

    def is_auxiliary(self, name: str) -> bool:
        """True for an export's helper field that holds no answer."""
        return bool(self.auxiliary and self.auxiliary.match(name))


def note_names(source: Survey | Mapping[str, Any], codebook: Mapping[str, Any]) -> list[str]:
    """Names of the questionnaire's notes, which have no codebook column.

    Taken from the codebook's ``notes`` list when it has one, else from the survey; a
    codebook without that list gives none.
    """
    if "notes" in codebook:
        return [str(name) for name in codebook["notes"]]
    if isinstance(source, Mapping):
        return []
    return [q.name for q in source.iter_questions() if not q.has_answer]


@dataclass
class Parsed:
    """A response file turned into canonical columns of raw (unvalidated) values.

    Attributes
    ----------
    fmt : str
        The format it was read as.
    n : int
        Number of responses.
    values : dict
        Canonical column -> raw values (a pandas Series or an array).
    origin : dict
        Canonical column -> the column or key name in the source file (for messages).
    locate : Locate
        Row -> (file line, description).
    all_zero_is_unanswered : bool
        Multiple-choice options that are all 0 mean "not answered" (REDCap checkboxes).
    """

    fmt: str
    n: int
    values: dict[str, Any]
    origin: dict[str, str]
    locate: Locate
    all_zero_is_unanswered: bool = False


def respondent_ids(n: int, prefix: str = "r") -> np.ndarray:
    """Unique string ids ``r0001``, ``r0002``, ... zero-padded to a common width.

    Parameters
    ----------
    n : int
        Number of ids.
    prefix : str
        Text before the number (``row`` for files without an id column).

    Returns
    -------
    ndarray of object
    """
    import numpy as np

    width = max(4, len(str(n)))
    numbers = np.char.zfill(np.arange(1, n + 1).astype(str), width)
    return np.char.add(prefix, numbers).astype(object)


def row_ids(n: int, prefix: str = "row") -> pd.Series:
    """Ids for a file without an id column: ``row0001``, ... (or another ``prefix``)."""
    import pandas as pd

    return pd.Series(respondent_ids(n, prefix=prefix), dtype=object)


def as_objects(series: pd.Series) -> pd.Series:
    """An object Series with ``None`` for missing values."""
    return series.astype(object).where(series.notna(), None)
