"""Segment files for activation: `assign --out segments.csv|.parquet` and `segment_file`."""

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from dash_personas import build_personas, save_personas
from dash_personas.activation import (
    hash_emails,
    load_segmentation,
    segment_file,
    write_segment_file,
)
from dash_personas.cli import main
from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes, TypingTool
from survey_builder.errors import UserError

EMAILS = ["  Ann.Lee@Example.COM ", "bob@example.org", "", "not-an-address", None,
          "carl @example.com", "dora@example"]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A fitted model, its personas and a customer file with ids and e-mail addresses."""
    X, _ = make_mixed_blobs(400, n_numeric=3, n_categorical=2, n_clusters=3, separation=3.0,
                            random_state=7)
    model = KPrototypes(3, n_init=2, random_state=0).fit(X)
    personas = build_personas(model, X)
    directory = tmp_path_factory.mktemp("activation")
    model.save(directory / "model.json")
    save_personas(personas, directory / "personas.json")
    customers = X.copy()
    customers.insert(0, "customer_id", [f"c{i:04d}" for i in range(len(X))])
    emails = [f"user{i}@example.com" for i in range(len(X))]
    emails[: len(EMAILS)] = EMAILS
    customers["email"] = emails
    customers.to_csv(directory / "customers.csv", index=False)
    return X, model, personas, directory


def run_main(args, capsys):
    """The console-script entry point: exit code and everything printed."""
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return exit_info.value.code or 0, captured.out + captured.err


def _assign(capsys, directory, *extra, model="model.json"):
    return run_main(["assign", directory / model, directory / "customers.csv", *extra], capsys)


def test_hash_is_sha256_of_the_trimmed_lower_cased_address_and_bad_ones_stay_empty():
    hashed = hash_emails(pd.Series(EMAILS))
    assert hashed[0] == hashlib.sha256(b"ann.lee@example.com").hexdigest()
    assert hashed[1] == hashlib.sha256(b"bob@example.org").hexdigest()
    assert hashed[2:].isna().all()  # empty, malformed, missing, a space, no dot in domain


def test_cli_writes_the_activation_columns_and_never_the_raw_address(study, tmp_path, capsys):
    X, model, personas, directory = study
    out = tmp_path / "segments.csv"
    code, output = _assign(capsys, directory, "--personas", str(directory / "personas.json"),
                     "--email-column", "email", "--out", str(out))
    assert code == 0, output
    table = pd.read_csv(out, dtype={"segmentation_version": str})
    assert list(table.columns) == ["customer_id", "segment", "persona", "second_segment",
                                   "confidence", "probability", "segmentation_version",
                                   "segmentation_date", "email_sha256"]
    membership = model.membership(X)
    np.testing.assert_array_equal(table["segment"], model.predict(X))
    np.testing.assert_array_equal(table["second_segment"], membership.second_segment)
    np.testing.assert_allclose(table["confidence"], membership.confidence)
    names = {int(p.segment): p.name for p in personas.personas}
    assert table["persona"].tolist() == [names[s] for s in table["segment"]]
    document = json.loads((directory / "model.json").read_text())
    assert set(table["segmentation_version"]) == {document["sha256"][:12]}
    assert set(table["segmentation_date"]) == {document["created"]}
    text = out.read_text()
    assert "example.com" not in text and "@" not in text
    assert table["email_sha256"].isna().sum() == len(EMAILS) - 2
    assert "5 e-mail addresses are empty or malformed (rows 3 (id c0002), 4 (id c0003)" \
        in output


def test_parquet_holds_the_same_table(study, tmp_path, capsys):
    _, _, _, directory = study
    assert _assign(capsys, directory, "--out", tmp_path / "s.csv")[0] == 0
    code, output = _assign(capsys, directory, "--out", str(tmp_path / "s.parquet"))
    assert code == 0, output
    parquet = pd.read_parquet(tmp_path / "s.parquet")
    csv = pd.read_csv(tmp_path / "s.csv", dtype={"segmentation_version": str})
    pd.testing.assert_frame_equal(parquet, csv, check_dtype=False)
    assert parquet.columns[0] == "customer_id"  # found without --id-column


def test_the_typing_tool_stamps_the_same_segmentation_version(study, tmp_path):
    X, model, _, directory = study
    tool = TypingTool.build(model, X, max_questions=2, random_state=0)
    tool.save(tmp_path / "typing.json")
    _, from_tool = load_segmentation(tmp_path / "typing.json")
    _, from_model = load_segmentation(directory / "model.json")
    assert from_tool.version == from_model.version and len(from_tool.version) == 12
    saved = json.loads((tmp_path / "typing.json").read_text())["tool"]["model"]["created"]
    assert from_tool.date == saved


@pytest.mark.parametrize("extra, message", [
    (["--email-column", "mail"], "--email-column: no column 'mail'"),
    (["--id-column", "cid"], "--id-column: no column 'cid'"),
    (["--id-column", "email", "--email-column", "email"], "raw addresses would be written"),
    (["--email-column", "email", "--strict"], "5 e-mail addresses are empty or malformed"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(study, tmp_path, extra, message, capsys):
    _, _, _, directory = study
    out = tmp_path / "segments.csv"
    code, output = _assign(capsys, directory, *extra, "--out", str(out))
    assert code == 2 and output.count("\n") == 1, output
    assert message in output and "Traceback" not in output
    assert not out.exists()


def test_unknown_format_and_foreign_files_are_refused(study, tmp_path, capsys):
    X, _, _, directory = study
    code, output = _assign(capsys, directory, "--out", str(tmp_path / "segments.xlsx"))
    assert code == 2 and "unknown segment file format '.xlsx'" in output
    document = json.loads((directory / "personas.json").read_text())
    document["version"] = 99
    (tmp_path / "old.json").write_text(json.dumps(document))
    code, output = _assign(capsys, directory, "--personas", str(tmp_path / "old.json"),
                     "--out", str(tmp_path / "s.csv"))
    assert code == 2 and "version 99 is not supported" in output
    model_document = json.loads((directory / "model.json").read_text())
    model_document["format_version"] = "9.0"
    (tmp_path / "model9.json").write_text(json.dumps(model_document))
    (tmp_path / "customers.csv").write_text((directory / "customers.csv").read_text())
    code, output = _assign(capsys, tmp_path, "--out", tmp_path / "s.csv", model="model9.json")
    assert code == 2 and "9.0 is not supported" in output
    other = build_personas(KPrototypes(2, n_init=1, random_state=0).fit(X), X)
    save_personas(other, tmp_path / "two.json")
    code, output = _assign(capsys, directory, "--personas", str(tmp_path / "two.json"),
                     "--out", str(tmp_path / "s.csv"))
    assert code == 2 and "another segmentation" in output
    assert not (tmp_path / "s.csv").exists()


def test_segment_file_is_the_library_entry_point(study, tmp_path):
    X, _, personas, directory = study
    assigner, stamp = load_segmentation(directory / "model.json")
    membership = assigner.membership(X)
    ids = pd.Series(np.arange(len(X)) + 100, name="customer")
    table = segment_file(membership, ids, stamp, personas=personas)
    assert table["customer"].tolist() == ids.tolist()
    with pytest.raises(UserError, match="12 identifiers for 400"):
        segment_file(membership, ids[:12], stamp)
    with pytest.raises(UserError, match="unknown segment file format"):
        write_segment_file(table, tmp_path / "segments.txt")
