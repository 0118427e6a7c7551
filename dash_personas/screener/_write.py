"""Writing a screener folder: every requested format, all or nothing."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from survey_builder.errors import UserError
from survey_builder.exporters import redcap, xlsform

from ._compile import ScreenerRule
from ._forms import redcap_dictionary, surveyjs_document, xlsform_sheets
from ._workbook import scoring_workbook

__all__ = ["SCREENER_FILES", "SCREENER_FORMATS", "screener_files", "write_screener"]

#: The formats ``--screener`` accepts (``all`` is every one of them).
SCREENER_FORMATS = ("surveyjs", "xlsform", "redcap", "excel")
#: The file each format writes into the folder.
SCREENER_FILES = {"surveyjs": "screener.surveyjs.json", "xlsform": "screener.xlsx",
                  "redcap": "screener_redcap.csv", "excel": "scoring_workbook.xlsx"}


def parse_formats(text: str) -> list[str]:
    """``"all"`` or a comma-separated list of :data:`SCREENER_FORMATS`, checked."""
    names = [part.strip().lower() for part in str(text).split(",") if part.strip()]
    if names == ["all"]:
        return list(SCREENER_FORMATS)
    unknown = [name for name in names if name not in SCREENER_FORMATS]
    if unknown or not names:
        raise UserError(f"unknown screener format {unknown[0] if unknown else text!r} "
                        f"(choose from {', '.join(SCREENER_FORMATS)} or all)",
                        field="--screener")
    return list(dict.fromkeys(names))


def screener_files(rule: ScreenerRule, formats: Iterable[str]) -> dict[str, bytes]:
    """File name -> contents of the requested formats (nothing written yet)."""
    files: dict[str, bytes] = {}
    for fmt in formats:
        if fmt == "surveyjs":
            text = json.dumps(surveyjs_document(rule), ensure_ascii=False, indent=2) + "\n"
            files[SCREENER_FILES[fmt]] = text.encode()
        elif fmt == "xlsform":
            files[SCREENER_FILES[fmt]] = xlsform.workbook_bytes(xlsform_sheets(rule))
        elif fmt == "redcap":
            files[SCREENER_FILES[fmt]] = redcap.dictionary_csv(
                redcap_dictionary(rule)).encode()
        elif fmt == "excel":
            files[SCREENER_FILES[fmt]] = scoring_workbook(rule)
        else:
            raise UserError(f"unknown screener format {fmt!r}", field="--screener")
    return files


def write_screener(files: Mapping[str, bytes], out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``files`` into ``out_dir``, all or nothing.

    Everything goes to a staging directory beside ``out_dir`` first and is moved into
    place (one rename per file) only when every file is written, so a failure leaves no
    partial folder; other files already in ``out_dir`` are kept.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a directory", field="--out")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.screener-", dir=out.parent))
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(staging / name, 0o644)
        if not out.exists():
            os.chmod(staging, 0o755)
            os.replace(staging, out)  # a new folder appears whole
            return [out / name for name in files]
        written = []
        for name in files:
            os.replace(staging / name, out / name)
            written.append(out / name)
        return written
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
