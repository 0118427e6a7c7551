"""Compare rules for choosing gamma on the labelled sets of ``bench_gamma.py``.

For every data set and seed, a wide log-spaced grid of gammas (Huang's value times
2^(j/2), j = -6..8, plus lambdaest) is swept once on the selection rows the way
``gamma="auto"`` does (one k-prototypes++ restart plus a warm start from the
previous gamma), and for every candidate the script records what a rule could look
at:

* the Modha-Spangler criterion (numeric x categorical within/between ratio);
* split-half stability (Lange et al. 2004; the idea behind Tibshirani & Walther's
  prediction strength): segment two random halves, assign all rows by both, ARI
  between the two assignments (2 splits, 2 restarts per half);
* restart agreement: mean ARI between 4 independent restarts;
* bootstrap stability (Hennig's ``clusterboot`` idea): ARI of 4 bootstrap fits,
  warm-started from the sweep's solution, with it;
* consensus across the grid: mean ARI of the candidate's segments with every other
  candidate's (the "medoid" partition of the sweep);
* the classification log-likelihood of the segments under the model the
  k-prototypes cost stands for, in sample (what ``gamma="auto"`` maximised before)
  and cross-validated (held-out rows, ``select_gamma``'s folds; what it compares
  now), per row for Vuong's paired test against lambdaest, and the gamma those
  segments imply in that model
  (``2 s2 x`` the weighted mean log-odds of a match; iterating it is a
  classification-EM fixed point);
* agreement of the mixed segments with the numeric-only and with the
  categorical-only segments (the structure both kinds support);
* the structure each kind carries on its own (the kamila idea of weighting a kind
  by it): one minus the within/total distortion of the numeric-only and of the
  categorical-only segments at k;

and the ARI against the label of a full fit at that gamma (default ``n_init``).
Each rule then picks a candidate, and the table prints the ARI it reaches next to
the two classic rules and the shipped ``gamma="auto"``. Two rules fit a gamma per
categorical column instead (clustMixType's lambda vector, through per-column
weights): from each column's association (Cramer's V) with the numeric-only
segments, and from the likelihood's own per-column log-odds. The last rows give
each rule's average minus the better classic rule's average, its worst gap on one
set and the number of sets more than 0.05 below the better rule. A full fit is
made only at the gammas the chosen rules pick, and the costly features
(restarts, bootstrap, halves, one-kind segments, per-column fits) only when a
chosen rule needs them: ``--rules`` keeps runs short. All rules on all sets is
slow (tens of minutes on a shared machine).

Usage::

    python benchmarks/bench_gamma_rules.py              # every rule, every data set
    python benchmarks/bench_gamma_rules.py penguins     # some data sets
    python benchmarks/bench_gamma_rules.py --list       # the rules' names
    python benchmarks/bench_gamma_rules.py --rules "held-out Vuong, auto's range" \
        "in-sample likelihood, auto's range (auto before)"
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gamma import DATA_SETS

from dash_personas.segmentation import (
    KPrototypes,
    KPrototypesDistance,
    MixedEncoder,
    RestartsDisagreeWarning,
    _gamma,
    estimate_gamma,
    huang_gamma,
)
from dash_personas.segmentation._init import SeedingPool, init_kprototypes_pp
from dash_personas.segmentation._lloyd import lloyd

SEEDS = 3
GRID_EXPONENTS = np.arange(-6, 9)  # gamma = huang x 2^(j/2)
#: gammas (relative to Huang's) that stand for "numeric only" and "categorical only"
ONE_KIND = (1e-6, 1e6)
FAR = 0.05
#: the costly features of ``sweep``, computed only for the rules that need them
FEATURES = frozenset({"agree", "boot", "half", "one_kind", "held_out", "per_column_cramer",
                      "per_column_ll"})


def _fit(prepared, k, rng, pool, warm=None, restarts=1):
    starts = [init_kprototypes_pp(prepared, k, rng, pool) for _ in range(restarts)]
    if warm is not None:
        starts.append(warm)
    return min((lloyd(prepared, start, 50, 0.0, False, 0, 1) for start in starts),
               key=lambda run: run.cost)


def _sub(sample, rows, weight):
    part = sample.take(rows)
    part.sample_weight = weight
    return part, SeedingPool(np.arange(rows.size), weight)


def sweep(X: pd.DataFrame, k: int, seed: int, needs: set[str] = FEATURES) -> pd.DataFrame:
    """One row per candidate gamma: what the rules look at (the costly features only
    when in ``needs``); ``frame.attrs`` holds the per-row likelihoods and the
    classic values."""
    encoder = MixedEncoder()
    data = encoder.fit_transform(X)
    lambdaest = estimate_gamma(data, encoder.n_levels, encoder.categorical_weights_)
    huang = huang_gamma(data)
    grid = np.unique(np.r_[huang * 2.0 ** (GRID_EXPONENTS / 2), lambdaest])
    rng = np.random.default_rng(1000 + seed)
    sample = _gamma._selection_rows(data, SeedingPool.from_data(data), rng)
    weight = sample.sample_weight
    pool = SeedingPool(np.arange(sample.n_samples), weight)
    totals = _gamma._total_distortion(sample, encoder.categorical_weights_)
    one_kind = {"numeric": (None, np.nan), "categorical": (None, np.nan)}
    for name, factor in zip(("numeric", "categorical"), ONE_KIND):
        if "one_kind" not in needs:
            break
        prepared = KPrototypesDistance.from_encoder(encoder, huang * factor).prepare(sample)
        run = min((_fit(prepared, k, rng, pool) for _ in range(3)), key=lambda r: r.cost)
        within = _gamma._within_distortion(prepared, run.prototypes, run.labels,
                                           encoder.categorical_weights_)
        kind = 0 if name == "numeric" else 1
        one_kind[name] = (run.labels, 1.0 - within[kind] / totals[kind]
                          if totals[kind] > 0 else 0.0)
    rows, labels, warm, laid_out, fitted, in_rows = [], [], None, [], [], []
    for gamma in grid:
        distance = KPrototypesDistance.from_encoder(encoder, float(gamma))
        prepared = distance.prepare(sample)
        best = _fit(prepared, k, rng, pool, warm)
        warm = best.prototypes
        labels.append(best.labels)
        laid_out.append(prepared)
        fitted.append(best.prototypes)
        variance, rates = _gamma._model_parameters(sample, best.prototypes, best.labels,
                                                   encoder, prior=0.0)
        in_rows.append(_gamma._row_log_likelihood(sample, best.prototypes, best.labels,
                                                  variance, rates, encoder))
        within = _gamma._within_distortion(prepared, best.prototypes, best.labels,
                                           encoder.categorical_weights_)
        row = {"gamma": gamma, "rel": gamma / huang,
               "numeric_ratio": _gamma._ratio(within[0], totals[0]),
               "categorical_ratio": _gamma._ratio(within[1], totals[1]),
               "ll": _gamma._log_likelihood(prepared, best.prototypes, best.labels, encoder)}
        if "agree" in needs:
            restarts = [_fit(prepared, k, rng, pool).labels for _ in range(4)]
            row["agree"] = np.mean([adjusted_rand_score(restarts[i], restarts[j])
                                    for i in range(4) for j in range(i + 1, 4)])
        if "boot" in needs:
            boot = []
            for _ in range(4):
                drawn, counts = np.unique(rng.choice(sample.n_samples, sample.n_samples,
                                                     p=weight / weight.sum()),
                                          return_counts=True)
                part, part_pool = _sub(sample, drawn, counts.astype(float))
                run = _fit(distance.prepare(part), k, rng, part_pool, best.prototypes)
                boot.append(adjusted_rand_score(
                    best.labels, distance.nearest(prepared, run.prototypes)[0]))
            row["boot"] = np.mean(boot)
        if "half" in needs:
            half = []
            for _ in range(2):
                order = rng.permutation(sample.n_samples)
                assigned = []
                for rows_half in np.array_split(order, 2):
                    part, part_pool = _sub(sample, rows_half, weight[rows_half])
                    run = _fit(distance.prepare(part), k, rng, part_pool, restarts=2)
                    assigned.append(distance.nearest(prepared, run.prototypes)[0])
                half.append(adjusted_rand_score(*assigned))
            row["half"] = np.mean(half)
        log_odds = _log_odds(prepared, best.prototypes, best.labels, encoder)
        spread = within[0] / max(float(weight @ (np.ones(sample.numeric.shape, bool)
                                                if sample.numeric_mask is None
                                                else sample.numeric_mask).sum(axis=1)),
                                 1e-300)
        cw = encoder.categorical_weights_
        row["implied"] = 2 * spread * float(np.sum(cw * log_odds) / np.sum(cw))
        row["column_gammas"] = 2 * spread * log_odds
        if "one_kind" in needs:
            row["a_num"] = adjusted_rand_score(best.labels, one_kind["numeric"][0])
            row["a_cat"] = adjusted_rand_score(best.labels, one_kind["categorical"][0])
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["eligible"] = (np.isfinite(frame.numeric_ratio) & np.isfinite(frame.categorical_ratio)
                         & (frame.numeric_ratio > 0) & (frame.categorical_ratio > 0))
    frame["ms"] = np.where(frame.eligible, frame.numeric_ratio * frame.categorical_ratio,
                           np.inf)
    agreement = np.array([[adjusted_rand_score(a, b) for b in labels] for a in labels])
    frame["consensus"] = (agreement.sum(axis=1) - 1) / (len(labels) - 1)
    exponents = np.log2(frame.rel) * 2
    on_grid = np.isclose(exponents, np.round(exponents))
    narrow = on_grid & (np.round(exponents) >= -6) & (np.round(exponents) <= 6)
    narrow_agreement = agreement[np.ix_(narrow, narrow)]
    frame["consensus_narrow"] = np.nan
    frame.loc[narrow, "consensus_narrow"] = ((narrow_agreement.sum(axis=1) - 1)
                                             / (narrow.sum() - 1))
    frame.attrs.update(lambdaest=lambdaest, huang=huang, weight=weight,
                       s_num=one_kind["numeric"][1], s_cat=one_kind["categorical"][1],
                       in_rows=np.array(in_rows))
    if "held_out" in needs:
        held_out = _gamma._cross_validated_log_likelihood(sample, encoder, laid_out, fitted,
                                                          labels, rng)
        frame["held_out"] = held_out @ weight / weight.sum()
        frame.attrs["out_rows"] = held_out
    if "per_column_cramer" in needs:
        frame.attrs["per-column Cramer's V"] = _per_column_fit(
            X, k, seed, encoder, lambdaest,
            _cramers_v(sample.categorical, one_kind["numeric"][0], weight, k))
    if "per_column_ll" in needs:
        best = _shipped_likelihood(frame)
        column_gammas = np.maximum(frame.column_gammas.iloc[best], 0.0)
        frame.attrs["per-column likelihood"] = _per_column_fit(
            X, k, seed, encoder, float(np.mean(column_gammas)), column_gammas)
    return frame


def _log_odds(prepared, prototypes, labels, encoder) -> np.ndarray:
    """Per categorical column, log((1 - e)(L - 1) / e) of its mismatch rate e (smoothed
    by half an answer, so pure segments give a finite value)."""
    data = prepared.data
    present = data.categorical >= 0
    weight = data.sample_weight
    answered = weight @ present
    mismatched = weight @ ((data.categorical != prototypes.categorical[labels]) & present)
    others = np.maximum(np.asarray(encoder.n_levels, float) - 1.0, 1.0)
    rate = (mismatched + 0.5 * others / (others + 1)) / (answered + 0.5)
    return np.log((1 - rate) * others / rate)


def _cramers_v(codes: np.ndarray, labels: np.ndarray, weight: np.ndarray, k: int
               ) -> np.ndarray:
    """Cramer's V of every categorical column with the segments (weighted)."""
    values = []
    for column in codes.T:
        present = column >= 0
        levels = int(column.max()) + 1
        table = np.bincount(column[present] * k + labels[present], weights=weight[present],
                            minlength=levels * k).reshape(levels, k)
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
        chi2 = float(np.sum((table - expected) ** 2 / np.where(expected > 0, expected, 1)))
        dof = min(table.shape) - 1
        values.append(np.sqrt(chi2 / table.sum() / dof) if dof > 0 else 0.0)
    return np.asarray(values)


def _per_column_fit(X, k, seed, encoder, gamma, column_weights) -> np.ndarray:
    """Labels of a full fit whose categorical columns carry ``column_weights`` (scaled to
    mean 1, so ``gamma`` keeps its meaning) on top of their own weights."""
    column_weights = np.asarray(column_weights, float)
    if column_weights.sum() <= 0:
        column_weights = np.ones_like(column_weights)
    column_weights = column_weights / column_weights.mean()
    weights = {name: float(w) * float(own) for name, w, own in zip(
        encoder.categorical_features_, column_weights, encoder.categorical_weights_)}
    weights = {name: max(w, 1e-9) for name, w in weights.items()}
    model = KPrototypes(k, gamma=max(gamma, 1e-9), weights=weights, random_state=seed).fit(X)
    return model.labels_


def _shipped_range(f: pd.DataFrame) -> pd.Series:
    """The candidates inside the range ``gamma="auto"`` searches."""
    low = min(f.attrs["lambdaest"], f.attrs["huang"]) / _gamma.GRID_MARGIN
    high = max(f.attrs["lambdaest"], f.attrs["huang"]) * _gamma.GRID_MARGIN
    return (f.gamma >= low * (1 - 1e-9)) & (f.gamma <= high * (1 + 1e-9))


def _classic(f: pd.DataFrame) -> pd.Series:
    return np.isclose(f.gamma, f.attrs["lambdaest"]) | np.isclose(f.rel, 1.0)


def _shipped_likelihood(f: pd.DataFrame) -> int:
    return _best(f, f.ll, _shipped_range(f))


def _nearest(f: pd.DataFrame, gamma: float) -> int:
    return int(np.argmin(np.abs(np.log(f.gamma / gamma))))


def _fixed_point(f: pd.DataFrame) -> int:
    at = _nearest(f, np.sqrt(f.attrs["lambdaest"] * f.attrs["huang"]))
    for _ in range(8):
        at = _nearest(f, max(f.implied.iloc[at], 1e-12))
    return at


Rule = Callable[[pd.DataFrame], int]


def _best(frame: pd.DataFrame, values: pd.Series, among: pd.Series | None = None,
          highest: bool = True) -> int:
    allowed = frame.eligible & values.notna() & (True if among is None else among)
    scored = np.where(allowed, values if highest else -values, -np.inf)
    return int(np.argmax(scored))


def _vuong(f: pd.DataFrame, rows: np.ndarray, scores: pd.Series, among: pd.Series) -> int:
    """The best candidate by ``scores`` if its per-row gain over lambdaest is
    significant (Vuong's paired z > select_gamma's EVIDENCE_Z), else lambdaest."""
    anchor = int(np.flatnonzero(np.isclose(f.gamma, f.attrs["lambdaest"]))[0])
    best = _best(f, scores, among)
    weight = f.attrs["weight"]
    evidence = _gamma._paired_z(rows[best] - rows[anchor], weight)
    return best if evidence > _gamma.EVIDENCE_Z else anchor


RULES: dict[str, Rule] = {
    "MS, wide grid": lambda f: _best(f, f.ms, highest=False),
    "MS, between the rules": lambda f: _best(
        f, f.ms, (f.gamma >= f.attrs["huang"] * (1 - 1e-9))
        & (f.gamma <= f.attrs["lambdaest"] * (1 + 1e-9)), highest=False),
    "split-half stability": lambda f: _best(f, f.half),
    "restart agreement": lambda f: _best(f, f.agree),
    "bootstrap stability": lambda f: _best(f, f.boot),
    "MS among stable (half >= max - 0.05)": lambda f: _best(
        f, f.ms, f.half >= f.half[f.eligible].max() - 0.05, highest=False),
    "most stable among MS within 5%": lambda f: _best(
        f, f.half, f.ms <= f.ms.min() * 1.05),
    "consensus, h/8..16h": lambda f: _best(f, f.consensus),
    "consensus, h/8..8h": lambda f: _best(f, f.consensus_narrow),
    "MS, auto's range (auto two rounds ago)": lambda f: _best(f, f.ms, _shipped_range(f),
                                                              highest=False),
    "MS, the two rules only": lambda f: _best(f, f.ms, _classic(f), highest=False),
    "split-half, the two rules only": lambda f: _best(f, f.half, _classic(f)),
    "likelihood, the two rules only": lambda f: _best(f, f.ll, _classic(f)),
    "in-sample likelihood, auto's range (auto before)": _shipped_likelihood,
    "likelihood, wide grid": lambda f: _best(f, f.ll),
    "likelihood fixed point (CEM)": _fixed_point,
    "in-sample Vuong vs lambdaest, auto's range": lambda f: _vuong(
        f, f.attrs["in_rows"], f.ll, _shipped_range(f)),
    "held-out likelihood, auto's range (no anchor)": lambda f: _best(
        f, f.held_out, _shipped_range(f)),
    "held-out Vuong vs lambdaest, auto's range (auto now)": lambda f: _vuong(
        f, f.attrs["out_rows"], f.held_out, _shipped_range(f)),
    "held-out Vuong vs lambdaest, wide grid": lambda f: _vuong(
        f, f.attrs["out_rows"], f.held_out, f.eligible),
    "agreement with one-kind segments, sum": lambda f: _best(f, f.a_num + f.a_cat),
    "agreement with one-kind segments, min": lambda f: _best(
        f, np.minimum(f.a_num, f.a_cat)),
    "kamila-like: lambdaest x s_cat / s_num": lambda f: _nearest(
        f, f.attrs["lambdaest"] * f.attrs["s_cat"] / max(f.attrs["s_num"], 1e-12)),
}
#: the costly features each rule needs (the others use only what every sweep computes)
NEEDS: dict[str, set[str]] = {
    "split-half stability": {"half"}, "restart agreement": {"agree"},
    "bootstrap stability": {"boot"}, "MS among stable (half >= max - 0.05)": {"half"},
    "most stable among MS within 5%": {"half"}, "split-half, the two rules only": {"half"},
    "held-out likelihood, auto's range (no anchor)": {"held_out"},
    "held-out Vuong vs lambdaest, auto's range (auto now)": {"held_out"},
    "held-out Vuong vs lambdaest, wide grid": {"held_out"},
    "agreement with one-kind segments, sum": {"one_kind"},
    "agreement with one-kind segments, min": {"one_kind"},
    "kamila-like: lambdaest x s_cat / s_num": {"one_kind"},
    "per-column Cramer's V": {"one_kind", "per_column_cramer"},
    "per-column likelihood": {"per_column_ll"},
}
#: rules that fit their own model (a gamma per categorical column); labels in attrs
PER_COLUMN = ("per-column Cramer's V", "per-column likelihood")
#: rows always printed: the classic rules and the estimator as shipped
BASELINES = ("lambdaest", "huang", "auto (shipped)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="data sets of bench_gamma.py (all by default)")
    parser.add_argument("--rules", nargs="+", metavar="RULE",
                        help="run only these rules (besides lambdaest, huang and the "
                             "shipped auto); see --list")
    parser.add_argument("--list", action="store_true", help="print the rules' names")
    args = parser.parse_args(argv)
    every_rule = [*RULES, *PER_COLUMN]
    if args.list:
        print("\n".join(every_rule))
        return 0
    rules = args.rules or every_rule
    unknown_rules = sorted(set(rules) - set(every_rule))
    if unknown_rules:
        parser.error(f"unknown rule(s) {unknown_rules}; see --list")
    names = args.names or list(DATA_SETS)
    unknown = sorted(set(names) - set(DATA_SETS))
    if unknown:
        parser.error(f"unknown data set(s) {unknown}; choose from {sorted(DATA_SETS)}")
    needs = set().union(*(NEEDS.get(rule, set()) for rule in rules))
    warnings.simplefilter("ignore", RestartsDisagreeWarning)
    warnings.simplefilter("ignore", UserWarning)
    table = {}
    for name in names:
        load = DATA_SETS[name]
        try:
            X, y, k = load()
        except ImportError as exc:
            print(f"skipped {name}: {exc}")
            continue
        picks: dict[str, list[float]] = {}
        for seed in range(SEEDS):
            frame = sweep(X, k, seed, needs)
            fits: dict[float, float] = {}

            def ari_at(at: int, frame: pd.DataFrame = frame, fits: dict = fits,
                       seed: int = seed, X: pd.DataFrame = X, y: np.ndarray = y,
                       k: int = k) -> float:
                """ARI of a full fit at the candidate ``at`` (each gamma fitted once)."""
                gamma = float(frame.gamma.iloc[at])
                if gamma not in fits:
                    model = KPrototypes(k, gamma=gamma, random_state=seed).fit(X)
                    fits[gamma] = adjusted_rand_score(y, model.labels_)
                return fits[gamma]

            classic = {"lambdaest": np.isclose(frame.gamma, frame.attrs["lambdaest"]),
                       "huang": np.isclose(frame.rel, 1.0)}
            for rule, at in classic.items():
                picks.setdefault(rule, []).append(ari_at(int(np.flatnonzero(at)[0])))
            auto = KPrototypes(k, random_state=seed).fit(X)
            picks.setdefault("auto (shipped)", []).append(adjusted_rand_score(y, auto.labels_))
            for rule in rules:
                if rule in PER_COLUMN:
                    value = adjusted_rand_score(y, frame.attrs[rule])
                else:
                    value = ari_at(RULES[rule](frame))
                picks.setdefault(rule, []).append(value)
        table[name] = {rule: np.mean(values) for rule, values in picks.items()}
        print(name, " ".join(f"{value:.3f}" for value in table[name].values()), flush=True)
    result = pd.DataFrame(table).T
    better = result[["lambdaest", "huang"]].max(axis=1)
    gaps = result.sub(better, axis=0)
    result.loc["average"] = result.mean()
    result.loc["average - better rule"] = (result.loc["average"]
                                           - result.loc["average", ["lambdaest", "huang"]].max())
    result.loc["worst set - better rule"] = gaps.min()
    result.loc[f"sets more than {FAR} below"] = (gaps < -FAR).sum()
    print()
    print(f"Adjusted Rand index of the gamma each rule picks (mean of {SEEDS} seeds, "
          f"{len(table)} sets)")
    with pd.option_context("display.width", 250, "display.float_format", "{:.3f}".format):
        print(result.T.to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
