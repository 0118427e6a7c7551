"""MONIC transitions on hand-made label vectors: every case, the thresholds, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from dash_personas.tracking import segment_transitions
from survey_builder.errors import UserError


def labels(*groups):
    """Old and new labels from (old, new, count) groups of respondents."""
    old = np.concatenate([np.full(n, o) for o, _, n in groups])
    new = np.concatenate([np.full(n, y) for _, y, n in groups])
    return old, new


def kinds(transitions):
    return ([o.kind for o in transitions.old_segments],
            [o.kind for o in transitions.new_segments])


def test_an_unchanged_segmentation_renumbered_is_all_survived():
    old, new = labels((0, 2, 50), (1, 0, 30), (2, 1, 20))
    t = segment_transitions(old, new)
    assert kinds(t) == (["survived"] * 3, ["survived"] * 3)
    assert [o.new for o in t.old_segments] == [(2,), (0,), (1,)]
    assert t.survivors == {2: 0, 0: 1, 1: 2}
    assert [o.share for o in t.new_segments] == [0.3, 0.2, 0.5]


def test_survival_at_the_threshold_and_just_below():
    # 7 of 10 stay (0.7: survives); 69 of 100 stay (below: the rest spreads out)
    old, new = labels((0, 0, 7), (0, 1, 3), (1, 1, 20))
    assert segment_transitions(old, new).old_segments[0].kind == "survived"
    old, new = labels((0, 0, 69), (0, 1, 11), (0, 2, 10), (0, 3, 10), (1, 1, 200),
                      (2, 2, 200), (3, 3, 200))
    outcome = segment_transitions(old, new).old_segments[0]
    assert outcome.kind == "disappeared" and outcome.new == ()


def test_a_split_lists_its_parts_largest_first():
    old, new = labels((0, 0, 40), (0, 1, 55), (0, 2, 5), (1, 2, 100))
    t = segment_transitions(old, new)
    split = t.old_segments[0]
    assert split.kind == "split" and split.new == (1, 0)
    np.testing.assert_allclose(split.shares, [0.55, 0.40])
    assert kinds(t) == (["split", "survived"], ["split", "split", "survived"])
    assert t.new_segments[0].old == (0,)


def test_parts_must_each_reach_the_split_threshold_and_together_the_survival_one():
    # 0.5 + 0.25 + 0.25: one part below 0.3 and the two others 0.5 < 0.7 in total
    old, new = labels((0, 0, 50), (0, 1, 25), (0, 2, 25))
    assert segment_transitions(old, new).old_segments[0].kind == "disappeared"
    # a lower split threshold makes it a three-way split
    t = segment_transitions(old, new, split=0.2)
    assert t.old_segments[0].kind == "split" and t.old_segments[0].new == (0, 1, 2)


def test_two_segments_merged_into_one_that_is_mostly_neither():
    old, new = labels((0, 0, 50), (1, 0, 50), (2, 1, 40))
    t = segment_transitions(old, new)
    assert kinds(t) == (["merged", "merged", "survived"], ["merged", "survived"])
    assert t.new_segments[0].old == (0, 1)


def test_a_small_segment_absorbed_by_a_survivor():
    old, new = labels((0, 0, 90), (1, 0, 10), (2, 1, 40))
    t = segment_transitions(old, new)
    assert kinds(t) == (["survived", "merged", "survived"], ["survived", "survived"])
    assert t.old_segments[1].new == (0,)


def test_purity_decides_between_survived_and_merged():
    old, new = labels((0, 0, 60), (1, 0, 40), (1, 1, 5))
    assert segment_transitions(old, new).old_segments[0].kind == "survived"
    assert segment_transitions(old, new, purity=0.65).old_segments[0].kind == "merged"


def test_emerged_and_disappeared():
    # new 3 takes a fifth of old 0 and of old 1: it continues, absorbs and splits from none
    old, new = labels((0, 0, 80), (0, 3, 20), (1, 1, 80), (1, 3, 20), (2, 2, 100))
    t = segment_transitions(old, new)
    assert kinds(t) == (["survived"] * 3, ["survived", "survived", "survived", "emerged"])
    # old 1 spreads evenly over four new segments: no part reaches the split threshold
    old, new = labels((0, 0, 80), (0, 3, 20), (1, 1, 25), (1, 2, 25), (1, 3, 25), (1, 0, 25),
                      (2, 2, 100))
    t = segment_transitions(old, new)
    assert t.old_segments[1].kind == "disappeared"
    assert t.new_segments[3].kind == "emerged" and t.new_segments[1].kind == "emerged"


def test_an_empty_segment_disappears_or_emerges():
    t = segment_transitions([0, 0, 1], [0, 0, 1], n_old=3, n_new=4)
    assert kinds(t) == (["survived", "survived", "disappeared"],
                        ["survived", "survived", "emerged", "emerged"])


def test_weights_count_instead_of_heads():
    old, new = labels((0, 0, 6), (0, 1, 4), (1, 1, 10))
    assert segment_transitions(old, new).old_segments[0].kind == "split"  # 0.6 + 0.4
    weights = np.where((old == 0) & (new == 0), 2.0, 1.0)  # 12 of 16 = 0.75 stay
    outcome = segment_transitions(old, new, weights=weights).old_segments[0]
    assert outcome.kind == "survived" and outcome.shares == (0.75,)


def test_the_sentences_and_the_document():
    old, new = labels((0, 1, 82), (0, 2, 18), (1, 0, 45), (1, 2, 55), (2, 3, 10))
    t = segment_transitions(old, new, n_new=5)
    old_names = ["Busy Blake", "Sceptical Sam", "Tiny Tim"]
    new_names = ["Careful Cleo", "Busy Blake", "Doubting Dora", "Tim", "Newcomer Nia"]
    assert t.sentences(old_names, new_names) == [
        "Busy Blake survived (82 %)",
        "Sceptical Sam split into Doubting Dora (55 %) and Careful Cleo (45 %)",
        "Tiny Tim survived as Tim (100 %)",
        "Newcomer Nia emerged (0 % of respondents)",
    ]
    document = t.to_dict(old_names, new_names)
    assert document["thresholds"] == {"survival": 0.7, "split": 0.3, "purity": 0.5}
    assert "70 %" in document["rule"] and "30 %" in document["rule"]
    assert document["old_segments"][1]["new_personas"] == ["Doubting Dora", "Careful Cleo"]
    assert document["new_segments"][2]["old_personas"] == ["Sceptical Sam"]


@pytest.mark.parametrize("kwargs, message", [
    ({"old_labels": [0, 1], "new_labels": [0]}, "has 2 respondents but new_labels 1"),
    ({"old_labels": [0, -1], "new_labels": [0, 0]}, "segment numbers >= 0"),
    ({"old_labels": [0.5, 1], "new_labels": [0, 0]}, "segment numbers >= 0"),
    ({"old_labels": [0, 1], "new_labels": [0, 0], "split": 0.8}, "0 < split < survival"),
    ({"old_labels": [0, 1], "new_labels": [0, 0], "purity": 0.4}, "purity must be"),
    ({"old_labels": [0, 1], "new_labels": [0, 0], "weights": [1, -1]}, "weights must be"),
    ({"old_labels": [0, 3], "new_labels": [0, 0], "n_old": 2}, "not below the number"),
])
def test_bad_input_is_a_user_error(kwargs, message):
    with pytest.raises(UserError, match=message):
        segment_transitions(**kwargs)
