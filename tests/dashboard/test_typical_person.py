"""The typical person: a combination of answers that one real member of the segment gave."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dash_personas.personas._typical import (
    MIN_COMBINATION_COUNT,
    MIN_COMBINATION_SHARE,
    typical_people,
)

COLUMNS = ["age", "education", "income", "tenure"]


def _members(frame, labels, segment):
    return {tuple(row) for row in frame[labels == segment][COLUMNS].itertuples(index=False)}


def test_the_most_common_combination_when_it_is_common():
    rng = np.random.default_rng(0)
    n = 400
    labels = np.arange(n) % 2
    frame = pd.DataFrame({c: np.array(list("abcd"))[rng.integers(0, 4, n)] for c in COLUMNS})
    common = (labels == 0) & (rng.random(n) < 0.3)
    frame.loc[common, COLUMNS] = ["a", "b", "c", "d"]
    people = typical_people(frame, COLUMNS, labels)
    assert people[0].rule == "combination"
    assert people[0].answers == dict(zip(COLUMNS, "abcd"))
    expected = ((frame[labels == 0][COLUMNS] == list("abcd")).all(axis=1)).mean()
    assert people[0].share == np.float64(expected)
    assert expected >= MIN_COMBINATION_SHARE


def test_independent_modes_can_describe_nobody_the_typical_person_cannot():
    """Each column's mode is 'x', but no member answered x, x: the modal answers
    describe nobody, the typical person is a real member's combination."""
    frame = pd.DataFrame({"age": ["x", "x", "y", "y", "x", "z"] * 3,
                          "education": ["y", "z", "x", "x", "z", "x"] * 3,
                          "income": ["x"] * 18, "tenure": ["x"] * 18})
    labels = np.zeros(18, dtype=int)
    modes = tuple(frame[c].mode().iloc[0] for c in COLUMNS)
    assert modes not in _members(frame, labels, 0)
    person = typical_people(frame, COLUMNS, labels)[0]
    assert tuple(person.answers[c] for c in COLUMNS) in _members(frame, labels, 0)


def test_sparse_combinations_fall_back_to_the_medoid_member():
    rng = np.random.default_rng(1)
    n = 300
    labels = rng.integers(0, 3, n)
    frame = pd.DataFrame({c: np.array([f"{c}{i}" for i in range(9)])[rng.integers(0, 9, n)]
                          for c in COLUMNS})
    frame.loc[::17, "income"] = None  # missing answers never count as an answer
    weights = rng.uniform(0.5, 2.0, n)
    people = typical_people(frame, COLUMNS, labels, weights)
    for segment, person in people.items():
        assert person.rule == "medoid"
        members = frame[labels == segment]
        # the medoid is a member: its answers all come from one row
        match = np.ones(len(members), dtype=bool)
        for column, answer in person.answers.items():
            match &= (members[column] == answer).to_numpy()
        assert match.any()
        # and no member's answers are more common in the segment (weighted)
        w = weights[labels == segment]
        best = max(_score(r, members, w) for _, r in members.iterrows())
        assert _score(members[match].iloc[0], members, w) == np.float64(best)


def _score(row, members, w):
    """Weighted count of the row's answers among the members (the medoid maximises it)."""
    return sum(w[(members[c] == row[c]).to_numpy()].sum() for c in COLUMNS if pd.notna(row[c]))


def test_a_combination_needs_enough_respondents():
    frame = pd.DataFrame({"age": ["a", "a", "b", "c"], "education": ["a", "a", "b", "c"],
                          "income": list("aabc"), "tenure": list("aabc")})
    person = typical_people(frame, COLUMNS, np.zeros(4, dtype=int))[0]
    assert MIN_COMBINATION_COUNT > 2 and person.rule == "medoid"
    assert person.answers == dict.fromkeys(COLUMNS, "a")
    assert person.share == 0.5


def test_personas_show_one_members_answers(survey_case):
    labels = survey_case.model.labels_
    scores = survey_case.scores
    for persona in survey_case.personas:
        assert persona.demographics and persona.typical_rule in ("combination", "medoid")
        members = scores[labels == persona.segment]
        match = np.ones(len(members), dtype=bool)
        for answer in persona.demographics:
            match &= (members[answer.feature].astype(str) == answer.level).to_numpy()
        assert match.sum() >= 1
        if persona.typical_rule == "combination":
            assert match.sum() >= MIN_COMBINATION_COUNT
