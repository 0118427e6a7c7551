"""The XLSForm screener: ODK Validate accepts it and JavaRosa computes predict's segment.

pyxform converts the workbook with ODK Validate on (no error, no warning); JavaRosa (the
form engine of ODK Collect, inside pyxform's ODK_Validate.jar, driven by
``tests/java/XFormCalculate.java``) is given every held-out respondent's answers and the
``segment`` its ``calculate`` fields hold must be ``TypingTool.predict``'s on every row.

JavaRosa takes several seconds (a JVM compiling the harness, then one form filled 240
times; 3-15 s on this shared machine); it is the one engine-level proof of the XLSForm
calculates, so it stays in the suite.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from _screening import PERSONA_NAMES, Screening, write
from pyxform.validators import odk_validate
from pyxform.xls2xform import convert

from dash_personas.screener import xlsform_sheets
from survey_builder.exporters import xlsform

ROOT = Path(__file__).resolve().parents[2]
CALCULATE_JAVA = ROOT / "tests" / "java" / "XFormCalculate.java"


@pytest.fixture(scope="module")
def workbook(screening: Screening, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("odk") / "screener.xlsx",
                 xlsform.workbook_bytes(xlsform_sheets(screening.rule)))


def test_odk_validate_accepts_the_screener(workbook: Path) -> None:
    result = convert(xlsform=str(workbook), validate=True)
    assert result.warnings == []
    assert "<bind" in result.xform and 'nodeset="/data/segment"' in result.xform


def odk_line(screening: Screening, row: pd.Series) -> str:
    return "\t".join(f"{name}={row[name]}" for name in screening.rule.answer_fields
                     if not pd.isna(row[name]))


def test_javarosa_assigns_every_respondent_as_predict_does(screening, workbook, tmp_path
                                                           ) -> None:
    if shutil.which("java") is None or not odk_validate.install_exists():
        pytest.fail("Java (JDK 11+) and pyxform's ODK_Validate.jar are needed: install "
                    "openjdk-17-jdk-headless and the [dev] extra")
    form = tmp_path / "screener.xml"
    form.write_text(convert(xlsform=str(workbook), validate=False).xform, "utf-8")
    cases = tmp_path / "cases.tsv"
    cases.write_text("".join(odk_line(screening, row) + "\n"
                             for _, row in screening.responses.iterrows()), "utf-8")
    proc = subprocess.run(["java", "-cp", odk_validate.ODK_VALIDATE_PATH, str(CALCULATE_JAVA),
                           str(form), str(cases), "segment", "persona"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(screening.expected)
    computed = [line.split("\t") for line in lines]
    expected = screening.expected.tolist()
    differ = [(i, c, e) for i, (c, e) in enumerate(zip(computed, expected, strict=True))
              if float(c[0]) != e]
    agree = len(expected) - len(differ)
    assert not differ, (f"JavaRosa agrees with predict on {agree}/{len(expected)} rows; "
                        f"first differences: {differ[:5]}")
    assert [persona for _, persona in computed] == [PERSONA_NAMES[e] for e in expected]
