"""Benchmark MaxDiff scoring: how well the item scores recover what ``simulate`` planted.

``simulate`` plants per-persona item utilities (spread 1.5 logit units, individual noise
0.5) and answers 9 sets of 4 out of 12 items by the sequential best-worst logit; ``score``
estimates each respondent's item scores. For several seeds this prints, per method
(empirical-Bayes logit ``mnl`` and ``counts``): the mean over respondents of the Spearman
rank correlation between planted and estimated utilities, the adjusted Rand index of
k-prototypes segments (k = 4) fitted on the scores alone against the planted personas
(chance: 0), and the estimation time as a ratio to the counts' time in the same process.

Usage::

    python benchmarks/bench_maxdiff.py                    # 1,000 respondents, seeds 0-4
    python benchmarks/bench_maxdiff.py --respondents 5000 --seeds 2
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import adjusted_rand_score

from dash_personas.segmentation import KPrototypes
from survey_builder.codebook import build_codebook
from survey_builder.scoring import score_maxdiff
from survey_builder.simulate import simulate_with_truth
from survey_builder.spec import survey_from_dict

ITEMS = ["price", "quality", "brand", "eco", "service", "design", "delivery", "reviews",
         "warranty", "local", "returns", "loyalty"]
SPEC = {
    "id": "maxdiff_bench", "title": {"en": "MaxDiff"}, "languages": ["en"],
    "sections": [{"name": "main", "title": {"en": "Main"}, "questions": [{
        "type": "maxdiff", "name": "drivers", "label": {"en": "What matters?"},
        "per_set": 4, "sets": 9, "required": True,
        "items": [{"value": item, "label": {"en": item}} for item in ITEMS]}]}],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()

    survey = survey_from_dict(SPEC)
    codebook = build_codebook(survey)
    print(f"{args.respondents} respondents, 4 personas, 12 items in 9 sets of 4")
    print("seed  method  spearman  ARI    time/counts")
    summary: dict[str, list[float]] = {"mnl": [], "counts": []}
    for seed in range(args.seeds):
        simulated = simulate_with_truth(survey, args.respondents, 4, seed=seed)
        planted = simulated.utilities["drivers"][ITEMS].to_numpy()
        seconds = {}
        for method in ("counts", "mnl"):
            start = time.perf_counter()
            scores = score_maxdiff(codebook, simulated.responses, method=method)
            seconds[method] = time.perf_counter() - start
            estimated = np.column_stack([scores[f"md_drivers__{item}"] for item in ITEMS])
            rho = float(np.mean([spearmanr(p, e).statistic
                                 for p, e in zip(planted, estimated)]))
            labels = KPrototypes(4, n_init=4, random_state=0).fit(estimated).labels_
            ari = adjusted_rand_score(simulated.personas, labels)
            summary[method].append(rho)
            ratio = seconds[method] / seconds["counts"]
            print(f"{seed:>4}  {method:<6}  {rho:8.3f}  {ari:5.3f}  {ratio:8.1f}x")
    for method, values in summary.items():
        print(f"mean Spearman {method}: {np.mean(values):.3f} "
              f"(min {np.min(values):.3f}, max {np.max(values):.3f})")


if __name__ == "__main__":
    main()
