"""Guidelines that cannot contradict each other: advice with explicit conflicts.

Every piece of advice a persona can get (a "do", a "don't" or a channel) is an
:class:`Advice`: its sentence plus the *themes* it pushes for (``promotes``) and the
themes it rules out (``avoids``). Two pieces of advice **conflict** when one promotes a
theme the other avoids ("Reward repeat buying: reminders..." promotes ``messages``;
"Don't increase ad frequency" avoids it) or when they promote two themes listed as
mutually exclusive in :data:`EXCLUSIVE_THEMES` (``human_service`` and ``self_service``:
"keep a human contact" against "automated, self-service journeys").

:func:`resolve_advice` keeps the advice with the strongest evidence and drops what
conflicts with it; :func:`check_guidelines` verifies a persona's final do / don't /
channels and raises :class:`GuidelineConflict` (a bug, not a user error) when two of
them contradict each other or a sentence is repeated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "EXCLUSIVE_THEMES",
    "THEMES",
    "Advice",
    "Candidate",
    "GuidelineConflict",
    "check_guidelines",
    "conflict",
    "resolve_advice",
]

AdviceKind = Literal["do", "dont", "channel"]

#: The themes advice can push for or rule out, with what they mean.
THEMES: dict[str, str] = {
    "advertising": "paid advertising and promotional messages",
    "messages": "frequent direct messages (emails, reminders, notifications)",
    "human_service": "personal contact with staff (shop, phone)",
    "self_service": "automated, do-it-yourself journeys",
    "novelty": "new products, early access, limited editions",
    "continuity": "keeping familiar products unchanged",
    "brevity": "short messages and the fewest steps",
    "rich_detail": "complete, detailed information",
    "discounts": "promotions, savings and discounts",
    "premium_claims": "premium and superlative claims",
    "brand_heritage": "the brand's name, history and track record",
    "social_sharing": "sharing, referrals and public reviews",
    "community": "community stories, events and belonging",
    "sustainability": "environmental arguments",
    "health": "health and wellbeing arguments",
    "impulse": "spur-of-the-moment offers",
    "pressure": "urgency and pressure tactics",
    "upsell": "extra steps and upselling",
}

#: Pairs of themes no persona can be advised to pursue together.
EXCLUSIVE_THEMES: frozenset[frozenset[str]] = frozenset({
    frozenset({"human_service", "self_service"}),
    frozenset({"novelty", "continuity"}),
    frozenset({"brevity", "rich_detail"}),
})


class GuidelineConflict(RuntimeError):
    """A persona's guidelines contradict each other: a bug in the rules, never user input."""


@dataclass(frozen=True)
class Advice:
    """One sentence (or channel) of advice and the themes it promotes and avoids.

    Parameters
    ----------
    text : str
        What the persona card says.
    kind : {"do", "dont", "channel"}
    promotes, avoids : frozenset of str
        Keys of :data:`THEMES`.
    """

    text: str
    kind: AdviceKind
    promotes: frozenset[str] = field(default_factory=frozenset)
    avoids: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        unknown = (self.promotes | self.avoids) - THEMES.keys()
        if unknown:
            raise ValueError(f"unknown advice theme(s) {sorted(unknown)} in {self.text!r}")


def advice(text: str, kind: AdviceKind, promotes: Iterable[str] = (),
           avoids: Iterable[str] = ()) -> Advice:
    """Shorthand for :class:`Advice` with iterables of themes."""
    return Advice(text, kind, frozenset(promotes), frozenset(avoids))


@dataclass(frozen=True)
class Candidate:
    """Advice a persona qualifies for, the rule that proposes it and the evidence for it.

    ``strength`` is an effect size on one scale for every rule: ``|d|`` (standardised
    difference) for numeric evidence, Cohen's ``|h|`` for a share.
    """

    advice: Advice
    rule: str
    strength: float


def conflict(a: Advice, b: Advice) -> str | None:
    """Why ``a`` and ``b`` contradict each other, or ``None`` when they do not.

    Parameters
    ----------
    a, b : Advice

    Returns
    -------
    str or None
    """
    for one, other in ((a, b), (b, a)):
        clash = one.promotes & other.avoids
        if clash:
            themes = ", ".join(sorted(clash))
            return f"{one.text!r} promotes {themes}, which {other.text!r} rules out"
    for x in a.promotes:
        for y in b.promotes:
            if frozenset({x, y}) in EXCLUSIVE_THEMES:
                return f"{a.text!r} ({x}) and {b.text!r} ({y}) pull in opposite directions"
    return None


def resolve_advice(candidates: Iterable[Candidate]) -> tuple[list[Candidate], list[str]]:
    """Keep the best-supported advice that does not contradict stronger advice.

    Candidates are taken strongest first (ties in the given order); one is kept when its
    sentence is new and it conflicts with nothing kept so far.

    Parameters
    ----------
    candidates : iterable of Candidate

    Returns
    -------
    kept : list of Candidate
        Strongest first.
    dropped : list of str
        ``"<rule> (conflicts with <rule>)"`` for every candidate left out by a conflict.
    """
    kept: list[Candidate] = []
    dropped: list[str] = []
    seen: set[tuple[str, str]] = set()
    for candidate in sorted(candidates, key=lambda c: -c.strength):
        key = (candidate.advice.kind, candidate.advice.text)
        if key in seen:
            continue
        rival = next((k for k in kept if conflict(candidate.advice, k.advice)), None)
        if rival is not None:
            dropped.append(f"{candidate.rule} (conflicts with {rival.rule})")
            continue
        kept.append(candidate)
        seen.add(key)
    return kept, dropped


def check_guidelines(do: Iterable[str], dont: Iterable[str], channels: Iterable[str],
                     catalogue: Mapping[tuple[str, str], Advice] | None = None) -> None:
    """Verify that a persona's do / don't / channels are consistent.

    Each sentence is looked up in ``catalogue`` by ``(kind, text)``; sentences the
    catalogue does not know (an analyst's own wording) have no themes and can only clash
    by repetition.

    Parameters
    ----------
    do, dont, channels : iterable of str
    catalogue : mapping of (kind, text) to Advice, optional
        Default: every sentence of the rule tables (``_rules.advice_catalogue``).

    Raises
    ------
    GuidelineConflict
        A sentence appears twice (or as both a do and a don't), or two pieces of advice
        contradict each other.
    """
    if catalogue is None:
        from ._rules import advice_catalogue

        catalogue = advice_catalogue()
    items: list[Advice] = []
    for kind, texts in (("do", do), ("dont", dont), ("channel", channels)):
        for text in texts:
            items.append(catalogue.get((kind, text)) or Advice(text, kind))  # type: ignore[arg-type]
    texts_seen: set[str] = set()
    for i, a in enumerate(items):
        if a.text in texts_seen:
            raise GuidelineConflict(f"guideline repeated: {a.text!r}")
        texts_seen.add(a.text)
        for b in items[i + 1:]:
            why = conflict(a, b)
            if why:
                raise GuidelineConflict(f"contradicting guidelines: {why}")
