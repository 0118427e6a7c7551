"""The study report: sizes over time with significance, migration, unfit share, drift,
the re-segment rule, alerts and each persona's history.

Everything here is computed from the per-wave aggregates stored when each wave was
added (never from respondent rows), so a report over many large waves stays fast. The
statistics are described in :mod:`dash_personas.tracking._stats`, drift in
:mod:`dash_personas.tracking._drift` and the re-segment rule in
:mod:`dash_personas.tracking._resegment`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..stats import format_p_value
from . import _stats
from ._drift import PSI_MODERATE, WaveDrift, wave_drift
from ._resegment import Recommendation, recommend, split_personas

__all__ = ["ALERT_KINDS", "Alert", "Migration", "PersonaShare", "ShareChange", "StudyReport",
           "WaveSummary", "build_report", "migration_from_counts", "persona_names",
           "refit_text"]

#: Every kind of :class:`Alert`, in the order a wave's alerts are listed.
ALERT_KINDS = ("size_shift", "emerging", "drift", "split", "refit_recommended")

#: Flows smaller than this share of their row are not spelled out in words.
MIN_FLOW_SHARE = 0.05
#: An unfit share must also be at least this many times the baseline's to raise
#: ``emerging`` (on a huge wave a rise from 5.0 % to 5.2 % is significant but no sign).
EMERGING_MIN_RATIO = 1.5
#: At most this many flows are spelled out per migration.
MAX_FLOWS = 5


def _percent(share: float) -> str:
    return f"{share * 100:.0f} %"


@dataclass(frozen=True)
class ShareChange:
    """A persona's share compared with an earlier wave.

    Attributes
    ----------
    against : str
        Label of the earlier wave.
    difference : float
        This wave's share minus the earlier one's.
    p_value, p_adjusted : float
        Two-proportion z-test on the effective bases; Holm-adjusted across the personas.
    significant : bool
        ``p_adjusted < alpha``.
    """

    against: str
    difference: float
    p_value: float
    p_adjusted: float
    significant: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"against": self.against, "difference": self.difference,
                "p_value": self.p_value, "p_adjusted": self.p_adjusted,
                "significant": self.significant}


@dataclass(frozen=True)
class PersonaShare:
    """One persona's weighted share in one wave, with its 95 % Wilson interval."""

    persona: str
    segment: int
    n: int
    share: float
    ci_low: float
    ci_high: float
    change_from_previous: ShareChange | None = None
    change_from_baseline: ShareChange | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the issue's keys plus the comparisons)."""
        return {"persona": self.persona, "segment": self.segment, "n": self.n,
                "share": self.share, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "change_from_previous": None if self.change_from_previous is None
                else self.change_from_previous.to_dict(),
                "change_from_baseline": None if self.change_from_baseline is None
                else self.change_from_baseline.to_dict()}


@dataclass(frozen=True)
class WaveSummary:
    """Sizes and fit of one wave.

    Attributes
    ----------
    label, date : str
    n : int
        Respondents.
    n_effective : float
        Kish effective base ``(Σw)² / Σw²``.
    segmentation_version : int
    segments : list of PersonaShare
    unfit_share : float
        Weighted share of respondents farther from their prototype than the 95th
        percentile of distances in the reference wave (the first wave under this
        segmentation).
    reference_wave : str
    drift : WaveDrift or None
        Drift from the reference (baseline) wave; ``None`` for the baseline itself and
        for a wave stored without feature values (schema version 1).
    recommendation : Recommendation
        Whether the wave calls for re-segmenting (:mod:`._resegment`), and why.
    """

    label: str
    date: str | None
    n: int
    n_effective: float
    weighted: bool
    segmentation_version: int
    segments: list[PersonaShare]
    unfit_share: float
    unfit_threshold: float
    reference_wave: str
    drift: WaveDrift | None = None
    recommendation: Recommendation = field(default_factory=Recommendation)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"label": self.label, "date": self.date, "n": self.n,
                "n_effective": self.n_effective, "weighted": self.weighted,
                "segmentation_version": self.segmentation_version,
                "segments": [s.to_dict() for s in self.segments],
                "unfit_share": self.unfit_share, "unfit_threshold": self.unfit_threshold,
                "reference_wave": self.reference_wave,
                "drift": None if self.drift is None else self.drift.to_dict(),
                "recommendation": self.recommendation.to_dict()}


@dataclass(frozen=True)
class Migration:
    """Where the panel respondents seen in two waves went.

    Attributes
    ----------
    from_wave, to_wave : str
    personas : list of str
        Row labels (personas of ``from_wave``).
    to_personas : list of str
        Column labels (personas of ``to_wave``; the same unless the segmentation changed).
    counts : ndarray of int, shape (len(personas), len(to_personas))
    flows : list of dict
        The main moves, largest row share first, each with ``text`` such as
        ``"18 % of Sceptical Sam moved to Busy Blake"``.
    """

    from_wave: str
    to_wave: str
    personas: list[str]
    to_personas: list[str]
    counts: np.ndarray
    flows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def n_panel(self) -> int:
        """Respondents in both waves."""
        return int(self.counts.sum())

    @property
    def row_shares(self) -> np.ndarray:
        """Each row divided by its total (rows without respondents stay 0)."""
        totals = self.counts.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(totals > 0, self.counts / np.maximum(totals, 1), 0.0)

    @property
    def stayers(self) -> int:
        """Panel respondents in the same segment both times (same segmentation only)."""
        if self.personas != self.to_personas:
            return 0
        return int(np.trace(self.counts))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the issue's keys plus shares, stayers and flows)."""
        return {"from_wave": self.from_wave, "to_wave": self.to_wave,
                "n_panel": self.n_panel, "personas": self.personas,
                "to_personas": self.to_personas, "counts": self.counts.tolist(),
                "row_shares": self.row_shares.tolist(), "stayers": self.stayers,
                "stayer_share": self.stayers / self.n_panel if self.n_panel else 0.0,
                "flows": self.flows}


def migration_from_counts(from_wave: str, to_wave: str, counts: np.ndarray,
                          personas: Sequence[str], to_personas: Sequence[str]) -> Migration:
    """A :class:`Migration` with its main flows put in words."""
    counts = np.asarray(counts, dtype=np.int64)
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(totals > 0, counts / np.maximum(totals, 1), 0.0)
    moved = counts > 0
    if list(personas) == list(to_personas):
        np.fill_diagonal(moved, False)
    rows, cols = np.nonzero(moved & (shares >= MIN_FLOW_SHARE))
    order = np.lexsort((-counts[rows, cols], -shares[rows, cols]))[:MAX_FLOWS]
    flows = [{"from": personas[r], "to": to_personas[c], "count": int(counts[r, c]),
              "share": float(shares[r, c]),
              "text": f"{_percent(shares[r, c])} of {personas[r]} moved to {to_personas[c]}"}
             for r, c in zip(rows[order], cols[order])]
    return Migration(from_wave, to_wave, list(personas), list(to_personas), counts, flows)


@dataclass(frozen=True)
class Alert:
    """Something the analyst should look at in a wave.

    ``kind`` (one of :data:`ALERT_KINDS`) is ``"size_shift"`` (a persona's share
    changed significantly from the previous wave or the baseline), ``"emerging"``
    (significantly more respondents fit no prototype than in the baseline, one-sided,
    and at least :data:`EMERGING_MIN_RATIO` times as many), ``"drift"`` (a feature's
    PSI against the baseline is major and significant), ``"split"`` (a persona's members
    form two groups, named in the detail) or ``"refit_recommended"`` (the re-segment
    rule of :mod:`._resegment` holds; the detail lists its reasons).
    """

    wave: str
    kind: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"wave": self.wave, "kind": self.kind, "detail": self.detail}


@dataclass(frozen=True)
class StudyReport:
    """What the study says so far: one entry per wave, migrations, alerts.

    Attributes
    ----------
    waves : list of WaveSummary
    migration : list of Migration
        Each wave's panel compared with the previous wave.
    alerts : list of Alert
    alpha : float
        Significance level of the tests (after Holm's adjustment).
    transitions : list of dict
        One per re-fit, oldest first (:meth:`RefitResult.to_dict`): the version and its
        parent, the waves fitted on, the MONIC transitions with their thresholds.
    """

    waves: list[WaveSummary]
    migration: list[Migration]
    alerts: list[Alert]
    alpha: float = 0.05
    transitions: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``track report --json``."""
        return {"alpha": self.alpha, "waves": [w.to_dict() for w in self.waves],
                "migration": [m.to_dict() for m in self.migration],
                "alerts": [a.to_dict() for a in self.alerts],
                "transitions": self.transitions,
                "persona_history": self.persona_history()}

    def persona_history(self) -> list[dict[str, Any]]:
        """Each persona of the current segmentation over the waves it was tracked in.

        The current segmentation is the one of the last reported wave; the waves are
        those reported under it, oldest first.

        Returns
        -------
        list of dict
            One per persona, by segment number: ``persona``, ``segment``, ``waves``
            (labels), ``shares``, ``ci_low``, ``ci_high`` (95 % Wilson), ``trend`` (e.g.
            ``"24 % → 31 % since 2026-Q1"``) and ``changes``: how its members' profile
            moved from the baseline by the last wave, in words (e.g.
            ``"higher Price focus: +0.4 SD"``), empty when nothing moved by
            :data:`~._drift.CHANGE_MIN_SMD` or more.
        """
        if not self.waves:
            return []
        version = self.waves[-1].segmentation_version
        under = [w for w in self.waves if w.segmentation_version == version]
        first, last = under[0], under[-1]
        history = []
        for share in last.segments:
            j = share.segment
            series = [w.segments[j] for w in under]
            if len(under) > 1:
                trend = (f"{_percent(series[0].share)} → {_percent(share.share)} "
                         f"since {first.label}")
            else:
                trend = f"{_percent(share.share)} in {first.label}"
            changes = ([] if last.drift is None
                       else list(last.drift.personas[j].changes))
            history.append({"persona": share.persona, "segment": j,
                            "waves": [w.label for w in under],
                            "shares": [s.share for s in series],
                            "ci_low": [s.ci_low for s in series],
                            "ci_high": [s.ci_high for s in series],
                            "trend": trend, "changes": changes})
        return history

    def to_text(self) -> str:
        """A readable plain-text table (what ``track report`` prints)."""
        lines: list[str] = []
        for wave in self.waves:
            base = f"n={wave.n}"
            if wave.weighted:
                base += f", effective n={wave.n_effective:.0f}"
            date = f" ({wave.date})" if wave.date else ""
            lines.append(f"Wave {wave.label}{date}: {base}, segmentation "
                         f"v{wave.segmentation_version}, unfit {_percent(wave.unfit_share)}")
            width = max((len(s.persona) for s in wave.segments), default=7)
            for share in wave.segments:
                change = share.change_from_previous
                mark = ""
                if change is not None:
                    mark = f"  {change.difference * 100:+.1f} pts vs {change.against}"
                    mark += " *" if change.significant else ""
                lines.append(f"  {share.persona:<{width}}  {share.share * 100:5.1f} %  "
                             f"[{share.ci_low * 100:5.1f}, {share.ci_high * 100:5.1f}]{mark}")
            if wave.drift is not None and wave.drift.features:
                top = ", ".join(f"{f.label} {f.psi:.2f}" for f in wave.drift.features[:3])
                lines.append(f"  drift vs {wave.drift.against} (PSI, most drifted first): "
                             f"{top}")
        lines.extend(refit_text(document) for document in self.transitions)
        for migration in self.migration:
            lines.append(f"Migration {migration.from_wave} -> {migration.to_wave}: "
                         f"{migration.n_panel} panel respondents, {migration.stayers} stayed")
            lines.extend(f"  {flow['text']}" for flow in migration.flows)
        history = self.persona_history()
        if history and len(history[0]["waves"]) > 1:
            lines.append("Personas:")
            for entry in history:
                changes = f"; {'; '.join(entry['changes'])}" if entry["changes"] else ""
                lines.append(f"  {entry['persona']}: {entry['trend']}{changes}")
        if self.alerts:
            lines.append("Alerts:")
            lines.extend(f"  [{a.wave}] {a.kind}: {a.detail}" for a in self.alerts)
        else:
            lines.append("No alerts.")
        lines.append(f"(* significant at {self.alpha:g} after Holm's correction; intervals "
                     "are 95 % Wilson intervals on the effective base)")
        return "\n".join(lines)


@dataclass(frozen=True)
class WaveRecord:
    """What the store holds about one wave (input of :func:`build_report`)."""

    label: str
    date: str | None
    segmentation_version: int
    aggregates: Mapping[str, Any]


def _shares(aggregates: Mapping[str, Any]) -> tuple[np.ndarray, float]:
    sums = np.asarray(aggregates["segments"]["sum_weights"], dtype=float)
    total = float(aggregates["sum_weights"])
    base = _stats.effective_base(total, float(aggregates["sum_squared_weights"]))
    return sums / total, base


def _compare(against: str, earlier: Mapping[str, Any], shares: np.ndarray, base: float,
             alpha: float) -> list[ShareChange]:
    before, before_base = _shares(earlier)
    p = _stats.two_proportion_test(before, before_base, shares, base)
    adjusted = _stats.holm(p)
    return [ShareChange(against, float(shares[j] - before[j]), float(p[j]),
                        float(adjusted[j]), bool(adjusted[j] < alpha))
            for j in range(shares.size)]


def persona_names(personas: Any, n_segments: int) -> list[str]:
    """Persona name of each segment number (``Segment j`` where no persona describes j)."""
    names = [f"Segment {j}" for j in range(n_segments)]
    for persona in personas:
        segment = int(persona.segment)
        if 0 <= segment < n_segments:
            names[segment] = persona.name
    return names


def refit_text(document: Mapping[str, Any]) -> str:
    """A re-fit's document (:meth:`RefitResult.to_dict`) in words."""
    lines = [f"Segmentation v{document['version']} re-fitted from v{document['parent_version']}"
             f" on {document['n']} respondents of {', '.join(document['waves'])}: "
             f"{document['k']} segments ({document['how']})"]
    lines.extend(f"  {sentence}" for sentence in document["sentences"])
    lines.extend(f"  note: {note}" for note in document["notes"])
    lines.append(f"  (rule: {document['rule']})")
    return "\n".join(lines)


def build_report(records: Sequence[WaveRecord], personas: Mapping[int, Any], *,
                 wave: str | None = None, alpha: float = 0.05,
                 refits: Sequence[Mapping[str, Any]] = (),
                 labels: Mapping[str, str] | None = None) -> StudyReport:
    """The :class:`StudyReport` of waves in the order they were added.

    Parameters
    ----------
    records : sequence of WaveRecord
        Every wave of the study, oldest first.
    personas : mapping of int to PersonaSet
        The personas of each segmentation version.
    wave : str, optional
        Report this wave only (still compared with its previous wave and its baseline).
    alpha : float
        Significance level.
    refits : sequence of mapping
        The stored re-fit documents, oldest first (listed as ``transitions``).
    labels : mapping of str to str, optional
        Readable label of each feature (default: the column names).
    """
    labels = {} if labels is None else labels
    summaries: list[WaveSummary] = []
    migrations: list[Migration] = []
    alerts: list[Alert] = []
    reference: dict[int, WaveRecord] = {}
    previous: WaveRecord | None = None
    for record in records:
        version = record.segmentation_version
        aggregates = record.aggregates
        first_of_version = version not in reference
        baseline = reference.setdefault(version, record)
        shares, base = _shares(aggregates)
        n_segments = shares.size
        names = persona_names(personas[version], n_segments)
        low, high = _stats.wilson_interval(shares, base)
        from_previous = (_compare(previous.label, previous.aggregates, shares, base, alpha)
                         if previous is not None and previous.segmentation_version == version
                         else [None] * n_segments)
        from_baseline = ([None] * n_segments if first_of_version
                         else _compare(baseline.label, baseline.aggregates, shares, base,
                                       alpha))
        counts = aggregates["segments"]["n"]
        segments = [PersonaShare(names[j], j, int(counts[j]), float(shares[j]), float(low[j]),
                                 float(high[j]), from_previous[j], from_baseline[j])
                    for j in range(n_segments)]
        unfit = aggregates["unfit"]
        unfit_share = float(unfit["sum_weights"]) / float(aggregates["sum_weights"])
        summary = WaveSummary(record.label, record.date, int(aggregates["n"]), base,
                              bool(aggregates["weighted"]), version, segments, unfit_share,
                              float(unfit["threshold"]), baseline.label)
        wave_alerts = _size_alerts(summary)
        if not first_of_version:
            emerging = _emerging_alert(record.label, baseline, unfit_share, base, alpha)
            wave_alerts.extend([] if emerging is None else [emerging])
            baseline_shares, baseline_base = _shares(baseline.aggregates)
            segment_bases = _segment_bases(aggregates)
            drift = _drift_of(baseline, record, names, labels, (baseline_base, base),
                              segment_bases, shares)
            recommendation = recommend(
                drift, emerging=None if emerging is None else emerging.detail, shares=shares,
                baseline_shares=baseline_shares, segment_bases=segment_bases, names=names,
                alpha=alpha)
            wave_alerts.extend(_drift_alerts(record.label, drift, segment_bases, names,
                                             alpha, baseline.label))
            if recommendation.resegment:
                wave_alerts.append(Alert(record.label, "refit_recommended",
                                         "re-segment recommended: "
                                         + "; ".join(recommendation.reasons)))
            summary = replace(summary, drift=drift,
                                          recommendation=recommendation)
        migration = aggregates.get("migration")
        if migration is not None and previous is not None:
            from_names = persona_names(personas[int(migration["from_version"])],
                                       len(migration["counts"]))
            migrations.append(migration_from_counts(migration["from_wave"], record.label,
                                                    np.asarray(migration["counts"]),
                                                    from_names, names))
        if wave is None or record.label == wave:
            summaries.append(summary)
            alerts.extend(wave_alerts)
        previous = record
    if wave is not None:
        migrations = [m for m in migrations if m.to_wave == wave]
    return StudyReport(summaries, migrations, alerts, alpha,
                       [dict(document) for document in refits])


def _segment_bases(aggregates: Mapping[str, Any]) -> np.ndarray:
    """Each segment's Kish effective base."""
    sums = np.asarray(aggregates["segments"]["sum_weights"], dtype=float)
    squares = np.asarray(aggregates["segments"]["sum_squared_weights"], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(squares > 0, sums * sums / squares, 0.0)


def _emerging_alert(label: str, baseline: WaveRecord, unfit_share: float, base: float,
                    alpha: float) -> Alert | None:
    reference_share = float(baseline.aggregates["unfit"]["sum_weights"]) / float(
        baseline.aggregates["sum_weights"])
    reference_base = _shares(baseline.aggregates)[1]
    p = _stats.two_proportion_greater(reference_share, reference_base, unfit_share, base)
    if p < alpha and unfit_share >= EMERGING_MIN_RATIO * reference_share:
        return Alert(label, "emerging", (
            f"{_percent(unfit_share)} of respondents fit no prototype well (beyond "
            f"{baseline.label}'s 95th percentile distance) against "
            f"{_percent(reference_share)} in {baseline.label} ({format_p_value(p)}): a "
            "segment may be emerging"))
    return None


def _drift_of(baseline: WaveRecord, record: WaveRecord, names: Sequence[str],
              labels: Mapping[str, str], bases: tuple[float, float],
              segment_bases: np.ndarray, shares: np.ndarray) -> WaveDrift | None:
    before = baseline.aggregates.get("profile")
    after = record.aggregates.get("profile")
    if before is None or after is None:
        return None
    return wave_drift(before, after, against=baseline.label, names=names, labels=labels,
                      base_sizes=bases,
                      segment_bases=(_segment_bases(baseline.aggregates), segment_bases),
                      shares=shares)


def _drift_alerts(label: str, drift: WaveDrift | None, segment_bases: np.ndarray,
                  names: Sequence[str], alpha: float, against: str) -> list[Alert]:
    if drift is None:
        return []
    alerts = []
    major = [f for f in drift.features if f.level == "major" and f.p_value < alpha]
    if major:
        words = ", ".join(f"{f.label} (PSI {f.psi:.2f}"
                          + ("" if f.smd is None else f", {f.smd:+.2f} SD") + ")"
                          for f in major[:5])
        more = f" and {len(major) - 5} more" if len(major) > 5 else ""
        explained = all(f.psi_mix_adjusted < PSI_MODERATE for f in major)
        note = ("; the personas' new shares explain it (mix-adjusted PSI below "
                f"{PSI_MODERATE:g})" if explained else "")
        alerts.append(Alert(label, "drift",
                            f"major drift from {against} on {words}{more}{note}"))
    for segment in split_personas(drift, segment_bases):
        signal = drift.personas[segment].split
        alerts.append(Alert(label, "split", (
            f"{names[segment]}: its members form two groups of "
            f"{(1 - signal.smaller_part) * 100:.0f} % and {signal.smaller_part * 100:.0f} % "
            f"(two means explain {signal.r2 * 100:.0f} % of their spread against "
            f"{signal.baseline_r2 * 100:.0f} % in {against}): the persona may be splitting")))
    return alerts


def _size_alerts(summary: WaveSummary) -> list[Alert]:
    alerts = []
    for share in summary.segments:
        changes = [c for c in (share.change_from_previous, share.change_from_baseline)
                   if c is not None and c.significant]
        if len(changes) == 2 and changes[0].against == changes[1].against:
            changes = changes[:1]  # the previous wave is the baseline
        if not changes:
            continue
        words = "; ".join(
            f"{_percent(share.share - c.difference)} in {c.against} → "
            f"{_percent(share.share)} ({format_p_value(c.p_adjusted)}, Holm)" for c in changes)
        alerts.append(Alert(summary.label, "size_shift", f"{share.persona}: {words}"))
    return alerts
