"""Markdown and printable HTML exports."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest

from survey_builder.compose import compose_survey
from survey_builder.errors import SurveyError
from survey_builder.exporters import EXPORTERS, get_exporter
from survey_builder.exporters import html as html_exporter
from survey_builder.exporters import markdown as md_exporter
from survey_builder.spec import (
    AttentionCheckQuestion,
    LikertGridQuestion,
    NoteQuestion,
    NumericQuestion,
    survey_from_dict,
)

HOSTILE = '<script>alert("x")</script> | *bold* _u_ [l](http://evil.example) # & \'q\''


@pytest.fixture(scope="module")
def survey():
    return survey_from_dict(compose_survey("aspects", ["demographics", "behaviour", "journey",
                                                       "clv", "attention"], ["en", "es"]))


@pytest.fixture()
def hostile_survey():
    def t(text):
        return {"en": text, "es": text}

    return survey_from_dict({
        "id": "evil", "title": t(HOSTILE), "languages": ["en", "es"],
        "sections": [{"name": "s", "title": t(HOSTILE), "questions": [
            {"type": "note", "name": "n", "label": t(HOSTILE)},
            {"type": "single_choice", "name": "q", "label": t(HOSTILE), "hint": t(HOSTILE),
             "choices": [{"value": "a", "label": t(HOSTILE)},
                         {"value": "b", "label": t("fine")}]},
            {"type": "text", "name": "c", "label": t("x"), "relevant": "${q} = 'a'"},
        ]}],
    })


class Collector(HTMLParser):
    """Collects tags with attributes, ids and label targets."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def all(self, tag):
        return [attrs for name, attrs in self.tags if name == tag]


def parse_html(text):
    collector = Collector()
    collector.feed(text)
    return collector


# --------------------------------------------------------------------------- registry
def test_registry_names_every_format():
    assert set(EXPORTERS) == {"xlsform", "surveyjs", "redcap", "html", "markdown"}
    assert get_exporter("html") is html_exporter.export
    assert get_exporter("markdown") is md_exporter.export
    with pytest.raises(SurveyError, match="unknown export format"):
        get_exporter("pdf")


# --------------------------------------------------------------------------- markdown
@pytest.mark.parametrize("language", ["en", "es"])
def test_markdown_contains_every_text_and_code(survey, language):
    doc = md_exporter.render_markdown(survey, language)
    esc = md_exporter.md
    for question in survey.iter_questions():
        assert esc(question.label[language]) in doc, question.name
        if not isinstance(question, NoteQuestion):
            assert f"`{question.name}`" in doc
        if isinstance(question, LikertGridQuestion):
            for item in question.items:
                assert esc(item.label[language]) in doc and f"`{item.name}`" in doc
            for i, anchor in enumerate(question.anchors, start=1):
                assert f"{i} = {esc(anchor[language])}" in doc
        for choice in getattr(question, "choices", []):
            assert f"| `{choice.value}` | {esc(choice.label[language])}" in doc
    for scale in survey.scales:
        assert f"| `{scale.name}` | {esc(scale.label[language])} |" in doc


def test_markdown_marks_conditions_randomisation_and_checks(survey):
    doc = md_exporter.render_markdown(survey, "en")
    assert "**Answer only if:** “In our mobile app” is chosen in Q" in doc
    assert "(`selected(${channels}, 'app')`)" in doc
    randomised = sum(1 for s in survey.sections if s.randomize)
    assert doc.count("questions of this section are shown in random order") == randomised
    for check in survey.attention_checks():
        label = next(c.label["en"] for c in check.choices if c.value == check.answer)
        assert f"| `{check.answer}` | {label} **(correct answer)** |" in doc
    assert "Customer lifetime value" in doc and "`avg_purchase_value` ×" in doc
    es = md_exporter.render_markdown(survey, "es")
    assert "**Responda solo si:**" in es and "(respuesta correcta)" in es


def test_markdown_escapes_user_text(hostile_survey):
    doc = md_exporter.render_markdown(hostile_survey, "en")
    assert "<script>" not in doc
    assert r"\<script\>" in doc and r"\|" in doc and r"\*bold\*" in doc
    assert r"\[l\](http://evil.example)" in doc
    title = doc.splitlines()[0]
    assert title.startswith("# ") and r"\#" in title


# --------------------------------------------------------------------------- html
def test_html_export_files_and_language_links(survey, tmp_path):
    paths = html_exporter.export(survey, tmp_path)
    assert [p.name for p in paths] == ["aspects.en.html", "aspects.es.html"]
    for path, lang, other in ((paths[0], "en", "es"), (paths[1], "es", "en")):
        page = parse_html(path.read_text(encoding="utf-8"))
        assert page.all("html")[0]["lang"] == lang
        links = page.all("a")
        assert [a["hreflang"] for a in links] == [other]
        assert (tmp_path / links[0]["href"]).exists()


@pytest.mark.parametrize("language", ["en", "es"])
def test_html_structure_is_accessible(survey, language):
    text = html_exporter.render_html(survey, language, ["en", "es"])
    page = parse_html(text)
    ids = [attrs["id"] for _, attrs in page.tags if "id" in attrs]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates
    id_set = set(ids)
    label_targets = {attrs["for"] for attrs in page.all("label")}
    controls = page.all("input") + page.all("textarea")
    assert controls
    for attrs in controls:
        if "aria-labelledby" in attrs:
            assert all(ref in id_set for ref in attrs["aria-labelledby"].split())
        else:
            assert attrs["id"] in label_targets, attrs
    questions = [q for q in survey.iter_questions() if not isinstance(q, NoteQuestion)]
    assert len(page.all("fieldset")) == len(questions)
    assert len(page.all("legend")) == len(questions)
    for question in questions:
        if isinstance(question, LikertGridQuestion):
            radios = [a for a in page.all("input") if a.get("name") in
                      {i.name for i in question.items}]
            assert len(radios) == len(question.items) * question.points
        if isinstance(question, NumericQuestion):
            (field,) = [a for a in page.all("input") if a.get("id") == question.name]
            assert float(field["min"]) == question.min and float(field["max"]) == question.max
    required = [q for q in questions if q.required]
    assert text.count('class="req"') == len(required)


def test_html_is_self_contained_and_printable(survey):
    text = html_exporter.render_html(survey, "en", ["en", "es"])
    page = parse_html(text)
    assert not page.all("script") and not page.all("link") and not page.all("img")
    assert "src=" not in text and "http://" not in text and "https://" not in text
    assert "@media print" in text and "break-inside: avoid" in text
    assert text.startswith("<!DOCTYPE html>")


def test_html_shows_conditions_and_attention_checks(survey):
    text = html_exporter.render_html(survey, "es")
    assert "Responda solo si: se ha elegido «En nuestra aplicación móvil» en P" in text
    for check in survey.attention_checks():
        assert isinstance(check, AttentionCheckQuestion)
        assert f'id="q-{check.name}"' in text


def test_html_escapes_user_text(hostile_survey):
    text = html_exporter.render_html(hostile_survey, "en")
    assert "<script>" not in text and "alert(&quot;x&quot;)" in text
    assert "&lt;script&gt;" in text
    page = parse_html(text)
    assert not page.all("script")
    assert not [a for a in page.all("a") if "evil" in a.get("href", "")]
    assert "Answer only if: Q1 = “&lt;script&gt;" in text


# --------------------------------------------------------------------------- exporters
@pytest.mark.parametrize("module", [html_exporter, md_exporter])
def test_languages_subset_and_errors(survey, tmp_path, module):
    paths = module.export(survey, tmp_path, languages=["es"])
    assert [p.name.split(".")[1] for p in paths] == ["es"]
    with pytest.raises(SurveyError, match="not one of the survey's languages"):
        module.export(survey, tmp_path / "x", languages=["fr"])
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(("module", "renderer"), [(html_exporter, "render_html"),
                                                  (md_exporter, "render_markdown")])
def test_failed_export_leaves_no_partial_file(survey, tmp_path, monkeypatch, module, renderer):
    original = getattr(module, renderer)

    def flaky(s, language, *args):
        if language == "es":
            raise RuntimeError("boom")
        return original(s, language, *args)

    monkeypatch.setattr(module, renderer, flaky)
    with pytest.raises(RuntimeError):
        module.export(survey, tmp_path)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [f"aspects.en.{'html' if module is html_exporter else 'md'}"]
    complete = (tmp_path / files[0]).read_text(encoding="utf-8")
    assert complete == original(survey, "en", *(([["en", "es"]]) if module is html_exporter
                                                 else []))
