"""Printable HTML export: a self-contained, accessible paper/PDF version of the questionnaire.

One file per language, ``<survey id>.<language>.html``, each with ``lang`` set and links
to the other languages' files. No scripts, fonts, images or stylesheets are loaded: the
CSS is inline and has print rules (page breaks avoid splitting a question). Every
question is a ``fieldset`` with a ``legend``; every input has a label (grid cells are
labelled by their row and column headers); all user text is HTML-escaped. A screening
question says "TERMINATE if ..." and a closing section lists the screening rules, quotas
and panel redirects (:mod:`._screening`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatchmethod
from html import escape
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from ..codebook import maxdiff_columns
from ..layout import DONT_KNOW_CODE, other_text_column
from ..spec import (
    AttentionCheckQuestion,
    LikertGridQuestion,
    LikertQuestion,
    MaxDiffQuestion,
    MultipleChoiceQuestion,
    NpsQuestion,
    NumericQuestion,
    Question,
    RankingQuestion,
    SingleChoiceQuestion,
    Survey,
    TextQuestion,
    dont_know_texts,
    other_choice,
    specify_prompts,
)
from ._common import format_number, language_display_name, resolve_languages
from ._maxdiff import best_worst_labels, set_titles
from ._screening import fieldwork_spec, terminate_text
from ._ui import (
    describe_condition,
    number_questions,
    piped_placeholders,
    selection_instruction,
    ui,
)

__all__ = ["export", "render_html"]

CSS = """
:root { --ink: #1b1b1b; --muted: #555; --line: #b8b8b8; --accent: #1f4e79; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: var(--ink); line-height: 1.45; margin: 0 auto; max-width: 52rem; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .4rem; color: var(--accent); }
h2 { font-size: 1.25rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem;
     margin-top: 2rem; }
.meta, .hint, .instructions, .condition, .random { color: var(--muted); font-size: .92rem; }
.condition { font-style: italic; }
.terminate { color: #a00000; font-weight: 600; }
nav.languages ul { list-style: none; padding: 0; display: flex; gap: 1rem; }
fieldset.question { border: 1px solid var(--line); border-radius: 4px; margin: 1rem 0;
                    padding: .6rem 1rem 1rem; }
legend { font-weight: 600; padding: 0 .3rem; }
.qnum { color: var(--accent); margin-right: .3rem; }
.req { color: #a00000; }
ul.choices { list-style: none; padding: 0; margin: .4rem 0 0; }
ul.choices li { margin: .25rem 0; }
ul.choices label, .ranking label { margin-left: .35rem; }
table.grid { border-collapse: collapse; width: 100%; margin-top: .5rem; font-size: .92rem; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: .3rem; }
table.grid thead th { font-weight: 600; text-align: center; vertical-align: bottom; }
table.grid tbody th { text-align: left; font-weight: normal; }
table.grid td { text-align: center; }
.rownum { color: var(--muted); margin-right: .3rem; }
.ranking li { display: flex; align-items: center; gap: .4rem; }
.ranking input { width: 3.5rem; }
input[type=number], input[type=text], textarea { font: inherit; padding: .25rem;
       border: 1px solid var(--ink); }
textarea { width: 100%; min-height: 5rem; }
.note { border-left: 4px solid var(--accent); padding: .3rem .8rem; margin: 1rem 0;
        background: #f3f6f9; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
                   clip: rect(0 0 0 0); white-space: nowrap; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav.languages { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  fieldset.question, .note, table.grid tr { break-inside: avoid; page-break-inside: avoid; }
  .note { background: none; }
  a { color: inherit; text-decoration: none; }
}
@page { margin: 16mm 14mm; }
""".strip()


def _e(text: object) -> str:
    return escape(str(text), quote=True)


class _Page:
    def __init__(self, survey: Survey, language: str, languages: Sequence[str]) -> None:
        self.s = survey
        self.lang = language
        self.languages = list(languages)
        self.numbers = number_questions(survey)
        self.out: list[str] = []

    def t(self, text: dict[str, str] | None) -> str:
        return _e(piped_placeholders(self.s.text(text, self.lang), self.lang, self.numbers))

    def u(self, key: str, **values: object) -> str:
        return _e(ui(self.lang, key, **values))

    def add(self, line: str) -> None:
        self.out.append(line)

    def render(self) -> str:
        s = self.s
        title = self.t(s.title)
        self.add("<!DOCTYPE html>")
        self.add(f'<html lang="{_e(self.lang)}">')
        self.add("<head>")
        self.add('<meta charset="utf-8">')
        self.add('<meta name="viewport" content="width=device-width, initial-scale=1">')
        self.add(f'<meta name="generator" content="survey-builder; survey {_e(s.id)} '
                 f'version {_e(s.version)}">')
        self.add(f"<title>{title}</title>")
        self.add(f"<style>\n{CSS}\n</style>")
        self.add("</head>")
        self.add("<body>")
        self.add("<header>")
        self.add(f'<h1 id="survey-title">{title}</h1>')
        if s.description:
            self.add(f'<p class="description">{self.t(s.description)}</p>')
        self.add(f'<p class="meta">{self.u("required_note")}</p>')
        self.language_nav()
        self.add("</header>")
        self.add('<main>')
        self.add('<form aria-labelledby="survey-title">')
        for index, section in enumerate(s.sections, start=1):
            self.add(f'<section id="section-{_e(section.name)}" '
                     f'aria-labelledby="h-{_e(section.name)}">')
            self.add(f'<h2 id="h-{_e(section.name)}">{index}. {self.t(section.title)}</h2>')
            if section.randomize:
                self.add(f'<p class="random">{self.u("random_section")}</p>')
            for question in section.questions:
                self.question(question)
            self.add("</section>")
        self.add("</form>")
        self.fieldwork()
        self.add("</main>")
        self.add("</body>")
        self.add("</html>")
        return "\n".join(self.out) + "\n"

    def language_nav(self) -> None:
        others = [lang for lang in self.languages if lang != self.lang]
        if not others:
            return
        self.add(f'<nav class="languages" aria-label="{self.u("languages")}"><ul>')
        for lang in others:
            href = f"{self.s.id}.{lang}.html"
            self.add(f'<li><a href="{_e(href)}" hreflang="{_e(lang)}" lang="{_e(lang)}">'
                     f"{_e(language_display_name(lang))}</a></li>")
        self.add("</ul></nav>")

    # ------------------------------------------------------------------ questions
    def legend(self, q: Question) -> str:
        star = (f' <span class="req" aria-hidden="true">*</span>'
                f'<span class="visually-hidden"> ({self.u("required")})</span>'
                if q.required else "")
        number = f'<span class="qnum">{self.u("q")}{_e(self.numbers[q.name])}.</span>'
        return f"<legend>{number} {self.t(q.label)}{star}</legend>"

    def describedby(self, q: Question) -> str:
        ids = []
        if q.hint:
            ids.append(f"hint-{q.name}")
        if q.relevant:
            ids.append(f"cond-{q.name}")
        return f' aria-describedby="{" ".join(ids)}"' if ids else ""

    def preamble(self, q: Question) -> None:
        if q.hint:
            self.add(f'<p class="hint" id="hint-{q.name}">{self.t(q.hint)}</p>')
        if q.relevant:
            readable = describe_condition(q.relevant, self.s, self.lang, self.numbers,
                                          quote=_e)
            self.add(f'<p class="condition" id="cond-{q.name}">{self.u("only_if")}: '
                     f"{readable}</p>")

    def question(self, q: Question) -> None:
        if not q.has_answer:  # a note
            self.add(f'<div class="note" role="note" id="q-{q.name}">')
            self.preamble(q)
            self.add(f"<p>{self.t(q.label)}</p>")
            self.add("</div>")
            return
        self.add(f'<fieldset class="question {q.type}" id="q-{q.name}"'
                 f"{self.describedby(q)}>")
        self.add(self.legend(q))
        self.preamble(q)
        required = " required" if q.required else ""
        self.inputs(q, required)
        terminate = terminate_text(q, self.s, self.lang, self.numbers, _e)
        if terminate:
            self.add(f'<p class="terminate">{terminate}</p>')
        self.add("</fieldset>")

    def fieldwork(self) -> None:
        """The closing section: screening rules, quota tables and panel redirects."""
        spec = fieldwork_spec(self.s, self.lang, self.numbers, _e)
        if not spec:
            return
        self.add('<section id="fieldwork" aria-labelledby="h-fieldwork">')
        self.add(f'<h2 id="h-fieldwork">{self.u("fieldwork")}</h2>')
        if spec.screening:
            self.add(f"<h3>{self.u('screening')}</h3>")
            self.add("<ul>" + "".join(f"<li>{line}</li>" for line in spec.screening) + "</ul>")
        if spec.quotas:
            self.add(f"<h3>{self.u('quotas')}</h3>")
            self.add(f'<p class="meta">{self.u("quota_note")}</p>')
            for table in spec.quotas:
                head = "".join(f'<th scope="col">{cell}</th>' for cell in table.header)
                body = "".join(f'<tr><th scope="row">{row[0]}</th>'
                               + "".join(f"<td>{cell}</td>" for cell in row[1:]) + "</tr>"
                               for row in table.rows)
                self.add(f'<table class="grid quota"><caption>{table.name}</caption>'
                         f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        if spec.redirects:
            self.add(f"<h3>{self.u('redirects')}</h3>")
            self.add("<ul>" + "".join(f"<li>{line}</li>" for line in spec.redirects) + "</ul>")
        self.add("</section>")

    @singledispatchmethod
    def inputs(self, q: Any, required: str) -> None:
        """Add the answer inputs of a question (one handler per answerable type)."""
        raise TypeError(f"unsupported question type {q.type!r}")  # pragma: no cover

    @inputs.register(LikertQuestion)
    def _(self, q: LikertQuestion, required: str) -> None:
        self.instructions(q, self.u("select_one"))
        self.options(q.name, [(str(i), a) for i, a in enumerate(q.anchors, start=1)]
                     + self.dont_know_option(q), "radio", required)

    def dont_know_option(self, q: LikertQuestion | LikertGridQuestion | NpsQuestion
                         ) -> list[tuple[str, dict[str, str]]]:
        """The "Don't know" option after the scale, when the question offers it."""
        return [(DONT_KNOW_CODE, dont_know_texts(q, [self.lang]))] if q.dont_know else []

    def other_box(self, q: SingleChoiceQuestion | MultipleChoiceQuestion) -> None:
        """The "Other: ____" text box of the question's "Other (specify)" option."""
        choice = other_choice(q)
        if choice is None:
            return
        name = other_text_column(q.name)
        prompt = _e(specify_prompts([self.lang])[self.lang])
        self.add(f'<p class="other-specify"><label for="{name}">{self.t(choice.label)}: '
                 f'{prompt}</label> <input type="text" id="{name}" name="{name}"></p>')

    @inputs.register(SingleChoiceQuestion)
    @inputs.register(AttentionCheckQuestion)
    def _(self, q: SingleChoiceQuestion | AttentionCheckQuestion, required: str) -> None:
        self.instructions(q, self.u("select_one"))
        self.options(q.name, [(c.value, c.label) for c in q.choices], "radio", required)
        if q.type == "single_choice":
            self.other_box(q)

    @inputs.register(MultipleChoiceQuestion)
    def _(self, q: MultipleChoiceQuestion, required: str) -> None:
        self.instructions(q, _e(selection_instruction(self.lang, q)),
                          force=bool(q.min_selected or q.max_selected))
        self.options(q.name, [(c.value, c.label) for c in q.choices], "checkbox", "")
        self.other_box(q)

    def instructions(self, q: Question, text: str, force: bool = False) -> None:
        if force or not q.hint:  # otherwise the question's own hint instructs already
            self.add(f'<p class="instructions">{text}</p>')

    def options(self, name: str, options: list[tuple[str, dict[str, str]]], kind: str,
                required: str) -> None:
        self.add('<ul class="choices">')
        for value, label in options:
            input_id = f"{name}--{value}"
            self.add(f'<li><input type="{kind}" id="{_e(input_id)}" name="{_e(name)}" '
                     f'value="{_e(value)}"{required}><label for="{_e(input_id)}">'
                     f"{self.t(label)}</label></li>")
        self.add("</ul>")

    @inputs.register(LikertGridQuestion)
    def grid(self, q: LikertGridQuestion, required: str) -> None:
        if q.randomize:
            self.add(f'<p class="random">{self.u("random_rows")}</p>')
        self.add('<table class="grid">')
        self.add(f'<caption class="visually-hidden">{self.t(q.label)}</caption>')
        self.add("<thead><tr>")
        self.add(f'<th scope="col"><span class="visually-hidden">{self.u("statement")}'
                 "</span></th>")
        columns = [(str(i), anchor) for i, anchor in enumerate(q.anchors, start=1)]
        columns += self.dont_know_option(q)
        for i, (_, anchor) in enumerate(columns, start=1):
            self.add(f'<th scope="col" id="{q.name}--a{i}">{self.t(anchor)}</th>')
        self.add("</tr></thead>")
        self.add("<tbody>")
        for item in q.items:
            row_id = f"{item.name}--row"
            self.add(f'<tr><th scope="row" id="{row_id}"><span class="rownum">'
                     f"{_e(self.numbers[item.name])}</span> {self.t(item.label)}</th>")
            for i, (value, _) in enumerate(columns, start=1):
                self.add(f'<td><input type="radio" name="{item.name}" value="{value}" '
                         f'id="{item.name}--{value}" aria-labelledby="{row_id} '
                         f'{q.name}--a{i}"{required}></td>')
            self.add("</tr>")
        self.add("</tbody>")
        self.add("</table>")

    @inputs.register(RankingQuestion)
    def ranking(self, q: RankingQuestion, required: str) -> None:
        n = len(q.choices)
        self.add(f'<p class="instructions">{self.u("rank", n=n)}</p>')
        self.add('<ul class="choices ranking">')
        for choice in q.choices:
            input_id = f"{q.name}--{choice.value}"
            self.add(f'<li><input type="number" id="{_e(input_id)}" '
                     f'name="{_e(input_id)}" min="1" max="{n}" step="1" inputmode="numeric"'
                     f'{required}><label for="{_e(input_id)}">{self.t(choice.label)}'
                     "</label></li>")
        self.add("</ul>")

    @inputs.register(NpsQuestion)
    def _(self, q: NpsQuestion, required: str) -> None:
        self.instructions(q, self.u("select_one"))
        ends = {0: q.low_label, 10: q.high_label}
        labels = [(str(v), {self.lang: f"{v} - {self.t(ends[v])}" if ends.get(v) else str(v)})
                  for v in range(11)]
        labels += [(value, {self.lang: _e(text[self.lang])})
                   for value, text in self.dont_know_option(q)]
        self.add('<ul class="choices nps">')
        for value, label in labels:
            input_id = f"{q.name}--{value}"
            self.add(f'<li><input type="radio" id="{_e(input_id)}" name="{_e(q.name)}" '
                     f'value="{value}"{required}><label for="{_e(input_id)}">'
                     f"{label[self.lang]}</label></li>")
        self.add("</ul>")

    @inputs.register(MaxDiffQuestion)
    def _(self, q: MaxDiffQuestion, required: str) -> None:
        best_label, worst_label = best_worst_labels(self.s, q, [self.lang])
        best_columns, worst_columns = maxdiff_columns(q.name, q.sets)
        for k, items in enumerate(q.set_items(), start=1):
            title = set_titles(self.s, q, [self.lang], k)[self.lang]
            best, worst = best_columns[k - 1], worst_columns[k - 1]
            self.add('<table class="maxdiff">')
            self.add(f"<caption>{_e(title)}</caption>")
            self.add(f'<thead><tr><th scope="col" id="{best}--head">'
                     f'{_e(best_label[self.lang])}</th><th scope="col">'
                     f'<span class="visually-hidden">{self.u("statement")}</span></th>'
                     f'<th scope="col" id="{worst}--head">{_e(worst_label[self.lang])}'
                     "</th></tr></thead>")
            self.add("<tbody>")
            for item in items:
                row_id = f"{q.name}--s{k}--{item.value}"
                cells = [f'<td><input type="radio" name="{name}" value="{_e(item.value)}" '
                         f'aria-labelledby="{name}--head {row_id}"{required}></td>'
                         for name in (best, worst)]
                self.add(f"<tr>{cells[0]}<th scope=\"row\" id=\"{_e(row_id)}\">"
                         f"{self.t(item.label)}</th>{cells[1]}</tr>")
            self.add("</tbody>")
            self.add("</table>")

    @inputs.register(NumericQuestion)
    def numeric(self, q: NumericQuestion, required: str) -> None:
        rule = self.u("whole_number" if q.integer else "number")
        attrs = f' step="{"1" if q.integer else "any"}"'
        if q.min is not None and q.max is not None:
            rule += " " + self.u("range", min=format_number(q.min), max=format_number(q.max))
        elif q.min is not None:
            rule += " " + self.u("at_least", min=format_number(q.min))
        elif q.max is not None:
            rule += " " + self.u("at_most", max=format_number(q.max))
        if q.min is not None:
            attrs += f' min="{format_number(q.min)}"'
        if q.max is not None:
            attrs += f' max="{format_number(q.max)}"'
        unit = f' <span class="unit">{self.t(q.unit)}</span>' if q.unit else ""
        self.add(f'<p><label for="{q.name}">{rule}</label></p>')
        self.add(f'<p><input type="number" id="{q.name}" name="{q.name}" '
                 f'inputmode="decimal"{attrs}{required}>{unit}</p>')

    @inputs.register(TextQuestion)
    def text(self, q: TextQuestion, required: str) -> None:
        maxlength = f' maxlength="{q.max_length}"' if q.max_length else ""
        note = (f' <span class="hint">{self.u("max_chars", n=q.max_length)}</span>'
                if q.max_length else "")
        self.add(f'<p><label for="{q.name}">{self.u("your_answer")}</label>{note}</p>')
        if q.multiline:
            self.add(f'<textarea id="{q.name}" name="{q.name}" rows="5"{maxlength}'
                     f"{required}></textarea>")
        else:
            self.add(f'<input type="text" id="{q.name}" name="{q.name}"{maxlength}'
                     f"{required}>")


def render_html(survey: Survey, language: str, languages: Sequence[str] | None = None) -> str:
    """The printable HTML page of ``survey`` in ``language``.

    ``languages`` are the sibling pages to link to (default: only this one).
    """
    return _Page(survey, language, languages or [language]).render()


def export(survey: Survey, out_dir: Path, *, languages: Sequence[str] | None = None
           ) -> list[Path]:
    """Write ``<id>.<language>.html`` for each language into ``out_dir``.

    Parameters
    ----------
    survey : Survey
    out_dir : Path
    languages : sequence of str, optional
        Subset of the survey's languages (default: all).

    Returns
    -------
    list of Path
    """
    langs = resolve_languages(survey, languages)
    paths = []
    for language in langs:
        path = Path(out_dir) / f"{survey.id}.{language}.html"
        write_text_atomic(path, render_html(survey, language, langs))
        paths.append(path)
    return paths
