"""The personas page in a Dash Pages host (``use_pages=True``): a registered Dash page.

In a Pages host, hiding the whole host layout (what the plugin does elsewhere) would hide
its navbar, and Pages would render its 404 page for the plugin's URL. So the page is
registered in ``dash.page_registry`` like any host page: Pages renders it inside the
host's ``page_container``, under the host's navbar, and the host's own pages keep their
paths. A host page at the plugin's path wins: the plugin's page moves to
:data:`MOVED_PATH` and the server log says so (pages of a ``pages/`` folder and
``register_page`` calls after :func:`dash_personas_hooks.enable` are seen when the first
layout is served).
"""

from __future__ import annotations

from typing import Any

__all__ = ["MODULE", "MOVED_PATH", "register_pages_page", "settle_pages_path"]

#: Module name of the plugin's entry in ``dash.page_registry``.
MODULE = "dash_personas_hooks.personas_page"
#: Where the page moves when the host has a page of its own at the configured path.
MOVED_PATH = "dash-personas"


def _host_paths() -> set[str]:
    import dash

    return {page["path"].strip("/") for module, page in dash.page_registry.items()
            if module != MODULE}


def _free_path(wanted: str) -> str:
    taken = _host_paths()
    if wanted not in taken:
        return wanted
    candidates = [MOVED_PATH, *(f"{MOVED_PATH}-{n}" for n in range(2, 100))]
    moved = next(c for c in candidates if c not in taken)
    from ._plugin import ENV_PATH, logger

    logger.warning("dash-personas-hooks: the host has a page of its own at /%s: the personas "
                   "page is at /%s instead (choose another with enable(path=...) or %s)",
                   wanted, moved, ENV_PATH)
    return moved


def register_pages_page(app: Any, config: Any) -> None:
    """Register the personas page of ``app`` in ``dash.page_registry`` (off host pages)."""
    import dash

    from ._page import page_content
    from ._plugin import config_of

    config.path = _free_path(config.path)

    def layout(**_: Any) -> Any:
        return page_content(app, config_of(app))

    dash.register_page(MODULE, path=f"/{config.path}", name=config.label, title=config.title,
                       layout=layout)
    config.pages_host = True


def settle_pages_path(app: Any, config: Any) -> None:
    """Move the registered page off a host page registered after :func:`enable`.

    Runs while the layout is served (inside a request, where ``dash.register_page`` is
    refused), so it updates the plugin's own registry entry in place.
    """
    import dash

    entry = dash.page_registry.get(MODULE)
    if entry is None or config.path not in _host_paths():
        return
    config.path = _free_path(config.path)
    entry.update(path=f"/{config.path}", supplied_path=f"/{config.path}",
                 relative_path=app.get_relative_path(f"/{config.path}"))
