"""CSV parsing shared by the CSV formats (canonical, ODK/Kobo, REDCap): delimiter sniffing,
header checks, text-preserving reads, row -> file-line location, and atomic CSV writing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import atomic_write
from ..errors import SurveyError
from ._layout import Locate

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def sniff_delimiter(first_line: str) -> str:
    """The most frequent of ``,``, ``;`` and tab in the header line (``,`` if none)."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_header(text: str) -> tuple[list[str], str]:
    """The stripped column names of the first line, and the delimiter."""
    first = text.split("\n", 1)[0].rstrip("\r")
    delimiter = sniff_delimiter(first)
    row = next(csv.reader([first], delimiter=delimiter), [])
    return [h.strip() for h in row], delimiter


def read_csv(text: str, source: str, numeric: Callable[[str], bool] | None = None
             ) -> tuple[pd.DataFrame, Locate]:
    """Parse CSV text; columns for which ``numeric(name)`` is true are left to pandas' fast
    number parsing (a column with any non-number falls back to text), all others are read
    as text so that ids and codes keep leading zeros."""
    import pandas as pd

    header, delimiter = read_header(text)
    if not header or header == [""]:
        raise SurveyError("the file is empty (no header row)", source, 1)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise SurveyError(f"duplicate column {name!r}", source, 1, name)
        seen.add(name)
    try:
        raw_header = next(csv.reader([text.split("\n", 1)[0].rstrip("\r")],
                                     delimiter=delimiter), [])
        dtype: Any = str if numeric is None else {
            h: str for h in raw_header if not numeric(h.strip())}
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=dtype,
                            keep_default_na=False, na_values=[""], skipinitialspace=False)
    except pd.errors.EmptyDataError:
        raise SurveyError("the file is empty", source, 1) from None
    except (pd.errors.ParserError, csv.Error) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else "malformed CSV"
        match = re.search(r"line (\d+)", detail)
        raise SurveyError(f"cannot parse CSV: {detail}", source,
                          int(match.group(1)) if match else None) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    starts: list[int] = []

    def locate(row: int) -> tuple[int | None, str]:
        if not starts:
            reader = csv.reader(io.StringIO(text), delimiter=delimiter)
            previous = 0
            for record in reader:
                if record and any(cell.strip() for cell in record):
                    starts.append(previous + 1)
                previous = reader.line_num
        index = row + 1  # record 0 is the header
        return (starts[index] if index < len(starts) else None), f"row {row + 1}"

    return frame, locate


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` as CSV (``\\n`` line ends, no index) to ``path`` (``-``: stdout),
    atomically."""
    with atomic_write(path, "w", newline="") as handle:
        frame.to_csv(handle, index=False, lineterminator="\n")
