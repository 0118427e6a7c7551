"""Compose a starting questionnaire spec from the item bank (used by ``survey-builder init``).

Section order: behaviour (or a CLV section with just the CLV inputs), journey, the ASPECTS
dimensions (one likert grid per scale, rows shuffled; attention checks spread among
them), technographic, firmographic, demographics.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .bank import Bank, BankModule, BankScale, load_bank
from .errors import SurveyError
from .spec import ASPECTS_DIMENSIONS

__all__ = ["MODULE_ORDER", "compose_survey", "parse_list"]

#: Order of layer sections around the ASPECTS block.
MODULE_ORDER = ("behaviour", "clv", "journey", "aspects", "technographic", "firmographic",
                "demographics")


def parse_list(text: str | Sequence[str] | None) -> list[str]:
    """Split ``"a,b, c"`` into ``["a", "b", "c"]`` (lists pass through; ``None`` -> ``[]``)."""
    if text is None:
        return []
    parts = text.split(",") if isinstance(text, str) else list(text)
    return [p.strip() for p in parts if p and p.strip()]


def _filter_languages(data: Any, keep: list[str], bank_languages: set[str]) -> Any:
    if isinstance(data, Mapping):
        if data and set(data) <= bank_languages and all(isinstance(v, str)
                                                        for v in data.values()):
            return {lang: data[lang] for lang in keep if lang in data}
        return {k: _filter_languages(v, keep, bank_languages) for k, v in data.items()}
    if isinstance(data, list):
        return [_filter_languages(v, keep, bank_languages) for v in data]
    return data


def _grid(scale: BankScale, stem: Mapping[str, str]) -> dict[str, Any]:
    items = []
    for item in scale.items:
        row: dict[str, Any] = {"name": item.name, "label": dict(item.label)}
        if item.reverse_keyed:
            row["reverse_keyed"] = True
        items.append(row)
    return {"type": "likert_grid", "name": f"{scale.name}_grid", "label": dict(stem),
            "points": scale.points, "anchors": scale.anchors, "scale": scale.name,
            "randomize": True, "items": items}


def _section(name: str, module: BankModule, questions: list[dict[str, Any]],
             randomize: bool = False) -> dict[str, Any]:
    section: dict[str, Any] = {"name": name, "title": dict(module.title),
                               "questions": questions}
    if randomize:
        section["randomize"] = True
    return section


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    slug = re.sub(r"^[^a-z]+", "", slug)[:26].rstrip("_")
    return slug or "survey"


def _select_scales(bank: Bank, wanted: Any, dimensions: Iterable[str] | None
                   ) -> list[BankScale]:
    scales = bank.list_scales()
    if wanted != "all":
        names = list(wanted)
        unknown = [n for n in names if n not in {s.name for s in scales}]
        if unknown:
            raise SurveyError(f"template uses unknown scales {unknown}")
        scales = [s for s in scales if s.name in names]
    if dimensions is not None:
        dims = list(dimensions)
        bad = [d for d in dims if d not in ASPECTS_DIMENSIONS]
        if bad:
            raise SurveyError(f"unknown ASPECTS dimension {bad[0]!r} (choose from "
                              f"{', '.join(ASPECTS_DIMENSIONS)})", field="--dimensions")
        scales = [s for s in scales if s.dimension in dims]
    return scales


def compose_survey(
    template: str = "aspects",
    modules: Sequence[str] | None = None,
    languages: Sequence[str] = ("en", "es"),
    *,
    title: str | None = None,
    survey_id: str | None = None,
    dimensions: Sequence[str] | None = None,
    bank: Bank | None = None,
) -> dict[str, Any]:
    """Build a spec document (a plain dict) from a bank template.

    Parameters
    ----------
    template : str
        A template of ``bank/templates.yaml`` (``aspects``, ``b2b``).
    modules : sequence of str, optional
        Layer modules to add (default: the template's). Any of ``demographics``,
        ``behaviour``, ``clv``, ``journey``, ``technographic``, ``firmographic``,
        ``attention``.
    languages : sequence of str
        Languages to keep; the first is the default language.
    title : str, optional
        Survey title (same text in every language; default: the template's title).
    survey_id : str, optional
        Survey id (default: derived from the title).
    dimensions : sequence of str, optional
        Keep only these ASPECTS dimensions.
    bank : Bank, optional
        Defaults to the built-in bank.

    Returns
    -------
    dict
        A spec document; validate it with :func:`survey_builder.spec.survey_from_dict`.

    Raises
    ------
    SurveyError
        Unknown template, module or language.
    """
    bank = bank or load_bank()
    if template not in bank.templates:
        raise SurveyError(f"unknown template {template!r} (choose from "
                          f"{', '.join(bank.templates)})", field="--template")
    spec = bank.templates[template]
    modules = list(spec.get("modules", [])) if modules is None else list(modules)
    available = bank.layer_modules()
    for name in modules:
        if name not in available:
            raise SurveyError(f"unknown module {name!r} (choose from {', '.join(available)})",
                              field="--modules")
    languages = list(languages)
    bank_languages = bank.languages()
    if not languages:
        raise SurveyError("give at least one language", field="--languages")
    for lang in languages:
        if lang not in bank_languages:
            raise SurveyError(f"the item bank has no {lang!r} texts (available: "
                              f"{', '.join(bank_languages)})", field="--languages")

    sections: list[dict[str, Any]] = []
    used_anchor_sets: set[str] = set()

    def layer(name: str) -> None:
        module = bank.module(name)
        questions = copy.deepcopy(module.questions)
        for q in questions:
            if isinstance(q.get("anchors"), str):
                used_anchor_sets.add(q["anchors"])
        sections.append(_section(name, module, questions))

    aspects_sections: list[dict[str, Any]] = []
    scales = _select_scales(bank, spec.get("scales", "all"), dimensions)
    for order_name in MODULE_ORDER:
        if order_name == "aspects":
            for dim in ASPECTS_DIMENSIONS:
                dim_scales = [s for s in scales if s.dimension == dim]
                if not dim_scales:
                    continue
                module = bank.module(dim)
                grids = [_grid(s, module.stem or {}) for s in dim_scales]
                used_anchor_sets.update(s.anchors for s in dim_scales)
                section = _section(dim, module, grids, randomize=len(grids) > 1)
                sections.append(section)
                aspects_sections.append(section)
        elif order_name == "clv" and "clv" in modules and "behaviour" not in modules:
            module = bank.module("clv")
            sections.append(_section("clv", module, [bank.question(n) for n in module.uses]))
        elif order_name in modules and order_name != "clv":
            layer(order_name)

    if "attention" in modules:
        checks = copy.deepcopy(bank.module("attention").questions)
        if aspects_sections:
            n = len(aspects_sections)
            for i, check in enumerate(checks):
                target = aspects_sections[min(n - 1, (i + 1) * n // (len(checks) + 1))]
                questions = target["questions"]
                questions.insert((len(questions) + 1) // 2, check)
        else:
            sections.insert(0, _section("attention", bank.module("attention"), checks))

    chosen_title = {lang: title for lang in languages} if title else dict(spec["title"])
    document: dict[str, Any] = {
        "id": survey_id or _slug(title or template),
        "version": "1",
        "title": chosen_title,
        "description": dict(spec["description"]),
        "languages": languages,
        "default_language": languages[0],
        "anchor_sets": {name: bank.anchor_sets[name] for name in sorted(used_anchor_sets)},
        "scales": [s.spec_scale() for s in scales],
        "sections": sections,
    }
    if "clv" in modules:
        document["clv"] = copy.deepcopy(bank.module("clv").clv)
    if "journey" in modules:
        document["journey"] = copy.deepcopy(bank.module("journey").journey)
    return _filter_languages(document, languages, set(bank_languages))
