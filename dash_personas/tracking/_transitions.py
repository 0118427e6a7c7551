"""MONIC transitions between two segmentations of the same respondents.

After a re-fit, each old segment is labelled by where its members went and each new
segment by where its members came from, following MONIC (Spiliopoulou, Ntoutsi,
Theodoridis and Schult, *MONIC: modeling and monitoring cluster transitions*, KDD 2006;
R's ``clusTransition``). Both segmentations label the *same* respondents, so the overlap
of old segment ``X`` and new segment ``Y`` is the (weighted) share of ``X``'s members
that are in ``Y``: ``overlap[X, Y] = w(X ∩ Y) / w(X)``. Its reverse, the *purity*
``w(X ∩ Y) / w(Y)``, is how much of ``Y`` is made of ``X``.

Rules (the thresholds are parameters of :func:`segment_transitions`):

* ``Y`` **matches** ``X`` when ``Y`` takes the largest overlap of ``X`` and it is at
  least ``survival`` (default 0.7).
* ``X`` **survived** into ``Y`` when ``Y`` matches ``X`` and is mostly ``X``: purity
  above ``purity`` (default 0.5, so a new segment continues at most one old one).
* ``X`` **merged** into ``Y`` when ``Y`` matches ``X`` but is not mostly ``X``: ``Y``
  absorbed ``X`` together with other segments' members (MONIC's absorption).
* ``X`` **split** into ``Y1, ..., Yp`` (``p >= 2``) when no new segment matches it,
  each ``Yi`` takes at least ``split`` (default 0.3) of ``X`` and together they take at
  least ``survival``.
* ``X`` **disappeared** otherwise: its members spread out with no segment taking most.
* ``Y`` **emerged** when it continues, absorbs or comes out of the split of no old
  segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from survey_builder.errors import UserError

__all__ = ["NewSegmentOrigin", "OldSegmentOutcome", "Transitions", "check_thresholds",
           "segment_transitions"]

#: Default thresholds (MONIC's / clusTransition's survival and split defaults).
SURVIVAL = 0.7
SPLIT = 0.3
PURITY = 0.5


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True)
class OldSegmentOutcome:
    """What became of one segment of the old segmentation.

    Attributes
    ----------
    segment : int
        Old segment number.
    kind : {"survived", "merged", "split", "disappeared"}
    new : tuple of int
        The new segment(s) it went to (one for survived and merged, two or more for
        split, none for disappeared).
    shares : tuple of float
        Share of the old segment's (weighted) members in each of ``new``.
    """

    segment: int
    kind: str
    new: tuple[int, ...]
    shares: tuple[float, ...]


@dataclass(frozen=True)
class NewSegmentOrigin:
    """Where one segment of the new segmentation came from.

    Attributes
    ----------
    segment : int
        New segment number.
    kind : {"survived", "merged", "split", "emerged"}
        ``survived``: it continues ``old[0]``; ``merged``: it absorbed ``old`` and is
        mostly none of them; ``split``: it is a part of the split of ``old``;
        ``emerged``: none of these.
    old : tuple of int
        The old segment(s) it continues, absorbed or split from.
    share : float
        Its (weighted) share of the respondents.
    """

    segment: int
    kind: str
    old: tuple[int, ...]
    share: float


@dataclass(frozen=True)
class Transitions:
    """The MONIC transitions from an old to a new segmentation of the same respondents.

    Attributes
    ----------
    overlap : ndarray of shape (n_old, n_new)
        Weighted counts of respondents by (old segment, new segment).
    old_segments : list of OldSegmentOutcome
        One per old segment, by number.
    new_segments : list of NewSegmentOrigin
        One per new segment, by number.
    survival, split, purity : float
        The thresholds used.
    """

    overlap: np.ndarray
    old_segments: list[OldSegmentOutcome]
    new_segments: list[NewSegmentOrigin]
    survival: float = SURVIVAL
    split: float = SPLIT
    purity: float = PURITY

    @property
    def survivors(self) -> dict[int, int]:
        """New segment -> the old segment it continues."""
        return {o.new[0]: o.segment for o in self.old_segments if o.kind == "survived"}

    def thresholds_text(self) -> str:
        """The rule in words, with the thresholds (what the report states)."""
        return (f"survived: at least {_percent(self.survival)} of a segment's members in one "
                f"new segment that is more than {_percent(self.purity)} them; merged: the same "
                "share in a new segment made mostly of others; split: no such segment, but "
                f"two or more each taking at least {_percent(self.split)} and together at "
                f"least {_percent(self.survival)}; disappeared: none of these; emerged: a new "
                "segment that continues, absorbs or splits from none (MONIC, Spiliopoulou "
                "et al. 2006)")

    def sentences(self, old_names: Sequence[str], new_names: Sequence[str]) -> list[str]:
        """The transitions in words, e.g. ``"Busy Blake survived (82 %)"``.

        Parameters
        ----------
        old_names, new_names : sequence of str
            Persona name of each old and new segment number.
        """
        lines = []
        for outcome in self.old_segments:
            name = old_names[outcome.segment]
            parts = [f"{new_names[y]} ({_percent(s)})" for y, s in zip(outcome.new,
                                                                       outcome.shares)]
            if outcome.kind == "survived":
                kept = new_names[outcome.new[0]]
                renamed = "" if kept == name else f" as {kept}"
                lines.append(f"{name} survived{renamed} ({_percent(outcome.shares[0])})")
            elif outcome.kind == "merged":
                lines.append(f"{name} merged into {parts[0]}")
            elif outcome.kind == "split":
                lines.append(f"{name} split into {_and(parts)}")
            else:
                row = self.overlap[outcome.segment]
                total = row.sum()
                largest = float(row.max() / total) if total > 0 else 0.0
                lines.append(f"{name} disappeared (at most {_percent(largest)} of its members "
                             "in one new segment)")
        for origin in self.new_segments:
            if origin.kind == "emerged":
                lines.append(f"{new_names[origin.segment]} emerged "
                             f"({_percent(origin.share)} of respondents)")
        return lines

    def to_dict(self, old_names: Sequence[str], new_names: Sequence[str]) -> dict[str, Any]:
        """JSON-ready mapping with persona names, the sentences and the thresholds."""
        return {
            "thresholds": {"survival": self.survival, "split": self.split,
                           "purity": self.purity},
            "rule": self.thresholds_text(),
            "old_segments": [{"segment": o.segment, "persona": old_names[o.segment],
                              "kind": o.kind, "new": list(o.new),
                              "new_personas": [new_names[y] for y in o.new],
                              "shares": list(o.shares)} for o in self.old_segments],
            "new_segments": [{"segment": o.segment, "persona": new_names[o.segment],
                              "kind": o.kind, "old": list(o.old),
                              "old_personas": [old_names[x] for x in o.old],
                              "share": o.share} for o in self.new_segments],
            "overlap": self.overlap.tolist(),
            "sentences": self.sentences(old_names, new_names),
        }


def _labels(values: Any, name: str) -> np.ndarray:
    labels = np.asarray(values)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer) or (labels < 0).any():
        raise UserError(f"{name} must be a 1-D array of segment numbers >= 0", field=name)
    return labels.astype(np.int64)


def check_thresholds(survival: float, split: float, purity: float) -> None:
    """Refuse thresholds outside ``0 < split < survival <= 1`` and ``0.5 <= purity < 1``.

    Raises
    ------
    UserError
    """
    if not 0 < split < survival <= 1:
        raise UserError(f"the thresholds need 0 < split < survival <= 1, got split={split} "
                        f"and survival={survival}", field="survival")
    if not 0.5 <= purity < 1:
        raise UserError(f"purity must be in [0.5, 1), got {purity}", field="purity")


def segment_transitions(old_labels: Any, new_labels: Any, *, weights: Any = None,
                        n_old: int | None = None, n_new: int | None = None,
                        survival: float = SURVIVAL, split: float = SPLIT,
                        purity: float = PURITY) -> Transitions:
    """Label each old segment survived/merged/split/disappeared and each new one's origin.

    The rules are in the module documentation (MONIC, Spiliopoulou et al. 2006).

    Parameters
    ----------
    old_labels, new_labels : array-like of int, shape (n_respondents,)
        The old and the new segment of the same respondents.
    weights : array-like of float, optional
        Survey weight of each respondent (default 1 each).
    n_old, n_new : int, optional
        Numbers of segments (default: one more than the largest label); a segment with
        no member among these respondents is ``disappeared`` (old) or ``emerged`` (new).
    survival : float, default=0.7
        Least share of an old segment's members in one new segment for it to survive
        (or merge), and least total share of the parts of a split.
    split : float, default=0.3
        Least share of an old segment's members in each part of a split.
    purity : float, default=0.5
        A new segment continues an old one when more than this share of it is that old
        segment's members; otherwise the old segment merged into it. At least 0.5, so a
        new segment continues at most one old segment.

    Returns
    -------
    Transitions

    Raises
    ------
    UserError
        Label vectors of different lengths or not segment numbers, weights that are
        negative or of another length, thresholds out of range.

    Examples
    --------
    >>> t = segment_transitions([0, 0, 0, 1, 1, 1], [0, 0, 1, 2, 2, 2])
    >>> [o.kind for o in t.old_segments]
    ['split', 'survived']
    """
    old = _labels(old_labels, "old_labels")
    new = _labels(new_labels, "new_labels")
    if old.shape != new.shape:
        raise UserError(f"old_labels has {old.size} respondents but new_labels {new.size}")
    check_thresholds(survival, split, purity)
    if weights is None:
        w = np.ones(old.size)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != old.shape or not np.isfinite(w).all() or (w < 0).any():
            raise UserError("weights must be one finite number >= 0 per respondent",
                            field="weights")
    n_old = int(old.max(initial=-1)) + 1 if n_old is None else int(n_old)
    n_new = int(new.max(initial=-1)) + 1 if n_new is None else int(n_new)
    if old.max(initial=-1) >= n_old or new.max(initial=-1) >= n_new:
        raise UserError("a label is not below the number of segments given")
    overlap = np.zeros((n_old, n_new))
    np.add.at(overlap, (old, new), w)
    with np.errstate(divide="ignore", invalid="ignore"):
        row_share = np.nan_to_num(overlap / overlap.sum(axis=1, keepdims=True))
        col_share = np.nan_to_num(overlap / overlap.sum(axis=0, keepdims=True))
    outcomes: list[OldSegmentOutcome] = []
    survived_from: dict[int, int] = {}
    merged_from: dict[int, list[int]] = {}
    split_from: dict[int, list[int]] = {}
    for x in range(n_old):
        best = int(np.argmax(row_share[x])) if n_new else 0
        if n_new and row_share[x, best] >= survival:
            if col_share[x, best] > purity:
                kind = "survived"
                survived_from[best] = x
            else:
                kind = "merged"
                merged_from.setdefault(best, []).append(x)
            outcomes.append(OldSegmentOutcome(x, kind, (best,), (float(row_share[x, best]),)))
            continue
        parts = np.flatnonzero(row_share[x] >= split)
        if parts.size >= 2 and row_share[x, parts].sum() >= survival:
            parts = parts[np.argsort(-row_share[x, parts], kind="stable")]
            for y in parts:
                split_from.setdefault(int(y), []).append(x)
            outcomes.append(OldSegmentOutcome(x, "split", tuple(int(y) for y in parts),
                                              tuple(float(row_share[x, y]) for y in parts)))
            continue
        outcomes.append(OldSegmentOutcome(x, "disappeared", (), ()))
    total = overlap.sum()
    origins = []
    for y in range(n_new):
        share = float(overlap[:, y].sum() / total) if total > 0 else 0.0
        if y in survived_from:
            origins.append(NewSegmentOrigin(y, "survived", (survived_from[y],), share))
        elif y in merged_from:
            origins.append(NewSegmentOrigin(y, "merged", tuple(merged_from[y]), share))
        elif y in split_from:
            origins.append(NewSegmentOrigin(y, "split", tuple(split_from[y]), share))
        else:
            origins.append(NewSegmentOrigin(y, "emerged", (), share))
    return Transitions(overlap, outcomes, origins, float(survival), float(split),
                       float(purity))
