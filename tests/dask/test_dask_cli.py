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
    # the in-memory segment file's columns
    assert list(assigned.columns) == ["customer_id", "segment", "second_segment",
                                      "confidence", "probability", "segmentation_version",
                                      "segmentation_date"]
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


def test_weighted_segment_personas_and_activation_on_a_scheduler(cluster, crm, tmp_path,
                                                                 capsys):
    """--weight on Dask, personas from partition statistics, a full segment file."""
    from dash_personas.personas import build_personas, load_personas

    X, _ = crm
    rng = np.random.default_rng(3)
    X = X.assign(weight=rng.integers(1, 4, len(X)).astype(float),
                 email=[f" User{i}@Example.com " if i % 50 else "not-an-address"
                        for i in range(len(X))])
    folder = tmp_path / "weighted"
    folder.mkdir()
    for i, start in enumerate(range(0, len(X), 300)):
        X.iloc[start:start + 300].to_parquet(folder / f"part-{i}.parquet", index=False)
    pattern, address = str(folder / "*.parquet"), cluster.scheduler_address
    model_path = tmp_path / "model.json"
    result = invoke("segment", pattern, "--k", "3", "--n-init", "2", "--seed", "4",
                    "--weight", "weight", "--exclude", "email", "--out", model_path,
                    "--scheduler", address)
    assert result.exit_code == 0, result.output
    assert "weighted by weight" in result.output
    model = KPrototypes.load(model_path)
    assert model.weight_column_ == "weight"
    features = X.drop(columns=["customer_id", "weight", "email"])
    memory = KPrototypes(3, n_init=2, random_state=4).fit(features,
                                                          sample_weight=X["weight"])
    np.testing.assert_allclose(model.prototypes_.numeric, memory.prototypes_.numeric,
                               rtol=1e-9)
    np.testing.assert_allclose(model.cluster_weights_, memory.cluster_weights_)

    # personas on Dask (weighted by the model's column) = personas in memory
    personas_path = tmp_path / "personas.json"
    result = invoke("personas", model_path, pattern, "--out", personas_path,
                    "--scheduler", address)
    assert result.exit_code == 0, result.output
    lazy = load_personas(personas_path)
    expected = build_personas(memory, X.drop(columns="email"), sample_weight="weight")
    assert [p.name for p in lazy] == [p.name for p in expected]
    np.testing.assert_allclose([p.share for p in lazy], [p.share for p in expected])
    assert all(p.weighted for p in lazy)

    # the segment file: persona names, hashed addresses, malformed ones reported
    out = tmp_path / "segments"
    result = invoke("assign", model_path, pattern, "--out", out, "--personas", personas_path,
                    "--email-column", "email", "--scheduler", address)
    assert result.exit_code == 0, result.output
    assert "18 e-mail address(es) empty or malformed" in result.output
    table = pd.read_parquet(out)
    assert list(table.columns) == ["customer_id", "segment", "persona", "second_segment",
                                   "confidence", "probability", "segmentation_version",
                                   "segmentation_date", "email_sha256"]
    names = {p.segment: p.name for p in lazy}
    assert (table["persona"] == table["segment"].map(names)).all()
    import hashlib
    assert table["email_sha256"].iloc[1] == hashlib.sha256(b"user1@example.com").hexdigest()
    assert table["email_sha256"].isna().sum() == 18
    assert "email" not in table.columns and not table.astype(str).apply(
        lambda c: c.str.contains("@")).any().any()  # the raw address is never written

    strict = tmp_path / "strict"
    with pytest.raises(SystemExit) as exit_info:
        main(["assign", str(model_path), pattern, "--out", str(strict), "--email-column",
              "email", "--strict", "--scheduler", address])
    assert exit_info.value.code == 2
    assert "18 e-mail address(es) empty or malformed (ids C00000, C00050" in \
        capsys.readouterr().err
    assert not strict.exists()  # nothing half-written


def test_a_typing_tool_assigns_on_a_scheduler(cluster, crm, tmp_path):
    from dash_personas.segmentation import TypingTool

    X, pattern = crm
    features = X.drop(columns="customer_id")
    model = KPrototypes(3, n_init=1, random_state=0).fit(features)
    tool = TypingTool.build(model, features, max_questions=3)
    tool_path = tmp_path / "tool.json"
    tool.save(tool_path)
    out = tmp_path / "typed"
    result = invoke("assign", tool_path, pattern, "--out", out,
                    "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    typed = pd.read_parquet(out)
    # only the golden questions are read; the answer is the in-memory tool's
    np.testing.assert_array_equal(typed["segment"].to_numpy(), tool.predict(features))
    assert typed["customer_id"].tolist() == X["customer_id"].tolist()
