"""What a persona says beyond its name: guidelines, behaviour, goals, triggers, objections.

Every sentence is backed by evidence on which the persona stands out *from the other
personas* as well as from everyone (see ``_rules``): :class:`Peers` holds the median
persona, :func:`stands_out` / :func:`share_stands_out` apply the rule. Guidelines go
through :func:`~dash_personas.personas._guidelines.resolve_advice` (no contradictions)
and :func:`ration_guidelines` (no sentence for most personas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from survey_builder.codebook import OPTION_SEPARATOR

from ._guidelines import Advice, Candidate, advice, check_guidelines
from ._model import Behaviour, CategoryShare, FeatureInfo, Guidelines, ScaleScore
from ._rows import rows
from ._rules import (
    CHANNEL_OPTIONS,
    CHANNELS,
    CLV_RULES,
    DISTINCT_LIFT,
    DISTINCT_SD,
    DRIVER_GOALS,
    DRIVER_OPPOSITES,
    JOURNEY_RULES,
    TRIGGER_PHRASES,
    advice_catalogue,
    note_advice,
)

__all__ = [
    "Peers",
    "behaviour_of",
    "cohen_h",
    "day_in_life",
    "goals_of",
    "guideline_candidates",
    "guidelines_from",
    "ration_guidelines",
    "share_stands_out",
    "stands_out",
    "triggers_of",
]

#: How many do's, don'ts and channels a persona gets at most.
MAX_DO, MAX_DONT, MAX_CHANNELS = 5, 4, 4
DEFAULT_TONE = "clear and friendly"
#: A trigger is "often" what prompts a purchase when at least this share of the persona names it.
OFTEN = 0.5


def cohen_h(share: float, overall: float) -> float:
    """Cohen's h between two proportions: an effect size on the scale of ``d``."""
    p = min(max(share, 0.0), 1.0)
    q = min(max(overall, 0.0), 1.0)
    return float(2 * np.arcsin(np.sqrt(p)) - 2 * np.arcsin(np.sqrt(q)))


@dataclass(frozen=True)
class Peers:
    """The median persona: per numeric feature the median ``d`` and mean over segments,
    per categorical answer the median share."""

    std_diff: dict[str, float]
    mean: dict[str, float]
    share: dict[tuple[str, str], float]

    @classmethod
    def of(cls, profiles: Any) -> Peers:
        """The medians over the segments of a ``SegmentProfiles``."""
        numeric = profiles.numeric.groupby("feature", sort=False)
        categorical = profiles.categorical.assign(level=profiles.categorical["level"].astype(str))
        share = categorical.groupby(["feature", "level"], sort=False)["share"].median()
        return cls(std_diff=numeric["std_diff"].median().to_dict(),
                   mean=numeric["mean"].median().to_dict(),
                   share={(str(f), str(v)): float(s) for (f, v), s in share.items()})


def stands_out(std_diff: float, peer_median: float) -> bool:
    """Distinctive against everyone and against the median persona, on the same side."""
    if not np.isfinite(std_diff) or abs(std_diff) < DISTINCT_SD:
        return False
    return (std_diff - peer_median) * np.sign(std_diff) >= DISTINCT_SD


def share_stands_out(share: float, overall: float, peer_median: float) -> bool:
    """An answer over-represented against everyone and against the median persona.

    Its lift must reach ``DISTINCT_LIFT`` against both, and its effect size (Cohen's h)
    ``DISTINCT_SD`` against everyone, so that a rare answer is not "distinctive" by noise.
    """
    return bool(share > peer_median and share >= DISTINCT_LIFT * overall
                and share >= DISTINCT_LIFT * peer_median
                and cohen_h(share, overall) >= DISTINCT_SD)


def _option(name: str) -> str:
    return name.split(OPTION_SEPARATOR, 1)[1] if OPTION_SEPARATOR in name else name


def _option_shares(numeric: pd.DataFrame | list[Any], info: dict[str, FeatureInfo],
                   role: str) -> list[CategoryShare]:
    """Per option column (0/1) of ``role``: the share that ticked it, most ticked first.

    ``numeric`` is a segment's numeric profile rows (a table or its :func:`rows`).
    """
    shares = []
    for r in rows(numeric):
        if info[r.feature].role != role or not np.isfinite(r.mean):
            continue
        code = _option(r.feature)
        question, _, option_label = info[r.feature].label.rpartition(" — ")
        shares.append(CategoryShare(
            feature=r.feature, label=question or info[r.feature].label, level=code,
            level_label=option_label or code, share=float(r.mean),
            overall_share=float(r.overall_mean),
            lift=float(r.mean / r.overall_mean) if r.overall_mean else 0.0))
    shares.sort(key=lambda c: -c.share)
    return shares


def behaviour_of(numeric: pd.DataFrame | list[Any], categorical: pd.DataFrame | list[Any],
                 info: dict[str, FeatureInfo], currency: str | None) -> Behaviour:
    """What the segment does, from the questionnaire's behaviour and channel questions.

    Purchase frequency: the most common answer; spend: the mean of the spend question;
    CLV; channels: the three most used (option shares of the channel question, or the
    levels of a single channel feature). ``numeric`` and ``categorical`` are the
    segment's profile rows (tables or their :func:`rows`).
    """
    b = Behaviour(currency=currency)
    numeric, categorical = rows(numeric), rows(categorical)
    for r in numeric:
        role, name = info[r.feature].role, r.feature.lower()
        if role == "clv":
            b.clv, b.overall_clv = float(r.mean), float(r.overall_mean)
        elif role == "spend" or (role not in ("scale", "channel", "trigger", "driver")
                                 and ("purchase_value" in name or "spend" in name)):
            b.spend, b.overall_spend = float(r.mean), float(r.overall_mean)
    freq = [r for r in categorical if info[r.feature].role == "frequency"
            or (info[r.feature].role != "scale" and "frequency" in r.feature.lower())]
    if freq:
        # the most common answer, the first of equal ones (shares are never NaN)
        top = max(freq, key=lambda r: r.share)
        feature = info[top.feature]
        b.frequency = feature.label_of(str(top.level))
        b.frequency_share = float(top.share)
        b.overall_frequency_share = float(top.overall_share)
    shares = _option_shares(numeric, info, "channel")
    for r in categorical:
        if info[r.feature].role != "channel":
            continue
        shares.append(CategoryShare(
            feature=r.feature, label=info[r.feature].label, level=str(r.level),
            level_label=info[r.feature].label_of(str(r.level)), share=float(r.share),
            overall_share=float(r.overall_share), lift=float(r.lift)))
    shares.sort(key=lambda c: -c.share)
    b.channel_shares = shares
    b.channels = [c.level_label for c in shares[:3] if c.share > 0]
    return b


def triggers_of(numeric: pd.DataFrame, info: dict[str, FeatureInfo],
                peers: Peers) -> list[CategoryShare]:
    """The purchase triggers the persona names distinctively more often (at most three)."""
    return [c for c in _option_shares(numeric, info, "trigger")
            if share_stands_out(c.share, c.overall_share, peers.mean.get(c.feature, np.inf))][:3]


def goals_of(numeric: pd.DataFrame, info: dict[str, FeatureInfo], peers: Peers,
             scales: list[tuple[ScaleScore, dict[str, Any]]] = ()) -> tuple[list[str], set[str]]:
    """Goals from the choice-drivers ranking: the drivers the persona ranks distinctively
    higher (a lower mean rank: ``d`` below zero), strongest first.

    A goal and a scale that contradict it (``DRIVER_OPPOSITES``: price ranked high, price
    focus low) are weighed by ``|d|``: the weaker one is left out.

    Returns
    -------
    goals : list of str
        At most three.
    overruled : set of str
        The scales whose sentences a stronger goal contradicts.
    """
    by_scale = {s.scale: s for s, _ in scales}
    drivers = numeric[[info[f].role == "driver" for f in numeric["feature"]]]
    found, overruled = [], set()
    for r in rows(drivers):
        if not (r.std_diff < 0 and stands_out(float(r.std_diff),
                                              peers.std_diff.get(r.feature, 0.0))):
            continue
        code = _option(r.feature)
        strength = abs(float(r.std_diff))
        opposite = DRIVER_OPPOSITES.get(code)
        rival = by_scale.get(opposite[0]) if opposite else None
        if rival is not None and (rival.std_diff > 0) == (opposite[1] == "high"):
            if abs(rival.std_diff) >= strength:
                continue
            overruled.add(rival.scale)
        label = info[r.feature].label.rpartition(" — ")[2] or code
        found.append((strength, DRIVER_GOALS.get(code) or f"{label} comes first when they choose"))
    return [text for _, text in sorted(found, key=lambda t: -t[0])][:3], overruled


def day_in_life(first_name: str, behaviour: Behaviour,
                triggers: list[CategoryShare], numeric: pd.DataFrame,
                info: dict[str, FeatureInfo]) -> str:
    """A typical purchase in one sentence, from the answers only (empty without them).

    How often (the most common frequency answer), where (the most used channel) and,
    when the survey asks, what often prompts it (its most named trigger, when at least
    half of the persona names it).
    """
    if not behaviour.frequency or not behaviour.channel_shares:
        return ""
    channel = behaviour.channel_shares[0]
    where = channel.level_label[:1].lower() + channel.level_label[1:]
    text = (f"{first_name} buys {behaviour.frequency[:1].lower()}{behaviour.frequency[1:]}, "
            f"most often {where}")
    named = triggers or _option_shares(numeric, info, "trigger")[:1]
    phrase = TRIGGER_PHRASES.get(named[0].level) if named else None
    if phrase and named[0].share >= OFTEN:
        text += f", often {phrase}"
    return text + "."


def guideline_candidates(scales: list[tuple[ScaleScore, dict[str, Any]]],
                         notes: dict[str, str], numeric: pd.DataFrame,
                         categorical: pd.DataFrame, info: dict[str, FeatureInfo],
                         behaviour: Behaviour, peers: Peers) -> list[Candidate]:
    """Every do, don't and channel the persona's distinctive evidence calls for.

    Parameters
    ----------
    scales : list of (ScaleScore, rule)
        The persona's scales that stand out (``stands_out``), with their rule words.
    notes : dict
        Scale name -> the codebook's ``high_score`` note.
    numeric, categorical : DataFrame
        The segment's profile rows.
    info : dict of str to FeatureInfo
    behaviour : Behaviour
        Its ``channel_shares`` give the channels actually used.
    peers : Peers

    Returns
    -------
    list of Candidate
    """
    out: list[Candidate] = []
    for scale, rule in scales:
        direction = "high" if scale.std_diff > 0 else "low"
        strength = abs(scale.std_diff)
        for kind in ("do", "dont"):
            item = rule.get(kind)
            if item is None and rule.get("source") != "scale" and (kind == "do") == (
                    direction == "high"):
                item = note_advice(notes.get(scale.scale), direction, scale.label)
            if item is not None:
                out.append(Candidate(item, f"{kind}-{direction}:{scale.scale}", strength))
    for r in rows(numeric):
        if info[r.feature].role == "clv" and stands_out(float(r.std_diff),
                                                        peers.std_diff.get(r.feature, 0.0)):
            out.append(Candidate(CLV_RULES["high" if r.std_diff > 0 else "low"], "clv",
                                 abs(float(r.std_diff))))
    for r in rows(categorical[[info[f].role == "journey" for f in categorical["feature"]]]):
        stage = info[r.feature].code_of(str(r.level))
        peer = peers.share.get((r.feature, str(r.level)), np.inf)
        if stage in JOURNEY_RULES and share_stands_out(float(r.share), float(r.overall_share),
                                                       peer):
            out.append(Candidate(JOURNEY_RULES[stage], f"journey:{stage}",
                                 abs(cohen_h(r.share, r.overall_share))))
    used = [c for c in behaviour.channel_shares
            if share_stands_out(c.share, c.overall_share, _peer_share(c, peers))]
    if behaviour.channel_shares:  # the questionnaire says where they buy: use only that
        for c in used:
            name = CHANNEL_OPTIONS.get(c.level) or c.level_label
            item = CHANNELS.get(name) or advice(name, "channel")
            out.append(Candidate(item, f"channel:{c.feature}={c.level}",
                                 abs(cohen_h(c.share, c.overall_share))))
    else:
        for scale, rule in scales:
            for name in rule.get("channels", []):
                item = CHANNELS.get(name) or advice(name, "channel")
                out.append(Candidate(item, f"channel:{scale.scale}:{name}", abs(scale.std_diff)))
    return out


def _peer_share(share: CategoryShare, peers: Peers) -> float:
    if share.feature in peers.mean:  # an option column: its mean is the share
        return peers.mean[share.feature]
    return peers.share.get((share.feature, share.level), np.inf)


def guidelines_from(kept: list[Candidate], scales: list[tuple[ScaleScore, dict[str, Any]]],
                    dropped: list[str]) -> Guidelines:
    """The persona's guidelines from resolved advice; checked for consistency.

    Raises
    ------
    GuidelineConflict
        The kept advice contradicts itself (a bug in the rules or in the resolution).
    """
    tone = next(((s, r["tone"]) for s, r in scales if r.get("tone")), None)
    by_kind: dict[str, list[Candidate]] = {"do": [], "dont": [], "channel": []}
    for candidate in kept:
        by_kind[candidate.advice.kind].append(candidate)
    chosen = (by_kind["do"][:MAX_DO] + by_kind["dont"][:MAX_DONT]
              + by_kind["channel"][:MAX_CHANNELS])
    g = Guidelines(
        tone=tone[1] if tone else DEFAULT_TONE,
        do=[c.advice.text for c in by_kind["do"][:MAX_DO]],
        dont=[c.advice.text for c in by_kind["dont"][:MAX_DONT]],
        channels=[c.advice.text for c in by_kind["channel"][:MAX_CHANNELS]],
        rules=([f"tone:{tone[0].scale}"] if tone else []) + [c.rule for c in chosen],
        dropped=dropped)
    check_guidelines(g.do, g.dont, g.channels, _CATALOGUE | {
        (c.advice.kind, c.advice.text): c.advice for c in chosen})
    return g


_CATALOGUE: dict[tuple[str, str], Advice] = advice_catalogue()


def ration_guidelines(kept: list[list[Candidate]]) -> list[tuple[list[Candidate], list[str]]]:
    """Give no piece of advice to more than half of the personas.

    Advice that several personas qualify for through different evidence (a channel hinted
    by several scales) stays with the ``max(1, k // 2)`` personas with the strongest
    evidence for it.

    Parameters
    ----------
    kept : list of list of Candidate
        Per persona, its resolved advice.

    Returns
    -------
    list of (list of Candidate, list of str)
        Per persona, the advice it keeps and the rules taken away (with the reason).
    """
    limit = max(1, len(kept) // 2)
    holders: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for i, candidates in enumerate(kept):
        for c in candidates:
            holders.setdefault((c.advice.kind, c.advice.text), []).append((c.strength, i))
    allowed = {key: {i for _, i in sorted(found, key=lambda t: (-t[0], t[1]))[:limit]}
               for key, found in holders.items()}
    out = []
    for i, candidates in enumerate(kept):
        keep = [c for c in candidates if i in allowed[(c.advice.kind, c.advice.text)]]
        gone = [f"{c.rule} (more distinctive for other personas)" for c in candidates
                if i not in allowed[(c.advice.kind, c.advice.text)]]
        out.append((keep, gone))
    return out
