"""Benchmark the choice of gamma: ARI against a known label for lambdaest, Huang and auto.

Labelled mixed-type data that installed packages ship offline, plus planted data
from the simulator. For each data set the engine is fitted at the label's number of
classes with ``gamma="lambdaest"`` (clustMixType's rule), ``gamma="huang"`` (kmodes'
rule, 0.5 x mean numeric SD on the standardised numerics) and ``gamma="auto"``
(the cross-validated classification likelihood over both values and a grid
spanning them, keeping lambdaest unless another candidate is significantly better), and the
adjusted Rand index of the segments against the label is printed, one row per
data set plus the average (over ``--seeds`` random states each). The last columns
time the selection (``select_gamma`` on the encoded rows, what ``"auto"`` adds to
a fit) against one fit at the chosen gamma, measured in the same process, and a
last table does so on larger planted data (``--sizes``).

Data sets (a missing optional package is reported and its rows skipped), 32 in all
so that a rule cannot be fitted to a handful:

* palmerpenguins: species against the 4 measurements with island and sex, with
  island only, with sex only, and the two bill measurements with island and sex;
  sex against the measurements, species and island; the raw table's species against
  6 measurements (the blood isotopes included), island, sex and clutch completion.
* statsmodels: anes96 (vote in the 1996 US election; population, TV news, age,
  income numeric; party ID, education and three left-right placements categorical)
  and fair (any affair; age, years married, children, education numeric; marriage
  rating, religiousness and both occupations categorical).
* plotly's bundled data: tips (lunch/dinner; and the day, 4), experiment
  (control/treatment), gapminder 2007 (the continent, 4, against life expectancy,
  log population and GDP per head in tertiles).
* scikit-learn's bundled data: wine, breast cancer and iris with their last or
  first measurements cut into tertiles (low/mid/high) to make them mixed; digits
  with the bottom half's pixels cut into blank/grey/dark.
* planted (``make_mixed_blobs``, 1,500 rows): balanced, numeric-led,
  categorical-led, weak, noisy categoricals, structure only in the numerics, only
  in the categoricals, binary answers, k=6 with 8 levels, two more signal ratios;
  and two independent planted partitions, one in each kind of column, with the
  label on either (like the penguins' species and island x sex).

``--candidates NAME`` prints, for one data set, every candidate ``"auto"`` tried
(``gamma_selection_.to_frame()``: the held-out and in-sample log-likelihood, the
evidence against lambdaest, the two distortion ratios, the numeric share of the
cost) next to the ARI of a full fit at that gamma, and the reason of the pick.

Usage::

    python benchmarks/bench_gamma.py            # 3 seeds per data set
    python benchmarks/bench_gamma.py --seeds 1  # quicker
    python benchmarks/bench_gamma.py --candidates penguins --sizes
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from dash_personas import make_mixed_blobs
from dash_personas.segmentation import (
    KPrototypes,
    MixedEncoder,
    RestartsDisagreeWarning,
    select_gamma,
)

Loader = Callable[[], tuple[pd.DataFrame, np.ndarray, int]]
RULES = ("lambdaest", "huang", "auto")


def _penguins(label: str, columns: list[str], k: int) -> Loader:
    """palmerpenguins' cleaned table: ``label`` against ``columns``."""
    def load() -> tuple[pd.DataFrame, np.ndarray, int]:
        import palmerpenguins

        frame = palmerpenguins.load_penguins().dropna().reset_index(drop=True)
        X = frame[columns].copy()
        for name in X.columns:
            if not pd.api.types.is_numeric_dtype(X[name]):
                X[name] = X[name].astype(str).astype(object)
        return X, frame[label].astype("category").cat.codes.to_numpy(), k
    return load


MEASUREMENTS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


def penguins_raw() -> tuple[pd.DataFrame, np.ndarray, int]:
    """The raw penguins table: species against six measurements (the two blood
    isotopes included), island, sex and clutch completion."""
    import palmerpenguins

    frame = palmerpenguins.load_penguins_raw()
    numeric = ["Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)",
               "Body Mass (g)", "Delta 15 N (o/oo)", "Delta 13 C (o/oo)"]
    categorical = ["Island", "Sex", "Clutch Completion"]
    frame = frame.dropna(subset=numeric + categorical)
    frame = frame[frame["Sex"].isin(["MALE", "FEMALE"])].reset_index(drop=True)
    X = frame[numeric + categorical].astype({name: object for name in categorical})
    return X, frame["Species"].astype("category").cat.codes.to_numpy(), 3


def anes96() -> tuple[pd.DataFrame, np.ndarray, int]:
    import statsmodels.datasets

    frame = statsmodels.datasets.anes96.load_pandas().data
    X = frame[["logpopul", "TVnews", "age", "income"]].copy()
    for name in ("PID", "educ", "selfLR", "ClinLR", "DoleLR"):
        X[name] = frame[name].astype(int).astype(str)
    return X, frame["vote"].astype(int).to_numpy(), 2


def fair() -> tuple[pd.DataFrame, np.ndarray, int]:
    """statsmodels' fair (Redbook survey, 6,366 women): any affair; age, years
    married, children, education (numeric); marriage rating, religiousness, own and
    husband's occupation (categorical)."""
    import statsmodels.datasets

    frame = statsmodels.datasets.fair.load_pandas().data
    X = frame[["age", "yrs_married", "children", "educ"]].copy()
    for name in ("rate_marriage", "religious", "occupation", "occupation_husb"):
        X[name] = frame[name].astype(int).astype(str)
    return X, (frame["affairs"] > 0).to_numpy().astype(int), 2


def tips() -> tuple[pd.DataFrame, np.ndarray, int]:
    import plotly.data

    frame = plotly.data.tips()
    X = frame[["total_bill", "tip", "size", "sex", "smoker", "day"]].astype(
        {"sex": object, "smoker": object, "day": object})
    return X, (frame["time"] == "Dinner").to_numpy().astype(int), 2


def tips_day() -> tuple[pd.DataFrame, np.ndarray, int]:
    """plotly's tips: the day (4) against bill, tip, party size, sex, smoker, time."""
    import plotly.data

    frame = plotly.data.tips()
    X = frame[["total_bill", "tip", "size", "sex", "smoker", "time"]].astype(
        {"sex": object, "smoker": object, "time": object})
    return X, frame["day"].astype("category").cat.codes.to_numpy(), 4


def experiment() -> tuple[pd.DataFrame, np.ndarray, int]:
    import plotly.data

    frame = plotly.data.experiment()
    X = frame[["experiment_1", "experiment_2", "experiment_3", "gender"]].astype(
        {"gender": object})
    return X, (frame["group"] == "treatment").to_numpy().astype(int), 2


def gapminder() -> tuple[pd.DataFrame, np.ndarray, int]:
    """plotly's gapminder, 2007, without Oceania's 2 countries: the continent (4)
    against life expectancy, log population and GDP per head cut into tertiles."""
    import plotly.data

    frame = plotly.data.gapminder()
    frame = frame[(frame["year"] == 2007) & (frame["continent"] != "Oceania")]
    X = pd.DataFrame({"lifeExp": frame["lifeExp"].to_numpy(),
                      "log_pop": np.log(frame["pop"].to_numpy()),
                      "gdp": pd.qcut(frame["gdpPercap"], 3, labels=["low", "mid", "high"]
                                     ).astype(str).to_numpy()})
    return X, frame["continent"].astype("category").cat.codes.to_numpy(), 4


def _binned(name: str, n_binned: int, k: int, first: bool = False) -> Loader:
    """A scikit-learn bundled table with its last (or first) ``n_binned``
    measurements cut into tertiles (low/mid/high)."""
    def load() -> tuple[pd.DataFrame, np.ndarray, int]:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, f"load_{name}")()
        X = pd.DataFrame(bunch.data, columns=bunch.feature_names)
        columns = list(X.columns)
        for column in (columns[:n_binned] if first else columns[-n_binned:]):
            X[column] = pd.qcut(X[column], 3, labels=["low", "mid", "high"]).astype(str)
        return X, bunch.target, k
    return load


def digits() -> tuple[pd.DataFrame, np.ndarray, int]:
    """scikit-learn's 8x8 digits (1,797): the digit (10) against the top half's
    32 pixels (numeric) and the bottom half's cut into blank / grey / dark."""
    import sklearn.datasets

    bunch = sklearn.datasets.load_digits()
    X = pd.DataFrame(bunch.data, columns=[f"px{i}" for i in range(64)])
    for column in X.columns[32:]:
        X[column] = pd.cut(X[column], [-1, 0, 8, 16], labels=["blank", "grey", "dark"]
                           ).astype(str)
    X = X.loc[:, X.nunique() > 1]
    return X, bunch.target, 10


def _planted(separation: float, concentration: float, n_features: int, seed: int,
             n_levels: int = 5, k: int = 4) -> Loader:
    """``make_mixed_blobs`` rows: numeric centres ~ N(0, separation^2), categorical
    answers on the segment's level with probability ``concentration``."""
    def load() -> tuple[pd.DataFrame, np.ndarray, int]:
        X, y = make_mixed_blobs(1500, n_numeric=n_features, n_categorical=n_features,
                                n_clusters=k, separation=separation,
                                concentration=concentration, n_levels=n_levels,
                                random_state=seed)
        return X, y, k
    return load


def _competing(label_in: str, seed: int, k: int = 3) -> Loader:
    """Two independent planted partitions of 1,500 rows, one in the numeric
    columns (4, centres ~ N(0, 2^2)) and one in the categorical columns (4, 4
    levels, the segment's level with probability 0.6); the label is the one in
    ``label_in`` ("numeric" or "categorical"). Like the penguins, where species and
    island x sex are both clear: a rule cannot know which one the analyst wants."""
    def load() -> tuple[pd.DataFrame, np.ndarray, int]:
        numeric, y_num = make_mixed_blobs(1500, n_numeric=4, n_categorical=0,
                                          n_clusters=k, separation=2.0, random_state=seed)
        categorical, y_cat = make_mixed_blobs(1500, n_numeric=0, n_categorical=4,
                                              n_clusters=k, n_levels=4, concentration=0.6,
                                              random_state=seed + 100)
        X = pd.concat([numeric, categorical], axis=1)
        return X, (y_num if label_in == "numeric" else y_cat), k
    return load


DATA_SETS: dict[str, Loader] = {
    "penguins": _penguins("species", [*MEASUREMENTS, "island", "sex"], 3),
    "penguins, island only": _penguins("species", [*MEASUREMENTS, "island"], 3),
    "penguins, sex only": _penguins("species", [*MEASUREMENTS, "sex"], 3),
    "penguins, bills only": _penguins(
        "species", ["bill_length_mm", "bill_depth_mm", "island", "sex"], 3),
    "penguins (sex)": _penguins("sex", [*MEASUREMENTS, "species", "island"], 2),
    "penguins raw, isotopes": penguins_raw,
    "anes96 (vote)": anes96,
    "fair (affair)": fair,
    "tips (time)": tips,
    "tips (day)": tips_day,
    "experiment (group)": experiment,
    "gapminder 2007 (continent)": gapminder,
    "wine, 6 binned": _binned("wine", 6, 3),
    "wine, first 6 binned": _binned("wine", 6, 3, first=True),
    "breast cancer, 10 binned": _binned("breast_cancer", 10, 2),
    "breast cancer, first 20 binned": _binned("breast_cancer", 20, 2, first=True),
    "iris, 2 binned": _binned("iris", 2, 3),
    "iris, first 2 binned": _binned("iris", 2, 3, first=True),
    "digits, half binned": digits,
    "planted balanced": _planted(2.0, 0.6, 4, 0),
    "planted numeric-led": _planted(3.0, 0.35, 4, 1),
    "planted categorical-led": _planted(1.0, 0.8, 4, 2),
    "planted weak": _planted(1.2, 0.45, 6, 3),
    "planted noisy categoricals": _planted(1.5, 0.25, 6, 4),
    "planted numeric only": _planted(2.0, 0.0, 4, 5),
    "planted categorical only": _planted(0.0, 0.6, 4, 6),
    "planted binary answers": _planted(1.5, 0.7, 6, 7, n_levels=2),
    "planted k=6, 8 levels": _planted(1.5, 0.5, 5, 8, n_levels=8, k=6),
    "planted ratio 2.5 / 0.5": _planted(2.5, 0.5, 4, 9),
    "planted ratio 1.5 / 0.7": _planted(1.5, 0.7, 4, 10),
    "competing, label numeric": _competing("numeric", 11),
    "competing, label categorical": _competing("categorical", 11),
}


def evaluate(X: pd.DataFrame, y: np.ndarray, k: int, seeds: int) -> dict[str, float]:
    """Mean ARI of each rule over ``seeds`` random states, and the selection's cost."""
    scores: dict[str, list[float]] = {rule: [] for rule in RULES}
    chosen = []
    for seed in range(seeds):
        for rule in RULES:
            model = KPrototypes(k, gamma=rule, random_state=seed).fit(X)
            scores[rule].append(adjusted_rand_score(y, model.labels_))
            if rule == "auto":
                chosen.append(model.gamma_)
    row = {rule: float(np.mean(values)) for rule, values in scores.items()}
    row["auto gamma"] = float(np.median(chosen))
    select, fit = _timed_selection_and_fit(X, k, float(np.median(chosen)))
    row["selection / fit"] = select / fit
    return row


def _timed_selection_and_fit(X: pd.DataFrame, k: int, gamma: float,
                             repeats: int = 3) -> tuple[float, float]:
    """Best-of-``repeats`` seconds of the selection alone and of one fit at ``gamma``.

    The selection is timed on its own (``select_gamma`` on the encoded rows)
    rather than as the difference of two fits, which on a loaded machine is
    mostly noise; the best of a few repeats is the least disturbed.
    """
    encoder = MixedEncoder()
    encoded = encoder.fit_transform(X)
    select, fit = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        select_gamma(encoded, encoder, k)
        select.append(time.perf_counter() - start)
        start = time.perf_counter()
        KPrototypes(k, gamma=gamma, random_state=0).fit(X)
        fit.append(time.perf_counter() - start)
    return min(select), min(fit)


def selection_cost(sizes: list[int]) -> pd.DataFrame:
    """Time of ``gamma="auto"``'s selection against one fit at the gamma it chose."""
    rows = {}
    for n in sizes:
        X, _ = make_mixed_blobs(n, n_numeric=10, n_categorical=10, n_clusters=6,
                                random_state=0)
        gamma = KPrototypes(6, n_init=1, random_state=0).fit(X).gamma_
        select, fit = _timed_selection_and_fit(X, 6, gamma, repeats=2)
        rows[f"{n:,} x 20, k=6"] = {"fit s": fit, "selection s": select,
                                   "selection / fit": select / fit}
    return pd.DataFrame(rows).T


def candidates(name: str) -> pd.DataFrame:
    """Every candidate of ``gamma="auto"`` on one data set with the ARI it reaches."""
    X, y, k = DATA_SETS[name]()
    model = KPrototypes(k, random_state=0).fit(X)
    frame = model.gamma_selection_.to_frame()
    frame["ARI"] = [adjusted_rand_score(
        y, KPrototypes(k, gamma=float(gamma), random_state=0).fit(X).labels_)
        for gamma in frame["gamma"]]
    print(f"{name}: {model.gamma_selection_.reason}")
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="random states per data set")
    parser.add_argument("--sizes", type=int, nargs="*", default=[2_000, 20_000, 50_000],
                        help="rows for the selection-cost table (none to skip it)")
    parser.add_argument("--candidates", choices=sorted(DATA_SETS), metavar="NAME",
                        help="print every candidate gamma of one data set and stop")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", RestartsDisagreeWarning)
    if args.candidates:
        with pd.option_context("display.width", 160, "display.float_format",
                               "{:.3f}".format):
            print(candidates(args.candidates).to_string(index=False))
        return 0
    rows = {}
    for name, load in DATA_SETS.items():
        try:
            X, y, k = load()
        except ImportError as exc:
            print(f"skipped {name}: {exc} (install the [bench] extra)")
            continue
        rows[name] = {"rows": len(X), "k": k, **evaluate(X, y, k, args.seeds)}
        print(f"{name:26s} " + "  ".join(f"{key} {value:.3f}" if isinstance(value, float)
                                         else f"{key} {value}"
                                         for key, value in rows[name].items()), flush=True)
    table = pd.DataFrame(rows).T
    table.loc["average"] = table.mean(numeric_only=True)
    table[["rows", "k"]] = table[["rows", "k"]].astype(object)
    table.loc["average", ["rows", "k"]] = ""
    better = table.loc[table.index != "average", ["lambdaest", "huang"]].max(axis=1)
    table["auto - better rule"] = table["auto"] - better
    table.loc["average", "auto - better rule"] = (
        table.loc["average", "auto"] - table.loc["average", ["lambdaest", "huang"]].max())
    print()
    print(f"Adjusted Rand index against the label (mean of {args.seeds} seeds); "
          "selection / fit = time of gamma='auto''s selection against one fit at its gamma")
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(table.to_string())
        if args.sizes:
            print()
            print("Cost of the selection (candidate fits on <= 2,000 rows drawn by weight)")
            print(selection_cost(args.sizes).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
