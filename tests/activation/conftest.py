"""Activation fixtures: the throwaway PostgreSQL cluster of the tracking tests.

Without the server binaries the PostgreSQL tests fail with the install instruction
(``tools/install-postgresql.sh``); they are never skipped.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tracking"))

from _pgcluster import ClusterError, throwaway_cluster


@pytest.fixture(scope="session")
def postgres_server():
    """Base URL (no database) of a throwaway PostgreSQL cluster, user ``postgres``."""
    try:
        with throwaway_cluster() as url:
            yield url
    except ClusterError as error:
        pytest.fail(str(error))
