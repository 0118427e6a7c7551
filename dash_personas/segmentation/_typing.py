"""The typing tool: assign new respondents to existing segments from a few questions.

Market researchers expect every segmentation to come with "golden questions": a short
subset of the questionnaire that puts a new respondent in the right segment with a
known accuracy, so segments can be tracked in later surveys, CRM forms or sales calls
without asking everything again.

:class:`TypingTool` chooses those questions greedily (forward selection): at each step
it adds the feature whose answers, compared with the segment prototypes on the chosen
features only, agree best with the full model's assignment. Accuracy is reported on
rows held out from the selection: overall, per segment and as a confusion table.
Assigning with a subset of features is the engine's missing-value rule: the other
features are simply unobserved.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from survey_builder import __version__
from survey_builder.atomic import write_text_atomic
from survey_builder.errors import UserError

from ..stats import effective_base
from ._encoding import _check_sample_weight
from ._io import model_frame
from ._kprototypes import KPrototypes
from ._membership import Membership
from ._persistence import (
    ModelFileError,
    _canonical,
    model_from_dict,
    model_to_dict,
    parse_json,
    read_model_text,
)
from ._profile import DEFAULT_MIN_BASE

__all__ = ["TypingTool", "confusion_table"]

FORMAT = "dash-personas/typing-tool"
FORMAT_VERSION = "1.3"  # 1.2: weighted confusion tables (weight totals); 1.3: held_out_base
MAX_SELECTION_ROWS = 20_000


@dataclass
class TypingTool:
    """Golden questions for a fitted :class:`KPrototypes` model.

    Build one with :meth:`build`; assign respondents with :meth:`predict` (or
    :meth:`membership` for the runner-up segment, confidence and probability).

    Attributes
    ----------
    model : KPrototypes
        The segmentation the tool reproduces.
    questions : list of str
        The chosen features, in the order they were added.
    accuracy : float
        Share of held-out respondents assigned to the same segment as by the full
        model, using only ``questions``.
    curve : DataFrame
        One row per step: ``question`` added, held-out ``accuracy`` so far.
    confusion : DataFrame or None
        Held-out respondents counted by their segment under the full model (rows,
        ``segment``) and under the tool (columns, ``typing_tool_segment``); their
        summed weights for a tool built with ``sample_weight``; ``None`` for a tool
        saved by a version that did not record it.
    segment_accuracy : Series or None
        Per segment, the share of its held-out respondents the tool assigns to it.
    held_out_base : float or None
        The base of the accuracies: the number of held-out respondents, Kish's
        effective base ``(Σw)² / Σw²`` of their weights for a tool built with
        ``sample_weight``; ``None`` for a weighted tool saved before it was recorded.
        Under 30 (the profiles' small base) :meth:`build` warns.
    """

    model: Any
    questions: list[str]
    accuracy: float
    curve: pd.DataFrame = field(repr=False)
    confusion: pd.DataFrame | None = field(default=None, repr=False)
    held_out_base: float | None = None

    # ------------------------------------------------------------------ build
    @classmethod
    def build(cls, model: Any, data: pd.DataFrame, *, max_questions: int = 8,
              target_accuracy: float = 0.9, holdout: float = 0.3,
              random_state: Any = None, sample_weight: Any = None) -> TypingTool:
        """Choose up to ``max_questions`` features that reproduce the segments.

        Parameters
        ----------
        model : KPrototypes
            A fitted model.
        data : DataFrame
            Respondents with the model's columns (e.g. the training data).
        max_questions : int, default=8
            Most questions to keep.
        target_accuracy : float, default=0.9
            Stop adding questions once the held-out accuracy reaches this.
        holdout : float, default=0.3
            Share of rows kept aside to measure the accuracy.
        random_state : int, optional
            Seed of the held-out split.
        sample_weight : array-like of shape (n_rows,), optional
            Survey weight of each row of ``data``. The accuracies, the confusion
            table and the greedy search's objective are then weighted: they estimate
            the share of the weighted population the tool assigns correctly.

        Returns
        -------
        TypingTool

        Warns
        -----
        UserWarning
            When the held-out base is under 30 respondents (the small base of the
            profiles): the accuracy is then too rough to rely on.
        """
        if not hasattr(model, "prototypes_"):
            raise UserError("the typing tool needs a fitted model; call fit() first")
        if max_questions < 1:
            raise UserError("max_questions must be >= 1")
        if not 0 < holdout < 1:
            raise UserError("holdout must be between 0 and 1")
        frame = model_frame(model, data)
        n_rows = frame.shape[0]
        weight = _check_sample_weight(sample_weight, n_rows)
        rng = np.random.default_rng(random_state)
        order = rng.permutation(n_rows)
        n_holdout = max(1, round(holdout * n_rows))
        held_out, selection = order[:n_holdout], order[n_holdout:][:MAX_SELECTION_ROWS]
        if selection.size == 0:
            raise UserError("too few rows to choose questions: need at least two")
        names = list(model.encoder_.feature_names_in_)
        columns = _encoded_positions(model)
        distance, prototypes = model.distance_, model.prototypes_
        encoded = model.encoder_.transform(frame)
        # One feature's contributions at a time, recomputed when needed (a few cheap
        # passes) instead of features x rows x k held at once: memory stays a small
        # multiple of the data.
        held = distance.prepare(encoded.take(held_out))
        chosen_from = distance.prepare(encoded.take(selection))
        del encoded
        reference_held = distance.nearest(held, prototypes)[0]
        reference_chosen = distance.nearest(chosen_from, prototypes)[0]
        weight_held = np.ones(held_out.size) if weight is None else weight[held_out]
        weight_chosen = np.ones(selection.size) if weight is None else weight[selection]
        if weight_held.sum() <= 0 or weight_chosen.sum() <= 0:
            raise UserError("sample_weight leaves no weight in the held-out or the selection "
                            "rows; give more rows a positive weight")
        base = (float(held_out.size) if weight is None
                else effective_base(weight_held.sum(), (weight_held**2).sum()))
        if base < DEFAULT_MIN_BASE:
            warnings.warn(
                f"the typing tool's accuracy is measured on {_base_text(base, weight is not None)}"
                f", under the small base of {DEFAULT_MIN_BASE:g}: too few to rely on; build it "
                f"from more respondents (or a larger holdout=, now {holdout:g})",
                UserWarning, stacklevel=2)

        def contribution(rows: Any, j: int) -> np.ndarray:
            return distance.contributions(rows, prototypes, rescale=False,
                                          features=[columns[j]])[0]

        partial_chosen = np.zeros((selection.size, prototypes.n_clusters))
        partial_held = np.zeros((held_out.size, prototypes.n_clusters))
        chosen: list[int] = []
        steps = []
        for _ in range(min(max_questions, len(names))):
            best_j, best_score = -1, -1.0
            for j in range(len(names)):
                if j in chosen:
                    continue
                trial = partial_chosen + contribution(chosen_from, j)
                score = _weighted_share(_argmin(trial) == reference_chosen, weight_chosen)
                if score > best_score:
                    best_j, best_score = j, score
            chosen.append(best_j)
            partial_chosen += contribution(chosen_from, best_j)
            partial_held += contribution(held, best_j)
            accuracy = _weighted_share(_argmin(partial_held) == reference_held, weight_held)
            steps.append({"question": names[best_j], "accuracy": accuracy})
            if accuracy >= target_accuracy:
                break
        curve = pd.DataFrame(steps)
        curve.index = pd.RangeIndex(1, len(curve) + 1, name="n_questions")
        confusion = confusion_table(reference_held, _argmin(partial_held),
                                    prototypes.n_clusters,
                                    sample_weight=None if weight is None else weight_held)
        return cls(model, [names[j] for j in chosen], float(curve["accuracy"].iloc[-1]), curve,
                   confusion, base)

    @property
    def segment_accuracy(self) -> pd.Series | None:
        """Share of each segment's held-out respondents the tool puts back in it.

        The diagonal of :attr:`confusion` over its row sums (NaN for a segment with no
        held-out respondent); ``None`` for a tool saved before confusion tables existed.
        """
        if self.confusion is None:
            return None
        counts = self.confusion.to_numpy()
        totals = counts.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(totals > 0, np.diag(counts) / totals, np.nan)
        return pd.Series(share, index=self.confusion.index, name="accuracy")

    # ---------------------------------------------------------------- predict
    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Segment of each row from its answers to :attr:`questions`.

        Other columns are ignored; unanswered golden questions are allowed (a row
        that answered none of them gets a clear error).
        """
        return self.model.predict(self._question_frame(X))

    def membership(self, X: pd.DataFrame) -> Membership:
        """Soft membership of each row from its answers to :attr:`questions`.

        See :meth:`KPrototypes.membership`; the other features are unobserved.
        """
        return self.model.membership(self._question_frame(X))

    def _question_frame(self, X: pd.DataFrame) -> pd.DataFrame:
        missing = [q for q in self.questions if q not in X.columns]
        if missing:
            raise UserError(f"the typing tool needs column {missing[0]!r}; it asks: "
                             f"{', '.join(self.questions)}")
        features = list(self.model.encoder_.feature_names_in_)
        frame = pd.DataFrame({name: X[name] if name in self.questions
                              else pd.Series(np.nan, index=X.index, dtype=object)
                              for name in features})
        ordered = self.model.encoder_.ordered_levels_
        for name in self.model.numeric_features_:
            if name not in ordered:  # ranked answers keep their levels for the encoder
                frame[name] = pd.to_numeric(frame[name], errors="coerce")
        return frame

    # ------------------------------------------------------------ persistence
    def to_json(self) -> str:
        """The tool (model included) as versioned, checksummed JSON text."""
        body = {"model": model_to_dict(self.model), "questions": self.questions,
                "accuracy": self.accuracy,
                "curve": self.curve.reset_index().to_dict(orient="records"),
                "confusion": (None if self.confusion is None
                              else self.confusion.to_numpy().tolist()),
                "held_out_base": self.held_out_base}
        if self.confusion is not None and self.confusion.to_numpy().dtype.kind == "f":
            body["confusion_weighted"] = True  # weight totals, not counts (format 1.2)
        document = {"format": FORMAT, "format_version": FORMAT_VERSION,
                    "library_version": __version__,
                    "sha256": hashlib.sha256(_canonical(body).encode()).hexdigest(),
                    "tool": body}
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"

    def save(self, path: str | Path) -> None:
        """Write the tool (model included) as versioned, checksummed JSON, atomically."""
        write_text_atomic(path, self.to_json())

    @classmethod
    def from_json(cls, text: str, source: str = "typing tool") -> TypingTool:
        """Rebuild a tool from :meth:`to_json` text (refuses other major versions, tampering)."""
        document = parse_json(text, source, "typing-tool file")
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ModelFileError("not a dash-personas typing-tool file", file=source)
        if str(document.get("format_version", "")).split(".")[0] != FORMAT_VERSION.split(".")[0]:
            raise ModelFileError(f"typing-tool format version "
                                 f"{document.get('format_version')} is not supported by "
                                 f"this dash-personas (reads {FORMAT_VERSION.split('.')[0]}.x); "
                                 "rebuild the tool", file=source)
        body = document.get("tool")
        if not isinstance(body, dict) or hashlib.sha256(
                _canonical(body).encode()).hexdigest() != document.get("sha256"):
            raise ModelFileError("the contents do not match their checksum "
                                 "(the file was modified or damaged)", file=source)
        try:
            model = model_from_dict(KPrototypes, body["model"], source=source)
            curve = pd.DataFrame(body["curve"]).set_index("n_questions")
            counts = body.get("confusion")  # absent from format 1.0 files
            dtype = np.float64 if body.get("confusion_weighted") else np.int64
            confusion = None if counts is None else _confusion_frame(
                np.asarray(counts, dtype=dtype))
            base = body.get("held_out_base")  # absent before format 1.3: the counts' total
            if base is None and confusion is not None and dtype is np.int64:
                base = confusion.to_numpy().sum()
            return cls(model, list(body["questions"]), float(body["accuracy"]), curve,
                       confusion, None if base is None else float(base))
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ModelFileError):
                raise
            raise ModelFileError(f"incomplete typing-tool file ({exc!r})", file=source) from None

    @classmethod
    def load(cls, path: str | Path) -> TypingTool:
        """Read a tool written by :meth:`save` (refuses other major versions, tampering)."""
        return cls.from_json(read_model_text(path, "typing-tool file"), source=str(path))


def _encoded_positions(model: Any) -> list[int]:
    """Position of each feature (in the model's column order) in the encoded order."""
    encoder = model.encoder_
    encoded_order = encoder.numeric_features_ + encoder.categorical_features_
    position = {name: j for j, name in enumerate(encoded_order)}
    return [position[name] for name in encoder.feature_names_in_]


def confusion_table(reference: np.ndarray, assigned: np.ndarray, n_clusters: int,
                    sample_weight: Any = None) -> pd.DataFrame:
    """Rows counted by reference segment (rows) and assigned segment (columns).

    Parameters
    ----------
    reference : array-like of int
        Segments under the full model.
    assigned : array-like of int
        Segments the typing tool gives the same rows.
    n_clusters : int
        Number of segments (every segment gets a row and a column).
    sample_weight : array-like of float, optional
        Weight of each row: the table then sums weights instead of counting rows.

    Returns
    -------
    DataFrame of shape (n_clusters, n_clusters)
        int64 counts, or float64 weight totals with ``sample_weight``.
    """
    reference = np.asarray(reference, dtype=np.int64)
    assigned = np.asarray(assigned, dtype=np.int64)
    weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    counts = np.bincount(reference * n_clusters + assigned, weights=weights,
                         minlength=n_clusters**2)
    return _confusion_frame(counts.reshape(n_clusters, n_clusters))


def _confusion_frame(counts: np.ndarray) -> pd.DataFrame:
    k = counts.shape[0]
    return pd.DataFrame(counts, index=pd.RangeIndex(k, name="segment"),
                        columns=pd.RangeIndex(k, name="typing_tool_segment"))


def held_out_text(tool: TypingTool) -> str:
    """The base of a tool's accuracies in words: ``1,500 held-out respondents``."""
    if tool.held_out_base is None:
        return "held-out respondents"
    weighted = tool.confusion is not None and tool.confusion.to_numpy().dtype.kind == "f"
    return _base_text(tool.held_out_base, weighted)


def _base_text(base: float, weighted: bool) -> str:
    """``12 held-out respondents``; ``held-out respondents (effective base 9.5)`` weighted."""
    if weighted:
        return f"held-out respondents (effective base {base:,.1f})"
    return f"{base:,.0f} held-out respondent{'s' if base != 1 else ''}"


def _weighted_share(hits: np.ndarray, weight: np.ndarray) -> float:
    # a sum of a subset of the weights, not a dot product: all hits give exactly 1.0
    return min(float(weight[hits].sum() / weight.sum()), 1.0)


def _argmin(distances: np.ndarray) -> np.ndarray:
    return np.argmin(distances, axis=1)
