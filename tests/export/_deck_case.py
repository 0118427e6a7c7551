"""What the export tests share: the long name and the case of eight personas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LONG_NAME = ("Extraordinarily Thorough Comparison-Shopping Weekend Bargain Hunter "
             "Who Reads Every Review Twice Before Committing To Anything At All")
EVIL = "<b>Bold</b> & <img src=x onerror=alert(1)>"


@dataclass
class DeckCase:
    """Eight personas (file and object), the model, its data and a typing tool file."""

    personas: Any
    personas_path: Any
    tool: Any
    tool_path: Any
