"""MaxDiff (and NPS) answers in the label-flavoured exports — Kobo's "Labels" (with and
without group headers) and REDCap's "CSV (labels)" — read back to codes.

Each file is written the way the tool writes it, from the questionnaire the tool was given:
the headers are the field labels of the XLSForm / REDCap data dictionary that
``survey-builder build`` wrote (Kobo joins the enclosing groups' labels with ``/`` when
"include groups in headers" is on; REDCap uses the Field Label), and each answer is its
choice label from the same form (the choices sheet; the dictionary's ``code, label``
pairs)."""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_nps_maxdiff_survey import SPEC

from survey_builder.errors import SurveyError
from survey_builder.exporters import redcap, xlsform
from survey_builder.readers import read_responses, to_odk, to_redcap
from survey_builder.simulate import simulate_responses
from survey_builder.spec import survey_from_dict


@pytest.fixture(scope="module")
def survey():
    import yaml

    return survey_from_dict(yaml.safe_load(SPEC))


@pytest.fixture(scope="module")
def responses(survey):
    return simulate_responses(survey, 30, 3, seed=2)[0]


@pytest.fixture(scope="module")
def forms(survey, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("forms")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"xlsform": xlsform.export(survey, out)[0],
                "redcap": redcap.export(survey, out, languages=["en"])[0]}


def xlsform_labels(path: Path, language: str = "English (en)"):
    """Field name -> (enclosing group labels, label, {code: choice label})."""
    book = load_workbook(path, read_only=True)
    survey_rows = list(book["survey"].iter_rows(values_only=True))
    head = survey_rows[0]
    col = {name: i for i, name in enumerate(head)}
    choices: dict[str, dict[str, str]] = {}
    choice_rows = list(book["choices"].iter_rows(values_only=True))
    chead = {name: i for i, name in enumerate(choice_rows[0])}
    for row in choice_rows[1:]:
        choices.setdefault(row[chead["list_name"]], {})[str(row[chead["name"]])] = row[
            chead[f"label::{language}"]]
    fields, groups = {}, []
    for row in survey_rows[1:]:
        kind, name, label = row[col["type"]], row[col["name"]], row[col[f"label::{language}"]]
        if kind == "begin_group":
            groups.append(label)
        elif kind == "end_group":
            groups.pop()
        elif name:
            options = choices.get(kind.split()[1], {}) if kind.startswith("select_one") else {}
            fields[name] = (list(groups), label or name, options)
    return fields


def kobo_labels(survey, responses, form: Path, *, group_headers: bool) -> pd.DataFrame:
    fields = xlsform_labels(form)
    odk = to_odk(responses, survey)
    out = pd.DataFrame(index=odk.index)
    for name in odk.columns:
        last = name.split("/")[-1]
        values = odk[name]
        if last in fields and last != "instanceID":
            groups, label, options = fields[last]
            header = "/".join([*groups, label]) if group_headers else label
            if options:
                values = values.map(lambda v, o=options: o.get(str(v), v)
                                    if pd.notna(v) else v)
        else:
            header = name  # meta and Kobo's own columns keep their names
        out.insert(len(out.columns), header, values, allow_duplicates=True)
    return out


def redcap_labels(survey, responses, dictionary: Path) -> pd.DataFrame:
    with open(dictionary, encoding="utf-8", newline="") as handle:
        rows = {row["Variable / Field Name"]: row for row in csv.DictReader(handle)}
    raw = to_redcap(responses, survey)
    out = pd.DataFrame(index=raw.index)
    for name in raw.columns:
        values = raw[name]
        if name == "respondent_id":
            header = "Record ID"
        elif name.endswith("_complete"):
            header, values = "Complete?", values.map({2: "Complete", 0: "Incomplete"})
        else:
            row = rows[name]
            header = re.sub(r"<[^>]+>", "", row["Field Label"])
            pairs = [part.split(", ", 1) for part in
                     row["Choices, Calculations, OR Slider Labels"].split(" | ") if part]
            if pairs:
                options = dict(pairs)
                values = values.map(lambda v, o=options: o.get(str(v), v)
                                    if pd.notna(v) else v)
        out[header] = values
    return out


@pytest.mark.parametrize("group_headers", [True, False], ids=["groups", "no-groups"])
def test_kobo_labels_export_reads_maxdiff_picks_back_to_codes(
        survey, responses, forms, tmp_path: Path, group_headers: bool) -> None:
    frame = kobo_labels(survey, responses, forms["xlsform"], group_headers=group_headers)
    headers = list(frame.columns)
    if group_headers:
        assert ("Your choices/Which matters most and least when you choose a brand?/Which "
                "matters most and least when you choose a brand? (Set 2 of 9)/Least "
                "important") in headers
    else:
        assert headers.count("Most important") == headers.count("Least important") == 9
    assert frame.iloc[0, headers.index(headers[1])] in {"Fast delivery", "Brand name",
                                                        "Quality", "Warranty"}
    path = tmp_path / "kobo_labels.csv"
    frame.to_csv(path, index=False)
    pd.testing.assert_frame_equal(read_responses(path, survey), responses)


def test_redcap_csv_labels_export_reads_maxdiff_picks_back_to_codes(
        survey, responses, forms, tmp_path: Path) -> None:
    frame = redcap_labels(survey, responses, forms["redcap"])
    assert ("Which matters most and least when you choose a brand? (Set 9 of 9): Most "
            "important") in frame.columns
    assert "drivers__b1" not in frame.columns
    # the NPS ends are choice labels too ("10 - Extremely likely"), read back as numbers
    assert frame["How likely are you to recommend us?"].isin(
        ["10 - Extremely likely", "0 - Not at all likely"]).any()
    path = tmp_path / "redcap_labels.csv"
    frame.to_csv(path, index=False)
    pd.testing.assert_frame_equal(read_responses(path, survey), responses)


def test_a_pick_outside_its_set_is_refused_with_row_and_column(
        survey, responses, forms, tmp_path: Path) -> None:
    frame = redcap_labels(survey, responses, forms["redcap"])
    header = ("Which matters most and least when you choose a brand? (Set 1 of 9): Most "
              "important")
    frame.loc[3, header] = "Free parking"
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(SurveyError) as info:
        read_responses(path, survey)
    err = info.value
    assert err.file == str(path) and "Free parking" in err.message
    assert err.line == 5 and err.field == "drivers__b1"  # header, then rows 0..3
