"""Segment files for activation: one row per customer, ready for a CRM or an ad audience.

A segment file carries, per customer: the identifier, the segment, the persona's name,
the second-best segment, how clearly the customer belongs (``confidence``, the relative
margin of :class:`~dash_personas.segmentation.Membership`, and ``probability``), and the
segmentation it came from (``segmentation_version``: the first 12 hex digits of the
model's checksum, the same for a model and the typing tools built from it;
``segmentation_date``: when the model was saved). With e-mail addresses it adds
``email_sha256``: the SHA-256 hex digest of the trimmed, lower-cased address, the form
Google Customer Match, Meta custom audiences and X tailored audiences match on. The raw
address is never written; an empty or malformed address gets no hash (it is reported,
never repaired by guessing).

:func:`segment_file` builds the table from a membership, so the in-memory ``assign``
command and the distributed one share the column set; :func:`write_segment_file` writes
it atomically as CSV or Parquet.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from survey_builder.atomic import atomic_write, write_bytes_atomic
from survey_builder.errors import UserError

__all__ = [
    "SEGMENT_FILE_FORMATS",
    "SegmentationStamp",
    "hash_emails",
    "invalid_email_summary",
    "load_segmentation",
    "persona_names",
    "segment_file",
    "segment_file_format",
    "write_segment_file",
]

SEGMENT_FILE_FORMATS = (".csv", ".parquet")
VERSION_DIGITS = 12
# one "@", something before it, a dotted domain after it, no spaces: what is checkable
# without guessing (ad platforms do their own, stricter matching)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_TYPING_TOOL_FORMAT = "dash-personas/typing-tool"


@dataclass(frozen=True)
class SegmentationStamp:
    """Which segmentation assigned a row: the model's short checksum and save date.

    Attributes
    ----------
    version : str
        First 12 hex digits of the model file's SHA-256 checksum.
    date : str
        When the model was saved (ISO 8601, UTC), or ``""`` if the file does not say.
    """

    version: str
    date: str


def load_segmentation(path: str | Path) -> tuple[Any, SegmentationStamp]:
    """Read a model or a typing tool and the stamp of the segmentation inside it.

    Parameters
    ----------
    path : path-like
        A model from ``dash-personas segment`` or a typing tool from
        ``dash-personas typing-tool``.

    Returns
    -------
    assigner : KPrototypes or TypingTool
    stamp : SegmentationStamp

    Raises
    ------
    ModelFileError
        Not a model or typing tool, another major format version, or tampered with.
    """
    from .segmentation import KPrototypes, TypingTool
    from .segmentation._persistence import read_model_text

    text = read_model_text(path, "model or typing-tool file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
    if isinstance(document, dict) and document.get("format") == _TYPING_TOOL_FORMAT:
        assigner: Any = TypingTool.from_json(text, source=str(path))
        model_document = document["tool"]["model"]
    else:
        assigner = KPrototypes.from_json(text, source=str(path))
        model_document = document
    return assigner, SegmentationStamp(str(model_document.get("sha256", ""))[:VERSION_DIGITS],
                                       str(model_document.get("created", "")))


def hash_emails(emails: pd.Series) -> pd.Series:
    """SHA-256 hex digest of each trimmed, lower-cased e-mail address.

    Parameters
    ----------
    emails : Series
        Raw addresses.

    Returns
    -------
    Series of str (pandas ``string`` dtype)
        Same index; ``<NA>`` where the address is empty, missing or malformed (not
        ``local@domain.tld``, or containing spaces).
    """
    text = emails.astype("string").str.strip().str.lower()
    valid = text.str.fullmatch(_EMAIL).fillna(False).astype(bool)
    digests = [hashlib.sha256(address.encode("utf-8")).hexdigest()
               for address in text[valid].tolist()]  # hashlib has no vectorised form
    hashed = pd.Series(pd.NA, index=emails.index, dtype="string", name="email_sha256")
    hashed[valid] = digests
    return hashed


def segment_file(membership: Any, ids: pd.Series, stamp: SegmentationStamp, *,
                 personas: Any = None, emails: pd.Series | None = None,
                 strict: bool = False) -> pd.DataFrame:
    """The activation table: one row per customer with its segment and persona.

    Parameters
    ----------
    membership : Membership
        From ``KPrototypes.membership`` or ``TypingTool.membership``.
    ids : Series
        Customer identifiers, one per row of ``membership`` (its name becomes the
        first column's name; ``id`` if unnamed).
    stamp : SegmentationStamp
        The segmentation that assigned the rows (:func:`load_segmentation`).
    personas : PersonaSet, optional
        Adds the ``persona`` column (the name of each row's segment).
    emails : Series, optional
        Raw e-mail addresses, one per row: adds ``email_sha256``
        (:func:`hash_emails`); the addresses themselves are not kept.
    strict : bool, default=False
        Refuse empty or malformed addresses instead of leaving their hash empty.

    Returns
    -------
    DataFrame
        Columns ``<id>, segment, [persona], second_segment, confidence, probability,
        segmentation_version, segmentation_date, [email_sha256]``.

    Raises
    ------
    UserError
        The personas do not describe the model's segments; with ``strict``, an
        address is empty or malformed (the message gives the count and first rows).
    """
    segment = np.asarray(membership.segment, dtype=np.int64)
    n_rows = segment.shape[0]
    if len(ids) != n_rows:
        raise UserError(f"{len(ids)} identifiers for {n_rows} assigned rows")
    columns: dict[str, Any] = {str(ids.name or "id"): ids.to_numpy(), "segment": segment}
    if personas is not None:
        columns["persona"] = persona_names(personas, segment)
    columns["second_segment"] = np.asarray(membership.second_segment, dtype=np.int64)
    columns["confidence"] = np.asarray(membership.confidence, dtype=np.float64)
    columns["probability"] = np.asarray(membership.probability, dtype=np.float64)
    columns["segmentation_version"] = np.full(n_rows, stamp.version, dtype=object)
    columns["segmentation_date"] = np.full(n_rows, stamp.date, dtype=object)
    table = pd.DataFrame(columns)
    if emails is not None:
        if len(emails) != n_rows:
            raise UserError(f"{len(emails)} e-mail addresses for {n_rows} assigned rows")
        hashed = hash_emails(emails.reset_index(drop=True))
        invalid = np.flatnonzero(hashed.isna().to_numpy())
        if strict and invalid.size:
            raise UserError(f"{invalid_email_summary(invalid, ids)}; fix them or leave "
                            "out --strict to write the file without their hashes",
                            field=str(emails.name) if emails.name is not None else None)
        table["email_sha256"] = hashed.to_numpy()
    return table


def invalid_email_summary(invalid_rows: np.ndarray, ids: pd.Series, shown: int = 5) -> str:
    """``"N e-mail address(es) empty or malformed (rows 3, 8, ...)"`` for messages.

    Rows are numbered from 1 in data order, with the identifier alongside.
    """
    values = ids.to_numpy()
    first = ", ".join(f"{int(r) + 1} (id {values[r]})" for r in invalid_rows[:shown])
    more = f" and {invalid_rows.size - shown} more" if invalid_rows.size > shown else ""
    plural = "address is" if invalid_rows.size == 1 else "addresses are"
    return f"{invalid_rows.size} e-mail {plural} empty or malformed (rows {first}{more})"


def persona_names(personas: Any, segment: np.ndarray) -> np.ndarray:
    """The persona name of every segment label in ``segment``.

    Raises
    ------
    UserError
        The personas file does not name every assigned segment (another segmentation).
    """
    names: dict[int, str] = {}
    for persona in personas.personas:
        try:
            names[int(persona.segment)] = persona.name
        except (TypeError, ValueError):
            raise UserError(f"persona {persona.name!r} has segment {persona.segment!r}, "
                            "not a segment number of this model") from None
    used = np.unique(segment)
    if used.size == 0:
        return np.zeros(0, dtype=object)
    unknown = [int(s) for s in used if int(s) not in names]
    if unknown:
        raise UserError(f"the personas file has no persona for segment {unknown[0]}: it "
                        "describes another segmentation (build it from this model)")
    lookup = np.array([names.get(s, "") for s in range(int(used.max()) + 1)], dtype=object)
    return lookup[segment]


def segment_file_format(path: str | Path) -> str:
    """The format of a segment file path (``".csv"`` or ``".parquet"``), checked early.

    Raises
    ------
    UserError
        Another suffix, or ``.parquet`` without pyarrow installed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SEGMENT_FILE_FORMATS:
        raise UserError(f"unknown segment file format {path.suffix or '(none)'!r}: name the "
                        "file .csv or .parquet", file=str(path))
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UserError("writing Parquet needs pyarrow: pip install "
                            "'dash-personas[dask]' (or write a .csv file)") from None
    return suffix


def write_segment_file(table: pd.DataFrame, path: str | Path) -> Path:
    """Write a :func:`segment_file` table atomically, as CSV or Parquet by suffix.

    Parameters
    ----------
    table : DataFrame
    path : path-like
        ``.csv`` (UTF-8, no index) or ``.parquet`` (needs pyarrow).

    Returns
    -------
    Path

    Raises
    ------
    UserError
        Another suffix, or Parquet without pyarrow installed.
    """
    path = Path(path)
    suffix = segment_file_format(path)
    if suffix == ".csv":
        with atomic_write(path, "w", newline="") as handle:
            table.to_csv(handle, index=False)
        return path
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False, engine="pyarrow")
    write_bytes_atomic(path, buffer.getvalue())
    return path
