"""``segment`` and ``assign`` with --scheduler: partitioned Parquet in and out."""

from __future__ import annotations

import socket

import dask
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from dash_personas.cli import cli, main
from dash_personas.segmentation import KPrototypes


@pytest.fixture
def crm(tmp_path, mixed_frame):
    X = mixed_frame(900, seed=12)
    X.insert(0, "customer_id", [f"C{i:05d}" for i in range(len(X))])
    folder = tmp_path / "crm"
    folder.mkdir()
    for i, start in enumerate(range(0, len(X), 300)):
        X.iloc[start:start + 300].to_parquet(folder / f"part-{i}.parquet", index=False)
    return X, str(folder / "*.parquet")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_segment_and_assign_on_a_scheduler(cluster, crm, tmp_path):
    X, pattern = crm
    model_path, labels_dir = tmp_path / "model.json", tmp_path / "labels"
    result = invoke("segment", pattern, "--k", "3", "--n-init", "2", "--seed", "4",
                    "--out", model_path, "--labels", labels_dir,
                    "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    assert "customer_id" in result.output  # left out as an identifier, and said so
    assert "pass " in result.output  # progress: one line per pass
    model = KPrototypes.load(model_path)
    features = X.drop(columns="customer_id")
    memory = KPrototypes(3, n_init=2, random_state=4).fit(features)
    np.testing.assert_allclose(model.prototypes_.numeric, memory.prototypes_.numeric,
                               rtol=1e-9)
    labels = pd.read_parquet(labels_dir)
    assert list(labels.columns) == ["customer_id", "segment"]
    np.testing.assert_array_equal(labels["segment"].to_numpy(), memory.labels_)

    out = tmp_path / "assigned"
    for _ in range(2):  # a second run replaces the directory
        result = invoke("assign", model_path, pattern, "--out", out,
                        "--scheduler", cluster.scheduler_address)
        assert result.exit_code == 0, result.output
    assigned = pd.read_parquet(out)
    assert list(assigned.columns) == ["customer_id", "segment", "second_segment",
                                      "confidence", "probability"]
    membership = memory.membership(features)
    np.testing.assert_array_equal(assigned["segment"].to_numpy(), membership.segment)
    np.testing.assert_allclose(assigned["confidence"].to_numpy(), membership.confidence,
                               rtol=1e-9)
    assert f"Assigned {len(X)} rows" in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_an_unreachable_scheduler_is_one_line_and_exit_2(crm, tmp_path, capsys):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with dask.config.set({"dash_personas.connect-timeout": "1s"}), \
            pytest.raises(SystemExit) as exit_info:
        main(["segment", crm[1], "--k", "3", "--out", str(tmp_path / "m.json"),
              "--scheduler", f"tcp://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.count("\n") == 1 and "cannot reach the Dask scheduler" in err


def test_k_auto_on_dask_is_refused_with_the_remedy(crm, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["segment", crm[1], "--k", "auto", "--out", str(tmp_path / "m.json"),
              "--workers", "1"])
    assert exit_info.value.code == 2
    assert "give --k N" in capsys.readouterr().err
