"""Read YAML/JSON documents while remembering the line of every value.

:func:`load_document` returns the plain data plus a :class:`Locator`, which maps a
location path such as ``("sections", 1, "questions", 3, "scale")`` to the 1-based line
it came from, so validation errors can say ``survey.yaml:42``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .errors import SurveyError

__all__ = ["Locator", "format_loc", "load_document", "parse_document"]


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class SpecLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 (core schema) numbers.

    YAML 1.1 reads ``18_34`` as the integer 1834, ``1:30`` as 90 and ``012`` as octal
    10 — silent traps for choice codes. Here a number is only what it looks like:
    digits with an optional sign, ``0x``/``0o`` prefixes, or a plain decimal/exponent
    float; anything else stays a string. (Booleans keep YAML 1.1's yes/no/on/off so
    the spec can reject them with a clear "put it in quotes" error.)
    """


SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
SpecLoader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$"), list("-+0123456789"))
SpecLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if text.startswith(("0x", "0o")):
        return int(text, 0)
    return int(text, 10)


SpecLoader.add_constructor(_INT, _construct_int)


def format_loc(loc: Sequence[str | int]) -> str:
    """Format a location path as ``sections[1].questions[3].scale``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class Locator:
    """Map location paths to 1-based line numbers using a composed YAML node tree.

    Parameters
    ----------
    root : yaml.Node or None
        The composed document (``None`` gives a locator that knows no lines).
    """

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    def line(self, loc: Sequence[str | int]) -> int | None:
        """Line of the deepest node on ``loc`` that exists (the key's line for mappings)."""
        node = self.root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in loc:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                        child, line = value, key.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    child = node.value[part]
                    line = child.start_mark.line + 1
            if child is None:
                break
            node = child
        return line


def _duplicate_key(node: yaml.Node, path: list[str | int]) -> tuple[list[str | int], int] | None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    return [*path, key.value], key.start_mark.line + 1
                seen.add(key.value)
                found = _duplicate_key(value, [*path, key.value])
                if found:
                    return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = _duplicate_key(item, [*path, index])
            if found:
                return found
    return None


def parse_document(text: str, source: str = "<string>", *, json_only: bool = False
                   ) -> tuple[Any, Locator]:
    """Parse YAML (or JSON) text into data and a :class:`Locator`.

    Raises
    ------
    SurveyError
        Malformed document, duplicate mapping keys, or an empty document.
    """
    if json_only:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SurveyError(f"malformed JSON: {exc.msg} (column {exc.colno})",
                              source, exc.lineno) from None
        try:
            root = yaml.compose(text, Loader=SpecLoader)
        except yaml.YAMLError:  # valid JSON that PyYAML cannot compose: no line numbers
            root = None
        return data, Locator(root)
    loader = SpecLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise SurveyError("the document is empty", source, 1)
        found = _duplicate_key(root, [])
        if found:
            path, line = found
            raise SurveyError("duplicate key (each key may appear once)", source, line,
                              format_loc(path))
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot parse"
        context = f" {exc.context}" if exc.context and exc.problem else ""
        raise SurveyError(f"malformed YAML: {problem}{context}", source,
                          mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise SurveyError(f"malformed YAML: {exc}", source) from None
    finally:
        loader.dispose()
    return data, Locator(root)


def load_document(path: str | Path) -> tuple[Any, Locator]:
    """Read a ``.yaml``/``.yml``/``.json`` file (UTF-8) into data and a :class:`Locator`.

    ``"-"`` reads standard input as YAML.
    """
    if str(path) == "-":
        import sys

        return parse_document(sys.stdin.read(), "<stdin>")
    source = str(path)
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SurveyError(f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8",
                          source, line) from None
    return parse_document(text, source, json_only=Path(path).suffix.lower() == ".json")
