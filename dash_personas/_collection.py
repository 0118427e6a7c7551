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
import threading
from collections.abc import Iterator

__all__ = ["collection_paused"]


_lock = threading.Lock()
_active = 0
_was_enabled = False


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block, then restore it.

    Reference counting still frees everything that is not in a cycle. Blocks may
    overlap (several requests of a threaded server): the collector stays off until the
    last of them ends and is then put back as the first one found it, so a collector
    the host had disabled stays disabled.
    """
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()
