"""``collection_paused()``: no cyclic garbage collection while a response is built.

A filter change builds a few hundred thousand short-lived objects (profile tables,
personas, about 1,500 components and their JSON) that reference counting frees as
soon as the response is sent. Collections that run meanwhile find them alive: each
walks the growing trees, moves them to an older generation, and every few filter
changes the promotions trigger a full collection of the whole process (the server's
modules, data and caches: 200 ms and more, the slowest changes of all). Paused, the
temporaries die young and only what the dashboard keeps (its recent views) reaches
the older generations.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["collection_paused"]


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block, then restore it.

    Reference counting still frees everything that is not in a cycle. A collector that
    was already disabled (by the host, or by another request of a threaded server) is
    left as it was; the last request to finish re-enables it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
