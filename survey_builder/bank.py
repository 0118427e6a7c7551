"""The built-in item bank: ASPECTS scales and layer modules stored as YAML in ``bank/``.

Files (all declarative, all in English and Spanish)
---------------------------------------------------
``anchors.yaml``
    Reusable Likert anchor sets (``agree5``, ``agree7``, ``like_me5``).
``attitudes.yaml``, ``social_values.yaml``, ``personal_interests.yaml``, ``emotions.yaml``,
``conscious_needs.yaml``, ``traits.yaml``
    One ASPECTS dimension each (``kind: aspects``): a section ``title``, the grid ``stem``
    and ``scales`` (name, label, description of the construct, ``high_score`` = what a
    high score means for communication, ``anchors``, ``points``, and ``items`` with
    ``name``, ``label`` and ``reverse_keyed``).
``demographics.yaml``, ``behaviour.yaml``, ``clv.yaml``, ``journey.yaml``,
``technographic.yaml``, ``firmographic.yaml``, ``attention.yaml``
    Layer modules (``kind: layer``): ``questions`` written exactly as in a spec, plus the
    ``clv`` / ``journey`` derivation blocks and ``uses`` (questions borrowed from another
    module).
``templates.yaml``
    ``init`` templates: which scales and which default modules.

All item wording is original to this project.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import SurveyError
from .spec import ASPECTS_DIMENSIONS

__all__ = [
    "BANK_DIR",
    "Bank",
    "BankItem",
    "BankModule",
    "BankScale",
    "list_modules",
    "list_scales",
    "load_bank",
]

BANK_DIR = Path(__file__).resolve().parent / "bank"


@dataclass(frozen=True)
class BankItem:
    """One Likert statement of a bank scale."""

    name: str
    label: dict[str, str]
    reverse_keyed: bool = False


@dataclass(frozen=True)
class BankScale:
    """A bank scale with its metadata and items.

    Attributes
    ----------
    name : str
    dimension : str
        The ASPECTS dimension.
    label, description, high_score : dict
        Per language: short label, the construct measured, and what a high score means
        for communication.
    points : int
        Number of Likert points (5 or 7).
    anchors : str
        Name of the anchor set in ``anchors.yaml``.
    items : tuple of BankItem
    module : str
        Bank module (file) the scale comes from.
    """

    name: str
    dimension: str
    label: dict[str, str]
    description: dict[str, str]
    high_score: dict[str, str]
    points: int
    anchors: str
    items: tuple[BankItem, ...]
    module: str

    @property
    def reverse_keyed(self) -> list[str]:
        """Names of the reverse-keyed items."""
        return [item.name for item in self.items if item.reverse_keyed]

    def spec_scale(self) -> dict[str, Any]:
        """The scale definition as it appears in a survey spec."""
        return {"name": self.name, "dimension": self.dimension, "label": dict(self.label),
                "description": dict(self.description), "high_score": dict(self.high_score),
                "points": self.points}


@dataclass
class BankModule:
    """One bank file."""

    name: str
    kind: str
    title: dict[str, str]
    dimension: str | None = None
    layer: str | None = None
    stem: dict[str, str] | None = None
    scales: list[BankScale] = field(default_factory=list)
    questions: list[dict[str, Any]] = field(default_factory=list)
    clv: dict[str, Any] | None = None
    journey: dict[str, Any] | None = None
    uses: list[str] = field(default_factory=list)


@dataclass
class Bank:
    """The whole bank: anchor sets, modules and ``init`` templates."""

    anchor_sets: dict[str, list[dict[str, str]]]
    modules: dict[str, BankModule]
    templates: dict[str, dict[str, Any]]

    def list_scales(self, dimension: str | None = None) -> list[BankScale]:
        """Scales in ASPECTS order, optionally of one ``dimension`` only."""
        if dimension is not None and dimension not in ASPECTS_DIMENSIONS:
            raise SurveyError(f"unknown ASPECTS dimension {dimension!r} (choose from "
                              f"{', '.join(ASPECTS_DIMENSIONS)})", field="--dimension")
        out = []
        for dim in ASPECTS_DIMENSIONS:
            if dimension in (None, dim) and dim in self.modules:
                out.extend(self.modules[dim].scales)
        return out

    def scale(self, name: str) -> BankScale:
        """The scale called ``name`` (``KeyError`` if none)."""
        for scale in self.list_scales():
            if scale.name == name:
                return scale
        raise KeyError(name)

    def module(self, name: str) -> BankModule:
        """The module called ``name`` (``KeyError`` if none)."""
        return self.modules[name]

    def layer_modules(self) -> list[str]:
        """Names of the layer modules (``demographics``, ``behaviour``, ...)."""
        return [name for name, module in self.modules.items() if module.kind == "layer"]

    def question(self, name: str) -> dict[str, Any]:
        """A layer question by name (a copy), ``KeyError`` if none."""
        for module in self.modules.values():
            for question in module.questions:
                if question.get("name") == name:
                    return dict(question)
        raise KeyError(name)

    def languages(self) -> list[str]:
        """Languages every bank text is available in."""
        langs: set[str] | None = None
        for texts in self.anchor_sets.values():
            for text in texts:
                langs = set(text) if langs is None else langs & set(text)
        return sorted(langs or {"en"}, key=lambda lang: (lang != "en", lang))


def _text(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise SurveyError("expected text per language", where)
    return {str(k): v for k, v in value.items()}


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SurveyError(f"malformed bank file: {exc}", str(path)) from None
    if not isinstance(data, dict) or "kind" not in data:
        raise SurveyError("bank file needs 'module' and 'kind'", str(path))
    return data


def _scale(raw: Mapping[str, Any], module: str, dimension: str, where: str) -> BankScale:
    items = tuple(BankItem(item["name"], _text(item["label"], where),
                           bool(item.get("reverse_keyed", False))) for item in raw["items"])
    return BankScale(
        name=raw["name"], dimension=dimension, label=_text(raw["label"], where),
        description=_text(raw["description"], where),
        high_score=_text(raw["high_score"], where), points=int(raw.get("points", 5)),
        anchors=raw["anchors"], items=items, module=module)


def _load(directory: Path) -> Bank:
    anchor_sets: dict[str, list[dict[str, str]]] = {}
    modules: dict[str, BankModule] = {}
    templates: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = _read(path)
        where = str(path)
        kind = data["kind"]
        if kind == "anchors":
            for name, texts in data["anchor_sets"].items():
                anchor_sets[name] = [_text(t, where) for t in texts]
        elif kind == "templates":
            templates.update(data["templates"])
        elif kind in ("aspects", "layer"):
            name = data["module"]
            module = BankModule(name=name, kind=kind, title=_text(data["title"], where),
                                dimension=data.get("dimension"), layer=data.get("layer"),
                                stem=_text(data["stem"], where) if "stem" in data else None,
                                questions=list(data.get("questions") or []),
                                clv=data.get("clv"), journey=data.get("journey"),
                                uses=list(data.get("uses") or []))
            if kind == "aspects":
                module.scales = [_scale(s, name, data["dimension"], where)
                                 for s in data.get("scales") or []]
            modules[name] = module
        else:
            raise SurveyError(f"unknown bank file kind {kind!r}", where, None, "kind")
    return Bank(anchor_sets, modules, templates)


@lru_cache(maxsize=4)
def _load_cached(directory: str) -> Bank:
    return _load(Path(directory))


def load_bank(directory: str | Path | None = None) -> Bank:
    """Load the item bank (cached).

    Parameters
    ----------
    directory : path, optional
        A bank directory with the same layout (default: the built-in :data:`BANK_DIR`).
    """
    return _load_cached(str(Path(directory or BANK_DIR).resolve()))


def list_scales(dimension: str | None = None) -> list[BankScale]:
    """Built-in scales, optionally of one ASPECTS ``dimension`` only.

    >>> [s.name for s in list_scales("traits")][:1]
    ['tr_openness']
    """
    return load_bank().list_scales(dimension)


def list_modules(kind: str | None = None) -> list[str]:
    """Names of the built-in modules (``kind``: ``aspects`` or ``layer``)."""
    return [name for name, module in load_bank().modules.items()
            if kind is None or module.kind == kind]
