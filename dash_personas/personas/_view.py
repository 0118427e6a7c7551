"""What a persona card says, decided once: :func:`persona_view` returns plain data.

The Dash card, the static HTML sheet and the notebook display all render a
:class:`PersonaView`; they map its fields to markup and decide nothing themselves
(no thresholds, no choice of answers, no wording, no number formats).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from ..stats import SIGNIFICANCE_MARK, significance_legend
from ._features import humanise
from ._model import CategoryShare, Persona, ProfileStatistics, ScaleScore
from ._nps import nps_text

__all__ = [
    "Avatar",
    "ComparisonCell",
    "ComparisonRow",
    "ComparisonView",
    "Detail",
    "DifferenceBar",
    "Direction",
    "Emphasis",
    "GalleryView",
    "Line",
    "PersonaView",
    "Quote",
    "Section",
    "SectionKind",
    "Span",
    "base_label",
    "comparison_view",
    "explain_lift",
    "explain_share",
    "explain_std_diff",
    "format_amount",
    "gallery_view",
    "persona_view",
    "share_notes",
    "statistics_legend",
]

#: Standardised differences are drawn on a track from -BAR_RANGE_SD to +BAR_RANGE_SD.
BAR_RANGE_SD = 2.0
#: How many "who they are" answers a full card shows.
N_TYPICAL_ANSWERS = 4
#: How many do's and don'ts a compact card shows.
N_COMPACT_GUIDELINES = 2
AVATAR_SIZE = 64
#: How many features the comparison table shows (the most distinguishing ones).
N_COMPARISON_ROWS = 12


class Detail(str, Enum):
    """How much a card shows: everything, or headline, strongest scales and do/don't."""

    FULL = "full"
    COMPACT = "compact"


class Direction(str, Enum):
    """Which side of the population average a difference bar points to."""

    ABOVE = "above"
    BELOW = "below"


class Emphasis(str, Enum):
    """How a piece of a line is shown."""

    PLAIN = "plain"
    STRONG = "strong"
    MUTED = "muted"


class SectionKind(str, Enum):
    """How a section's content is laid out."""

    BARS = "bars"  #: difference bars
    LIST = "list"  #: a list of lines, each with an optional icon
    NOTES = "notes"  #: short paragraphs


@dataclass(frozen=True)
class Span:
    """A piece of text in a line; ``title`` is a hover hint (empty for none)."""

    text: str
    emphasis: Emphasis = Emphasis.PLAIN
    title: str = ""


@dataclass(frozen=True)
class Line:
    """One list item or paragraph: its spans, preceded by a decorative ``icon``."""

    spans: tuple[Span, ...]
    icon: str = ""

    @property
    def text(self) -> str:
        """The line as plain text (without the icon)."""
        return "".join(span.text for span in self.spans)


@dataclass(frozen=True)
class DifferenceBar:
    """A diverging bar: the centre of the track is the population average.

    ``offset`` and ``width`` are percentages of the track; ``description`` is the
    bar's text alternative. ``significant`` differences carry the significance mark
    in ``value``; ``muted`` bars (small base) are drawn grey and should not be read.
    """

    label: str
    std_diff: float
    value: str
    direction: Direction
    offset: float
    width: float
    description: str
    significant: bool = False
    muted: bool = False


@dataclass(frozen=True)
class Section:
    """A headed part of the card, identified by a stable ``key``."""

    key: str
    heading: str
    kind: SectionKind
    lines: tuple[Line, ...] = ()
    bars: tuple[DifferenceBar, ...] = ()


@dataclass(frozen=True)
class Quote:
    """What the persona says, and who says it."""

    text: str
    attribution: str


@dataclass(frozen=True)
class Avatar:
    """The avatar image (a ``data:`` URI), its text alternative and its size in pixels."""

    src: str
    alt: str
    size: int


@dataclass(frozen=True)
class PersonaView:
    """Everything a persona card says, in display order.

    Attributes
    ----------
    id, name, colour, tagline : str
    size_text : str
        Share and number of respondents, formatted.
    label : str
        Accessible name of the whole card.
    avatar : Avatar
    quote : Quote or None
    sections : tuple of Section
        In display order.
    base_text : str
        The base the numbers rest on (:func:`base_label`).
    small_base : bool
        The base is too small to read: renderers grey the card out.
    warning : str
        What to tell the reader about a small base (empty otherwise).
    base_is_size : bool
        The base is the number of respondents of ``size_text`` (unweighted, not
        recounted): the header gives it once.
    """

    id: str
    name: str
    colour: str
    tagline: str
    size_text: str
    label: str
    avatar: Avatar
    quote: Quote | None
    sections: tuple[Section, ...]
    base_text: str = ""
    small_base: bool = False
    warning: str = ""
    base_is_size: bool = False

    def section(self, key: str) -> Section | None:
        """The section called ``key`` (``None`` when the card does not show it)."""
        return next((s for s in self.sections if s.key == key), None)

    @property
    def badges(self) -> tuple[str, ...]:
        """The header's size and base: the size alone when the base repeats it
        ("21% · 1,039 respondents", not also "n = 1,039")."""
        if self.base_is_size or not self.base_text:
            return (self.size_text,)
        return (self.size_text, self.base_text)


def format_amount(value: float | None, currency: str | None = None) -> str:
    """A money or count for people: no decimals from 100 up, an em dash for missing.

    Parameters
    ----------
    value : float or None
    currency : str, optional
        Appended after a space.

    Returns
    -------
    str
    """
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


def explain_std_diff(std_diff: float) -> str:
    """A standardised difference in plain words: "1.1 standard deviations below average".

    Parameters
    ----------
    std_diff : float

    Returns
    -------
    str
    """
    size = f"{abs(std_diff):.1f}"
    if size == "0.0":
        return "about average"
    unit = "standard deviation" if size == "1.0" else "standard deviations"
    return f"{size} {unit} {'above' if std_diff > 0 else 'below'} average"


def explain_lift(lift: float) -> str:
    """A lift in plain words: "1.8 times as common as overall".

    Parameters
    ----------
    lift : float

    Returns
    -------
    str
    """
    return f"{lift:.1f} times as common as overall"


def explain_share(share: float, overall_share: float, what: str = "gave this answer") -> str:
    """A share against everyone's, in plain words (the hover text of "×" numbers).

    Parameters
    ----------
    share, overall_share : float
    what : str
        What the share counts, after "of them".

    Returns
    -------
    str
        E.g. "45% of them gave this answer, against 25% of all respondents: 1.8 times as
        common as overall".
    """
    text = f"{share:.0%} of them {what}, against {overall_share:.0%} of all respondents"
    return f"{text}: {explain_lift(share / overall_share)}" if overall_share > 0 else text


#: The legend of the numbers on a full card.
LEGEND = (
    "SD: standard deviations from the average of all respondents (+ above, − below); "
    "0.5 SD is a medium difference, 0.8 SD or more a large one.",
    "×: how many times as common an answer is as among all respondents (×1.8 = 1.8 times as "
    "common as overall).",
)


def base_label(persona: Persona) -> str:
    """The base a persona's profile rests on: ``"n = 412"`` or, weighted,
    ``"effective n = 380 (weighted)"``.

    It is the base the persona was built on (``base``), which stays when the sizes are
    recounted on other data (:func:`refresh_sizes`); files without it show ``size``.
    """
    if persona.base is None:
        return f"n = {persona.size:,}"
    if persona.weighted:
        return f"effective n = {persona.base:,.0f} (weighted)"
    return f"n = {persona.base:,.0f}"


def statistics_legend(personas: Iterable[Persona]) -> str:
    """What the significance marks and greyed items mean, for a set of personas.

    Uses the set's :class:`ProfileStatistics` (test, correction, threshold); a plain
    list of personas gets the defaults' wording.
    """
    stats = getattr(personas, "statistics", None) or ProfileStatistics()
    return significance_legend(stats.correction, stats.alpha, stats.min_base, stats.n_tests,
                               stats.weighted)


def _mark(significant: bool) -> str:
    return SIGNIFICANCE_MARK if significant else ""


def _bar(label: str, std_diff: float, significant: bool = False,
         muted: bool = False) -> DifferenceBar:
    width = min(abs(std_diff), BAR_RANGE_SD) / BAR_RANGE_SD * 50
    direction = Direction.ABOVE if std_diff >= 0 else Direction.BELOW
    offset = 50 if direction is Direction.ABOVE else 50 - width
    notes = (", a significant difference" if significant else "") + \
        (" (small base: do not read)" if muted else "")
    return DifferenceBar(
        label=label, std_diff=std_diff, value=f"{std_diff:+.1f} SD{_mark(significant)}",
        direction=direction, offset=round(offset, 1), width=round(width, 1),
        description=f"{label}: {explain_std_diff(std_diff)}{notes}", significant=significant,
        muted=muted)


def _plain(*texts: str, icon: str = "") -> Line:
    return Line(tuple(Span(t) for t in texts), icon=icon)


def _list(key: str, heading: str, items: list[str], icon: str) -> list[Section]:
    if not items:
        return []
    return [Section(key, heading, SectionKind.LIST,
                    lines=tuple(_plain(item, icon=icon) for item in items))]


def _typical_answers(persona: Persona) -> list[Section]:
    if not persona.demographics:
        return []
    # the answer first, the (long) question as a muted hint
    lines = tuple(Line((Span(d.level_label, Emphasis.STRONG),
                        Span(" "),
                        Span(f"({d.share:.0%}, ×{d.lift:.1f}{_mark(d.significant)})",
                             title=explain_share(d.share, d.overall_share)),
                        Span(" "),
                        Span(humanise(d.feature).lower(), Emphasis.MUTED, title=d.label)))
                  for d in persona.demographics[:N_TYPICAL_ANSWERS])
    basis = _typical_basis(persona)
    if basis:
        lines += (Line((Span(basis, Emphasis.MUTED),)),)
    return [Section("who", "Who they are", SectionKind.LIST, lines=lines)]


AVERAGE_HINT = "The average over all respondents"
CLV_HINT = ("Customer lifetime value: average spend per purchase × purchases per year × "
            "expected years as a customer")


MEDOID_BASIS = ("The answers of this persona's most typical respondent (no combination "
                "of answers is common enough to show).")


def _typical_basis(persona: Persona) -> str:
    if persona.typical_rule == "combination":
        share = persona.typical_share or 0.0
        return (f"One real combination of answers: the most common in this persona "
                f"({share:.0%} answered exactly this).")
    if persona.typical_rule == "medoid":
        return MEDOID_BASIS
    return ""


def _behaviour(persona: Persona) -> list[Section]:
    b = persona.behaviour
    lines = []
    if b.clv is not None:
        lines.append(Line((Span(f"CLV {format_amount(b.clv, b.currency)}", title=CLV_HINT),
                           Span(" "),
                           Span(f"(average {format_amount(b.overall_clv, b.currency)})",
                                title=AVERAGE_HINT))))
    if b.frequency:
        spans = [Span(f"Buys: {b.frequency}")]
        if b.frequency_share is not None and b.overall_frequency_share is not None:
            spans.append(Span(" "))
            spans.append(Span(f"({b.frequency_share:.0%})", title=explain_share(
                b.frequency_share, b.overall_frequency_share, "gave this answer, the most "
                "common one")))
        lines.append(Line(tuple(spans)))
    if b.spend is not None:
        spend = [Span(f"Spend per purchase: {format_amount(b.spend, b.currency)}")]
        if b.overall_spend is not None:
            spend.append(Span(" "))
            spend.append(Span(f"(average {format_amount(b.overall_spend, b.currency)})",
                              title=AVERAGE_HINT))
        lines.append(Line(tuple(spend)))
    if b.channel_shares:
        spans = [Span("Channels: ")]
        for i, c in enumerate(b.channel_shares[:3]):
            if i:
                spans.append(Span(", "))
            spans.append(Span(f"{c.level_label} ({c.share:.0%})",
                              title=explain_share(c.share, c.overall_share, "use it")))
        lines.append(Line(tuple(spans)))
    elif b.channels:
        lines.append(_plain("Channels: " + ", ".join(b.channels)))
    if persona.journey:
        top = max(persona.journey, key=lambda j: j.share)
        lines.append(Line((Span(f"Most at stage: {top.label}"), Span(" "),
                           Span(f"({top.share:.0%})", title=explain_share(
                               top.share, top.overall_share, "are at this stage")))))
    if not lines:
        return []
    return [Section("behaviour", "Behaviour", SectionKind.LIST, lines=tuple(lines))]


NPS_HINT = ("Net Promoter Score: the share answering 9–10 (promoters) minus the share "
            "answering 0–6 (detractors) to “how likely are you to recommend …”, from −100 "
            "to +100")


def _nps(persona: Persona) -> list[Section]:
    if not persona.nps:
        return []
    several = len(persona.nps) > 1
    lines = tuple(Line(((Span(f"{n.label}: ", Emphasis.MUTED),) if several else ())
                       + (Span(nps_text(n), Emphasis.MUTED if n.small_base else Emphasis.PLAIN,
                               title=f"{n.label} — {NPS_HINT}"),))
                  for n in persona.nps)
    return [Section("nps", "Would they recommend us?", SectionKind.LIST, lines=lines)]


def _triggers(triggers: list[CategoryShare]) -> list[Section]:
    if not triggers:
        return []
    lines = tuple(Line((Span(t.level_label), Span(" "),
                        Span(f"({t.share:.0%}, ×{t.lift:.1f})",
                             title=explain_share(t.share, t.overall_share, "named it"))),
                       icon="→")
                  for t in triggers)
    return [Section("triggers", "What makes them buy", SectionKind.LIST, lines=lines)]


def _legend(sections: list[Section]) -> list[Section]:
    shown = " ".join(line.text for s in sections for line in s.lines)
    used = [LEGEND[0]] if any(s.bars for s in sections) else []
    used += [LEGEND[1]] if "×" in shown else []
    if not used:
        return []
    return [Section("legend", "Reading the numbers", SectionKind.NOTES,
                    lines=tuple(Line((Span(text, Emphasis.MUTED),)) for text in used))]


#: Hover hints and notes that every card of a gallery would repeat, and how the
#: gallery's one legend says them (:func:`share_notes`).
SHARED_HINTS = {
    CLV_HINT: "CLV: c" + CLV_HINT[1:] + ".",
    AVERAGE_HINT: "average: " + AVERAGE_HINT[:1].lower() + AVERAGE_HINT[1:] + ".",
}
SHARED_NOTES = {
    MEDOID_BASIS: "Who they are: the answers of the persona's most typical respondent, when "
                  "no combination of answers is common enough to show.",
}


def share_notes(views: Iterable[PersonaView]) -> tuple[tuple[PersonaView, ...], Section | None]:
    """The cards of a gallery with what each would repeat said once, in one legend.

    The "Reading the numbers" lines, the hover hints every card gives the same way
    (CLV, average) and the note on the typical respondent leave the cards and are
    gathered, each once, in the returned legend (renderers show it once for the
    gallery and point every card to it).

    Parameters
    ----------
    views : iterable of PersonaView

    Returns
    -------
    cards : tuple of PersonaView
        The views without the shared notes (everything else unchanged).
    legend : Section or None
        Key ``"legend"``, "Reading the numbers": every shared note, in first-seen
        order; ``None`` when no card has one.
    """
    notes: list[str] = []
    reading: list[str] = []  # the cards' own legend lines come first

    def note(text: str) -> None:
        if text not in notes:
            notes.append(text)

    def span(s: Span) -> Span:
        if s.title in SHARED_HINTS:
            note(SHARED_HINTS[s.title])
            return Span(s.text, s.emphasis)
        return s

    def line(item: Line) -> Line | None:
        if item.text in SHARED_NOTES:
            note(SHARED_NOTES[item.text])
            return None
        return Line(tuple(span(s) for s in item.spans), item.icon)

    cards = []
    for view in views:
        sections = []
        for section in view.sections:
            if section.key == "legend":
                for item in section.lines:
                    note(item.text)
                    reading.append(item.text)
                continue
            lines = tuple(kept for kept in map(line, section.lines) if kept is not None)
            sections.append(Section(section.key, section.heading, section.kind, lines,
                                    section.bars))
        cards.append(replace(view, sections=tuple(sections)))
    ordered = [t for t in notes if t in reading] + [t for t in notes if t not in reading]
    legend = (Section("legend", "Reading the numbers", SectionKind.NOTES,
                      lines=tuple(Line((Span(text, Emphasis.MUTED),)) for text in ordered))
              if notes else None)
    return tuple(cards), legend


def persona_view(persona: Persona, *, detail: Detail | str = Detail.FULL,
                 n_scales: int = 5) -> PersonaView:
    """Decide what a persona card says: sections, headings, wording and numbers.

    A pure function of the persona: the Dash card
    (:class:`~dash_personas.components.PersonaCard`), the HTML sheet
    (:func:`~dash_personas.export.persona_sheet_html`) and the notebook display render
    its result, so they always agree.

    Parameters
    ----------
    persona : Persona
    detail : {"full", "compact"}, default="full"
        ``compact`` shows the headline, quote, strongest scales and two do's and
        don'ts only.
    n_scales : int, default=5
        How many of the most distinctive scales (largest absolute standardised
        difference) get a difference bar.

    Returns
    -------
    PersonaView
        Plain text and numbers; the text is not escaped (renderers escape it).

    Examples
    --------
    >>> from dash_personas.personas import Persona, persona_view
    >>> view = persona_view(Persona(id="p1", segment=0, name="Ann", size=3, share=0.25,
    ...                             colour="#0072B2"))
    >>> view.size_text, [s.heading for s in view.sections]
    ('25% · 3 respondents', ['What sets them apart', 'How to talk to them'])
    """
    detail = Detail(detail)
    full = detail is Detail.FULL
    scales = sorted(persona.aspects or persona.profile, key=lambda s: -abs(s.std_diff))
    sections = [Section("differences", "What sets them apart", SectionKind.BARS,
                        bars=tuple(_bar(s.label, s.std_diff, s.significant,
                                        s.small_base or persona.small_base)
                                   for s in scales[:n_scales]))]
    if full:
        sections += _list("motivations", "Motivations", persona.motivations, "+")
        sections += _list("frustrations", "Frustrations", persona.frustrations, "−")
        sections += _list("goals", "Goals", persona.goals, "◎")
        sections += _list("objections", "What holds them back", persona.objections, "!")
        sections += _typical_answers(persona)
        sections += _behaviour(persona)
        sections += _nps(persona)
        sections += _triggers(persona.triggers)
        if persona.day_in_life:
            sections.append(Section("day", "A typical purchase", SectionKind.NOTES,
                                    lines=(_plain(persona.day_in_life),)))
    g = persona.guidelines
    notes = []
    if g.tone:
        notes.append(Line((Span("Tone: "), Span(g.tone, Emphasis.STRONG))))
    if g.channels and full:
        notes.append(_plain("Channels: " + ", ".join(g.channels)))
    if not full:
        sections += _nps(persona)
    sections.append(Section("talk", "How to talk to them", SectionKind.NOTES, lines=tuple(notes)))
    limit = None if full else N_COMPACT_GUIDELINES
    sections += _list("do", "Do", g.do[:limit], "✓")
    sections += _list("dont", "Don't", g.dont[:limit], "✗")
    if full:
        sections += _legend(sections)
    return PersonaView(
        id=persona.id, name=persona.name, colour=persona.colour, tagline=persona.tagline,
        size_text=f"{persona.share:.0%} · {persona.size:,} respondents",
        label=f"Persona: {persona.name}",
        avatar=Avatar(persona.avatar_data_uri(AVATAR_SIZE), f"Avatar of {persona.name}",
                      AVATAR_SIZE),
        quote=Quote(persona.quote, persona.name) if persona.quote else None,
        sections=tuple(sections), base_text=base_label(persona), small_base=persona.small_base,
        warning=(f"Small base ({base_label(persona)}): too few respondents to read these "
                 "numbers." if persona.small_base else ""),
        base_is_size=_base_is_size(persona),
    )


def _base_is_size(persona: Persona) -> bool:
    return persona.base is None or (not persona.weighted
                                    and f"{persona.base:,.0f}" == f"{persona.size:,}")


@dataclass(frozen=True)
class ComparisonCell:
    """One persona's standardised difference on one feature (``None``: not profiled).

    ``strength`` is ``|std_diff|`` on the bar scale, from 0 (average) to 1 (2 SD or more);
    ``significant`` cells carry the significance mark in ``text``; ``muted`` ones (small
    base) should be greyed out.
    """

    text: str
    std_diff: float | None
    direction: Direction | None
    strength: float
    hint: str = ""
    significant: bool = False
    muted: bool = False


@dataclass(frozen=True)
class ComparisonRow:
    """A feature and its cells, one per persona in column order."""

    label: str
    cells: tuple[ComparisonCell, ...]


@dataclass(frozen=True)
class ComparisonView:
    """A feature × persona table of standardised differences, most distinguishing first.

    ``bases`` holds each column's :func:`base_label`; ``legend`` explains the marks.
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]
    bases: tuple[str, ...] = ()
    legend: str = ""


@dataclass(frozen=True)
class GalleryView:
    """All personas of a set: a heading, a one-line summary, the cards and the comparison."""

    title: str
    summary: str
    cards: tuple[PersonaView, ...]
    comparison: ComparisonView
    legend: str = ""


def _cell(diff: Any, persona: Persona) -> ComparisonCell:
    if diff is None:
        return ComparisonCell("—", None, None, 0.0, "not measured for this persona")
    std_diff = diff.std_diff
    return ComparisonCell(f"{std_diff:+.2f}{_mark(diff.significant)}", std_diff,
                          Direction.ABOVE if std_diff >= 0 else Direction.BELOW,
                          min(abs(std_diff), BAR_RANGE_SD) / BAR_RANGE_SD,
                          explain_std_diff(std_diff), significant=diff.significant,
                          muted=diff.small_base or persona.small_base)


def comparison_view(personas: Iterable[Persona],
                    max_rows: int = N_COMPARISON_ROWS) -> ComparisonView:
    """How the personas differ: the features with the largest difference in any persona.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    max_rows : int, default=12

    Returns
    -------
    ComparisonView
        No rows when no persona has a scale or numeric profile.
    """
    people = list(personas)
    labels: dict[str, str] = {}
    diffs: dict[str, dict[str, Any]] = {}
    for p in people:
        for d in (*p.aspects, *p.profile):
            key = d.scale if isinstance(d, ScaleScore) else d.feature
            labels.setdefault(key, d.label)
            diffs.setdefault(key, {})[p.id] = d
    order = sorted(diffs, key=lambda k: -max(abs(v.std_diff) for v in diffs[k].values())
                   )[:max_rows]
    rows = tuple(ComparisonRow(labels[key], tuple(_cell(diffs[key].get(p.id), p)
                                                  for p in people))
                 for key in order)
    return ComparisonView(
        caption="How the personas differ (in standard deviations from the average of all "
                "respondents: + above, − below)",
        columns=tuple(p.name for p in people), rows=rows,
        bases=tuple(base_label(p) for p in people), legend=statistics_legend(personas))


def gallery_view(personas: Iterable[Persona], title: str | None = None, *,
                 detail: Detail | str = Detail.FULL) -> GalleryView:
    """Everything a persona gallery says: summary, one :class:`PersonaView` per persona
    and the :func:`comparison_view`.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    title : str, optional
        Empty when not given.
    detail : {"full", "compact"}, default="full"

    Returns
    -------
    GalleryView
    """
    people = list(personas)
    n = getattr(personas, "n_respondents", 0) or sum(p.size for p in people)
    return GalleryView(
        title=title or "", summary=f"{len(people)} personas from {n:,} respondents",
        cards=tuple(persona_view(p, detail=detail) for p in people),
        comparison=comparison_view(personas if hasattr(personas, "statistics") else people),
        legend=statistics_legend(personas))
