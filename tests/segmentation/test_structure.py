"""How the engine is put together: an acyclic module graph and public fitted state only."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from sklearn.base import BaseEstimator

import dash_personas
from dash_personas.segmentation import KPrototypes

PACKAGE = Path(dash_personas.__file__).parent
SEGMENTATION = PACKAGE / "segmentation"
PLUGINS = PACKAGE.parent / "plugins"
PRIVATE_STATE = {"_encoder", "_centers", "_zero_weight_means"}


def _sibling_imports(path: Path) -> set[str]:
    """Modules of the same package imported anywhere in ``path`` (lazy imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_segmentation_modules_form_a_dag():
    graph = {path.stem: _sibling_imports(path) for path in SEGMENTATION.glob("_*.py")
             if path.stem != "__init__"}
    assert graph["_init"] >= {"_lloyd"} and graph["_kprototypes"] >= {"_init", "_lloyd"}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle between {exc.args[1]}") from None
    assert order.index("_lloyd") < order.index("_init") < order.index("_kprototypes")


def test_nothing_reads_the_estimators_private_state():
    assert PLUGINS.is_dir()
    readers = []
    for path in [*PACKAGE.rglob("*.py"), *PLUGINS.rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in PRIVATE_STATE:
                readers.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.attr}")
    assert readers == []


def test_parameters_are_validated_the_scikit_learn_way():
    assert "_validate_params" not in KPrototypes.__dict__
    assert KPrototypes._validate_params is BaseEstimator._validate_params
    assert set(KPrototypes._parameter_constraints) == set(KPrototypes().get_params())
    assert hasattr(KPrototypes.fit, "__wrapped__")  # @_fit_context
