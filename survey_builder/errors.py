"""Errors a user can fix, carrying where the problem is (file, line, field)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SurveyError(Exception):
    """A problem in user input, reported as one line and exit code 2 by the CLI.

    Parameters
    ----------
    message : str
        What is wrong, in words a researcher understands.
    file : str, optional
        The file the problem is in.
    line : int, optional
        1-based line (or row) number in ``file``.
    field : str, optional
        Dotted path of the offending field or column, e.g. ``sections[1].questions[3].scale``.
    """

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        location = ""
        if self.file:
            location = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [p for p in (location, self.field) if p]
        prefix = " ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message
