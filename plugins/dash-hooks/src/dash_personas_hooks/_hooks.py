"""The ``dash_hooks`` entry point: process-wide hooks that only act on opted-in apps.

Dash imports this module when the first app of a process is created (entry point group
``dash_hooks``). It registers two hooks and nothing else — no routes, callbacks,
scripts or stylesheets for every app:

* ``setup``: when ``DASH_PERSONAS_PERSONAS`` or ``DASH_PERSONAS_STUDY`` is set, the new
  app opts in (as if
  :func:`dash_personas_hooks.enable` had been called on it). Errors are logged, never raised:
  a plugin must not stop a host app from starting.
* ``layout``: the layout of an opted-in app is wrapped with the personas page and its
  navigation button; every other app's layout is returned as it is (the same object).
"""

from __future__ import annotations

import os

from dash import hooks

from ._plugin import ENV_PERSONAS, ENV_STUDY, config_of, enable, logger


@hooks.setup()
def _setup_from_environment(app):
    wanted = any(os.environ.get(name, "").strip() for name in (ENV_PERSONAS, ENV_STUDY))
    if not wanted or config_of(app) is not None:
        return
    try:
        enable(app)
    except Exception:  # never break the host app because of the plugin
        logger.exception("dash-personas-hooks: could not enable the personas page from %s "
                         "or %s", ENV_PERSONAS, ENV_STUDY)


@hooks.layout()
def _wrap_layout(layout):
    if layout is None:
        return layout
    try:
        from dash import get_app

        app = get_app()
    except Exception:
        return layout
    config = config_of(app)
    if config is None:
        return layout
    from ._page import wrap_layout

    return wrap_layout(layout, app, config)
