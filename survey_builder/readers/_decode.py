"""Decoding response files into text, with a clear error for a wrong encoding."""

from __future__ import annotations

from ..errors import SurveyError

__all__ = ["decode_bytes"]


def decode_bytes(data: bytes, encoding: str = "utf-8", source: str | None = None) -> str:
    """Decode a response file, with a clear error for a wrong encoding.

    Parameters
    ----------
    data : bytes
        File content.
    encoding : str
        Codec name; ``utf-8`` also strips a byte-order mark (Excel writes one).
    source : str, optional
        File name for error messages.

    Raises
    ------
    SurveyError
        Unknown codec, or bytes that are not valid in ``encoding`` (with the line).
    """
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec)
    except LookupError:
        raise SurveyError(f"unknown encoding {encoding!r}", field="--encoding") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start: exc.start + 1].hex()
        raise SurveyError(
            f"cannot decode the file as {encoding} (byte 0x{bad} at offset {exc.start}); "
            "save it as UTF-8 or pass the right --encoding (e.g. --encoding latin-1)",
            source, line) from None
