"""Argument checks shared by the components: a wrong choice fails with the choices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from survey_builder.errors import UserError

from ..palette import colour_mode

__all__ = ["check_choice", "check_theme"]


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """``value`` if it is one of ``choices``, else a :class:`UserError` listing them."""
    options = list(choices)
    if value not in options:
        listed = ", ".join(repr(c) for c in options)
        raise UserError(f"{name} must be one of {listed}; got {value!r}")
    return value


def check_theme(theme: str) -> str:
    """The colour mode of ``theme`` (a mode or a Bootstrap theme name, see ``colour_mode``)."""
    return colour_mode(theme)
