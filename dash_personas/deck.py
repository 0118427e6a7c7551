"""The persona deck: a 16:9 PowerPoint file (python-pptx) to hand over a segmentation.

Slides: a title, one slide per persona (the content of its card, from
:func:`~dash_personas.personas.persona_view`), comparison slides with the dashboard's
charts as pictures (:mod:`dash_personas.figures`, rendered by kaleido on the system
Chromium), with a study its share timeline and migration (:mod:`dash_personas.study_figures`),
and a methods slide (questionnaire, n, weighting, k and why, typing-tool accuracy).

Every text is an editable text box in the palette's colours; only the charts and the
avatars are pictures. Long texts are shortened to fit their box (the font shrinks first,
then text is cut with "…"); the full texts of a persona are in its slide's notes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from survey_builder.atomic import write_bytes_atomic
from survey_builder.errors import UserError

from .export import render_figures
from .palette import contrast_text
from .personas import (
    PersonaSet,
    PersonaView,
    base_label,
    persona_view,
    statistics_legend,
)

__all__ = ["DeckChart", "deck_charts", "fit_font_size", "persona_deck", "write_persona_deck"]

#: 16:9 slides, in inches.
SLIDE_WIDTH, SLIDE_HEIGHT = 13.333, 7.5
MARGIN = 0.5
INK = "212529"
MUTED = "6C757D"
WARNING = "D55E00"  # Okabe-Ito vermillion: the small-base warning
TRACK = "E9ECEF"
#: Average glyph width as a share of the font size (sans-serif, mixed case): how many
#: characters a line of a text box holds, to choose a font size that fits.
CHAR_WIDTH_EM = 0.55
LINE_HEIGHT_EM = 1.22
#: Space before a heading that follows other text, in ems (``space_before``).
HEADING_GAP_EM = 0.6
#: Characters a persona's name keeps on its slide (the notes keep all of it).
NAME_LIMIT = 48
#: Characters a list item keeps on a slide.
ITEM_LIMIT = 140
CHART_PIXELS = (1200, 560)
#: Widths of a persona slide's three columns, as shares of the width between margins.
COLUMN_SHARES = (0.28, 0.31, 0.41)
COLUMN_GAP = 0.3
AVATAR_PIXELS = 256


@dataclass(frozen=True)
class DeckChart:
    """A comparison slide: its title, the Plotly figure shown on it and the bases it
    rests on (``note``; default: each persona's base)."""

    title: str
    figure: Any
    note: str = ""


def _people(personas: Any) -> PersonaSet:
    if isinstance(personas, PersonaSet):
        return personas
    if hasattr(personas, "guidelines"):
        return PersonaSet(personas=[personas])
    return PersonaSet(personas=list(personas))


def _accent(colour: str) -> str:
    """The persona's colour for headings on white, or ink when it is too light to read."""
    return colour.lstrip("#") if contrast_text(colour) == "#FFFFFF" else INK


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _lines_needed(text: str, width_in: float, size: float) -> int:
    """Lines ``text`` takes when wrapped at word boundaries (long words broken)."""
    per_line = max(1, int(width_in * 72 / (size * CHAR_WIDTH_EM)))
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > per_line:
            lines, used = lines + 1, 0
        if len(word) > per_line:  # broken over several lines
            lines += (len(word) - 1) // per_line
            used = len(word) % per_line or per_line
        else:
            used += len(word) + (1 if used else 0)
    return lines


def fit_font_size(paragraphs: Sequence[str], width_in: float, height_in: float, *,
                  largest: int, smallest: int, gaps: int = 0) -> int:
    """The largest font size (points) at which ``paragraphs`` fill at most the box.

    An estimate from the average glyph width (:data:`CHAR_WIDTH_EM`); ``gaps`` counts
    the paragraphs preceded by a heading's space (:data:`HEADING_GAP_EM`). Text boxes
    also carry PowerPoint's shrink-on-overflow, which corrects the estimate when the
    file is edited. ``smallest`` when nothing larger fits.
    """
    for size in range(largest, smallest - 1, -1):
        if _height(paragraphs, width_in, size, gaps) <= height_in:
            return size
    return smallest


def _height(paragraphs: Sequence[str], width_in: float, size: float, gaps: int) -> float:
    lines = sum(_lines_needed(p, width_in, size) for p in paragraphs)
    return (lines * LINE_HEIGHT_EM + gaps * HEADING_GAP_EM) * size / 72


def _fit_paragraphs(paragraphs: list[tuple[str, str]], width_in: float, height_in: float, *,
                    largest: int, smallest: int) -> tuple[int, list[tuple[str, str]]]:
    """A font size and the paragraphs ``(kind, text)`` that fit: items are dropped from
    the end (a "… N more" line says how many) when even ``smallest`` overflows."""
    kept = list(paragraphs)
    dropped = 0
    while True:
        shown = kept + ([("more", f"… {dropped} more in the notes")] if dropped else [])
        texts = [text for _, text in shown]
        gaps = sum(kind == "heading" for kind, _ in shown[1:])
        size = fit_font_size(texts, width_in, height_in, largest=largest, smallest=smallest,
                             gaps=gaps)
        items = [i for i, (kind, _) in enumerate(kept) if kind == "item"]
        if _height(texts, width_in, size, gaps) <= height_in or len(items) <= 1:
            return size, shown
        del kept[items[-1]]
        dropped += 1


class _Slides:
    """python-pptx helpers: blank 16:9 slides, text boxes, rectangles and pictures."""

    def __init__(self) -> None:
        from pptx import Presentation
        from pptx.util import Inches

        self.prs = Presentation()
        self.prs.slide_width = Inches(SLIDE_WIDTH)
        self.prs.slide_height = Inches(SLIDE_HEIGHT)
        self._blank = self.prs.slide_layouts[6]

    def new(self) -> Any:
        return self.prs.slides.add_slide(self._blank)

    def text(self, slide: Any, x: float, y: float, w: float, h: float,
             paragraphs: Sequence[tuple[str, str]], *, size: int, colour: str = INK,
             bold_kinds: Sequence[str] = ("heading",), italic: bool = False,
             accent: str | None = None, name: str = "") -> Any:
        """A text box of paragraphs ``(kind, text)``; headings bold, in ``accent``."""
        from pptx.dml.color import RGBColor
        from pptx.enum.text import MSO_AUTO_SIZE
        from pptx.util import Inches, Pt

        box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
        if name:
            box.name = name
        frame = box.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        frame.margin_left = frame.margin_right = Inches(0.04)
        frame.margin_top = frame.margin_bottom = Inches(0.02)
        for i, (kind, text) in enumerate(paragraphs):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            if kind == "heading" and i:
                paragraph.space_before = Pt(size * HEADING_GAP_EM)
            run = paragraph.add_run()
            run.text = text
            font = run.font
            font.size = Pt(size)
            font.bold = kind in bold_kinds
            font.italic = italic or kind in ("muted", "more")
            tint = accent if (kind == "heading" and accent) else (
                MUTED if kind in ("muted", "more") else WARNING if kind == "warning" else colour)
            font.color.rgb = RGBColor.from_string(tint)
        return box

    def fitted(self, slide: Any, x: float, y: float, w: float, h: float,
               paragraphs: list[tuple[str, str]], *, largest: int, smallest: int,
               **style: Any) -> Any:
        size, shown = _fit_paragraphs(paragraphs, w - 0.08, h - 0.04, largest=largest,
                                      smallest=smallest)
        return self.text(slide, x, y, w, h, shown, size=size, **style)

    def rect(self, slide: Any, x: float, y: float, w: float, h: float, colour: str,
             name: str = "") -> Any:
        from pptx.dml.color import RGBColor
        from pptx.enum.shapes import MSO_SHAPE
        from pptx.util import Inches

        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(x), Inches(y),
                                       Inches(max(w, 0.01)), Inches(h))
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor.from_string(colour)
        shape.line.fill.background()
        shape.shadow.inherit = False
        if name:
            shape.name = name
        return shape

    def picture(self, slide: Any, png: bytes, x: float, y: float, w: float, h: float,
                *, description: str) -> Any:
        """``png`` scaled to fit the box (centred, aspect kept), with alt text."""
        from PIL import Image
        from pptx.util import Inches

        with Image.open(io.BytesIO(png)) as image:
            ratio = image.width / image.height
        width, height = (w, w / ratio) if w / h < ratio else (h * ratio, h)
        picture = slide.shapes.add_picture(io.BytesIO(png), Inches(x + (w - width) / 2),
                                           Inches(y + (h - height) / 2), Inches(width),
                                           Inches(height))
        picture._element.nvPicPr.cNvPr.set("descr", description)
        return picture

    def title(self, slide: Any, text: str, *, subtitle: str = "") -> None:
        paragraphs = [("heading", _truncate(text, 90))]
        self.fitted(slide, MARGIN, 0.3, SLIDE_WIDTH - 2 * MARGIN, 0.75, paragraphs,
                    largest=30, smallest=18, name="Title")
        if subtitle:
            self.fitted(slide, MARGIN, 1.02, SLIDE_WIDTH - 2 * MARGIN, 0.45,
                        [("muted", subtitle)], largest=14, smallest=10, name="Subtitle")

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.prs.save(out)
        return out.getvalue()


def _avatar_sheet(people: PersonaSet) -> Any:
    """One figure holding every avatar side by side (one render instead of one each)."""
    import plotly.graph_objects as go

    n = len(people)
    fig = go.Figure()
    for i, persona in enumerate(people):
        fig.add_layout_image(source=persona.avatar_data_uri(AVATAR_PIXELS), xref="paper",
                             yref="paper", x=i / n, y=1, sizex=1 / n, sizey=1,
                             xanchor="left", yanchor="top", layer="above")
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, xaxis={"visible": False},
                      yaxis={"visible": False}, paper_bgcolor="rgba(0,0,0,0)",
                      plot_bgcolor="rgba(0,0,0,0)", showlegend=False)
    return fig


def _split_avatars(sheet: bytes, n: int) -> list[bytes]:
    from PIL import Image

    with Image.open(io.BytesIO(sheet)) as image:
        side = image.height
        out = []
        for i in range(n):
            buffer = io.BytesIO()
            image.crop((i * side, 0, (i + 1) * side, side)).save(buffer, format="PNG")
            out.append(buffer.getvalue())
    return out


def deck_charts(personas: Any, *, study: Any = None, wave: str | None = None,
                selected: str | None = None, theme: str = "light") -> list[DeckChart]:
    """The comparison charts of the deck (and of the dashboard's PNG export), in order.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    study : StudyView, optional
        Adds the share timeline and the migration into ``wave`` (or the latest wave).
    wave : str, optional
        The wave marked on the timeline.
    selected : str, optional
        A persona id to emphasise in every chart (the dashboard's selection).
    theme : {"light", "dark"}

    Returns
    -------
    list of DeckChart
        Only the charts the personas have data for.
    """
    from . import figures

    people = _people(personas)
    charts = [DeckChart("Segment sizes", figures.segment_sizes(people, theme=theme, title=None))]
    if any(p.aspects for p in people):
        charts.append(DeckChart("ASPECTS profile",
                                figures.aspects_radar(people, theme=theme, title=None)))
    if any(p.aspects or p.profile for p in people):
        charts.append(DeckChart("What sets each persona apart", figures.difference_heatmap(
            people, theme=theme, title=None)))
    if any(p.behaviour.clv is not None for p in people):
        charts.append(DeckChart("Customer lifetime value",
                                figures.segment_clv(people, theme=theme, title=None)))
    if any(p.journey for p in people):
        charts.append(DeckChart("Customer-journey stage",
                                figures.journey_mix(people, theme=theme, title=None)))
    if selected is not None:
        for chart in charts:
            figures.highlight_figure(chart.figure, selected)
    if study is not None:
        charts += _study_charts(study, wave, theme)
    return charts


def _study_charts(view: Any, wave: str | None, theme: str) -> list[DeckChart]:
    from .study_figures import migration_sankey, share_timeline

    labels = view.labels
    current = view.wave(wave).label
    per_wave = "Bases: " + "; ".join(f"{w.label} n = {int(w.summary['n']):,}"
                                     for w in view.waves)
    charts = [DeckChart("Persona shares wave by wave", share_timeline(
        [w.summary for w in view.waves], view.colours, selected_wave=current, theme=theme,
        title=None), per_wave)]
    position = labels.index(current)
    if position > 0:
        migration = view.migration(labels[position - 1], current)
        panel = sum(sum(row) for row in migration["counts"])
        charts.append(DeckChart(
            f"Who moved where: {labels[position - 1]} → {current}",
            migration_sankey(migration, view.colours, theme=theme),
            f"Base: {panel:,} panel respondents answered both waves"))
    return charts


def _section_paragraphs(view: PersonaView, keys: Sequence[str], *,
                        limit: int = ITEM_LIMIT) -> list[tuple[str, str]]:
    paragraphs: list[tuple[str, str]] = []
    for key in keys:
        section = view.section(key)
        if section is None or not section.lines:
            continue
        paragraphs.append(("heading", section.heading))
        for line in section.lines:
            prefix = f"{line.icon} " if line.icon else ""
            paragraphs.append(("item", _truncate(prefix + line.text, limit)))
    return paragraphs


def _notes(view: PersonaView) -> str:
    """Everything the card says, untruncated: the speaker notes of the persona's slide."""
    parts = [view.name, view.tagline, " · ".join(view.badges), view.warning]
    if view.quote:
        parts.append(f"“{view.quote.text}” — {view.quote.attribution}")
    for section in view.sections:
        parts.append(section.heading + ":")
        parts += [f"  {bar.label}: {bar.value} ({bar.description})" for bar in section.bars]
        parts += [f"  {(line.icon + ' ') if line.icon else ''}{line.text}"
                  for line in section.lines]
    return "\n".join(p for p in parts if p)


def _difference_bars(slides: _Slides, slide: Any, view: PersonaView, x: float, y: float,
                     w: float, h: float) -> None:
    section = view.section("differences")
    slides.text(slide, x, y, w, 0.4, [("heading", section.heading if section else
                                       "What sets them apart")], size=16,
                accent=_accent(view.colour))
    bars = section.bars if section else ()
    if not bars:
        slides.text(slide, x, y + 0.45, w, 0.4, [("muted", "No scale stands out.")], size=12)
        return
    row = min(0.72, (h - 0.45) / len(bars))
    track_w = w - 1.1
    for i, bar in enumerate(bars):
        top = y + 0.45 + i * row
        slides.fitted(slide, x, top, w, 0.3, [("item", _truncate(bar.label, 60))],
                      largest=12, smallest=9)
        track_y = top + 0.33
        slides.rect(slide, x, track_y, track_w, 0.16, TRACK)
        slides.rect(slide, x + track_w / 2 - 0.005, track_y - 0.03, 0.01, 0.22, MUTED)
        colour = "BBBBBB" if bar.muted else view.colour.lstrip("#")
        slides.rect(slide, x + track_w * bar.offset / 100, track_y, track_w * bar.width / 100,
                    0.16, colour, name=f"Bar: {bar.description}")
        slides.text(slide, x + track_w + 0.08, track_y - 0.07, 1.0, 0.3,
                    [("item", bar.value)], size=11, bold_kinds=("item",))


def _persona_slide(slides: _Slides, view: PersonaView, avatar: bytes) -> None:
    slide = slides.new()
    colour = view.colour.lstrip("#")
    slides.rect(slide, 0, 0, 0.18, SLIDE_HEIGHT, colour, name="Persona colour")
    slides.picture(slide, avatar, MARGIN, 0.35, 1.4, 1.4, description=view.avatar.alt)
    header_x, header_w = 2.1, 7.5
    slides.fitted(slide, header_x, 0.3, header_w, 0.8,
                  [("heading", _truncate(view.name, NAME_LIMIT))], largest=36, smallest=20,
                  name="Persona name")
    if view.tagline:
        slides.fitted(slide, header_x, 1.12, header_w, 0.62,
                      [("muted", _truncate(view.tagline, 160))], largest=18, smallest=11)
    size = [("heading", view.size_text), *(("item", badge) for badge in view.badges[1:])]
    if view.small_base:
        size.append(("warning", view.warning))
    slides.fitted(slide, 9.8, 0.35, SLIDE_WIDTH - 9.8 - MARGIN, 1.45, size, largest=18,
                  smallest=10, name="Size and base")
    if view.quote:
        slides.fitted(slide, MARGIN, 1.9, SLIDE_WIDTH - 2 * MARGIN, 0.8,
                      [("quote", f"“{_truncate(view.quote.text, 240)}” — "
                                 f"{_truncate(view.quote.attribution, NAME_LIMIT)}")],
                      largest=18, smallest=11, italic=True, name="Quote")
    top, height = 2.85, SLIDE_HEIGHT - 2.85 - 0.35
    # bars, goals and frustrations, how to talk (the longest: tone, channels, do, don't)
    widths = [w * (SLIDE_WIDTH - 2 * MARGIN - 2 * COLUMN_GAP) for w in COLUMN_SHARES]
    lefts = [MARGIN, MARGIN + widths[0] + COLUMN_GAP,
             MARGIN + widths[0] + widths[1] + 2 * COLUMN_GAP]
    _difference_bars(slides, slide, view, lefts[0], top, widths[0], height)
    accent = _accent(view.colour)
    middle = _section_paragraphs(view, ("goals", "frustrations")) or _section_paragraphs(
        view, ("motivations", "objections"))
    if middle:
        slides.fitted(slide, lefts[1], top, widths[1], height, middle, largest=14,
                      smallest=9, accent=accent, name="Goals and frustrations")
    talk = _section_paragraphs(view, ("talk", "do", "dont"))
    if talk:
        slides.fitted(slide, lefts[2], top, widths[2], height, talk, largest=14, smallest=9,
                      accent=accent, name="How to talk to them")
    slide.notes_slide.notes_text_frame.text = _notes(view)


def _title_slide(slides: _Slides, people: PersonaSet, title: str, subtitle: str) -> None:
    slide = slides.new()
    n = people.n_respondents or sum(p.size for p in people)
    slides.fitted(slide, 1.0, 2.2, SLIDE_WIDTH - 2.0, 1.4, [("heading", _truncate(title, 120))],
                  largest=44, smallest=24, name="Title")
    lines = [("muted", subtitle or f"{len(people)} personas from {n:,} respondents"),
             ("muted", date.today().strftime("%d %B %Y").lstrip("0"))]
    slides.fitted(slide, 1.0, 3.7, SLIDE_WIDTH - 2.0, 0.9, lines, largest=20, smallest=12,
                  name="Subtitle")
    width = (SLIDE_WIDTH - 2.0) / max(len(people), 1)
    for i, persona in enumerate(people):  # the personas' colours, as on their cards
        slides.rect(slide, 1.0 + i * width, 5.0, width, 0.18, persona.colour.lstrip("#"),
                    name=f"Colour of {_truncate(persona.name, NAME_LIMIT)}")


def _chart_slides(slides: _Slides, charts: list[DeckChart], images: list[bytes],
                  people: PersonaSet) -> None:
    bases = "Bases: " + "; ".join(f"{_truncate(p.name, 30)} {base_label(p)}" for p in people)
    for chart, image in zip(charts, images):
        slide = slides.new()
        slides.title(slide, chart.title)
        slides.picture(slide, image, MARGIN, 1.15, SLIDE_WIDTH - 2 * MARGIN, 5.55,
                       description=chart.title)
        slides.fitted(slide, MARGIN, 6.8, SLIDE_WIDTH - 2 * MARGIN, 0.55,
                      [("muted", chart.note or bases)], largest=11, smallest=8, name="Bases")


def _selection_text(people: PersonaSet) -> str:
    selection = people.selection or {}
    k = selection.get("recommended_k") or len(people)
    rule = str(selection.get("rule") or "")
    if not selection:
        return f"Number of personas: k = {k} (no k-selection evidence was stored)."
    return f"Number of personas: k = {k}" + (f", because {rule}." if rule else ".")


def _typing_text(tool: Any, people: PersonaSet) -> list[str]:
    lines = [f"Typing tool: {len(tool.questions)} questions "
             f"({', '.join(tool.questions)}), held-out accuracy {tool.accuracy:.1%}."]
    by_segment = tool.segment_accuracy
    by_segment = None if by_segment is None else by_segment.dropna()
    if by_segment is not None and len(by_segment):
        names = {str(p.segment): p.name for p in people}
        worst = by_segment.idxmin()
        lines.append(f"Lowest accuracy: {names.get(str(worst), f'segment {worst}')} "
                     f"{by_segment.min():.1%}.")
    return lines


def _methods_slide(slides: _Slides, people: PersonaSet, typing_tool: Any,
                   study: Any) -> None:
    slide = slides.new()
    slides.title(slide, "How these personas were made")
    features = people.features
    scales = sum(f.role == "scale" for f in features)
    categorical = sum(f.kind == "categorical" for f in features)
    numeric = len(features) - categorical
    n = people.n_respondents or sum(p.size for p in people)
    stats = people.statistics
    lines = [
        (f"Questionnaire: {len(features)} questions and scores segmented ({scales} ASPECTS "
         f"scales, {numeric - scales} other numeric, {categorical} categorical); "
         f"language {people.language}." if features else
         "Questionnaire: the features were not stored with the personas."),
        f"Respondents: n = {n:,}.",
        (f"Weighting: weighted by {stats.weight!r}; bases are effective bases."
         if stats is not None and stats.weighted and stats.weight else
         "Weighting: weighted; bases are effective bases." if stats is not None
         and stats.weighted else "Weighting: none (every respondent counts once)."),
        "Segmentation: k-prototypes (numeric and categorical answers together).",
        _selection_text(people),
        f"Statistics: {statistics_legend(people)}",
    ]
    if typing_tool is not None:
        lines += _typing_text(typing_tool, people)
    if study is not None:
        lines.append(f"Tracking study: {len(study.labels)} waves "
                     f"({study.labels[0]} to {study.labels[-1]}).")
    slides.fitted(slide, MARGIN, 1.3, SLIDE_WIDTH - 2 * MARGIN, SLIDE_HEIGHT - 1.7,
                  [("item", "• " + line) for line in lines], largest=18, smallest=10,
                  name="Methods")


def _open_study(study: Any) -> Any:
    from .tracking_view import StudyView, study_view

    return study if isinstance(study, StudyView) else study_view(study)


def _typing(tool: Any) -> Any:
    if tool is None or not isinstance(tool, (str, Path)):
        return tool
    from .segmentation import TypingTool

    if not Path(tool).is_file():
        raise UserError(f"{tool}: no such typing tool file")
    return TypingTool.load(tool)


def persona_deck(personas: Any, *, study: Any = None, wave: str | None = None,
                 typing_tool: Any = None, title: str = "Customer personas",
                 subtitle: str = "", charts: Callable[..., list[DeckChart]] = deck_charts
                 ) -> bytes:
    """The persona deck as a PowerPoint (.pptx) file.

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    study : StudyView, Study, path or str, optional
        A tracking study: adds the share-timeline and migration slides.
    wave : str, optional
        With a study, the wave marked on the timeline and migrated into (default: latest).
    typing_tool : TypingTool or path, optional
        Adds its accuracy to the methods slide.
    title, subtitle : str
        Of the title slide (default subtitle: how many personas from how many respondents).
    charts : callable, default=deck_charts
        ``charts(personas, study=..., wave=...) -> list of DeckChart``: the comparison slides.

    Returns
    -------
    bytes
        A 16:9 .pptx: title, one slide per persona, one per chart, methods.

    Raises
    ------
    ExportError
        The charts cannot be rendered (no kaleido or Chromium).
    UserError
        An unreadable study or typing tool, an unknown wave.
    """
    people = _people(personas)
    if not len(people):
        raise UserError("there are no personas to put in a deck")
    view = None if study is None else _open_study(study)
    tool = _typing(typing_tool)
    deck_charts_ = charts(people, study=view, wave=wave)
    figures = [chart.figure for chart in deck_charts_] + [_avatar_sheet(people)]
    sizes = [CHART_PIXELS] * len(deck_charts_) + [(AVATAR_PIXELS * len(people), AVATAR_PIXELS)]
    images = render_figures(figures, sizes=sizes, scale=2)
    avatars = _split_avatars(images.pop(), len(people))
    slides = _Slides()
    _title_slide(slides, people, title, subtitle)
    for persona, avatar in zip(people, avatars):
        _persona_slide(slides, persona_view(persona), avatar)
    _chart_slides(slides, deck_charts_, images, people)
    _methods_slide(slides, people, tool, view)
    return slides.to_bytes()


def write_persona_deck(personas: Any, path: str | Path, **options: Any) -> Path:
    """Write :func:`persona_deck` to ``path`` atomically (nothing is written on error).

    Parameters
    ----------
    personas : PersonaSet or list of Persona
    path : path-like
    **options
        Passed to :func:`persona_deck`.

    Returns
    -------
    Path
    """
    data = persona_deck(personas, **options)
    write_bytes_atomic(path, data)
    return Path(path)

