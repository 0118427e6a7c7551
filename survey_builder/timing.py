"""Interview timing: start and end times, the interview length and the speeder flag.

Responses may carry two optional columns, :data:`~survey_builder.layout.STARTED_COLUMN`
(``started_at``) and :data:`~survey_builder.layout.ENDED_COLUMN` (``ended_at``): ISO 8601
timestamps, with or without a UTC offset (times without one are read as UTC), or Unix
seconds. The readers
fill them from each platform's own fields (:data:`SOURCE_FIELDS`): ODK/Kobo's ``start`` and
``end`` metadata (the XLSForm export adds both rows), the ``started_at``/``ended_at`` values
(Unix seconds) the SurveyJS export records, REDCap's ``started_at`` field (``@NOW``) and its
``<form>_timestamp`` (the survey completion time).

The interview length is ``ended_at - started_at`` in minutes (NaN when either is missing or
the end comes first). A *speeder* took less than ``fraction`` (default 1/3) of the median
length: the usual online-fieldwork rule, relative to this study's own median so that a
long questionnaire does not flag everyone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .errors import SurveyError
from .layout import ENDED_COLUMN, INTERVIEW_MINUTES_COLUMN, SPEEDER_COLUMN, STARTED_COLUMN

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = ["DEFAULT_SPEEDER_FRACTION", "SOURCE_FIELDS", "TIMING_COLUMNS", "attach_times",
           "flag_speeders", "format_times", "interview_minutes", "parse_times",
           "timing_scores"]

#: The two optional timing columns of canonical responses, start first.
TIMING_COLUMNS: tuple[str, str] = (STARTED_COLUMN, ENDED_COLUMN)
#: Share of the median interview length under which a respondent is a speeder.
DEFAULT_SPEEDER_FRACTION = 1 / 3
#: Where each platform's export keeps the times, by canonical timing column.
SOURCE_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "canonical": {STARTED_COLUMN: (STARTED_COLUMN,), ENDED_COLUMN: (ENDED_COLUMN,)},
    "odk": {STARTED_COLUMN: ("start",), ENDED_COLUMN: ("end",)},
    "surveyjs": {STARTED_COLUMN: (STARTED_COLUMN,), ENDED_COLUMN: (ENDED_COLUMN,)},
    "redcap": {STARTED_COLUMN: (STARTED_COLUMN,), ENDED_COLUMN: ("<form>_timestamp",)},
}


#: Cells that mean "no time" (REDCap writes the first for an unfinished survey).
_NOT_A_TIME = frozenset({"[not completed]", "NaT"})


def parse_times(values: Any, *, source: str, column: str,
                locate: Callable[[int], tuple[int | None, str]] | None = None) -> pd.Series:
    """Timestamps as a UTC ``datetime64`` Series; blank cells are ``NaT``.

    Parameters
    ----------
    values : array-like
        Raw cells: ISO 8601 text (ODK's ``2024-01-01T10:00:00.000+01:00``, REDCap's
        ``2024-01-01 10:00:00``) or Unix seconds (the SurveyJS export's).
    source : str
        File name for the error message.
    column : str
        The column as the file names it.
    locate : callable, optional
        Row -> (file line, description), as the readers' ``Parsed.locate``.

    Raises
    ------
    SurveyError
        A cell that is not a timestamp: the first one, with its line or row and column.
    """
    import numpy as np
    import pandas as pd

    raw = pd.Series(values).reset_index(drop=True)
    if isinstance(raw.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(raw):
        return pd.to_datetime(raw, utc=True)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return pd.to_datetime(raw, unit="s", utc=True)  # Unix time (the SurveyJS export's)
    text = raw.astype("string").str.strip()
    text = text.mask(text.isin(_NOT_A_TIME) | (text == ""))
    parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    failed = (text.notna() & parsed.isna()).to_numpy(dtype=bool)
    if failed.any():  # Unix seconds written as text, else not a time
        seconds = pd.to_numeric(text[failed], errors="coerce")
        parsed[failed] = pd.to_datetime(seconds, unit="s", utc=True).to_numpy()
        bad = np.zeros(len(text), dtype=bool)
        bad[np.flatnonzero(failed)[seconds.isna().to_numpy()]] = True
    else:
        bad = failed
    if bad.any():
        row = int(np.argmax(bad))
        line, where = locate(row) if locate else (row + 2, f"row {row + 1}")
        more = int(bad.sum()) - 1
        suffix = f"; {more} more invalid time(s) in the file" if more else ""
        raise SurveyError(f"{text.iloc[row]!r} is not a date and time (ISO 8601, e.g. "
                          f"2024-05-01T10:04:00+02:00) ({where}{suffix})", source, line, column)
    return parsed


def format_times(values: Any) -> np.ndarray:
    """Timestamps as ISO 8601 text with milliseconds and offset, as ODK writes them
    (``2024-05-01T10:04:00.000+00:00``); missing ones as ``None``."""
    import pandas as pd

    times = pd.to_datetime(pd.Series(values).reset_index(drop=True), utc=True,
                           format="ISO8601")
    text = times.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "+00:00"
    return text.where(times.notna(), None).to_numpy(dtype=object)


def attach_times(frame: pd.DataFrame, raw: Mapping[str, Any], *, source: str,
                 origin: Mapping[str, str],
                 locate: Callable[[int], tuple[int | None, str]] | None = None
                 ) -> pd.DataFrame:
    """``frame`` with the timing columns found in ``raw`` appended (parsed, UTC).

    Parameters
    ----------
    frame : DataFrame
        Validated canonical responses.
    raw : mapping
        Raw columns of the file by canonical name; only :data:`TIMING_COLUMNS` are read.
    source : str
        File name for error messages.
    origin : mapping
        Canonical name -> the file's column name (for error messages).
    locate : callable, optional
        Row -> (file line, description).
    """
    present = [c for c in TIMING_COLUMNS if c in raw]
    if not present:
        return frame
    frame = frame.copy()
    for column in present:
        frame[column] = parse_times(raw[column], source=source,
                                    column=origin.get(column, column), locate=locate).array
    return frame


def interview_minutes(responses: pd.DataFrame) -> np.ndarray | None:
    """Interview length per respondent in minutes, or ``None`` without timing columns.

    Returns
    -------
    ndarray of float or None
        ``ended_at - started_at`` in minutes; NaN when either is missing or the end comes
        before the start.
    """
    import numpy as np
    import pandas as pd

    if not all(c in responses.columns for c in TIMING_COLUMNS):
        return None
    start = pd.to_datetime(responses[STARTED_COLUMN], utc=True, format="ISO8601")
    end = pd.to_datetime(responses[ENDED_COLUMN], utc=True, format="ISO8601")
    minutes = ((end - start).dt.total_seconds() / 60).to_numpy(dtype=float, na_value=np.nan,
                                                             copy=True)
    minutes[minutes < 0] = np.nan
    return minutes


def flag_speeders(minutes: np.ndarray, fraction: float = DEFAULT_SPEEDER_FRACTION,
                  *, among: np.ndarray | None = None) -> np.ndarray:
    """Respondents faster than ``fraction`` of the median interview length.

    Parameters
    ----------
    minutes : ndarray of float
        Interview lengths (NaN = unknown, never a speeder).
    fraction : float
        In (0, 1): the share of the median under which a respondent is a speeder.
    among : ndarray of bool, optional
        Whose lengths make the median (e.g. the completes, since screen-outs end early);
        default everyone with a known length.

    Returns
    -------
    ndarray of bool

    Raises
    ------
    SurveyError
        ``fraction`` outside (0, 1).
    """
    import numpy as np

    if not 0 < fraction < 1:
        raise SurveyError(f"the speeder fraction must be between 0 and 1, not {fraction:g}",
                          field="--speeder-fraction")
    minutes = np.asarray(minutes, dtype=float)
    pool = minutes if among is None else minutes[np.asarray(among, dtype=bool)]
    pool = pool[~np.isnan(pool)]
    if not len(pool):
        return np.zeros(len(minutes), dtype=bool)
    with np.errstate(invalid="ignore"):
        return minutes < fraction * float(np.median(pool))


def timing_scores(responses: pd.DataFrame, fraction: float = DEFAULT_SPEEDER_FRACTION, *,
                  completes: np.ndarray | None = None) -> dict[str, np.ndarray] | None:
    """The timing columns of a scores file, or ``None`` when the responses have no times.

    Parameters
    ----------
    responses : DataFrame
    fraction : float
        See :func:`flag_speeders`.
    completes : ndarray of bool, optional
        Who completed the interview: only they make the median and can be speeders
        (screen-outs end early by design). Default: everyone.

    Returns
    -------
    dict or None
        ``interview_minutes`` (:func:`interview_minutes`) and ``speeder``
        (:func:`flag_speeders`).
    """
    minutes = interview_minutes(responses)
    if minutes is None:
        return None
    speeder = flag_speeders(minutes, fraction, among=completes)
    if completes is not None:
        speeder &= completes
    return {INTERVIEW_MINUTES_COLUMN: minutes, SPEEDER_COLUMN: speeder}
