"""A fitted model as one standard-SQL query, so a warehouse can assign segments.

:func:`model_to_sql` writes ``SELECT <id>, CASE ... END AS segment FROM <table>``
computing what :meth:`KPrototypes.predict` computes, in three nested steps:

1. ``encoded``: each numeric column standardised and weighted like
   ``MixedEncoder.transform`` (``(x - mean) / std * sqrt(weight)``; an ordered
   category becomes its position, 1-based), each categorical column as it is.
2. ``distances``: the k-prototypes distance to every prototype
   (:class:`KPrototypesDistance`): squared differences of the numeric values plus
   ``gamma * weight`` per categorical mismatch. A ``NULL`` contributes nothing (the
   engine's missing-value rule); a level never seen in ``fit`` mismatches every
   prototype. The engine's rescaling by observed weight multiplies all ``k``
   distances of a row alike, so it cannot change the nearest one and is left out.
3. the nearest prototype, ties going to the lowest segment number like
   ``numpy.argmin``; ``NULL`` for a row with no observed value (``predict`` refuses it).

Identifiers are always double-quoted (embedded quotes doubled), text levels are
single-quoted string literals, numbers are written with full float64 precision;
only standard SQL is used (``CASE``, ``CAST(... AS DOUBLE PRECISION)``, arithmetic).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from survey_builder.errors import UserError

__all__ = ["model_to_sql", "quote_identifier"]

_PREFIX = "dp_"  # the query's own column names; an id column with it is refused


def quote_identifier(name: str) -> str:
    """``name`` as a standard-SQL delimited identifier (``a"b`` becomes ``"a""b"``).

    Raises
    ------
    UserError
        The name is empty or contains a NUL character (no database accepts it).
    """
    name = str(name)
    if not name or "\x00" in name:
        raise UserError(f"{name!r} cannot be used as an SQL identifier")
    return '"' + name.replace('"', '""') + '"'


def model_to_sql(model: Any, table: str, *, id_column: str = "id",
                 features: Any = None) -> str:
    """The query that assigns the rows of ``table`` to the model's segments.

    Parameters
    ----------
    model : KPrototypes
        A fitted model.
    table : str
        Table (or view) holding the model's columns; dots separate a schema
        (``"analytics.customers"``). Missing answers must be ``NULL``.
    id_column : str, default="id"
        Column returned next to the segment.
    features : sequence of str, optional
        Only these of the model's columns are read; the others count as unanswered,
        as for a typing tool (``model_to_sql(tool.model, ..., features=tool.questions)``
        assigns like ``tool.predict``). All by default.

    Returns
    -------
    str
        One ``SELECT`` statement (ends with a newline, no semicolon) returning
        ``<id_column>, segment``.

    Raises
    ------
    UserError
        A name cannot be quoted or collides with the query's own columns, or a
        categorical column has levels that are not text, numbers or booleans (or
        mixes text and numbers).
    """
    if not hasattr(model, "prototypes_"):
        raise UserError("only a fitted model can be written as SQL; call fit() first")
    encoder, distance = model.encoder_, model.distance_
    prototypes = model.prototypes_
    k = prototypes.n_clusters
    if id_column.lower().startswith(_PREFIX):
        raise UserError(f"the id column {id_column!r} starts with {_PREFIX!r}, which the "
                        "query uses for its own columns; rename it")
    if id_column.lower() == "segment":
        raise UserError("the id column cannot be called 'segment' (the query's result)")
    names = [str(n) for n in encoder.feature_names_in_]
    used = set(names) if features is None else {str(f) for f in features}
    unknown = sorted(used - set(names))
    if unknown or not used:
        raise UserError(f"the model has no column {unknown[0]!r}" if unknown
                        else "features= names no column to assign with")
    quoted_id = quote_identifier(id_column)
    table_name = ".".join(quote_identifier(part) for part in str(table).split("."))

    encoded = [quoted_id]
    observed: list[str] = []
    terms: list[list[str]] = [[] for _ in range(k)]
    scale = np.sqrt(encoder.numeric_weights_)
    for j, name in enumerate(encoder.numeric_features_):
        if encoder.numeric_weights_[j] == 0 or name not in used:
            continue  # contributes nothing to any distance and does not count as observed
        alias = f"{_PREFIX}z{j}"
        value = _numeric_value(name, encoder.ordered_levels_.get(name))
        encoded.append(f"({value} - {_number(encoder.mean_[j])}) / {_number(encoder.std_[j])}"
                       f" * {_number(scale[j])} AS {alias}")
        observed.append(f"CASE WHEN {alias} IS NULL THEN 0 ELSE 1 END")
        for c in range(k):
            diff = f"({alias} - {_number(prototypes.numeric[c, j])})"
            terms[c].append(f"CASE WHEN {alias} IS NULL THEN 0 ELSE {diff} * {diff} END")
    for j, name in enumerate(encoder.categorical_features_):
        penalty = distance.gamma * distance.categorical_weights[j]
        if distance.categorical_weights[j] == 0 or name not in used:
            continue
        alias = f"{_PREFIX}c{j}"
        encoded.append(f"{quote_identifier(name)} AS {alias}")
        observed.append(f"CASE WHEN {alias} IS NULL THEN 0 ELSE 1 END")
        literals = _level_literals(name, encoder.levels_[j])
        for c in range(k):
            mode = literals[int(prototypes.categorical[c, j])]
            terms[c].append(f"CASE WHEN {alias} IS NULL OR {alias} = {mode} THEN 0.0 "
                            f"ELSE {_number(penalty)} END")

    distance_columns = [quoted_id, (" + ".join(observed) or "0") + f" AS {_PREFIX}observed"]
    distance_columns += [(" + ".join(terms[c]) or "0.0") + f" AS {_PREFIX}d{c}"
                         for c in range(k)]
    choice = [f"WHEN {_PREFIX}observed = 0 THEN NULL"]
    for c in range(k - 1):
        nearest = " AND ".join(f"{_PREFIX}d{c} <= {_PREFIX}d{other}"
                               for other in range(c + 1, k))
        choice.append(f"WHEN {nearest} THEN {c}")
    choice.append(f"ELSE {k - 1}")
    indent = "\n      "
    return (f"SELECT {quoted_id},\n  CASE {(chr(10) + '    ').join(choice)} END AS segment\n"
            f"FROM (\n  SELECT {(',' + indent).join(distance_columns)}\n"
            f"  FROM (\n    SELECT {(',' + indent + '  ').join(encoded)}\n"
            f"    FROM {table_name}\n  ) AS {_PREFIX}encoded\n) AS {_PREFIX}distances\n")


def _numeric_value(name: str, ordered_levels: list[Any] | None) -> str:
    """The SQL value of a numeric feature: the column, or an ordered level's position."""
    column = quote_identifier(name)
    if ordered_levels is None:
        return f"CAST({column} AS DOUBLE PRECISION)"
    literals = _level_literals(name, ordered_levels)
    positions = " ".join(f"WHEN {literal} THEN {position}.0"
                         for position, literal in enumerate(literals, start=1))
    return f"(CASE {column} {positions} END)"


def _level_literals(column: str, levels: list[Any]) -> list[str]:
    """Each level as an SQL literal of one type (text, number or boolean)."""
    kinds = {_level_kind(column, level) for level in levels}
    if len(kinds) > 1:
        raise UserError(f"column {column!r} mixes text and number levels, which SQL cannot "
                        "compare with one column type; convert it to text before fitting")
    return [_literal(level) for level in levels]


def _level_kind(column: str, level: Any) -> str:
    if isinstance(level, (bool, np.bool_)):
        return "boolean"
    if isinstance(level, (int, float, np.integer, np.floating)):
        return "number"
    if isinstance(level, str):
        return "text"
    raise UserError(f"column {column!r} has a level of type {type(level).__name__} "
                    f"({level!r}), which has no portable SQL literal; convert the column to "
                    "text before fitting")


def _literal(level: Any) -> str:
    if isinstance(level, (bool, np.bool_)):
        return "TRUE" if level else "FALSE"
    if isinstance(level, (int, np.integer)):
        return str(int(level)) if level >= 0 else f"({int(level)})"
    if isinstance(level, (float, np.floating)):
        return _number(level)
    if "\x00" in level:
        raise UserError(f"level {level!r} contains a NUL character")
    return "'" + level.replace("'", "''") + "'"


def _number(value: Any) -> str:
    """A float64 as an exact SQL numeric literal (parenthesised when negative)."""
    value = float(value)
    if not math.isfinite(value):
        raise UserError(f"the model holds a non-finite number ({value}); re-fit it")
    text = repr(value)
    return f"({text})" if value < 0 else text
