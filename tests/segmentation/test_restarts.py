"""Restarts you can trust: runs reach their local optimum, and the restart report."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import KPrototypes, RestartReport, RestartsDisagreeWarning
from dash_personas.segmentation._restarts import (
    adjusted_rand_index,
    restart_report,
    restarts_to_polish,
    warn_if_restarts_disagree,
)


@pytest.fixture(scope="module")
def hard_data():
    """Overlapping segments: the old ``tol=1e-4`` stopped here while rows still moved."""
    X, _ = make_mixed_blobs(4_000, n_numeric=6, n_categorical=6, n_clusters=5, separation=0.5,
                            concentration=0.3, random_state=1)
    return X


@pytest.fixture(scope="module")
def six_restarts(hard_data):
    """Six restarts from the same seeds at the default tol and at tol=0."""
    return {tol: KPrototypes(5, n_init=6, tol=tol, random_state=3).fit(hard_data)
            for tol in (1e-4, 0.0)}


def _costs_from_labels(model: KPrototypes, X, labels: np.ndarray) -> tuple[float, float]:
    """Cost of ``labels`` with their own means/modes, and after one more Lloyd pass."""
    prepared = model.distance_.prepare(model.encoder_.transform(X))
    k = model.n_clusters
    stats = prepared.stats_for_labels(labels.astype(np.int32), k)
    centres = prepared.update_centers(stats, model.prototypes_)
    distances = model.distance_.to_prototypes(prepared, centres)
    own = float(distances[np.arange(len(labels)), labels].sum())
    return own, float(distances.min(axis=1).sum())


def _one_more_pass_cost(model: KPrototypes, X) -> float:
    return _costs_from_labels(model, X, model.labels_)[1]


@pytest.mark.parametrize("params", [{"n_init": 1}, {"n_init": 3}, {"n_init": 3, "tol": 1e-3}])
def test_the_kept_run_ends_where_no_row_would_move(hard_data, params):
    model = KPrototypes(5, random_state=0, **params).fit(hard_data)
    np.testing.assert_array_equal(model.predict(hard_data), model.labels_)
    assert _one_more_pass_cost(model, hard_data) >= model.cost_ * (1 - 1e-12)
    assert model.n_iter_ < model.max_iter
    assert len(model.cost_history_) == model.n_iter_
    assert np.all(np.diff(model.cost_history_) <= 1e-9 * model.cost_)


def test_the_kept_run_continues_where_tol_stopped_it(hard_data):
    """The control: stopping on ``tol`` alone leaves rows that would still move here."""
    from dash_personas.segmentation._lloyd import lloyd, run_to_optimum

    model = KPrototypes(5, n_init=1, random_state=0).fit(hard_data)
    prepared = model.distance_.prepare(model.encoder_.transform(hard_data))
    start = prepared.row_as_center(np.arange(5))
    early = lloyd(prepared, start, 100, 1e-4, False, 0, 1)
    assert not early.at_optimum and early.n_iter > 1  # tol never stops the first pass
    stats = prepared.stats_for_labels(early.labels, 5)
    after = model.distance_.to_prototypes(prepared, prepared.update_centers(
        stats, early.prototypes)).min(axis=1).sum()
    assert after < early.cost * (1 - 1e-9)  # one more pass would lower the cost
    full = lloyd(prepared, start, 100, 0.0, False, 0, 1)
    assert full.at_optimum and full.cost < early.cost
    # tol screens the restarts; the kept one runs on from exactly that point
    continued = run_to_optimum(prepared, early, 100, False, 0, 1)
    assert continued.at_optimum
    np.testing.assert_array_equal(continued.labels, full.labels)
    assert continued.cost == pytest.approx(full.cost, rel=1e-12)
    assert continued.n_iter == full.n_iter
    assert continued.cost_history[: early.n_iter] == early.cost_history


@pytest.mark.parametrize("tol", [1e-4, 0.0])
def test_the_restart_report_matches_a_recomputation(hard_data, six_restarts, tol):
    model = six_restarts[tol]
    assert KPrototypes().tol == 1e-4  # the default
    report = model.restarts_
    assert isinstance(report, RestartReport)
    assert report.costs.shape == report.n_iter.shape == report.at_optimum.shape == (6,)
    assert report.best == int(np.argmin(report.costs))
    assert report.best_cost == model.cost_ == report.costs.min()
    assert report.n_iter[report.best] == model.n_iter_ and report.at_optimum[report.best]
    # tol=0: every restart ran to its optimum; the default: the cheapest two (distinct)
    assert report.at_optimum.sum() == (6 if tol == 0 else 2)
    assert report.cost_spread == pytest.approx(
        (report.costs.max() - report.costs.min()) / report.costs.min(), rel=1e-12)
    np.testing.assert_array_equal(report.top, np.argsort(report.costs, kind="stable")[:5])
    np.testing.assert_array_equal(report.top_labels[0], model.labels_)
    for position, restart in enumerate(report.top):
        own, after = _costs_from_labels(model, hard_data, report.top_labels[position])
        if report.at_optimum[restart]:
            # a fixed point whose cost is the one reported for it
            assert own == pytest.approx(report.costs[restart], rel=1e-9)
            assert after >= own * (1 - 1e-12)
        else:  # stopped by tol: the reported cost is above what its labels' means give
            assert own <= report.costs[restart] * (1 + 1e-12)
    for position in range(1, len(report.top)):
        assert report.top_ari[position - 1] == pytest.approx(
            adjusted_rand_score(report.top_labels[0], report.top_labels[position]), abs=1e-12)
        assert report.top_cost_gap[position - 1] == pytest.approx(
            report.costs[report.top[position]] / report.best_cost - 1, abs=1e-15)


def test_the_restarts_run_on_to_their_optimum_are_those_of_tol_0(six_restarts):
    """From a tol stop a restart continues on the path tol=0 takes: same passes, same end."""
    screened, exact = six_restarts[1e-4].restarts_, six_restarts[0.0].restarts_
    reached = np.flatnonzero(screened.at_optimum)
    np.testing.assert_allclose(screened.costs[reached], exact.costs[reached], rtol=1e-12)
    np.testing.assert_array_equal(screened.n_iter[reached], exact.n_iter[reached])
    others = np.flatnonzero(~screened.at_optimum)
    assert others.size and (screened.costs[others] > exact.costs[others]).all()
    assert (screened.n_iter[others] < exact.n_iter[others]).all()


def test_a_runner_up_that_overtakes_once_at_its_optimum_is_kept(hard_data, monkeypatch):
    """With random_state=3 the second cheapest restart at the tol stop ends cheaper (a
    fixed gamma rule, so that the case does not move with the ``"auto"`` rule)."""
    import dash_personas.segmentation._restarts as restarts

    default = KPrototypes(5, n_init=6, gamma="lambdaest", random_state=3).fit(hard_data)
    monkeypatch.setattr(restarts, "N_POLISHED", 1)
    only_cheapest = KPrototypes(5, n_init=6, gamma="lambdaest", random_state=3).fit(hard_data)
    assert default.restarts_.best != only_cheapest.restarts_.best
    assert default.cost_ < only_cheapest.cost_ * (1 - 1e-7)
    np.testing.assert_array_equal(default.predict(hard_data), default.labels_)


def test_restarts_to_polish_takes_the_cheapest_distinct_ones_within_the_tie_band():
    # the cheapest; 100.0 + 1e-8 ties with it (the same segmentation); 100.05 is next
    assert restarts_to_polish([100.05, 100.0, 100.0 + 1e-8, 100.08]) == [1, 0]
    assert restarts_to_polish([100.0, 100.2]) == [0]  # 0.2 % dearer: a worse optimum
    assert restarts_to_polish([100.0, 100.0, 100.0]) == [0]
    assert restarts_to_polish([5.0]) == [0]
    assert restarts_to_polish([0.0, 0.0]) == [0]


def test_one_restart_gives_a_report_without_runners_up(hard_data):
    model = KPrototypes(5, n_init=1, random_state=0).fit(hard_data)
    report = model.restarts_
    assert report.costs.tolist() == [model.cost_]
    assert report.top_ari.size == 0 and report.cost_spread == 0.0 and report.stable


def test_restarts_that_tie_on_cost_but_disagree_warn_naming_the_remedy():
    # barely separated: many equally good segmentations
    X, _ = make_mixed_blobs(3_000, n_numeric=3, n_categorical=5, n_clusters=8, separation=0.2,
                            concentration=0.1, random_state=0)
    with pytest.warns(RestartsDisagreeWarning, match=r"best restarts disagree.*raise n_init"):
        # (a fixed gamma and seed: which restarts tie depends on both; with
        # random_state=0 the closest disagreeing runner-up is 0.5% dearer)
        model = KPrototypes(8, gamma="lambdaest", n_init=8, random_state=1).fit(X)
    assert not model.restarts_.stable
    assert (model.restarts_.top_ari[model.restarts_.disagreeing - 1] < 0.9).all()


def test_planted_segments_give_agreeing_restarts_and_no_warning():
    X, _ = make_mixed_blobs(1_500, n_numeric=4, n_categorical=4, n_clusters=3, separation=4.0,
                            concentration=0.8, random_state=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RestartsDisagreeWarning)
        model = KPrototypes(3, n_init=5, random_state=0).fit(X)
    assert model.restarts_.stable
    assert (model.restarts_.top_ari[model.restarts_.top_cost_gap <= 1e-3] >= 0.9).all()


def _labels(pattern: list[int], repeat: int = 10) -> np.ndarray:
    return np.repeat(np.array(pattern), repeat)


def test_only_equally_cheap_restarts_that_disagree_count():
    same = _labels([0, 1, 2, 0, 1, 2])
    other = _labels([0, 0, 1, 1, 2, 2])
    # the different solution costs 1 % more: a worse local optimum, not a tie
    report = restart_report([100.0, 101.0, 100.0], [3, 4, 5], [same, other, same.copy()])
    assert report.stable
    np.testing.assert_array_equal(report.top, [0, 2, 1])
    np.testing.assert_allclose(report.top_cost_gap, [0.0, 0.01])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_restarts_disagree(report, 3)
    tied = restart_report([100.0, 100.05], [3, 4], [same, other])
    assert tied.disagreeing.tolist() == [1]
    with pytest.warns(RestartsDisagreeWarning, match=r"restart 2 of 2 costs within 0\.050%.*"
                                                     r"n_init=50"):
        warn_if_restarts_disagree(tied, 2)


@pytest.mark.parametrize("seed", range(4))
def test_adjusted_rand_index_matches_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 1 + seed * 2, 200)
    b = np.where(rng.random(200) < 0.7, a, rng.integers(0, 4, 200))
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_score(a, b), abs=1e-12)
    assert adjusted_rand_index(a, a) == pytest.approx(1.0)
    assert adjusted_rand_index(np.arange(50), np.arange(50)) == adjusted_rand_score(
        np.arange(50), np.arange(50))


def test_the_passes_run_with_one_blas_thread_and_the_callers_setting_comes_back(
        hard_data, monkeypatch):
    """The passes' products are small: BLAS threads only add synchronisation there,
    and with one thread the result no longer depends on the number of cores."""
    from threadpoolctl import threadpool_info, threadpool_limits

    import dash_personas.segmentation._kprototypes as kprototypes

    def blas_threads():
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    seen, real_lloyd = [], kprototypes.lloyd

    def recording_lloyd(*args, **kwargs):
        seen.append(blas_threads())
        return real_lloyd(*args, **kwargs)

    monkeypatch.setattr(kprototypes, "lloyd", recording_lloyd)
    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        one = KPrototypes(5, n_init=2, random_state=0).fit(hard_data)
        assert blas_threads() == before  # the caller's setting is restored
    assert seen and all(threads == {1} for threads in seen)
    with threadpool_limits(limits=1, user_api="blas"):
        other = KPrototypes(5, n_init=2, random_state=0).fit(hard_data)
    np.testing.assert_array_equal(one.labels_, other.labels_)
    assert one.cost_ == other.cost_
