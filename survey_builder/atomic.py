"""Atomic file output: write to a temporary file beside the target, then rename.

A reader never sees a half-written file and a failed write leaves the previous
version untouched. This module imports only the standard library so the CLIs can
use it without paying for pandas/numpy at start-up.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "write_bytes_atomic", "write_text_atomic"]


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8", **kwargs: Any
) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; on success rename it over ``path``.

    Parameters
    ----------
    path : path-like
        Final destination. Its parent directory is created if missing. ``"-"``
        writes to standard output instead (nothing to make atomic there).
    mode : {"w", "wb"}
        Text or binary mode.
    encoding : str or None
        Text encoding (ignored in binary mode).
    **kwargs
        Passed to :func:`open` (for example ``newline=""`` for CSV).

    Yields
    ------
    file object
        Write to it; it is flushed, fsynced and renamed when the block exits
        without an exception, and deleted otherwise.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write supports modes 'w' and 'wb', not {mode!r}")
    if str(path) == "-":
        stream = sys.stdout.buffer if "b" in mode else sys.stdout
        yield stream
        stream.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        open_kwargs = dict(kwargs)
        if "b" not in mode:
            open_kwargs["encoding"] = encoding
        with os.fdopen(fd, mode, **open_kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_write(path, "w", encoding=encoding) as handle:
        handle.write(text)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path, "wb") as handle:
        handle.write(data)
