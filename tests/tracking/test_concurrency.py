"""add-wave is one transaction: a killed writer leaves nothing; two writers never mix."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest
from _planted import planted_wave

from dash_personas.tracking import Study, _study
from survey_builder.errors import UserError

# fork: the writer starts with the modules already imported, in milliseconds
CONTEXT = multiprocessing.get_context("fork")


def _write(target: str, scores: str, label: str, pause: float, inserted, done) -> None:
    """The writer process: add a wave, pausing between the insert and the commit."""
    insert = _study._insert_respondents

    def insert_then_pause(*args, **kwargs):
        insert(*args, **kwargs)
        inserted.set()
        time.sleep(pause)

    _study._insert_respondents = insert_then_pause
    with Study.open(target) as study:
        study.add_wave(scores, label=label)
    done.set()


def start_writer(target: str, scores: Path, label: str, pause: float):
    """Start a writer process; return once it has inserted its rows (uncommitted)."""
    inserted, done = CONTEXT.Event(), CONTEXT.Event()
    process = CONTEXT.Process(target=_write, args=(target, str(scores), label, pause,
                                                   inserted, done))
    process.start()
    if not inserted.wait(timeout=60):
        process.kill()
        pytest.fail("the writer did not reach its pause")
    return process, done


@pytest.fixture
def study_with_a_wave(study_target, segmentation, tmp_path):
    model, personas, _ = segmentation
    with Study.create(study_target, model=model, personas=personas) as study:
        first, _ = planted_wave([1, 1, 1], 300, seed=31)
        study.add_wave(first, label="W1")
    second, _ = planted_wave([1, 2, 1], 400, seed=32)
    scores = tmp_path / "second.csv"
    second.to_csv(scores, index=False)
    return study_target, scores


def test_a_writer_killed_midway_leaves_the_study_as_it_was(study_with_a_wave):
    target, scores = study_with_a_wave
    with Study.open(target) as study:
        before = study.report().to_dict()
    writer, done = start_writer(target, scores, "W2", pause=60)
    os.kill(writer.pid, signal.SIGKILL)
    writer.join(timeout=30)
    assert writer.exitcode == -signal.SIGKILL and not done.is_set()
    with Study.open(target) as study:
        assert [w.label for w in study.waves] == ["W1"]
        assert study.report().to_dict() == before
        with pytest.raises(UserError, match="no wave 'W2'"):
            study.respondents("W2")
        # and the interrupted wave can simply be added again
        assert study.add_wave(scores, label="W2").n == 400
        assert len(study.respondents("W2")) == 400


def test_a_second_writer_waits_or_fails_clearly(study_with_a_wave, tmp_path):
    target, scores = study_with_a_wave
    third, _ = planted_wave([2, 1, 1], 200, seed=33, ids=range(5000, 5200))
    writer, done = start_writer(target, scores, "W2", pause=1.5)
    try:
        with Study.open(target, timeout=0.2) as impatient, \
                pytest.raises(UserError, match="locked by another writer") as caught:
            impatient.add_wave(third, label="W3-early")
        assert "\n" not in str(caught.value)
        with Study.open(target, timeout=30) as patient:
            patient.add_wave(third, label="W3")
        writer.join(timeout=30)
        assert writer.exitcode == 0 and done.is_set()
    finally:
        writer.kill()
    with Study.open(target) as study:
        assert [(w.label, w.n) for w in study.waves] == [("W1", 300), ("W2", 400), ("W3", 200)]
        assert [len(study.respondents(label)) for label in ("W1", "W2", "W3")] == [300, 400, 200]
