"""Scores files that carry their codebook: :func:`write_scores` and :func:`read_scores`.

A scores file is a CSV (UTF-8, one row per respondent, the columns of
:mod:`survey_builder.layout`) with its codebook beside it: ``scores.csv`` ->
``scores.codebook.json`` (:func:`~survey_builder.layout.sidecar_path`). The codebook
is the survey's plus a ``scores`` section saying what each column is (see "The scores
layout" in :mod:`survey_builder.codebook`), so the next step shows readable labels in
questionnaire order without being told where the questionnaire is.

:func:`read_scores` is the one reader of scores CSVs: a file without a codebook still
reads (as plain columns), and the result says what is missing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atomic import atomic_write
from .codebook import CODEBOOK_VERSION, Codebook, codebook_to_text, load_codebook
from .errors import UserError
from .layout import ANSWER_SUFFIX, CLV_COLUMN, JOURNEY_COLUMN, QUALITY_COLUMNS, sidecar_path

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ScoresTable", "describe_scores", "read_scores", "write_scores"]


@dataclass(frozen=True)
class ScoresTable:
    """A scores file as read by :func:`read_scores`.

    Attributes
    ----------
    frame : DataFrame
        The rows. With a codebook, answers and the journey stage are unordered
        categoricals whose categories are in questionnaire order, and the id is text.
    codebook : Codebook or None
        The codebook found beside the file (``None`` when there is none).
    path : Path
        The file read.
    note : str or None
        One line saying what is missing when there is no codebook, e.g.
        ``"scores.csv has no codebook (scores.codebook.json)"``; ``None`` otherwise.
    """

    frame: pd.DataFrame
    codebook: Codebook | None
    path: Path
    note: str | None = None


def _written_values(series: pd.Series, codes: list[str], labels: list[str]) -> list[str] | None:
    """The text written for each option: the categories of a categorical column (they are
    in option order), else the labels or the codes, whichever holds every value (``None``
    when neither does: the column is then not described option by option)."""
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype) and len(series.cat.categories) == len(codes):
        return [str(c) for c in series.cat.categories]
    present = set(series.dropna().astype(str))
    if present <= set(codes):
        return codes
    if present <= set(labels) and len(set(labels)) == len(labels):
        return labels
    return None


def describe_scores(frame: pd.DataFrame, codebook: Mapping[str, Any],
                    language: str | None = None) -> Codebook:
    """``codebook`` with a ``scores`` section describing the columns of ``frame``.

    Parameters
    ----------
    frame : DataFrame
        Scores as returned by :func:`~survey_builder.scoring.score_responses`.
    codebook : Codebook or mapping
        The survey's codebook.
    language : str, optional
        Language the answer labels were written in (default: the survey's).

    Returns
    -------
    Codebook
    """
    # a scores file's codebook may come back in (score SPEC can be one): describe afresh
    book = Codebook({**codebook, "scores": None})
    language = language or book.default_language
    clv_defined = book.derivations.clv is not None
    from .scoring import BEHAVIOUR_KIND, behaviour_columns

    behaviour = set(behaviour_columns(book))
    columns: list[dict[str, Any]] = []
    value_kinds: set[str] = set()
    for name in (str(c) for c in frame.columns):
        scale = book.scale(name)
        source = book.source_column(name)
        if name == book.id_column:
            columns.append({"name": name, "kind": "id"})
        elif scale is not None:
            items = [book.column(item) for item in scale.items]
            lows = [c.min for c in items if c is not None and c.min is not None]
            highs = [c.max for c in items if c is not None and c.max is not None]
            columns.append({
                "name": name, "kind": "scale", "scale": scale.name,
                "label": dict(scale.label), "dimension": scale.dimension,
                "high_score": dict(scale.high_score), "reverse_keyed": list(scale.reverse_keyed),
                "min": min(lows) if lows else None, "max": max(highs) if highs else None})
        elif name == CLV_COLUMN and clv_defined:
            columns.append({"name": name, "kind": "clv", "currency": book.clv_currency()})
        elif name in QUALITY_COLUMNS:
            columns.append({"name": name, "kind": "quality"})
        elif (derived := _nps_or_maxdiff_entry(name, book)) is not None:
            columns.append(derived)
        elif source is not None and (name in behaviour or name.removesuffix(ANSWER_SUFFIX)
                                     in behaviour) and source.type != "single_choice":
            columns.append({"name": name, "kind": BEHAVIOUR_KIND, "source": source.name,
                            "label": dict(source.label or {})})
        elif source is not None and source.levels:
            options = book.levels(name, language)
            values = _written_values(frame[name], [o.code for o in options],
                                     [o.label for o in options])
            if values is None:
                columns.append({"name": name, "kind": "other", "source": source.name})
                continue
            value_kinds.add("codes" if values == [o.code for o in options] else "labels")
            label_of = {str(level.code): dict(level.label) for level in source.levels}
            columns.append({
                "name": name, "kind": "journey" if name == JOURNEY_COLUMN else (
                    BEHAVIOUR_KIND if source.name in behaviour else "answer"),
                "source": source.name, "label": dict(source.label or {}),
                "levels": [{"code": o.code, "value": v, "label": label_of[o.code]}
                           for o, v in zip(options, values)]})
        else:
            columns.append({"name": name, "kind": "other"})
    document = book.to_dict()
    document["version"] = CODEBOOK_VERSION
    document["scores"] = {"values": "codes" if value_kinds == {"codes"} else "labels",
                          "language": language, "columns": columns}
    return Codebook(document)


def _nps_or_maxdiff_entry(name: str, book: Codebook) -> dict[str, Any] | None:
    """The scores-layout entry of an NPS group (``<q>_nps``) or a MaxDiff item score
    (``md_<q>__<item>``) column, or ``None`` for any other column."""
    from .scoring import MAXDIFF_PREFIX, NPS_GROUPS, NPS_SUFFIX

    base = name.removesuffix(NPS_SUFFIX)
    source = book.column(base) if base != name else None
    if source is not None and source.type == "nps":
        return {"name": name, "kind": "nps", "source": base, "label": dict(source.label or {}),
                "levels": [{"code": group, "value": group, "label": {}}
                           for group in NPS_GROUPS]}
    question_name, _, item = name.removeprefix(MAXDIFF_PREFIX).partition("__")
    question = book.question(question_name) if name.startswith(MAXDIFF_PREFIX) else None
    if question is None or question.type != "maxdiff":
        return None
    labels = {str(entry["code"]): entry["label"]
              for entry in (question.model_extra or {}).get("items") or []}
    if item not in labels:
        return None
    return {"name": name, "kind": "maxdiff", "question": question_name, "item": item,
            "label": dict(labels[item])}


def write_scores(frame: pd.DataFrame, codebook: Mapping[str, Any], path: str | os.PathLike[str],
                 *, language: str | None = None) -> Path | None:
    """Write ``frame`` as a scores CSV and its codebook beside it, both or neither.

    Parameters
    ----------
    frame : DataFrame
        Scores (e.g. ``score_responses(...).scores``).
    codebook : Codebook or mapping
        The survey's codebook (:func:`~survey_builder.codebook.build_codebook`).
    path : path-like or "-"
        The CSV; ``"-"`` writes it to standard output, without a codebook.
    language : str, optional
        Language the answer labels are in (default: the survey's).

    Returns
    -------
    Path or None
        Where the codebook was written (``None`` for standard output).
    """
    text = codebook_to_text(describe_scores(frame, codebook, language))  # fail before writing
    if str(path) == "-":
        with atomic_write(path, "w", newline="") as handle:
            frame.to_csv(handle, index=False, lineterminator="\n", float_format="%.10g")
        return None
    sidecar = sidecar_path(path)
    # The CSV is written inside the codebook's block: if writing it fails, neither file
    # replaces the previous version.
    with atomic_write(sidecar, "w") as side, atomic_write(path, "w", newline="") as handle:
        frame.to_csv(handle, index=False, lineterminator="\n", float_format="%.10g")
        side.write(text)
    return sidecar


def _categorical_columns(codebook: Codebook | None, sidecar: Path) -> dict[str, list[str]]:
    """Scores columns to read as categoricals, with their written values in order."""
    if codebook is None or codebook.scores is None:
        return {}
    out = {}
    for column in codebook.scores.columns:
        if column.levels is None:
            continue
        values = [level.value for level in column.levels]
        if len(set(values)) != len(values):
            raise UserError("two options are written the same way; write the scores again "
                            "with survey-builder score", str(sidecar), None, column.name)
        out[column.name] = values
    return out


def read_scores(path: str | os.PathLike[str], encoding: str = "utf-8") -> ScoresTable:
    """Read a scores CSV and the codebook beside it (when there is one).

    Parameters
    ----------
    path : path-like
        The CSV (e.g. written by ``survey-builder score``).
    encoding : str
        Text encoding of the CSV.

    Returns
    -------
    ScoresTable
        The rows, the codebook or ``None``, and a note saying what is missing.

    Raises
    ------
    UserError
        No such file, an empty file, a CSV that cannot be parsed or decoded, a file with
        no rows, or a codebook beside it that is invalid or does not describe it (named in
        the message).

    Examples
    --------
    >>> table = read_scores("scores.csv")  # doctest: +SKIP
    >>> table.codebook.levels("customer_tenure")  # doctest: +SKIP
    """
    import pandas as pd

    path = Path(path)
    sidecar = sidecar_path(path)
    codebook = load_codebook(sidecar) if sidecar.is_file() else None
    levels = _categorical_columns(codebook, sidecar)
    text_columns = {name: "str" for name in levels}
    if codebook is not None:
        text_columns[codebook.id_column] = "str"
    source = str(path)
    try:
        frame = pd.read_csv(path, encoding=encoding, low_memory=False, dtype=text_columns)
    except FileNotFoundError:
        raise UserError("no such file", source) from None
    except pd.errors.EmptyDataError:
        raise UserError("the file is empty", source) from None
    except pd.errors.ParserError as exc:
        raise UserError(f"cannot parse CSV ({str(exc).strip()})", source) from None
    except UnicodeDecodeError:
        raise UserError(f"cannot decode the file as {encoding}; pass --encoding "
                        "(e.g. latin-1)", source) from None
    except LookupError:
        raise UserError(f"unknown encoding {encoding!r} (e.g. utf-8, latin-1, cp1252)", source,
                        field="--encoding") from None
    if frame.shape[0] == 0:
        raise UserError("the file has a header but no rows", source)
    for name, values in levels.items():
        if name not in frame.columns:
            continue
        column = frame[name]
        unknown = column.notna() & ~column.isin(values)
        if unknown.any():
            bad = column[unknown].iloc[0]
            raise UserError(f"{sidecar.name} does not describe this file: column {name!r} "
                            f"holds {bad!r}, not one of its options; write both files again "
                            f"with survey-builder score (or delete {sidecar.name})", source,
                            int(unknown.to_numpy().argmax()) + 2, name)
        frame[name] = pd.Categorical(column, categories=values)
    note = None if codebook is not None else f"{path.name} has no codebook ({sidecar.name})"
    return ScoresTable(frame, codebook, path, note)
