"""Helpers shared by the browser tests (imported as a plain module from tests/)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_until(predicate: Callable[[], Any], timeout: float) -> Any:
    """Poll ``predicate`` every 50 ms until it is truthy; fail after ``timeout`` seconds."""
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
