"""A wave's respondents in PostgreSQL's binary COPY format, built with NumPy.

Formatting a million rows as CSV text (pandas ``to_csv``) took longer than the server
needed to store them. The binary format is fixed-width apart from the respondent id, so
rows whose ids have the same UTF-8 length are one NumPy structured array: each field in
network byte order, preceded by its length. See "Binary Format" in PostgreSQL's COPY
documentation.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)

#: The columns in the order the rows carry them (the COPY statement's column list).
COLUMNS = ("wave_id", "respondent_id", "segment", "distance", "confidence", "weight")


def _row_dtype(id_bytes: int) -> np.dtype:
    """One tuple: a field count, then every field as (length, value) in network order."""
    return np.dtype([
        ("fields", ">i2"),
        ("wave_length", ">i4"), ("wave_id", ">i4"),
        ("id_length", ">i4"), ("respondent_id", f"S{id_bytes}" if id_bytes else "V0"),
        ("segment_length", ">i4"), ("segment", ">i2"),
        ("distance_length", ">i4"), ("distance", ">f8"),
        ("confidence_length", ">i4"), ("confidence", ">f8"),
        ("weight_length", ">i4"), ("weight", ">f8"),
    ])


def respondent_copy_chunks(wave_id: int, ids: np.ndarray, segment: np.ndarray,
                           distance: np.ndarray, confidence: np.ndarray,
                           weight: np.ndarray, *, chunk: int = 200_000) -> Iterator[bytes]:
    """The binary COPY stream of a wave's respondents, in pieces of about ``chunk`` rows.

    Parameters
    ----------
    wave_id : int
        The wave every row belongs to.
    ids : ndarray of str
        Respondent ids (text).
    segment, distance, confidence, weight : ndarray
        One value per respondent, in the order of ``ids``.
    chunk : int, default=200_000
        Rows per piece, so that the whole wave is never encoded at once.

    Yields
    ------
    bytes
        The signature and header first, the trailer last.
    """
    yield SIGNATURE
    for start in range(0, len(ids), chunk):
        stop = start + chunk
        encoded = np.char.encode(np.asarray(ids[start:stop]).astype(str), "utf-8")
        lengths = np.char.str_len(encoded)
        # rows with ids of one length share a layout; few lengths occur in practice
        for length in np.unique(lengths):
            rows = np.flatnonzero(lengths == length)
            block = np.empty(len(rows), dtype=_row_dtype(int(length)))
            block["fields"] = len(COLUMNS)
            block["wave_length"], block["wave_id"] = 4, wave_id
            block["id_length"] = length
            if length:
                block["respondent_id"] = encoded[rows]
            block["segment_length"], block["segment"] = 2, segment[start:stop][rows]
            block["distance_length"], block["distance"] = 8, distance[start:stop][rows]
            block["confidence_length"], block["confidence"] = 8, confidence[start:stop][rows]
            block["weight_length"], block["weight"] = 8, weight[start:stop][rows]
            yield block.tobytes()
    yield TRAILER
