"""Personas of a subset of respondents: filter_personas / PersonaFilter, checked against pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dash_personas import FilterOption, PersonaFilter, filter_personas
from dash_personas.personas import assign_personas


@pytest.fixture(scope="module")
def case(simulate):
    return simulate(1500, 4, 3)


@pytest.fixture(scope="module")
def source(case):
    return PersonaFilter(case.personas, case.frame, case.codebook)


def _assigned(case) -> pd.Series:
    return pd.Series(assign_personas(case.personas, case.frame), index=case.frame.index)


def test_numbers_are_those_of_the_subset(case, source):
    filters = {"gender": ["Woman"], "age_band": ["25 to 34", "35 to 44"]}
    keep = (case.frame["gender"] == "Woman") & case.frame["age_band"].isin(
        ["25 to 34", "35 to 44"])
    subset = source.apply(filters)
    assert subset.n_respondents == int(keep.sum()) < len(case.frame)
    ids = _assigned(case)[keep]
    rows = case.frame[keep]
    scale = next(a.scale for a in case.personas[0].aspects)
    channel = next(c for c in case.frame.columns if c.startswith("channels__"))
    for before, after in zip(case.personas, subset):
        # same persona, same words
        assert (after.id, after.name, after.tagline, after.quote, after.guidelines) == (
            before.id, before.name, before.tagline, before.quote, before.guidelines)
        members = rows[ids == after.id]
        assert after.size == len(members) and after.base == len(members)
        assert after.share == pytest.approx(len(members) / len(rows))
        assert after.small_base == (len(members) < 30)
        got = next(a for a in after.aspects if a.scale == scale)
        assert got.mean == pytest.approx(members[scale].mean())
        assert got.overall_mean == pytest.approx(rows[scale].mean())
        region = [c for c in after.categories if c.feature == "region"]
        expected = members["region"].value_counts(normalize=True)
        for c in region:
            assert c.share == pytest.approx(expected.get(c.level, 0.0))
        if after.behaviour.channel_shares:
            used = next(c for c in after.behaviour.channel_shares if c.feature == channel)
            assert used.share == pytest.approx(members[channel].mean())
    # the subset's numbers differ from everyone's
    assert [p.size for p in subset] != [p.size for p in case.personas]


def test_significance_and_small_base_are_recomputed(case, source):
    everyone = source.apply({})
    few = source.apply({"region": [source.option("region").levels[0]],
                        "gender": ["Man"]})
    assert few.n_respondents < everyone.n_respondents
    assert sum(p.small_base for p in few) > sum(p.small_base for p in everyone)
    significant = [sum(a.significant for a in p.aspects) for p in few]
    assert significant != [sum(a.significant for a in p.aspects) for p in everyone]
    assert few.statistics.n_tests > 0


def test_a_persona_nobody_in_the_subset_belongs_to(case):
    ids = _assigned(case)
    frame = case.frame.assign(panel=np.where(ids == case.personas[0].id, "yes", "no"))
    subset = filter_personas(case.personas, frame, {"panel": ["yes"]})
    first, *others = list(subset)
    assert first.size == (ids == first.id).sum() and first.share == 1.0
    for p in others:
        assert (p.size, p.share, p.base, p.small_base) == (0, 0.0, 0.0, True)
        assert not p.aspects and not p.categories and not p.behaviour.channel_shares
    nobody = filter_personas(case.personas, frame, {"panel": ["yes"], "gender": ["nobody"]})
    assert nobody.n_respondents == (ids == first.id).sum()  # an unknown level is ignored


def test_levels_of_a_column_or_and_columns_and(case, source):
    frame = case.frame
    one = source.mask({"region": ["North"]})
    two = source.mask({"region": ["North", "South"]})
    both = source.mask({"region": ["North", "South"], "gender": ["Woman"]})
    assert one.sum() == (frame["region"] == "North").sum()
    assert two.sum() == frame["region"].isin(["North", "South"]).sum() > one.sum()
    assert both.sum() == (frame["region"].isin(["North", "South"])
                          & (frame["gender"] == "Woman")).sum()
    assert source.mask({}).all()


def test_options_cover_demographics_and_behaviour_with_labels(case, source):
    columns = [o.column for o in source.options]
    for name in ("age_band", "gender", "region", "journey_stage", "purchase_frequency",
                 "channels__store", "choice_drivers__price"):
        assert name in columns, name
    assert "respondent_id" not in columns and "straightliner" not in columns
    age = source.option("age_band")
    assert age.levels == tuple(o.label for o in case.codebook.levels("age_band"))
    frequency = source.option("purchase_frequency")  # a behaviour answer of the scores
    assert frequency.levels == tuple(o.label for o in case.codebook.levels(
        "purchase_frequency"))
    store = source.option("channels__store")
    assert isinstance(store, FilterOption)
    assert store.levels == ("0", "1") and store.level_labels == ("not selected", "selected")
    assert source.mask({"channels__store": ["1"]}).sum() == (case.frame["channels__store"]
                                                            == 1).sum()


def test_check_says_what_a_url_asked_for_that_does_not_exist(source):
    kept, notes = source.check({"gender": ["Woman", "Martian"], "planet": ["Mars"],
                                "region": ["Atlantis"]})
    assert kept == {"gender": ("Woman",)}
    assert len(notes) == 3
    assert any("planet" in n for n in notes) and any("Martian" in n for n in notes)


def test_weighted_personas_stay_weighted(simulate):
    from dash_personas.personas import build_personas

    case = simulate(600, 3, 5)
    codebook = case.codebook
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(case.frame))
    frame = case.frame.assign(weight=weights)
    personas = build_personas(case.labels, frame, codebook=codebook, sample_weight="weight")
    subset = filter_personas(personas, frame, {"gender": ["Woman"]})
    keep = (frame["gender"] == "Woman").to_numpy()
    ids = assign_personas(personas, frame)[keep]
    w = weights[keep]
    for p in subset:
        assert p.share == pytest.approx(w[ids == p.id].sum() / w.sum())
        mine = w[ids == p.id]
        assert p.base == pytest.approx(mine.sum() ** 2 / (mine**2).sum())


def test_the_export_menu_serves_the_filtered_view(case):
    """The dashboard's Export route reads the page's filters: the CSV is the subset's."""
    import csv
    import io

    from dash_personas.app import create_app
    from dash_personas.components import export_href
    from dash_personas.deliverables import profile_table_rows

    app = create_app(case.personas, case.frame)
    client = app.server.test_client()

    def table(query: str) -> list[list[str]]:
        response = client.get(export_href(app, "csv") + query)
        assert response.status_code == 200
        return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))

    women = filter_personas(case.personas, case.frame, {"gender": ["Woman"]})
    *rows, view = table("?f.gender=Woman")
    assert rows == profile_table_rows(women)
    # the file says which respondents it describes, as the page's note does
    kept = int((case.frame["gender"] == "Woman").sum())
    label = next(f.label for f in case.personas.features if f.name == "gender")
    assert view == ["View", f"{kept:,} of {len(case.frame):,} respondents ({label}: Woman)"]
    assert table("?f.gender=Woman") != table("")
    assert table("")[-1][0] != "View"  # everyone: nothing to say
    # what the page ignores in a link, the export ignores too
    assert table("?f.gender=Woman&f.nope=1") == table("?f.gender=Woman")


def test_a_numeric_question_with_many_values_is_filtered_by_a_range(case, source):
    from dash_personas.personas import format_range, parse_range

    spend = source.option("avg_purchase_value")  # a behaviour answer: a number per person
    assert spend.kind == "range" and spend.levels == ()
    values = pd.to_numeric(case.frame["avg_purchase_value"], errors="coerce")
    assert (spend.minimum, spend.maximum) == (values.min(), values.max())
    low, high = values.quantile([0.25, 0.6])
    keep = (values >= low) & (values <= high)
    filters = {"avg_purchase_value": [format_range(low, high)], "gender": ["Woman"]}
    keep &= case.frame["gender"] == "Woman"
    np.testing.assert_array_equal(source.mask(filters), keep.to_numpy())
    subset = source.apply(filters)
    ids = _assigned(case)[keep]
    assert subset.n_respondents == int(keep.sum())
    assert [p.size for p in subset] == [int((ids == p.id).sum()) for p in subset]
    # an open side: at least / at most; a missing answer is outside every range
    assert source.mask({"avg_purchase_value": [format_range(low, None)]}).sum() == (
        values >= low).sum()
    assert source.mask({"avg_purchase_value": [format_range(None, high)]}).sum() == (
        values <= high).sum()
    assert "Customer lifetime value: at least 1,000" in source.describe({"clv": ["1000.."]})
    # the attitude scale scores are not offered: they are not questions people are picked by
    assert source.option(case.personas[0].aspects[0].scale) is None
    assert parse_range(format_range(low, high)) == (low, high)


def test_a_bad_range_in_a_url_is_ignored_with_a_note(source):
    for bad in (["abc"], ["9..1"], [".."], ["1..2", "3..4"], ["nan..1"], ["1..inf"]):
        kept, notes = source.check({"clv": bad, "gender": ["Woman"]})
        assert kept == {"gender": ("Woman",)}, bad
        assert len(notes) == 1 and "is not a range" in notes[0] and "clv" not in notes[0]
    assert source.check({"clv": [" 10 .. 20.50 "]}) == ({"clv": ("10..20.5",)}, [])


@pytest.mark.parametrize("weighted", [False, True])
def test_the_filter_sums_give_the_profiles_of_profile_segments(simulate, weighted):
    """PersonaFilter's one-pass sums (every row coded once) give what the profile formula
    gives on the kept rows themselves: sizes, bases, means, shares, tests."""
    from dash_personas import profile_segments
    from dash_personas.segmentation._profile import _from_statistics

    case = simulate(900, 3, 5)
    frame = case.frame.copy()
    numeric = case.personas[0].aspects[0].scale
    frame.loc[frame.index[::7], numeric] = np.nan  # a column with unanswered rows
    frame.loc[frame.index[::5], "region"] = None
    weights = np.random.default_rng(1).uniform(0.5, 2.0, len(frame)) if weighted else None
    source = PersonaFilter(case.personas, frame, case.codebook, sample_weight=weights)
    keep = source.mask({"gender": ["Woman"]})
    labels = source._labels[keep]
    profiled = source._sums
    assert numeric in profiled.numeric and profiled.gaps.size
    got = _from_statistics(profiled.of(keep), "holm", 0.05, 30.0)
    rows = frame[keep]
    columns = profiled.numeric + profiled.categorical
    subset = pd.DataFrame({c: rows[c].astype("category") if c in profiled.categorical
                           else pd.to_numeric(rows[c], errors="coerce") for c in columns})
    expected = profile_segments(subset, labels, categorical=profiled.categorical,
                                sample_weight=None if weights is None else weights[keep])
    pd.testing.assert_frame_equal(got.summary, expected.summary)
    pd.testing.assert_frame_equal(got.numeric.reset_index(drop=True),
                                  expected.numeric.reset_index(drop=True), check_dtype=False)
    key = ["segment", "feature", "level"]
    pd.testing.assert_frame_equal(
        got.categorical.sort_values(key).reset_index(drop=True),
        expected.categorical.astype({"level": object}).sort_values(key).reset_index(drop=True),
        check_dtype=False)
    assert got.n_tests == expected.n_tests > 0
