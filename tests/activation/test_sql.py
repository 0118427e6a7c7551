"""The model as one SQL query: SQLite and PostgreSQL agree with `KPrototypes.predict`."""

import sqlite3
import warnings

import numpy as np
import pandas as pd
import pytest
from _pgcluster import new_database

from dash_personas.cli import main
from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes, model_to_sql
from survey_builder.errors import UserError

TABLE = 'wave "2" customers'
ORDER = ["low", "mid", "high"]


@pytest.fixture(scope="module")
def fitted():
    """A weighted model on awkwardly named mixed columns, and 400 held-out rows to assign
    with missing values, unseen levels and an ordered category."""
    X, _ = make_mixed_blobs(1000, n_numeric=3, n_categorical=3, n_clusters=4, separation=2.0,
                            missing_rate=0.1, random_state=3)
    X = X.rename(columns={"num_0": 'spend "EUR"', "cat_0": "o'clock channel"})
    rng = np.random.default_rng(1)
    X["loyalty"] = pd.Categorical(rng.choice(ORDER, len(X)), categories=ORDER, ordered=True)
    X["visits"] = rng.integers(0, 9, len(X))  # integer column: the CAST matters in SQLite
    for name in ["o'clock channel", "cat_1", "cat_2"]:
        X[name] = X[name].astype(str).where(X[name].notna(), None)
    train, new = X.iloc[:600], X.iloc[600:].reset_index(drop=True)
    model = KPrototypes(4, n_init=2, random_state=0,
                        categorical=["o'clock channel", "cat_1", "cat_2"],  # loyalty: ordinal
                        weights={'spend "EUR"': 2.0, "cat_1": 0.5, "num_2": 0.0}).fit(train)
    assert model.encoder_.ordered_levels_ == {"loyalty": ORDER}
    new = new.copy()
    new.loc[::17, "cat_1"] = "never seen"
    new.loc[::23, "o'clock channel"] = "it's new"
    new.loc[::29, "loyalty"] = np.nan
    new.insert(0, "customer id", [f"c-{i}" for i in range(len(new))])
    return model, new


def _table(frame):
    """The rows as a database holds them: categories as text, missing values as NULL."""
    table = frame.copy()
    table["loyalty"] = table["loyalty"].astype(object).where(table["loyalty"].notna(), None)
    return table


def _expected(model, frame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # unseen levels, on purpose
        return model.predict(frame.drop(columns="customer id"))


def _agreement(model, frame, rows, record_property):
    got = pd.DataFrame(rows, columns=["customer id", "segment"]).set_index("customer id")
    got = got.loc[frame["customer id"], "segment"].to_numpy()
    share = float(np.mean(got == _expected(model, frame)))
    print(f"SQL agrees with predict on {share:.1%} of {len(frame)} rows")
    record_property("sql_agreement_with_predict", share)
    return share


def test_sqlite_agrees_with_predict_on_every_row(fitted, record_property):
    model, new = fitted
    query = model_to_sql(model, TABLE, id_column="customer id")
    with sqlite3.connect(":memory:") as connection:
        _table(new).to_sql(TABLE, connection, index=False)
        rows = connection.execute(query).fetchall()
    assert len(rows) == len(new)
    assert _agreement(model, new, rows, record_property) == 1.0


def test_postgresql_agrees_with_predict_on_every_row(fitted, postgres_server, record_property):
    import psycopg
    import sqlalchemy

    model, new = fitted
    url = new_database(postgres_server)
    engine = sqlalchemy.create_engine(url)
    try:
        _table(new).to_sql(TABLE, engine, index=False)
    finally:
        engine.dispose()
    query = model_to_sql(model, TABLE, id_column="customer id")
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        rows = connection.execute(query).fetchall()
    assert len(rows) == len(new)
    assert _agreement(model, new, rows, record_property) == 1.0


def test_ties_go_to_the_lowest_segment_and_empty_rows_to_null():
    X = pd.DataFrame({"colour": ["red", "blue", "red", "blue", "green", "green"]})
    model = KPrototypes(2, n_init=1, random_state=0).fit(X)
    query = model_to_sql(model, "t")
    # an unseen level mismatches every prototype: a tie, whichever levels were chosen
    new = pd.DataFrame({"id": [1, 2, 3], "colour": ["purple", None, "red"]})
    with sqlite3.connect(":memory:") as connection:
        new.to_sql("t", connection, index=False)
        rows = dict(connection.execute(query).fetchall())
    assert rows[1] == model.predict(new[["colour"]].iloc[[0]])[0] == 0  # the tie goes to segment 0
    assert rows[2] is None
    assert rows[3] == model.predict(new[["colour"]].iloc[[2]])[0]


def test_names_are_quoted_so_user_text_cannot_inject_sql():
    X = pd.DataFrame({'x"; DROP TABLE t; --': [0.0, 1.0, 5.0, 6.0],
                      "kind": ["a'); DROP TABLE t; --", "b", "a'); DROP TABLE t; --", "b"]})
    model = KPrototypes(2, n_init=1, random_state=0).fit(X)
    query = model_to_sql(model, "t", id_column="id")
    new = X.assign(id=range(4))
    with sqlite3.connect(":memory:") as connection:
        new.to_sql("t", connection, index=False)
        rows = dict(connection.execute(query).fetchall())
        assert connection.execute("SELECT count(*) FROM t").fetchone()[0] == 4
    np.testing.assert_array_equal([rows[i] for i in range(4)], model.predict(X))
    with pytest.raises(UserError, match="cannot be called 'segment'"):
        model_to_sql(model, "t", id_column="segment")


def run_main(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return exit_info.value.code or 0, captured.out + captured.err


def test_cli_export_writes_the_query_and_refuses_bad_input(fitted, tmp_path, capsys):
    model, _ = fitted
    model.save(tmp_path / "model.json")
    out = tmp_path / "assign.sql"
    code, output = run_main(["export", tmp_path / "model.json", "--format", "sql", "--table",
                             TABLE, "--id-column", "customer id", "--out", out], capsys)
    assert code == 0, output
    assert out.read_text() == model_to_sql(model, TABLE, id_column="customer id")
    code, output = run_main(["export", tmp_path / "model.json", "--format", "sql", "--out",
                             tmp_path / "x.sql"], capsys)
    assert code == 2 and "--table" in output and not (tmp_path / "x.sql").exists()
    code, output = run_main(["export", tmp_path / "model.json", "--format", "cobol",
                             "--table", "t", "--out", tmp_path / "x.sql"], capsys)
    assert code == 2 and "cobol" in output and not (tmp_path / "x.sql").exists()
    (tmp_path / "old.json").write_text(
        (tmp_path / "model.json").read_text().replace('"format_version": "1.1"',
                                                      '"format_version": "0.9"'))
    code, output = run_main(["export", tmp_path / "old.json", "--format", "sql", "--table",
                             "t", "--out", tmp_path / "x.sql"], capsys)
    assert code == 2 and "0.9 is not supported" in output and output.count("\n") == 1
    assert not (tmp_path / "x.sql").exists()


def test_a_typing_tools_query_reads_only_its_questions(fitted, tmp_path, capsys,
                                                      record_property):
    from dash_personas.segmentation import TypingTool

    model, new = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tool = TypingTool.build(model, new.drop(columns="customer id"), max_questions=3,
                                random_state=0)
        weighted = [q for q in tool.questions if q != "num_2"]  # num_2 weighs 0: not an answer
        answered = new[weighted].notna().any(axis=1).to_numpy()
        # the tool's rule: the other features are unobserved (built here rather than with
        # tool.predict, which reads an ordinal golden question as missing)
        asked = new.drop(columns="customer id")
        for name in asked.columns.difference(tool.questions):
            asked[name] = asked[name].where(np.zeros(len(asked), dtype=bool))
        expected = model.predict(asked[answered])
    tool.save(tmp_path / "typing.json")
    out = tmp_path / "assign.sql"
    code, output = run_main(["export", tmp_path / "typing.json", "--format", "sql", "--table",
                             "answers", "--id-column", "customer id", "--out", out], capsys)
    assert code == 0, output
    answers = _table(new)[["customer id", *tool.questions]]  # the other columns are absent
    with sqlite3.connect(":memory:") as connection:
        answers.to_sql("answers", connection, index=False)
        rows = dict(connection.execute(out.read_text()).fetchall())
    assert all(rows[i] is None for i in new.loc[~answered, "customer id"])  # predict refuses
    share = float(np.mean([rows[i] for i in new.loc[answered, "customer id"]] == expected))
    record_property("sql_typing_tool_agreement", share)
    assert share == 1.0
    with pytest.raises(UserError, match="no column 'nope'"):
        model_to_sql(model, "t", features=["nope"])
