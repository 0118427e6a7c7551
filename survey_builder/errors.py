"""Errors a user can fix, carrying where the problem is (file, line, field).

One type serves both command lines (``survey-builder`` and ``dash-personas``): the CLIs
print a :class:`UserError` as one ``Error: ...`` line and exit with code 2, while any
other exception keeps its traceback, so a bug is never mistaken for a user mistake.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["SurveyError", "UserError", "UserErrors", "about_file"]


@dataclass
class UserError(ValueError):
    """A problem in user input, reported as one line and exit code 2 by the CLIs.

    It subclasses :class:`ValueError`, so library callers that expect scikit-learn's
    convention (``ValueError`` for bad input) keep working.

    Parameters
    ----------
    message : str
        What is wrong, in words a researcher or analyst understands.
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

    def __reduce__(self):  # picklable across processes (n_jobs, Dask workers)
        return (type(self), (self.message, self.file, self.line, self.field))


@dataclass
class UserErrors(UserError):
    """Several problems found at once: it reads as the first (whose message says how many
    more there are), and ``problems`` holds every one, for a command that lists them all.

    Parameters
    ----------
    message, file, line, field
        The first problem, as :class:`UserError`.
    problems : tuple of UserError
        Every problem, the first included, in document order.
    """

    problems: tuple[UserError, ...] = ()

    def __reduce__(self):
        return (type(self), (self.message, self.file, self.line, self.field, self.problems))


#: The name survey-builder's modules have always raised; the same class.
SurveyError = UserError


@contextlib.contextmanager
def about_file(path: str | os.PathLike[str]) -> Iterator[None]:
    """Name ``path`` in any :class:`UserError` raised inside the block that names no file.

    For library calls that check data they did not read themselves (for example the
    engine fitting the rows of a CSV), so the message still says which file is wrong.
    """
    try:
        yield
    except UserError as exc:
        if exc.file:
            raise
        raise dataclasses.replace(exc, file=os.fspath(path)) from None
