"""The study store on SQLite and PostgreSQL: creating, opening, adding waves, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa
from _pgcluster import new_database
from _planted import planted_wave

from dash_personas.tracking import SCHEMA_VERSION, Study
from survey_builder.errors import UserError


@pytest.fixture
def study(study_target, segmentation):
    model, personas, _ = segmentation
    with Study.create(study_target, model=model, personas=personas,
                      codebook={"questions": []}) as created:
        yield created


def snapshot(target):
    """Every row of every table, to prove a failed operation changed nothing."""
    url = target if "://" in target else f"sqlite:///{target}"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            names = sa.inspect(connection).get_table_names()
            return {name: sorted(map(tuple, connection.execute(
                sa.text(f"SELECT * FROM {name}")).all()), key=repr) for name in names}
    finally:
        engine.dispose()


def test_create_then_open_keeps_the_segmentation(study, study_target, segmentation):
    model, personas, _ = segmentation
    assert study.schema_version == SCHEMA_VERSION
    with Study.open(study_target) as reopened:
        [info] = reopened.segmentations
        assert info.version == 1 and info.parent_version is None
        assert info.personas == [p.name for p in sorted(personas, key=lambda p: p.segment)]
        assert reopened.codebook == {"questions": []}
        assert reopened.waves == []
        X, _ = planted_wave([1, 1, 1], 50, seed=3)
        features = X.drop(columns="respondent_id")
        np.testing.assert_array_equal(reopened.model().predict(features),
                                      model.predict(features))
        assert reopened.personas().to_json() == personas.to_json()


def test_respondents_carry_no_per_row_foreign_key_on_postgresql(study, study_target):
    """PostgreSQL's per-row trigger tripled the COPY of a wave; SQLite keeps its check."""
    url = study_target if "://" in study_target else f"sqlite:///{study_target}"
    study.add_wave(planted_wave([1, 1, 1], 30, seed=5)[0], label="W1")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            keys = sa.inspect(connection).get_foreign_keys("respondents")
            dialect = connection.dialect.name
    finally:
        engine.dispose()
    assert [key["referred_table"] for key in keys] == ([] if dialect == "postgresql"
                                                        else ["waves"])
    assert study.respondents("W1").shape[0] == 30


def test_ids_of_any_length_and_script_are_stored_exactly(study, segmentation):
    """PostgreSQL receives the rows in binary COPY, one layout per id length in bytes."""
    model, _, _ = segmentation
    X, _ = planted_wave([1, 1, 1], 240, seed=6)
    pool = ["7", "r-12", "Zoë-ü", "顧客-0042", "x" * 190, "a b,c\"d", "line\\n", "Ω"]
    X["respondent_id"] = [f"{pool[i % len(pool)]}{i}"[:200] for i in range(len(X))]
    weights = np.linspace(0.25, 4.0, len(X))
    study.add_wave(X.assign(w=weights), label="W1", weight="w")
    stored = study.respondents("W1").set_index("respondent_id")
    assert sorted(stored.index) == sorted(X["respondent_id"])
    stored = stored.loc[X["respondent_id"]]
    features = X.drop(columns="respondent_id")
    np.testing.assert_array_equal(stored["segment"], model.predict(features))
    np.testing.assert_array_equal(stored["weight"], weights)  # doubles, bit for bit
    distances = model.transform(features).min(axis=1)
    np.testing.assert_allclose(stored["distance"], distances, rtol=1e-12)


def test_a_version_2_postgresql_study_loses_the_foreign_key_on_opening(postgres_server,
                                                                       segmentation):
    model, personas, _ = segmentation
    target = new_database(postgres_server)
    Study.create(target, model=model, personas=personas).close()
    engine = sa.create_engine(target)
    with engine.begin() as connection:  # what schema versions 2 and 3 created
        connection.execute(sa.text(
            "ALTER TABLE respondents ADD FOREIGN KEY (wave_id) REFERENCES waves (id)"))
        connection.execute(sa.text("DELETE FROM schema_migrations WHERE version = 4"))
    with engine.connect() as connection:
        assert len(sa.inspect(connection).get_foreign_keys("respondents")) == 1
    with Study.open(target) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
    with engine.connect() as connection:
        assert sa.inspect(connection).get_foreign_keys("respondents") == []
    engine.dispose()


def test_add_wave_stores_each_respondents_assignment(study, segmentation):
    model, _, _ = segmentation
    X, _ = planted_wave([1, 2, 1], 300, seed=4)
    X["respondent_id"] = [f"r{i:04d}" for i in range(len(X))][::-1]
    info = study.add_wave(X, label="2026-Q1", date="2026-03-31")
    assert (info.label, info.date, info.n, info.segmentation_version) == (
        "2026-Q1", "2026-03-31", 300, 1)
    stored = study.respondents("2026-Q1").set_index("respondent_id").loc[X["respondent_id"]]
    features = X.drop(columns="respondent_id")
    np.testing.assert_array_equal(stored["segment"], model.predict(features))
    distances = model.transform(features)
    np.testing.assert_allclose(stored["distance"], distances.min(axis=1))
    second = np.sort(distances, axis=1)[:, 1]
    np.testing.assert_allclose(stored["confidence"],
                               (second - distances.min(axis=1)) / second)
    assert (stored["weight"] == 1).all()
    assert [w.label for w in study.waves] == ["2026-Q1"]


def test_weights_are_stored_and_checked(study):
    X, _ = planted_wave([1, 1, 1], 100, seed=5)
    X["w"] = np.linspace(0.5, 1.5, len(X))
    study.add_wave(X, label="w1", weight="w")
    stored = study.respondents("w1").set_index("respondent_id")["weight"]
    expected = X.set_axis(X["respondent_id"].astype(str))["w"]
    np.testing.assert_allclose(stored.loc[expected.index], expected)
    X2 = X.assign(w=-1.0, respondent_id=X["respondent_id"] + 1000)
    with pytest.raises(UserError, match="weights must be finite"):
        study.add_wave(X2, label="w2", weight="w")


@pytest.mark.parametrize("change, message", [
    (lambda X: X.drop(columns="cat_1"), r"missing 'cat_1'"),
    (lambda X: X.assign(extra=1), r"not in the study 'extra'"),
    (lambda X: X.rename(columns={"num_2": "num_two"}),
     r"was 'num_2' renamed to 'num_two'"),
    (lambda X: X.assign(cat_0=X["cat_0"].replace({"a": "z"})), r"cat_0: levels not in the "
                                                              r"study: 'z'"),
    (lambda X: X.assign(num_0="high"), r"num_0: expected numbers"),
    (lambda X: X.assign(respondent_id=1), r"respondent ids are not unique: '1'"),
])
def test_a_bad_wave_is_refused_and_changes_nothing(study, study_target, change, message):
    X, _ = planted_wave([1, 1, 1], 120, seed=6)
    study.add_wave(X, label="base")
    before = snapshot(study_target)
    with pytest.raises(UserError, match=message):
        study.add_wave(change(X.assign(respondent_id=X["respondent_id"])), label="next")
    assert snapshot(study_target) == before


def test_duplicate_and_unknown_labels(study, study_target):
    X, _ = planted_wave([1, 1, 1], 80, seed=7)
    study.add_wave(X, label="2026-Q1")
    before = snapshot(study_target)
    with pytest.raises(UserError, match="already has a wave '2026-Q1'"):
        study.add_wave(X, label="2026-Q1")
    assert snapshot(study_target) == before
    with pytest.raises(UserError, match=r"no wave '2030-Q9' \(the study has '2026-Q1'\)"):
        study.report(wave="2030-Q9")
    with pytest.raises(UserError, match="not a date"):
        study.add_wave(X, label="later", date="31/03/2026")


def test_a_first_wave_without_the_model_columns_is_refused(study, study_target):
    X, _ = planted_wave([1, 1, 1], 60, seed=8)
    before = snapshot(study_target)
    with pytest.raises(UserError, match="lacks the segmentation's columns 'num_1'"):
        study.add_wave(X.drop(columns="num_1"), label="first")
    with pytest.raises(UserError, match="no respondent id column 'panel_id'"):
        study.add_wave(X, label="first", id_column="panel_id")
    assert snapshot(study_target) == before


def test_creating_over_an_existing_study_is_refused(study, study_target, segmentation):
    model, personas, _ = segmentation
    with pytest.raises(UserError, match="already"):
        Study.create(study_target, model=model, personas=personas)


def test_personas_of_another_model_are_refused(tmp_path, segmentation):
    from dash_personas import KPrototypes, build_personas

    model, _, _ = segmentation
    X, _ = planted_wave([1, 1], 100, seed=9)
    other = KPrototypes(2, random_state=0, n_init=1).fit(X.drop(columns="respondent_id"))
    with pytest.raises(UserError, match="segments \\[0, 1\\] but the model has 3"):
        Study.create(tmp_path / "s.db", model=model,
                     personas=build_personas(other, X.drop(columns="respondent_id")))
    assert not (tmp_path / "s.db").exists()


def test_a_newer_schema_is_refused(study, study_target):
    url = study_target if "://" in study_target else f"sqlite:///{study_target}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO schema_migrations (version, description, applied_at) "
            "VALUES (:v, 'from the future', '2031-01-01')"), {"v": SCHEMA_VERSION + 1})
    engine.dispose()
    with pytest.raises(UserError, match=f"schema version {SCHEMA_VERSION + 1}, newer than"):
        Study.open(study_target)


def test_what_is_not_a_study_is_refused(tmp_path, study_target):
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database at all\n")
    with pytest.raises(UserError, match="not a dash-personas study"):
        Study.open(text_file)
    with pytest.raises(UserError, match="no such study"):
        Study.open(tmp_path / "missing.db")
    if "://" in study_target:  # an empty PostgreSQL database
        with pytest.raises(UserError, match="not a dash-personas study"):
            Study.open(study_target)


def test_an_unreachable_postgresql_url_is_one_clear_error(postgres_server):
    port = int(postgres_server.rsplit(":", 1)[1])
    url = f"postgresql://postgres:secret@127.0.0.1:{port + 1 if port < 65535 else 1}/x"
    with pytest.raises(UserError, match="cannot reach the study database") as caught:
        Study.open(url, timeout=2)
    assert "secret" not in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_sqlite_study_is_in_wal_mode_and_other_files_are_left_alone(tmp_path, segmentation):
    import sqlite3

    model, personas, _ = segmentation
    Study.create(tmp_path / "study.db", model=model, personas=personas).close()
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(UserError, match="not a dash-personas study"):
        Study.open(other)
    for path, mode in ((tmp_path / "study.db", "wal"), (other, "delete")):
        connection = sqlite3.connect(path)
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == mode
        connection.close()


def test_the_study_api_is_exported_from_the_package():
    import dash_personas
    from dash_personas.tracking import StudyReport

    assert dash_personas.Study is Study and dash_personas.StudyReport is StudyReport
