"""Re-fitting a study's segmentation: the new model, its transitions and its personas.

The new model keeps the current one's settings (which columns are categorical, ``gamma``,
feature weights, scaling). With the current number of segments it is warm-started from
the current prototypes (one run of k-prototypes seeded with ``cluster_centers_``), so a
segment that did not change stays where it was; with another ``k`` it is fitted afresh.
Persona identity follows the MONIC transitions (:mod:`._transitions`): a survivor keeps
its persona's name and the analyst's overrides (carried to the new version's overrides
file, matched by prototype through :func:`~dash_personas.personas.apply_overrides`); the
outcome of a split or a merger and an emerged segment get new personas, with a note of
their origin.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._report import persona_names, refit_text
from ._transitions import Transitions

__all__ = ["RefitResult", "carry_personas", "fit_new_model"]


@dataclass(frozen=True)
class RefitResult:
    """A new segmentation version made by :meth:`Study.refit`.

    Attributes
    ----------
    version, parent_version : int
        The new version and the one it was re-fitted from.
    reason : str
    waves : list of str
        Labels of the waves whose respondents it was fitted on.
    n : int
        Respondents fitted on.
    k : int
        Its number of segments.
    how : str
        How it was fitted (warm start, or how ``k`` was chosen).
    transitions : Transitions
        From the parent's segments to the new ones, on the same respondents.
    old_personas, new_personas : list of str
        Persona names by segment number, before and after.
    notes : list of str
        Where each new persona comes from, and overrides that could not follow.
    """

    version: int
    parent_version: int
    reason: str
    waves: list[str]
    n: int
    k: int
    how: str
    transitions: Transitions
    old_personas: list[str]
    new_personas: list[str]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (stored with the version; listed by ``track report``)."""
        return {"version": self.version, "parent_version": self.parent_version,
                "reason": self.reason, "waves": self.waves, "n": self.n, "k": self.k,
                "how": self.how, "notes": self.notes,
                **self.transitions.to_dict(self.old_personas, self.new_personas)}

    def to_text(self) -> str:
        """What ``track refit`` prints: the transitions in words and the notes."""
        return refit_text(self.to_dict())


def _same_settings(current: Any) -> dict[str, Any]:
    params = current.get_params()
    for name in ("n_clusters", "init", "n_init", "random_state", "categorical"):
        params.pop(name, None)
    return params


def fit_new_model(current: Any, data: pd.DataFrame, weights: np.ndarray | None, k: int | str,
                  *, k_range: Iterable[int], n_init: int, n_bootstrap: int,
                  random_state: Any) -> tuple[Any, Any, str]:
    """Fit the re-fitted model on ``data`` with the current model's settings.

    Returns
    -------
    model : KPrototypes
    selection : KSelection or None
        The evidence when ``k="auto"``.
    how : str
        In words, how it was fitted.
    """
    from ..pipeline import fit_segments
    from ..segmentation import KPrototypes

    settings = _same_settings(current)
    categorical = list(current.categorical_features_)
    current_k = len(current.cluster_centers_)
    selection = None
    chosen = k
    if k == "auto":
        segmentation = fit_segments(data, "auto", k_range=k_range, categorical=categorical,
                                    n_init=n_init, n_bootstrap=n_bootstrap,
                                    random_state=random_state, **settings)
        selection = segmentation.selection
        chosen = len(segmentation.model.cluster_centers_)
    chosen = int(chosen)
    chose = "" if selection is None else f"k = {chosen} chosen by {selection.rule}; "
    if chosen == current_k:
        model = KPrototypes(chosen, categorical=categorical, init=current.cluster_centers_,
                            n_init=1, random_state=random_state, **settings)
        how = f"{chose}warm-started from the current prototypes"
    else:
        if selection is not None and weights is None:
            return segmentation.model, selection, f"{chose}fitted afresh"
        model = KPrototypes(chosen, categorical=categorical, n_init=n_init,
                            random_state=random_state, **settings)
        how = f"{chose}fitted afresh"
    return model.fit(data, sample_weight=weights), selection, how


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate = f"{name} {n}"
        n += 1
    return candidate


def carry_personas(transitions: Transitions, old_personas: Any, old_overrides: Any,
                   old_model: Any, new_model: Any, selection: Any, data: pd.DataFrame,
                   codebook: Any) -> tuple[Any, list[dict[str, Any]], list[str]]:
    """The new version's personas and overrides, with survivors keeping their identity.

    New personas are built with :func:`~dash_personas.pipeline.make_personas`. Each
    survivor's persona name and the analyst's overrides of it (matched to the old
    personas by prototype) become an override entry keyed by the new segment's
    prototype, applied with :func:`~dash_personas.personas.apply_overrides`; later
    re-fits carry them again. A new persona whose generated name is a survivor's gets a
    number.

    Returns
    -------
    personas : PersonaSet
    overrides : list of dict
        The new version's overrides entries.
    notes : list of str
        The origin of every new persona and the overrides that could not follow.
    """
    from ..personas import apply_overrides, load_overrides, match_overrides
    from ..pipeline import Segmentation, make_personas

    fresh = make_personas(Segmentation(new_model, selection), data, codebook=codebook)
    k_old = len(old_model.cluster_centers_)
    old_names = persona_names(old_personas, k_old)
    edits: dict[int, dict[str, Any]] = {}
    if old_overrides:
        entries = load_overrides(old_overrides)
        for row, position in zip(*match_overrides(old_personas, entries, model=old_model)):
            segment = int(old_personas[int(position)].segment)
            edits[segment] = {key: value for key, value in entries[int(row)].items()
                              if key != "prototype"}
    survivors = transitions.survivors
    taken = {str(edits.get(x, {}).get("name", old_names[x])) for x in survivors.values()}
    taken |= {old_names[x] for x in survivors.values()}
    renamed = []
    for persona in fresh:
        if int(persona.segment) in survivors:
            renamed.append(persona)
            continue
        name = _unique_name(persona.name, taken)
        taken.add(name)
        renamed.append(persona.model_copy(update={"name": name}))
    fresh = fresh.model_copy(update={"personas": renamed})
    by_segment = {int(p.segment): p for p in fresh}
    # the analyst's edits last: an override's name wins over the stored persona's
    overrides = [{"prototype": dict(by_segment[y].prototype), "name": old_names[x],
                  **edits.get(x, {})} for y, x in sorted(survivors.items())]
    personas = apply_overrides(fresh, overrides, model=new_model) if overrides else fresh
    new_names = persona_names(personas, len(new_model.cluster_centers_))
    notes = _origin_notes(transitions, old_names, new_names)
    dropped = sorted(x for x in edits if x not in survivors.values())
    notes.extend(f"the overrides of {old_names[x]} were not carried over: it "
                 f"{transitions.old_segments[x].kind}" for x in dropped)
    return personas, overrides, notes


def _origin_notes(transitions: Transitions, old_names: Sequence[str],
                  new_names: Sequence[str]) -> list[str]:
    notes = []
    for origin in transitions.new_segments:
        name = new_names[origin.segment]
        sources = " and ".join(old_names[x] for x in origin.old)
        if origin.kind == "survived":
            notes.append(f"{name} keeps its persona (name and overrides)")
        elif origin.kind == "merged":
            notes.append(f"{name} is a new persona: {sources} merged into it")
        elif origin.kind == "split":
            notes.append(f"{name} is a new persona: out of the split of {sources}")
        else:
            notes.append(f"{name} is a proposed new persona: an emerged segment")
    return notes
