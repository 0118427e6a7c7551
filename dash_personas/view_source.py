"""Where a dashboard view's personas come from: ``ViewSource.personas(state)``.

One data set (the respondents a dashboard was given) or every wave of a tracking study
(:meth:`~dash_personas.tracking.Study.wave_data`): a :class:`ViewSource` checks a
:class:`~dash_personas.ViewState` against what the data has (the wave, its filters, the
persona) and returns the personas recomputed for it, with the costly work (assigning
rows, coding filter columns) done once per data set and recent views kept.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from threadpoolctl import ThreadpoolController  # a scikit-learn dependency

from .personas import PersonaFilter, PersonaSet
from .view_state import ViewState, view_state_from_args

__all__ = ["ViewSource"]

_BLAS = ThreadpoolController()

#: Recomputed views kept per dashboard (a filter change back and forth is instant).
CACHED_VIEWS = 32
#: Waves whose rows are held at once (a wave of a million respondents is ~100 MB).
CACHED_WAVES = 4


class ViewSource:
    """The personas of every view a dashboard can show.

    Build it with :meth:`of_data` or :meth:`of_study`.

    Parameters
    ----------
    load : callable
        ``load(wave)`` -> the :class:`~dash_personas.PersonaFilter` of that wave's rows
        (``wave`` is ``None`` when there are no waves).
    waves : sequence of str, optional
        The wave labels, oldest first; the latest is shown by default.
    everyone : PersonaSet, optional
        What an unfiltered view shows without waves (the personas as built, with the
        numbers a recount would drop, e.g. the typical person's share).
    notice : callable, optional
        ``notice(wave) -> str``: what the page must say of a wave (e.g. that it is shown
        re-assigned to the current segmentation); empty for nothing.

    Attributes
    ----------
    waves : list of str
    default_wave : str or None
        The latest wave (``None`` without waves).
    """

    def __init__(self, load: Callable[[str | None], PersonaFilter],
                 waves: Sequence[str] = (), everyone: PersonaSet | None = None,
                 notice: Callable[[str | None], str] | None = None) -> None:
        self.waves = [str(w) for w in waves]
        self._everyone = everyone
        self._notice = notice
        self.default_wave = self.waves[-1] if self.waves else None
        self._lock = threading.Lock()
        self._load = functools.lru_cache(maxsize=CACHED_WAVES)(load)
        self._views = functools.lru_cache(maxsize=CACHED_VIEWS)(self._compute)

    @classmethod
    def of_data(cls, personas: PersonaSet, data: Any, codebook: Any = None) -> ViewSource:
        """The views of one data set (rows assigned to the nearest persona prototype)."""
        source = PersonaFilter(personas, data, codebook)
        return cls(lambda wave: source, everyone=personas)

    @classmethod
    def of_study(cls, wave_data: Callable[[str], Any], personas: Callable[[int], PersonaSet],
                 waves: Sequence[str], codebook: Any = None,
                 notice: Callable[[str | None], str] | None = None) -> ViewSource:
        """The views of a tracking study's waves, each with its stored assignment.

        Parameters
        ----------
        wave_data : callable
            ``Study.wave_data``: label -> :class:`~dash_personas.tracking.WaveData`.
        personas : callable
            ``Study.personas``: segmentation version -> its personas.
        waves : sequence of str
            The wave labels, oldest first.
        codebook : mapping, optional
            The study's codebook (labels of the filter columns).
        notice : callable, optional
            As for the constructor.
        """
        def load(wave: str | None) -> PersonaFilter:
            data = wave_data(wave)
            return PersonaFilter(personas(data.segmentation_version), data.frame, codebook,
                                 labels=data.segment,
                                 sample_weight=data.weight if data.weighted else None)

        return cls(load, waves, notice=notice)

    def source(self, wave: str | None = None) -> PersonaFilter:
        """The :class:`~dash_personas.PersonaFilter` of ``wave`` (default: the latest)."""
        with self._lock:  # one load per wave, even when two requests ask at once
            return self._load(wave if wave in self.waves else self.default_wave)

    def check(self, state: ViewState) -> tuple[ViewState, list[str]]:
        """The view this data can show, and a note for every part of ``state`` left out.

        An unknown wave of a study shows the latest one (without waves, ``wave`` is
        kept as it is); unknown filter columns, levels and bad ranges are dropped
        (:meth:`PersonaFilter.check`); an unknown persona is not selected.
        """
        notes: list[str] = []
        wave = state.wave
        if self.waves and wave is not None and wave not in self.waves:
            known = ", ".join(map(repr, self.waves)) or "none"
            notes.append(f"No wave {wave!r} (the study has {known}): the latest is shown.")
            wave = None
        source = self.source(wave)
        filters, filter_notes = source.check(state.filters)
        notes += filter_notes
        persona = state.persona
        if persona is not None and persona not in {p.id for p in source.personas}:
            notes.append(f"No persona {persona!r}: none is selected.")
            persona = None
        return ViewState(filters, persona=persona, wave=wave), notes

    def notice(self, wave: str | None = None) -> str:
        """What the page must say of ``wave`` (default: the latest), e.g. that its rows
        are shown re-assigned to the current segmentation; empty for nothing."""
        if self._notice is None or not self.waves:
            return ""
        return self._notice(wave if wave in self.waves else self.default_wave)

    def describe(self, state: ViewState) -> str:
        """A checked ``state`` in words, as the page's note and the exported files say it.

        Examples: ``"Wave W3: 412 of 1,000 respondents (Gender: Woman)"``, ``"1,000
        respondents"`` (a wave's, unfiltered: ``"Wave W3: 1,000 respondents"``); empty
        for the unfiltered view of a data set without waves.
        """
        if not state.filters and not self.waves:
            return ""
        source = self.source(state.wave)
        wave = (state.wave or self.default_wave) if self.waves else None
        counted = (f"{self.personas(state).n_respondents:,} of {source.n_respondents:,} "
                   "respondents" if state.filters else f"{source.n_respondents:,} respondents")
        described = source.describe(state.filters)
        return (f"Wave {wave}: " if wave else "") + counted \
            + (f" ({described})" if described else "")

    def from_query(self, args: Mapping[str, Iterable[str]]) -> tuple[ViewState, PersonaSet]:
        """The view a URL's query asks for, checked (:meth:`check`), and its personas.

        ``args`` as :func:`~dash_personas.view_state.view_state_from_args` takes them
        (e.g. a Flask request's ``args``): what the page shows for that URL, so that its
        Export menu's files are the view's.
        """
        if hasattr(args, "to_dict"):
            args = args.to_dict(flat=False)
        state = self.check(view_state_from_args(args))[0]
        return state, self.personas(state)

    def personas(self, state: ViewState) -> PersonaSet:
        """The personas of a checked ``state`` (see :meth:`check`): wave and filters."""
        key = tuple(sorted((column, tuple(levels))
                           for column, levels in state.filters.items()))
        return self._views(state.wave if state.wave in self.waves else self.default_wave, key)

    def _compute(self, wave: str | None, key: tuple[Any, ...]) -> PersonaSet:
        if not key and not self.waves and self._everyone is not None:
            return self._everyone
        source = self.source(wave)
        # The profiles' matrix products are small (segments x respondents x features):
        # BLAS threads only spin against the server's other requests (a k x 100,000 x 60
        # product took 1 s instead of 10 ms on a busy 2-core machine), as in the drift.
        with _BLAS.limit(limits=1, user_api="blas"):
            return source.apply(dict(key))
