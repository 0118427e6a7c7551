"""Choosing k: the evidence table, the recommendation rule and the pairwise distance."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from dash_personas.datasets import make_mixed_blobs
from dash_personas.segmentation import (
    KPrototypes,
    KSelection,
    pairwise_kprototypes_distances,
    select_k,
)

COLUMNS = ["cost", "bic", "bic_step", "partition_bic", "silhouette", "cindex", "mcclain_rao",
           "dunn", "ptbiserial", "gamma_index", "g_plus", "tau", "prediction_strength",
           "min_jaccard", "stability", "smallest_share", "eligible"]


@pytest.fixture(scope="module")
def planted3():
    return make_mixed_blobs(300, n_clusters=3, separation=4.0, random_state=3)


@pytest.fixture(scope="module")
def selection(planted3):
    X, _ = planted3
    calls = []
    table = select_k(X, range(2, 6), n_init=3, n_bootstrap=3, random_state=0,
                     progress=lambda done, total: calls.append((done, total)))
    return table, calls


def test_table_layout(selection):
    table, _ = selection
    assert isinstance(table, KSelection)
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == COLUMNS
    assert list(table.index) == [2, 3, 4, 5]
    assert table.index.name == "k"
    assert table["eligible"].dtype == bool
    assert (table["cost"].diff().dropna() < 0).all()  # more segments, lower cost
    assert table["silhouette"].between(-1, 1).all()
    assert table["stability"].between(-1, 1).all()
    assert table["prediction_strength"].between(0, 1).all()
    assert table["min_jaccard"].between(0, 1).all()
    assert table["cindex"].between(0, 1).all()
    assert table["gamma_index"].between(-1, 1).all()
    assert (table["bic"] > 0).all()
    assert table["smallest_share"].between(0, 1).all()
    assert (table["mcclain_rao"] > 0).all()
    assert (table["dunn"] >= 0).all()


def test_recommends_the_planted_k(selection):
    table, _ = selection
    assert table.recommended_k in table.index
    assert table.recommended_k == 3
    assert table.best_by("bic") == 3
    assert "BIC" in table.rule and "prediction strength" in table.rule
    assert table.loc[3, "prediction_strength"] >= 0.8
    assert table.loc[3, "stability"] == pytest.approx(1.0)
    assert len(table.segment_jaccard[3]) == 3
    # confidence: the runner-up and the BIC margin, in the table and in words
    assert table.runner_up_k in table.index
    assert table.runner_up_k != 3
    assert table.margin == pytest.approx(table.loc[table.runner_up_k, "bic"]
                                         - table.loc[3, "bic"])
    assert table.margin > 10 and table.confidence == "very strong"
    assert f"runner-up k={table.runner_up_k}" in table.rule
    # the lowest BIC, and no elbow before it: the step to k=3 buys a large share
    assert table.lowest_bic_k == 3
    steps = table["bic_step"]
    assert steps[2] + steps[3] == pytest.approx(1.0)  # shares of the gain over one segment
    assert steps[3] >= table.min_bic_step > steps[4]
    assert table.one_segment_bic > table.loc[2, "bic"]
    assert table.rule.startswith("lowest latent-class BIC")
    # a clear minimum is named only when the next k is worse by at least min_bic_step
    assert ("a clear minimum" in table.rule) == (-steps[4] >= table.min_bic_step)


def test_explain_states_the_rule_runner_up_margin_and_confidence(selection):
    table, _ = selection
    lines = table.explain().splitlines()
    assert lines[0] == ("Chosen k = 3 (lowest latent-class BIC among the k whose every "
                        "segment is at least 5% of respondents; tried k = 2, 3, 4, 5)")
    assert lines[1].startswith(f"Runner-up: k = {table.runner_up_k}, BIC higher by "
                               f"{table.margin:,.1f} (very strong evidence")
    strength = table.loc[3, "prediction_strength"]
    assert lines[2] == (f"Confidence: found again on resamples (prediction strength "
                        f"{strength:.2f}, threshold 0.8; least reproducible segment's "
                        f"Jaccard {table.loc[3, 'min_jaccard']:.2f})")
    # the partition BIC agrees; a k ruled out by the share is noted with its smallest
    # segment (at the chosen gamma, k = 5 on these rows can leave one under 5 %)
    ruled_out = table.loc[~table["eligible"], "smallest_share"]
    notes = (["Note: ruled out for a segment under the share: "
              + ", ".join(f"k={k} (smallest segment {share:.1%})"
                          for k, share in ruled_out.items())] if len(ruled_out) else [])
    assert lines[3:] == notes


def test_models_are_kept_for_every_k(selection, planted3):
    table, _ = selection
    X, _ = planted3
    assert sorted(table.models) == [2, 3, 4, 5]
    for k, model in table.models.items():
        assert isinstance(model, KPrototypes)
        assert model.n_clusters == k
        # refined on all rows from the prototypes the evidence came from: same segments
        assert model.cost_ == pytest.approx(table.loc[k, "cost"], rel=1e-9)
        shares = np.bincount(model.labels_, minlength=k) / len(X)
        assert table.loc[k, "smallest_share"] == pytest.approx(shares.min())
    assert table.recommended_model is table.models[table.recommended_k]
    # gamma is estimated once and shared, so the costs compare across k
    assert len({model.gamma_ for model in table.models.values()}) == 1


def test_metadata_survives_slicing(selection):
    table, _ = selection
    part = table[["cost", "silhouette"]]
    assert part.recommended_k == table.recommended_k
    assert part.rule == table.rule


def test_progress_is_reported_after_each_k(selection):
    _, calls = selection
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_silhouette_uses_the_kprototypes_distance(planted3, reference_distances):
    X, _ = planted3
    X = X.iloc[:60]
    table = select_k(X, [2, 3], n_init=2, n_bootstrap=0, sample_size=1000, random_state=1)
    model = table.models[2]
    # distances between rows = distances to prototypes made of single rows
    rows = types.SimpleNamespace(
        cluster_centers_=X.reset_index(drop=True), numeric_features_=model.numeric_features_,
        categorical_features_=model.categorical_features_, scale=True, gamma_=model.gamma_)
    pairwise = reference_distances(rows, X, X)
    np.fill_diagonal(pairwise, 0.0)
    for k, model in table.models.items():
        expected = silhouette_score(pairwise, model.labels_, metric="precomputed")
        assert table.loc[k, "silhouette"] == pytest.approx(expected, rel=1e-9)


def _brute_force_pairwise(model, X, weights=None):
    """Pairwise distances compared on features observed in both rows, rescaled."""
    encoder = model.encoder_
    names = encoder.feature_names_in_
    w = dict.fromkeys(names, 1.0)
    w.update(weights or {})
    num = {c: (pd.to_numeric(X[c]).to_numpy(float, na_value=np.nan) - m) / s
           for c, m, s in zip(encoder.numeric_features_, encoder.mean_, encoder.std_)}
    n = len(X)
    out = np.zeros((n, n))
    total = sum(w.values())
    for i in range(n):
        for j in range(n):
            d = seen = 0.0
            for c, values in num.items():
                if np.isnan(values[i]) or np.isnan(values[j]):
                    continue
                seen += w[c]
                d += w[c] * (values[i] - values[j]) ** 2
            for c in encoder.categorical_features_:
                a, b = X[c].iloc[i], X[c].iloc[j]
                if pd.isna(a) or pd.isna(b):
                    continue
                seen += w[c]
                d += model.gamma_ * w[c] * (a != b)
            out[i, j] = d * total / seen if seen else 0.0
    np.fill_diagonal(out, 0.0)
    return out


@pytest.mark.parametrize("weights", [None, {"num_0": 3.0, "cat_1": 0.5, "num_2": 0.0}])
@pytest.mark.parametrize("missing_rate", [0.0, 0.2])
def test_pairwise_distances_match_brute_force(weights, missing_rate):
    X, _ = make_mixed_blobs(30, n_numeric=3, n_categorical=2, n_clusters=2,
                            missing_rate=missing_rate, random_state=5)
    model = KPrototypes(2, weights=weights, n_init=1, random_state=0).fit(X)
    dist = pairwise_kprototypes_distances(model, X)
    np.testing.assert_allclose(dist, _brute_force_pairwise(model, X, weights),
                               rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(dist, dist.T)


def test_silhouette_with_weights_and_gaps():
    X, _ = make_mixed_blobs(60, n_numeric=3, n_categorical=2, n_clusters=3, separation=4.0,
                            missing_rate=0.2, random_state=6)
    weights = {"num_0": 4.0, "num_1": 0.5, "cat_0": 2.0}
    table = select_k(X, [3], n_init=2, n_bootstrap=0, random_state=0, weights=weights)
    model = table.models[3]
    expected = silhouette_score(_brute_force_pairwise(model, X, weights), model.labels_,
                                metric="precomputed")
    assert table.loc[3, "silhouette"] == pytest.approx(expected, rel=1e-9)


def test_planted_four_segments_are_found():
    X, _ = make_mixed_blobs(400, n_clusters=4, separation=4.0, random_state=4)
    table = select_k(X, range(2, 7), n_init=3, n_bootstrap=3, random_state=0)
    assert table.recommended_k == 4


def test_same_seed_same_table(planted3):
    X, _ = planted3
    X = X.iloc[:150]
    a = select_k(X, [2, 3, 4], n_init=2, n_bootstrap=2, random_state=42)
    b = select_k(X, [2, 3, 4], n_init=2, n_bootstrap=2, random_state=42)
    pd.testing.assert_frame_equal(a, b)
    # the candidate k in threads: each k draws from its own stream, so the same table
    threaded = select_k(X, [2, 3, 4], n_init=2, n_bootstrap=2, random_state=42, n_jobs=2)
    pd.testing.assert_frame_equal(a, threaded)
    assert threaded.rule == a.rule
    # each k's fit does not depend on the resampling either
    unchecked = select_k(X, [2, 3, 4], n_init=2, n_bootstrap=0, random_state=42)
    np.testing.assert_array_equal(unchecked["cost"], a["cost"])
    assert a.recommended_k == b.recommended_k
    for k in (2, 3, 4):
        np.testing.assert_array_equal(a.models[k].labels_, b.models[k].labels_)


def test_no_bootstrap_gives_nan_stability_and_says_so(planted3):
    X, _ = planted3
    table = select_k(X.iloc[:120], [2, 3], n_init=2, n_bootstrap=0, random_state=0)
    assert table[["stability", "prediction_strength", "min_jaccard"]].isna().all().all()
    assert table.recommended_k in (2, 3)
    assert "n_bootstrap=0" in table.rule


def test_sampled_indices_for_large_n(planted3):
    X, _ = planted3
    table = select_k(X, [3], n_init=2, n_bootstrap=0, sample_size=50, random_state=0)
    assert np.isfinite(table.loc[3, "silhouette"])
    assert table.recommended_k == 3


def test_array_input_with_auto_categorical_is_stable():
    """Bootstrap refits must use the same numeric/categorical split as the main fit."""
    X, _ = make_mixed_blobs(240, n_clusters=3, separation=4.0, categorical_dtype="object",
                            random_state=3)
    table = select_k(X.to_numpy(dtype=object), [3], n_init=2, n_bootstrap=2, random_state=0)
    assert table.models[3].numeric_features_ == ["0", "1", "2", "3"]
    assert table.loc[3, "stability"] > 0.95


def test_missing_values_and_params_pass_through():
    X, _ = make_mixed_blobs(200, n_clusters=3, separation=4.0, missing_rate=0.1,
                            random_state=8)
    table = select_k(X, [2, 3], n_init=2, n_bootstrap=2, random_state=0,
                     weights={"num_0": 2.0}, scale=False, max_iter=50)
    assert table.models[3].scale is False
    assert table.models[3].max_iter == 50
    assert table.models[3].weights == {"num_0": 2.0}
    assert np.isfinite(table["silhouette"]).all()


def test_verbose_prints_one_line_per_k(planted3, capsys):
    X, _ = planted3
    select_k(X.iloc[:100], [2, 3], n_init=1, n_bootstrap=0, random_state=0, verbose=True)
    err = capsys.readouterr().err
    assert err.count("k=") == 2


def test_tentative_when_the_recommended_k_is_not_reproducible(planted3):
    X, _ = planted3
    table = select_k(X.iloc[:120], [2, 3], n_init=1, n_bootstrap=2, random_state=0,
                     min_prediction_strength=1.01)
    assert table["eligible"].all()  # prediction strength does not rule a k out
    assert table.rule.startswith("tentative")
    assert "< 1.01" in table.rule
    assert "Confidence: tentative: found again on resamples only in part" in table.explain()
    assert table.recommended_k == int(table["bic"].idxmin())
    sure = select_k(X.iloc[:120], [2, 3], n_init=1, n_bootstrap=2, random_state=0)
    assert sure.recommended_k == table.recommended_k
    assert not sure.rule.startswith("tentative")


@pytest.mark.parametrize("ks", [[], [1, 2], [0]])
def test_bad_candidates(planted3, ks):
    X, _ = planted3
    with pytest.raises(ValueError, match=">= 2"):
        select_k(X, ks)


def test_bic_is_the_latent_class_bic_after_classification_em(selection, planted3):
    from dash_personas.segmentation._latent_class import classification_bic, classification_em

    table, _ = selection
    X, _ = planted3
    for k, model in table.models.items():
        encoder = model.encoder_
        args = (encoder.numeric_weights_, encoder.categorical_weights_, encoder.n_levels)
        encoded = encoder.transform(X)
        assert table.loc[k, "partition_bic"] == pytest.approx(
            classification_bic(encoded, model.labels_, k, *args), rel=1e-9)
        refined = classification_em(encoded, model.labels_, k, *args)
        assert table.loc[k, "bic"] == pytest.approx(
            classification_bic(encoded, refined, k, *args), rel=1e-9)
        # classification EM never lowers the classification likelihood
        assert table.loc[k, "bic"] <= table.loc[k, "partition_bic"] * (1 + 1e-12)


@pytest.mark.parametrize("seed", [4, 8])
def test_hard_planted_segments_need_the_latent_class_partition(seed):
    """Overlapping planted k=5 where the k-prototypes partition's BIC takes fewer segments.

    The partition k-prototypes reaches is not the latent-class model's: scored as it
    is, its BIC under-estimated planted 5 on hard benchmark data (2 in 20); moved by
    classification EM to the model's own optimum, the BIC finds it.
    """
    X, _ = make_mixed_blobs(1000, n_numeric=10, n_categorical=10, n_clusters=5,
                            separation=0.5, concentration=0.4, random_state=seed)
    # Huang's gamma gives the hard partitions (gamma="auto", the likelihood, gives
    # partitions whose own BIC already finds 5 on these seeds)
    table = select_k(X, range(2, 8), gamma="huang", n_init=5, n_bootstrap=0,
                     random_state=0)
    assert table.recommended_k == 5
    by_partition = int(table["partition_bic"].idxmin())
    assert by_partition < 5
    assert (f"the k-prototypes partitions' own BIC would take k={by_partition}"
            in table.explain())
    assert (table["bic"] <= table["partition_bic"]).all()


def test_best_by_follows_each_index_direction(selection):
    table, _ = selection
    assert table.best_by("silhouette") == int(table["silhouette"].idxmax())
    assert table.best_by("cindex") == int(table["cindex"].idxmin())
    with pytest.raises(ValueError, match="not an index"):
        table.best_by("smallest_share")


def _with_tiny_segment(n: int = 600, seed: int = 0):
    """Three large planted segments; a tenth of the first moved aside into a tiny one."""
    rng = np.random.default_rng(seed)
    X, y = make_mixed_blobs(n, n_clusters=3, separation=5.0, random_state=seed)
    tiny = (y == 0) & (rng.random(n) < 0.12)
    X.loc[tiny, "num_0"] += 8.0
    X.loc[tiny, "cat_0"] = "e"
    return X, tiny


def test_a_segment_under_min_share_is_never_the_reason_for_the_choice():
    X, tiny = _with_tiny_segment()
    assert 0.02 < tiny.mean() < 0.05
    table = select_k(X, range(2, 7), n_init=5, n_bootstrap=3, random_state=0)
    # k=4 separates the tiny segment: the best fit, but not actionable
    assert table.loc[4, "smallest_share"] == pytest.approx(tiny.mean(), abs=0.005)
    assert not table.loc[4, "eligible"]
    assert table.recommended_k != 4
    model = table.recommended_model
    shares = np.bincount(model.labels_, minlength=model.n_clusters) / len(X)
    assert shares.min() >= 0.05
    assert "5%" in table.rule
    assert f"k=4 (smallest segment {table.loc[4, 'smallest_share']:.1%})" in table.explain()
    # the share alone rules k=4 out: without the reproducibility filter, BIC takes
    # k=4 only when min_share allows its tiny segment
    by_bic = select_k(X, range(2, 7), n_init=5, n_bootstrap=0, random_state=0)
    assert by_bic.best_by("bic") == 4
    assert by_bic.recommended_k == 3
    lenient = select_k(X, range(2, 7), n_init=5, n_bootstrap=0, random_state=0,
                       min_share=0.02)
    assert lenient.lowest_bic_k == 4
    # a 4 % segment buys little of the BIC: the elbow stops before it unless asked not to
    assert lenient.loc[4, "bic_step"] < 0.075
    assert lenient.recommended_k == 3 and lenient.runner_up_k == 4
    finer = select_k(X, range(2, 7), n_init=5, n_bootstrap=0, random_state=0,
                     min_share=0.02, min_bic_step=0.02)
    assert finer.recommended_k == 4


def test_weights_count_like_repeated_rows_in_the_share_rule():
    X, tiny = _with_tiny_segment()
    weight = np.where(tiny, 3.0, 1.0)  # weighted share of the tiny segment ~ 11.5 %
    # the share rule alone (n_bootstrap=0): unweighted, k=4 is ruled out (see above)
    weighted = select_k(X, range(2, 7), sample_weight=weight, n_init=5, n_bootstrap=0,
                        random_state=0)
    assert weighted.recommended_k == 4
    assert weighted.loc[4, "smallest_share"] == pytest.approx(
        3 * tiny.sum() / (len(X) + 2 * tiny.sum()), abs=0.005)
    repeated = X.iloc[np.repeat(np.arange(len(X)), weight.astype(int))]
    as_rows = select_k(repeated, range(2, 7), n_init=5, n_bootstrap=0, random_state=0)
    assert as_rows.recommended_k == 4
    assert as_rows.loc[4, "smallest_share"] == pytest.approx(
        weighted.loc[4, "smallest_share"], abs=1e-9)
    # same partition, so the same BIC: weights are repeated rows there too
    assert as_rows.loc[4, "bic"] == pytest.approx(weighted.loc[4, "bic"], rel=1e-6)


def test_zero_weight_rows_do_not_count():
    X, _ = make_mixed_blobs(200, n_clusters=3, separation=4.0, random_state=1)
    weight = np.r_[np.ones(100), np.zeros(100)]
    table = select_k(X, [2, 3], sample_weight=weight, n_init=2, n_bootstrap=2,
                     random_state=0)
    half = select_k(X.iloc[:100], [2, 3], n_init=2, n_bootstrap=2, random_state=0)
    assert table.recommended_k == half.recommended_k
    with pytest.raises(ValueError, match="too little data"):
        select_k(X, [2, 3], sample_weight=np.r_[np.ones(15), np.zeros(185)])


def test_too_little_data_is_a_clear_error():
    X, _ = make_mixed_blobs(15, n_clusters=2, random_state=0)
    with pytest.raises(ValueError, match=r"too little data.*15 rows.*k=2 needs at least 20"):
        select_k(X, range(2, 11))


def test_never_k10_on_30_rows():
    X, _ = make_mixed_blobs(30, n_clusters=3, separation=4.0, random_state=0)
    table = select_k(X, range(2, 11), n_init=2, n_bootstrap=2, random_state=0)
    assert list(table.index) == [2, 3]  # ten rows per segment at least
    assert table.recommended_k in (2, 3)


def test_no_k_with_actionable_segments_is_a_clear_error(planted3):
    X, _ = planted3
    with pytest.raises(ValueError, match=r"no candidate k has every segment >= 60%"):
        select_k(X, [2, 3], n_init=1, n_bootstrap=0, min_share=0.6, random_state=0)


def test_large_data_fits_on_a_sample_and_refines_on_all_rows():
    X, _ = make_mixed_blobs(3000, n_clusters=4, separation=4.0, random_state=2)
    table = select_k(X, [3, 4, 5], n_init=2, n_bootstrap=2, fit_size=1000, random_state=0)
    assert table.recommended_k == 4
    model = table.recommended_model
    assert model.labels_.shape == (3000,)
    assert model.cost_ <= table.loc[4, "cost"] * (1 + 1e-9)
    shares = np.bincount(model.labels_, minlength=4) / 3000
    assert table.loc[4, "smallest_share"] == pytest.approx(shares.min(), abs=0.01)


def test_cli_auto_k_too_little_data_is_one_line(tmp_path, capsys):
    from dash_personas.cli import main

    X, _ = make_mixed_blobs(15, n_clusters=2, random_state=0)
    path = tmp_path / "few.csv"
    X.to_csv(path, index=False)
    with pytest.raises(SystemExit) as exit_info:
        main(["segment", str(path), "--k", "auto", "--out", str(tmp_path / "m.json")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    errors = [line for line in err.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "too little data" in errors[0] and "15 rows" in errors[0]
    assert "Traceback" not in err
    assert not (tmp_path / "m.json").exists()


def test_cli_auto_k_prints_the_explanation(planted3, tmp_path, capsys):
    from dash_personas.cli import main

    X, _ = planted3
    path = tmp_path / "planted.csv"
    X.to_csv(path, index=False)
    with pytest.raises(SystemExit) as exit_info:
        main(["segment", str(path), "--k", "auto", "--k-range", "2-4", "--n-init", "2",
              "--seed", "0", "--out", str(tmp_path / "m.json")])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "Chosen k = 3 (lowest latent-class BIC" in out
    assert "Runner-up: k = " in out and "evidence on Kass & Raftery's scale" in out
    assert "Confidence: " in out and "prediction strength" in out


def test_overlapping_planted_segments_are_found_below_the_classic_threshold():
    """Planted k=4 that reproduces less than Tibshirani & Walther's 0.8, while k=3 does.

    Prediction strength >= 0.8 as a filter took k=3 here (and missed the planted k 5 to
    7 times in 20 on the benchmark's hard setting); the BIC among actionable k finds it,
    and the rule says how far the segments reproduce.
    """
    X, _ = make_mixed_blobs(600, n_numeric=6, n_categorical=6, n_clusters=4,
                            separation=0.9, concentration=0.4, random_state=9)
    table = select_k(X, range(2, 7), n_init=3, n_bootstrap=3, random_state=0)
    strength = table["prediction_strength"]
    assert strength[4] < 0.8 <= strength[3]
    assert table.recommended_k == 4
    assert table.rule.startswith("tentative")
    assert f"prediction strength {strength[4]:.2f} < 0.8" in table.rule
    assert table.runner_up_k is not None and table.margin > 0
