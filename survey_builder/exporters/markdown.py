"""Markdown export: a readable questionnaire document for review and translation.

One file per language, ``<survey id>.<language>.md``, with every question's number,
name, type, wording, options with their codes, conditions, randomisation, attention-check
answers, "TERMINATE if ..." under each screening question, a closing section of screening
rules, quota tables and panel redirects (:mod:`._screening`), and a table of scales. All
user text is escaped for Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import singledispatchmethod
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from ..codebook import maxdiff_columns
from ..layout import DONT_KNOW_CODE, other_text_column
from ..spec import (
    AttentionCheckQuestion,
    ChoiceQuestion,
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
from ._common import format_number, resolve_languages
from ._maxdiff import best_worst_labels
from ._screening import fieldwork_spec, terminate_text
from ._ui import (
    describe_condition,
    number_questions,
    piped_placeholders,
    selection_instruction,
    ui,
)

__all__ = ["export", "render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|#~!])")


def md(text: str) -> str:
    """Escape Markdown/HTML-significant characters; newlines become ``<br>``-free spaces."""
    text = _SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"^(\s*)([-+=]|\d+\.)(\s)", r"\1\\\2\3", text)
    return " ".join(text.split())


class _Writer:
    def __init__(self, survey: Survey, language: str) -> None:
        self.s = survey
        self.lang = language
        self.numbers = number_questions(survey)
        self.lines: list[str] = []

    def t(self, text: dict[str, str] | None) -> str:
        return md(piped_placeholders(self.s.text(text, self.lang), self.lang, self.numbers))

    def u(self, key: str, **values: object) -> str:
        return ui(self.lang, key, **values)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def render(self) -> str:
        s = self.s
        self.add(f"# {self.t(s.title)}", "")
        if s.description:
            self.add(self.t(s.description), "")
        n_questions = sum(1 for q in s.iter_questions() if q.has_answer)
        self.add(f"`{s.id}` · {self.u('version')} {md(s.version)} · {self.u('language')} "
                 f"`{self.lang}` · {n_questions} {self.u('questions')}", "")
        self.add(f"_{self.u('required_note')}_", "")
        for index, section in enumerate(s.sections, start=1):
            self.add(f"## {index}. {self.t(section.title)}", "")
            if section.randomize:
                self.add(f"> {self.u('random_section')}", "")
            for question in section.questions:
                self.question(question)
        self.fieldwork()
        self.scales()
        return "\n".join(self.lines).rstrip() + "\n"

    def question(self, q: Question) -> None:
        if not q.has_answer:  # a note
            self.add(f"> {self.t(q.label)}", "")
            if q.relevant:
                self.add(f"> _{self.u('only_if')}: {self.condition(q.relevant)}_", "")
            return
        prefix = self.u("q")
        star = " \\*" if q.required else ""
        self.add(f"### {prefix}{self.numbers[q.name]}. {self.t(q.label)}{star}", "")
        meta = [f"`{q.name}`", self.u(f"type_{q.type}")]
        if q.required:
            meta.append(self.u("required"))
        self.add(" · ".join(meta), "")
        if q.hint:
            self.add(f"_{self.t(q.hint)}_", "")
        if q.relevant:
            self.add(f"**{self.u('only_if')}:** {self.condition(q.relevant)}", "")
        self.body(q)
        terminate = terminate_text(q, self.s, self.lang, self.numbers, md)
        if terminate:
            self.add(f"**{terminate}** (`{q.terminate_if.replace('`', '')}`)", "")

    def fieldwork(self) -> None:
        """The closing section: screening rules, quota tables and panel redirects."""
        spec = fieldwork_spec(self.s, self.lang, self.numbers, md)
        if not spec:
            return
        self.add(f"## {md(self.u('fieldwork'))}", "")
        if spec.screening:
            self.add(f"### {md(self.u('screening'))}", "",
                     *(f"- {line}" for line in spec.screening), "")
        if spec.quotas:
            self.add(f"### {md(self.u('quotas'))}", "", f"_{md(self.u('quota_note'))}_", "")
            for table in spec.quotas:
                self.add(f"**{table.name}**", "", "| " + " | ".join(table.header) + " |",
                         "|" + "".join("---:|" if i and all(row[i].isdigit() for row in
                                                             table.rows) else "---|"
                                       for i in range(len(table.header))),
                         *("| " + " | ".join(row) + " |" for row in table.rows), "")
        if spec.redirects:
            self.add(f"### {md(self.u('redirects'))}", "",
                     *(f"- {line}" for line in spec.redirects), "")

    @singledispatchmethod
    def body(self, q: Any) -> None:
        """Add what follows the heading of an answerable question (one handler per type)."""
        raise TypeError(f"unsupported question type {q.type!r}")  # pragma: no cover

    @body.register(LikertQuestion)
    def _(self, q: LikertQuestion) -> None:
        self.anchors(q.anchors)
        self.dont_know(q)
        if q.scale:
            reverse = f" ({self.u('reverse')})" if q.reverse_keyed else ""
            self.add(f"{self.u('scale')}: `{q.scale}`{reverse}", "")

    @body.register(LikertGridQuestion)
    def _(self, q: LikertGridQuestion) -> None:
        if q.randomize:
            self.add(f"> {self.u('random_rows')}", "")
        self.add(f"| # | `name` | {self.u('statement')} | {self.u('scale')} |",
                 "|---|---|---|---|")
        for item in q.items:
            reverse = f" ({self.u('reverse')})" if item.reverse_keyed else ""
            scale = f"`{item.scale}`{reverse}" if item.scale else ""
            self.add(f"| {self.u('q')}{self.numbers[item.name]} | `{item.name}` | "
                     f"{self.t(item.label)} | {scale} |")
        self.add("")
        self.anchors(q.anchors)
        self.dont_know(q)

    def dont_know(self, q: LikertQuestion | LikertGridQuestion | NpsQuestion) -> None:
        """The "Don't know" option, apart from the scale, when the question offers it."""
        if q.dont_know:
            text = md(dont_know_texts(q, [self.lang])[self.lang])
            self.add(f"`{DONT_KNOW_CODE}` = {text} (not a point of the scale)", "")

    @body.register(SingleChoiceQuestion)
    @body.register(MultipleChoiceQuestion)
    @body.register(RankingQuestion)
    @body.register(AttentionCheckQuestion)
    def _(self, q: ChoiceQuestion) -> None:
        self.choice_instructions(q)
        self.add(f"| {self.u('code')} | {self.u('option')} |", "|---|---|")
        for choice in q.choices:
            correct = ""
            if q.type == "attention_check" and choice.value == q.answer:
                correct = f" **({self.u('correct')})**"
            elif choice.exclusive:
                correct = f" _({self.u('exclusive')})_"
            self.add(f"| `{choice.value}` | {self.t(choice.label)}{correct} |")
        self.add("")
        other = other_choice(q)
        if other is not None:
            prompt = md(specify_prompts([self.lang])[self.lang])
            self.add(f"{self.t(other.label)}: {prompt} ________ "
                     f"(`{other_text_column(q.name)}`)", "")

    @body.register(NumericQuestion)
    def _(self, q: NumericQuestion) -> None:
        self.add(self.numeric_rule(q), "")

    @body.register(NpsQuestion)
    def _(self, q: NpsQuestion) -> None:
        low = f" ({self.t(q.low_label)})" if q.low_label else ""
        high = f" ({self.t(q.high_label)})" if q.high_label else ""
        self.add(f"_{self.u('select_one')}_: 0{low} … 10{high}", "")
        self.dont_know(q)

    @body.register(MaxDiffQuestion)
    def _(self, q: MaxDiffQuestion) -> None:
        best_label, worst_label = best_worst_labels(self.s, q, [self.lang])
        best_columns, worst_columns = maxdiff_columns(q.name, q.sets)
        self.add(f"| {self.u('code')} | {self.u('option')} |", "|---|---|")
        for item in q.items:
            self.add(f"| `{item.value}` | {self.t(item.label)} |")
        self.add("")
        self.add(f"| # | {md(best_label[self.lang])} / {md(worst_label[self.lang])} | "
                 f"{self.u('items')} |", "|---|---|---|")
        for k, items in enumerate(q.set_items(), start=1):
            codes = ", ".join(f"`{item.value}`" for item in items)
            self.add(f"| {k} | `{best_columns[k - 1]}` / `{worst_columns[k - 1]}` | "
                     f"{codes} |")
        stats = q.design().statistics()

        def span(low: int, high: int) -> str:
            return str(low) if low == high else f"{low}–{high}"

        self.add("", "_" + md(ui(self.lang, "maxdiff_design", seed=q.seed,
                                 shown=span(stats["appearances"]["min"],
                                            stats["appearances"]["max"]),
                                 pairs=span(stats["pairs"]["min"], stats["pairs"]["max"])))
                 + "_", "")

    @body.register(TextQuestion)
    def _(self, q: TextQuestion) -> None:
        rule = f"{self.u('your_answer')}: ____"
        if q.max_length:
            rule += f" ({self.u('max_chars', n=q.max_length)})"
        self.add(rule, "")

    def choice_instructions(self, q: ChoiceQuestion) -> None:
        text = self.choice_text(q)
        if q.hint and q.type != "ranking" and not getattr(
                q, "min_selected", None) and not getattr(q, "max_selected", None):
            return  # the question's own hint already instructs the respondent
        self.add(f"_{text}_", "")

    @singledispatchmethod
    def choice_text(self, q: Any) -> str:
        """How to answer a question with choices (one handler per type)."""
        raise TypeError(f"no choices in question type {q.type!r}")  # pragma: no cover

    @choice_text.register(SingleChoiceQuestion)
    @choice_text.register(AttentionCheckQuestion)
    def _(self, q: SingleChoiceQuestion | AttentionCheckQuestion) -> str:
        return self.u("select_one")

    @choice_text.register(MultipleChoiceQuestion)
    def _(self, q: MultipleChoiceQuestion) -> str:
        return selection_instruction(self.lang, q)

    @choice_text.register(RankingQuestion)
    def _(self, q: RankingQuestion) -> str:
        return self.u("rank", n=len(q.choices))

    def numeric_rule(self, q: NumericQuestion) -> str:
        text = self.u("whole_number" if q.integer else "number")
        if q.min is not None and q.max is not None:
            text += " " + self.u("range", min=format_number(q.min), max=format_number(q.max))
        elif q.min is not None:
            text += " " + self.u("at_least", min=format_number(q.min))
        elif q.max is not None:
            text += " " + self.u("at_most", max=format_number(q.max))
        if q.unit:
            text += f" ({self.t(q.unit)})"
        return text + "."

    def anchors(self, anchors: Sequence[dict[str, str]]) -> None:
        self.add(" · ".join(f"{i} = {self.t(a)}" for i, a in enumerate(anchors, start=1)), "")

    def condition(self, expr: str) -> str:
        readable = describe_condition(expr, self.s, self.lang, self.numbers, quote=md)
        return f"{readable} (`{expr.replace('`', '')}`)"

    def scales(self) -> None:
        s = self.s
        if not s.scales:
            return
        self.add(f"## {self.u('scales')}", "")
        self.add(f"| `name` | {self.u('scale')} | {self.u('dimension')} | {self.u('items')} | "
                 f"{self.u('measures')} | {self.u('high_score')} |",
                 "|---|---|---|---|---|---|")
        for scale in s.scales:
            items = ", ".join(f"`{i.name}`" + (" (R)" if i.reverse_keyed else "")
                              for i in s.scale_items(scale))
            where = md(scale.dimension or scale.layer or "")
            self.add(f"| `{scale.name}` | {self.t(scale.label)} | {where} | {items} | "
                     f"{self.t(scale.description)} | {self.t(scale.high_score)} |")
        self.add("")
        derived = []
        if s.clv:
            derived.append(f"- {md(self.u('clv', currency=s.clv.currency))}: "
                           f"`{s.clv.value.question}` × `{s.clv.frequency.question}` × "
                           f"`{s.clv.lifespan.question}`")
        if s.journey:
            stages = s.journey.stages or [c.value for c in s.get(s.journey.question).choices]
            derived.append("- " + self.u("journey", q=f"`{s.journey.question}`",
                                         stages=" → ".join(f"`{v}`" for v in stages)))
        if derived:
            self.add(f"## {self.u('derived')}", "", *derived, "")


def render_markdown(survey: Survey, language: str) -> str:
    """The Markdown document of ``survey`` in ``language``."""
    return _Writer(survey, language).render()


def export(survey: Survey, out_dir: Path, *, languages: Sequence[str] | None = None
           ) -> list[Path]:
    """Write ``<id>.<language>.md`` for each language into ``out_dir``.

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
    paths = []
    for language in resolve_languages(survey, languages):
        path = Path(out_dir) / f"{survey.id}.{language}.md"
        write_text_atomic(path, render_markdown(survey, language))
        paths.append(path)
    return paths
