"""Response files that come packed: ODK Central's ZIP export and Excel workbooks (Kobo's
default XLSX export), unpacked into the CSV the format readers take."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import PurePosixPath

from ..errors import SurveyError

__all__ = ["unpack"]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls (and other OLE files)


def unpack(data: bytes, source: str) -> tuple[bytes | str, str]:
    """The response table inside ``data``, and the name to report problems under.

    Parameters
    ----------
    data : bytes
        The file as read.
    source : str
        Its name.

    Returns
    -------
    content : bytes or str
        ``data`` itself for a plain text file; the main CSV (bytes) of a ZIP export (ODK
        Central: ``<form>.csv`` beside ``<form>-<repeat>.csv`` files and media); the first
        sheet of an XLSX workbook as CSV text.
    name : str
        ``source``, or ``source:member`` / ``source:sheet``.

    Raises
    ------
    SurveyError
        An ``.xls`` workbook, a ZIP with no CSV, or a damaged archive.
    """
    if data.startswith(_OLE_MAGIC):
        raise SurveyError("this is an Excel 97-2003 workbook (.xls); export the responses "
                          "as CSV (or .xlsx) instead", source, 1)
    if not data.startswith(_ZIP_MAGIC):
        return data, source
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SurveyError(f"damaged ZIP file ({exc})", source, None) from None
    names = archive.namelist()
    if "xl/workbook.xml" in names:
        return _first_sheet_as_csv(data, source)
    tables = sorted((n for n in names if n.lower().endswith(".csv")
                     and not n.startswith("__MACOSX/")),
                    key=lambda n: (len(PurePosixPath(n).parts), len(n)))
    if not tables:
        raise SurveyError("the ZIP file holds no CSV table (an ODK Central export has "
                          f"<form>.csv); it holds {', '.join(names[:5]) or 'nothing'}",
                          source, None)
    # ODK Central: <form>.csv, plus <form>-<repeat>.csv per repeat group (not answers of
    # this questionnaire) and media/ files
    main = tables[0]
    return archive.read(main), f"{source}:{main}"


def _first_sheet_as_csv(data: bytes, source: str) -> tuple[str, str]:
    import csv

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in sheet.iter_rows(values_only=True):
        writer.writerow(["" if cell is None else _cell_text(cell) for cell in row])
    workbook.close()
    return out.getvalue(), f"{source}:{sheet.title}"


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps every number as a float: 4.0 was 4
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return str(value)
