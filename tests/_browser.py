"""Helpers shared by the browser tests (imported as a plain module from tests/)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

# True once the Dash renderer has no callback requested, queued, running or waiting for
# its outputs to be applied (the queues dash[testing]'s redux_state_rqs reads); throws
# if this Dash keeps its callback queues elsewhere, so the wait cannot pass vacuously
_DASH_IDLE_JS = """
const store = window.store;
if (!store) { return false; }
const state = store.getState();
const queues = ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed'];
const callbacks = state.callbacks || {};
for (const q of queues) {
    if (!Array.isArray(callbacks[q])) { throw new Error('no Dash callback queue ' + q); }
}
return !state.isLoading && queues.every(q => callbacks[q].length === 0);
"""


def wait_until(predicate: Callable[[], Any], timeout: float) -> Any:
    """Poll ``predicate`` every 50 ms until it is truthy; fail after ``timeout`` seconds."""
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def wait_for_dash_idle(driver: Any, timeout: float) -> None:
    """Wait until the Dash app in ``driver`` has no pending callbacks.

    Use it before asserting that something did *not* change: once the renderer is
    idle, every callback triggered so far has run and applied its outputs.
    """
    wait_until(lambda: driver.execute_script(_DASH_IDLE_JS), timeout)
