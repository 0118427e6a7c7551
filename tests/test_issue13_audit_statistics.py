"""Issue 13's statistics re-checked against independent implementations, on the personas
the dashboard shows (the issue: p-values computed but never shown, no correction for
testing every feature in every segment).

* Each difference is tested against *the rest* of the respondents (not against a total
  that includes the segment itself): scipy's Welch t-test and statsmodels' two-proportion
  z-test on the rows give the persona's p-values.
* One Holm family across every test of every persona: statsmodels' ``multipletests``
  over all the p-values gives every ``p_adjusted``, and ``*`` marks exactly those under
  5 %.
* Where people look: the heatmap's hover gives each cell's adjusted p-value as a report
  prints it, and its ``*`` follows the corrected test.
"""

from __future__ import annotations

import numpy as np
import pytest
from _issue13 import survey

from dash_personas import figures
from dash_personas.stats import format_p_value


def _tests(personas):
    return [item for persona in personas for item in (*persona.profile, *persona.categories)]


def test_every_difference_is_tested_against_the_rest_of_the_respondents():
    from scipy.stats import ttest_ind
    from statsmodels.stats.proportion import proportions_ztest

    case = survey()
    scores, labels = case.scores, np.asarray(case.labels)
    checked = 0
    for persona in case.personas:
        inside = labels == persona.segment
        for diff in persona.profile[:3]:
            values = scores[diff.feature].to_numpy(float)
            mine, rest = values[inside], values[~inside]
            expected = ttest_ind(mine[~np.isnan(mine)], rest[~np.isnan(rest)],
                                 equal_var=False).pvalue
            assert diff.p_value == pytest.approx(expected, rel=1e-6, abs=1e-300)
            checked += 1
        for share in [c for c in persona.categories if c.feature == "age_band"][:3]:
            answers = scores["age_band"].astype(str).to_numpy()
            answered = scores["age_band"].notna().to_numpy()
            hits = [int(((answers == share.level) & inside & answered).sum()),
                    int(((answers == share.level) & ~inside & answered).sum())]
            bases = [int((inside & answered).sum()), int((~inside & answered).sum())]
            expected = proportions_ztest(hits, bases)[1]
            assert share.p_value == pytest.approx(expected, rel=1e-6, abs=1e-300)
            checked += 1
    assert checked == 6 * len(case.personas)


def test_one_holm_family_across_every_test_of_every_persona():
    from statsmodels.stats.multitest import multipletests

    personas = survey().personas
    stats = personas.statistics
    tests = _tests(personas)
    assert stats.correction == "holm" and stats.n_tests == len(tests) > 300
    raw = np.array([t.p_value for t in tests])
    reject, adjusted, *_ = multipletests(raw, alpha=stats.alpha, method="holm")
    np.testing.assert_allclose([t.p_adjusted for t in tests], adjusted, rtol=1e-9, atol=1e-300)
    assert [t.significant for t in tests] == list(reject)
    # the correction matters here: some raw p-values under 5 % are not significant
    assert any(p < stats.alpha and not t.significant for p, t in zip(raw, tests))


def test_the_heatmap_shows_each_cells_adjusted_p_value_and_its_mark():
    personas = survey().personas
    heat = figures.difference_heatmap(personas, as_dict=True)["data"][0]
    rows = [y.replace("<br>", " ") for y in heat["y"]]
    assert "adjusted %{customdata}" in heat["hovertemplate"]
    for j, persona in enumerate(personas):
        by_label = {figures._t(d.label): d for d in persona.profile}
        for i, row in enumerate(rows):
            diff = by_label[row]
            assert heat["customdata"][i][j] == format_p_value(diff.p_adjusted)
            assert heat["text"][i][j].endswith("*") == diff.significant
