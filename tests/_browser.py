"""Helpers shared by the browser tests (imported as a plain module from tests/)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: axe-core, installed by ``npm ci`` (package.json; ``make test`` runs it).
AXE = Path(__file__).parents[1] / "node_modules" / "axe-core" / "axe.min.js"

_AXE_RUN_JS = """
const [only, done] = [arguments[0], arguments[arguments.length - 1]];
axe.run(document, {runOnly: only, resultTypes: ['violations']})
   .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
         nodes: v.nodes.slice(0, 3).map(n => [n.html.slice(0, 300),
                                              (n.failureSummary || '').slice(0, 300)])}))))
   .catch(e => done([{id: 'axe failed', impact: 'critical', nodes: [String(e)]}]));
"""

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


def axe_violations(driver: Any, tags: tuple[str, ...] = ("wcag2a", "wcag2aa"),
                   rules: tuple[str, ...] | None = None,
                   impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """The axe-core violations of the page in ``driver``.

    By default the serious and critical ones of the WCAG 2 A/AA rules; add
    ``"best-practice"`` to ``tags`` for the landmark rules, or name the ``rules`` to run
    only those (e.g. the ones whose outcome depends on the window width). Each violation
    is ``{"id", "impact", "nodes"}`` with the first three failing nodes' HTML and axe's
    summary of why they fail, so a failing assertion says what to fix.
    """
    import pytest

    if not AXE.is_file():
        pytest.fail("node_modules/axe-core is missing: run `npm ci --no-audit --no-fund` "
                    "(make test does)")
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    only = ({"type": "rule", "values": list(rules)} if rules is not None
            else {"type": "tag", "values": list(tags)})
    result = driver.execute_async_script(_AXE_RUN_JS, only)
    return [v for v in result if v["impact"] in impacts]


def console_errors(driver: Any) -> list[dict[str, Any]]:
    """The browser console's errors (level SEVERE) since the last call."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def walk_layout(node: Any):
    """Every component (``{"type", "namespace", "props"}``) of a served layout or callback
    answer, depth first."""
    if isinstance(node, list):
        for child in node:
            yield from walk_layout(child)
    elif isinstance(node, dict):
        if "props" in node and "type" in node:
            yield node
        for value in (node["props"] if "props" in node and "type" in node else node).values():
            if isinstance(value, (list, dict)):
                yield from walk_layout(value)


def layout_ids(layout, kind: str) -> list[dict]:
    """The pattern-matching ids of type ``kind`` in a served ``/_dash-layout``, in order."""
    return [c["props"]["id"] for c in walk_layout(layout)
            if isinstance(c["props"].get("id"), dict) and c["props"]["id"].get("type") == kind]
