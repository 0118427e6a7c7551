"""Tell Dask collections from in-memory data without importing Dask."""

from __future__ import annotations

import sys
from typing import Any


def is_dask_collection(*objects: Any) -> bool:
    """True when any of ``objects`` is a Dask collection (DataFrame, Series, Array).

    Dask is only imported if it already is: data cannot be a Dask collection
    otherwise, so the in-memory path never pays for the import.
    """
    if "dask" not in sys.modules:
        return False
    from dask import is_dask_collection as check

    return any(check(obj) for obj in objects)
