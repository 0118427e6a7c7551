"""Screening, quotas and panel redirects in words in the HTML and Markdown exports, as a
programmer's questionnaire spec states them."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_builder.exporters import html, markdown
from survey_builder.spec import load_survey, survey_from_dict, survey_to_dict

DATA = Path(__file__).parent / "data"
SPEC = (DATA / "survey_fieldwork.yaml").read_text(encoding="utf-8")
GRID = """\
  - name: region
    grid:
      rows: {question: age_band, levels: [18_34, 35_plus], shares: [0.4, 0.6]}
      columns: {question: gender, levels: [woman, man], shares: [0.5, 0.5]}
      total: 101
"""


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("spec") / "survey.yaml"
    path.write_text(SPEC.replace("quotas:\n", "quotas:\n" + GRID), encoding="utf-8")
    return load_survey(path)


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


def test_markdown_says_terminate_under_each_screening_question(survey) -> None:
    doc = markdown.render_markdown(survey, "en")
    q1 = between(doc, "### Q1.", "### Q2.")
    assert "**TERMINATE if Q1 = “Under 18”** (`${age_band} = 'u18'`)" in q1
    assert "TERMINATE" not in between(doc, "### Q2.", "### Q3.")
    assert "**TERMINATE if Q3 = “No”** (`${buys} = 'no'`)" in between(doc, "### Q3.", "## 2.")


def test_markdown_closes_with_screening_quotas_and_redirects(survey) -> None:
    doc = markdown.render_markdown(survey, "en")
    section = between(doc, "## Screening, quotas and redirects", "## Scales")
    assert "- Q1 (age\\_band): TERMINATE if Q1 = “Under 18”" in section
    assert "- Q3 (buys): TERMINATE if Q3 = “No”" in section
    grid = between(section, "**region**", "**age\\_gender**").splitlines()
    targets = [c.target for c in survey.quotas[0].cells]  # 20, 20, 31, 30 (the split)
    assert grid[2:8] == [
        "| Q1 \\ Q2 | Woman (woman) | Man (man) | Total |",
        "|---|---:|---:|---:|",
        f"| 18-34 (18\\_34) | {targets[0]} | {targets[1]} | {targets[0] + targets[1]} |",
        f"| 35 or older (35\\_plus) | {targets[2]} | {targets[3]} | "
        f"{targets[2] + targets[3]} |",
        f"| Total | {targets[0] + targets[2]} | {targets[1] + targets[3]} | 101 |", ""]
    for cell in survey.quotas[1].cells:
        assert f"| {markdown.md(cell.name)} | " in section
    assert "| young\\_women | Q1 = “18-34” and Q2 = “Woman” | 40 |" in section
    urls = survey.redirects.urls()
    assert "- Complete: send to " + markdown.md(urls["complete"]) in section
    assert "- Screen-out: send to " + markdown.md(urls["screenout"]) in section
    assert "- Over quota (the respondent's cell has reached its target): send to " + \
        markdown.md(urls["overquota"]) in section
    assert "link's rid parameter and replaces $\\{rid\\}" in section


def test_html_says_terminate_and_closes_with_the_fieldwork_section(survey) -> None:
    page = html.render_html(survey, "en")
    q1 = between(page, 'id="q-age_band"', "</fieldset>")
    assert '<p class="terminate">TERMINATE if Q1 = “Under 18”</p>' in q1
    assert "terminate" not in between(page, 'id="q-gender"', "</fieldset>")
    section = between(page, '<section id="fieldwork"', "</section>")
    assert '<h2 id="h-fieldwork">Screening, quotas and redirects</h2>' in section
    assert ('<caption>region</caption><thead><tr><th scope="col">Q1 \\ Q2</th>'
            '<th scope="col">Woman (woman)</th>') in section
    assert '<tr><th scope="row">Total</th><td>51</td><td>50</td><td>101</td></tr>' in section
    assert ("<li>Complete: send to https://panel.example.com/end?status=complete&amp;"
            "rid=${rid}</li>") in section
    assert page.index('<section id="fieldwork"') > page.index("</form>")


def test_user_text_in_the_fieldwork_section_is_escaped(survey) -> None:
    data = survey_to_dict(survey)
    data["sections"][0]["questions"][0]["choices"][0]["label"]["en"] = "<b>Under</b> *18*"
    hostile = survey_from_dict(data)
    page = html.render_html(hostile, "en")
    assert "<b>Under</b>" not in page
    assert "TERMINATE if Q1 = “&lt;b&gt;Under&lt;/b&gt; *18*”" in page
    doc = markdown.render_markdown(hostile, "en")
    assert "<b>" not in doc and "TERMINATE if Q1 = “\\<b\\>Under\\</b\\> \\*18\\*”" in doc


def test_a_spec_without_fieldwork_keys_has_no_fieldwork_section() -> None:
    plain = load_survey(DATA / "survey_small.yaml")
    assert "TERMINATE" not in markdown.render_markdown(plain, "en")
    page = html.render_html(plain, "en")
    assert 'id="fieldwork"' not in page and 'class="terminate"' not in page


def test_the_fieldwork_words_follow_the_document_language(survey) -> None:
    def with_spanish(node):
        if isinstance(node, dict):
            out = {k: with_spanish(v) for k, v in node.items()}
            if "en" in out and isinstance(out["en"], str):
                out["es"] = "ES " + out["en"]
            return out
        return [with_spanish(v) for v in node] if isinstance(node, list) else node

    data = with_spanish(survey_to_dict(survey))
    data["languages"] = ["en", "es"]
    bilingual = survey_from_dict(data)
    doc = markdown.render_markdown(bilingual, "es")
    assert "**TERMINAR si P1 = “ES Under 18”**" in doc
    assert "## Filtro, cuotas y redirecciones" in doc and "### Cuotas" in doc
    assert "| P1 \\ P2 | ES Woman (woman) | ES Man (man) | Total |" in doc
    assert "- Completa: enviar a https:" in doc
    page = html.render_html(bilingual, "es")
    assert '<p class="terminate">TERMINAR si P3 = “ES No”</p>' in page
