"""Tracking-study fixtures: a real PostgreSQL server, both backends, planted waves.

Every store test runs twice, on an embedded SQLite file and on PostgreSQL. The PostgreSQL
server is Debian's (``make test`` installs it with ``tools/install-postgresql.sh``): a
throwaway cluster in a temporary directory, started once per session as an unprivileged
user on a free port of 127.0.0.1 and stopped at the end. Without the server binaries the
PostgreSQL tests fail with that instruction; they are never skipped.
"""

from __future__ import annotations

import numpy as np
import pytest
from _pgcluster import ClusterError, new_database, throwaway_cluster
from _planted import planted_wave


@pytest.fixture(scope="session")
def postgres_server():
    """Base URL (no database) of a throwaway PostgreSQL cluster, user ``postgres``."""
    try:
        with throwaway_cluster() as url:
            yield url
    except ClusterError as error:
        pytest.fail(str(error))


@pytest.fixture(params=["sqlite", "postgresql"])
def study_target(request, tmp_path):
    """Where a new study goes: a SQLite path, or a fresh PostgreSQL database URL."""
    if request.param == "sqlite":
        return str(tmp_path / "study.db")
    return new_database(request.getfixturevalue("postgres_server"))


@pytest.fixture(scope="session")
def segmentation():
    """A model fitted on a planted baseline, its personas, and planted -> model segment."""
    from dash_personas import KPrototypes, build_personas

    frame, planted = planted_wave([1, 1, 1], 600, seed=100)
    features = frame.drop(columns="respondent_id")
    model = KPrototypes(3, random_state=0, n_init=3).fit(features)
    personas = build_personas(model, features)
    mapping = np.array([np.bincount(model.labels_[planted == s], minlength=3).argmax()
                        for s in range(3)])
    assert sorted(mapping) == [0, 1, 2]
    return model, personas, mapping


@pytest.fixture(scope="session")
def model_files(segmentation, tmp_path_factory):
    """The segmentation as the files ``track init`` reads."""
    from dash_personas import save_personas

    model, personas, _ = segmentation
    directory = tmp_path_factory.mktemp("segmentation")
    model.save(directory / "model.json")
    save_personas(personas, directory / "personas.json")
    return directory / "model.json", directory / "personas.json"
