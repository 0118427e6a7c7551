"""One persona view: what a card says, and the Dash card, HTML sheet and notebook agree."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser

import pytest
from dash.development.base_component import Component

from dash_personas.components import PersonaCard
from dash_personas.export import persona_sheet_html
from dash_personas.personas import (
    Behaviour,
    CategoryShare,
    Direction,
    Guidelines,
    JourneyShare,
    Persona,
    PersonaSet,
    ScaleScore,
    comparison_view,
    format_amount,
    gallery_view,
    persona_view,
)

EVIL = "<img src=x onerror=alert(1)>"
FULL_ORDER = ["differences", "motivations", "frustrations", "who", "behaviour", "talk", "do",
              "dont", "legend"]


def _scale(name: str, std_diff: float) -> ScaleScore:
    return ScaleScore(scale=name, label=name.title(), mean=0.0, overall_mean=0.0,
                      std_diff=std_diff)


def _answer(feature: str, level: str, share: float, lift: float) -> CategoryShare:
    return CategoryShare(feature=feature, label=f"Question about {feature}?", level=level,
                         level_label=level, share=share, overall_share=share / lift, lift=lift)


@pytest.fixture
def persona() -> Persona:
    return Persona(
        id="p7", segment=3, name="Thrifty Theo", tagline="Theo counts every cent.",
        quote="Cheap is good.", size=1234, share=0.256, colour="#009E73",
        aspects=[_scale("thrift", 0.5), _scale("trust", -3.0), _scale("fun", 1.0),
                 _scale("calm", 0.0)],
        motivations=["Bargains"], frustrations=["Hidden fees", "Queues"],
        demographics=[_answer("age_band", "25 to 34", 0.25, 1.5),
                      _answer("gender", "Woman", 0.5, 1.25),
                      _answer("income_band", "Low", 0.75, 2.0),
                      _answer("education", "Degree", 0.4, 1.0),
                      _answer("region", "North", 0.6, 3.0)],
        behaviour=Behaviour(frequency="weekly", spend=12.5, clv=105235.25, overall_clv=47503.3,
                            currency="EUR", channels=["shop"]),
        journey=[JourneyShare(stage="aware", label="Knows us", share=0.3, overall_share=0.5),
                 JourneyShare(stage="loyal", label="Buys again", share=0.7, overall_share=0.5)],
        guidelines=Guidelines(tone="plain", channels=["email", "SMS"],
                              do=["Show prices", "Be brief", "Offer coupons"],
                              dont=["Upsell", "Hide fees", "Nag"]),
    )


def test_full_view_sections_wording_and_numbers(persona):
    view = persona_view(persona)
    assert [s.key for s in view.sections] == FULL_ORDER
    assert [s.heading for s in view.sections] == [
        "What sets them apart", "Motivations", "Frustrations", "Who they are", "Behaviour",
        "How to talk to them", "Do", "Don't", "Reading the numbers"]
    assert (view.name, view.tagline, view.colour) == ("Thrifty Theo", "Theo counts every cent.",
                                                      "#009E73")
    assert view.size_text == "26% · 1,234 respondents"
    assert view.label == "Persona: Thrifty Theo"
    assert (view.quote.text, view.quote.attribution) == ("Cheap is good.", "Thrifty Theo")
    assert view.avatar.alt == "Avatar of Thrifty Theo"
    assert view.avatar.src == persona.avatar_data_uri(view.avatar.size)
    # the first four typical answers, answer first, the column as a hint, the question on hover
    who = view.section("who")
    assert [line.text for line in who.lines] == [
        "25 to 34 (25%, ×1.5) age band", "Woman (50%, ×1.2) gender",
        "Low (75%, ×2.0) income band", "Degree (40%, ×1.0) education"]
    assert who.lines[0].spans[-1].title == "Question about age_band?"
    # every number is explained in plain words on hover
    assert who.lines[0].spans[2].title == ("25% of them gave this answer, against 17% of all "
                                           "respondents: 1.5 times as common as overall")
    assert [line.text for line in view.section("behaviour").lines] == [
        "CLV 105,235 EUR (average 47,503 EUR)", "Buys: weekly",
        "Spend per purchase: 12.50 EUR", "Channels: shop", "Most at stage: Buys again (70%)"]
    assert [line.text for line in view.section("talk").lines] == ["Tone: plain",
                                                                  "Channels: email, SMS"]
    assert [line.icon for line in view.section("do").lines] == ["✓"] * 3
    assert [line.icon for line in view.section("frustrations").lines] == ["−"] * 2
    assert [line.text for line in view.section("dont").lines] == ["Upsell", "Hide fees", "Nag"]


def test_difference_bars_point_both_ways_and_are_clipped(persona):
    bars = persona_view(persona, n_scales=3).section("differences").bars
    assert [(b.label, b.value, b.direction, b.offset, b.width) for b in bars] == [
        ("Trust", "-3.0 SD", Direction.BELOW, 0.0, 50.0),  # clipped at 2 SD
        ("Fun", "+1.0 SD", Direction.ABOVE, 50.0, 25.0),
        ("Thrift", "+0.5 SD", Direction.ABOVE, 50.0, 12.5),
    ]
    assert bars[0].description == "Trust: 3.0 standard deviations below average"
    zero = persona_view(persona).section("differences").bars[-1]
    assert (zero.std_diff, zero.direction, zero.width) == (0.0, Direction.ABOVE, 0.0)


def test_profile_is_used_when_there_are_no_scales(blobs_case):
    from dash_personas.personas import build_personas

    X, model = blobs_case
    persona = build_personas(model, X)[0].model_copy(update={"aspects": []})
    bars = persona_view(persona).section("differences").bars
    expected = sorted(persona.profile, key=lambda d: -abs(d.std_diff))[:5]
    assert [b.label for b in bars] == [d.label for d in expected]


def test_compact_view_keeps_headline_scales_and_two_guidelines(persona):
    view = persona_view(persona, detail="compact")
    assert [s.key for s in view.sections] == ["differences", "talk", "do", "dont"]
    assert [line.text for line in view.section("talk").lines] == ["Tone: plain"]
    assert [line.text for line in view.section("do").lines] == ["Show prices", "Be brief"]
    assert len(view.section("dont").lines) == 2
    with pytest.raises(ValueError):
        persona_view(persona, detail="medium")


def test_view_of_a_bare_persona():
    bare = Persona(id="p1", segment=0, name="Ann", size=3, share=0.25, colour="#0072B2")
    view = persona_view(bare)
    assert view.quote is None
    assert [(s.key, s.bars, s.lines) for s in view.sections] == [("differences", (), ()),
                                                                 ("talk", (), ())]


def test_view_is_plain_immutable_data_and_does_not_escape(persona):
    evil = persona.model_copy(update={"name": EVIL})
    before = evil.model_dump()
    view = persona_view(evil)
    assert view == persona_view(evil)
    assert evil.model_dump() == before
    assert view.name == EVIL and view.avatar.alt == f"Avatar of {EVIL}"
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(("value", "currency", "text"), [
    (None, "EUR", "—"), (99.5, None, "99.50"), (1234.4, "EUR", "1,234 EUR"),
    (-250.0, None, "-250")])
def test_format_amount(value, currency, text):
    assert format_amount(value, currency) == text


def test_comparison_view_orders_by_the_largest_difference(persona):
    other = Persona(id="p8", segment=4, name="Other", size=1, share=0.1, colour="#0072B2",
                    aspects=[_scale("calm", 2.5), _scale("fun", -0.25)])
    view = comparison_view([persona, other], max_rows=3)
    assert view.columns == ("Thrifty Theo", "Other")
    # trust: |-3.0| in Theo; calm: 2.5 in Other; fun: 1.0 in Theo; thrift (0.5) is cut
    assert [row.label for row in view.rows] == ["Trust", "Calm", "Fun"]
    trust, calm, fun = view.rows
    assert [(c.text, c.direction, c.strength) for c in trust.cells] == [
        ("-3.00", Direction.BELOW, 1.0), ("—", None, 0.0)]
    assert [c.text for c in calm.cells] == ["+0.00", "+2.50"]
    assert [(c.text, c.strength) for c in fun.cells] == [("+1.00", 0.5), ("-0.25", 0.125)]
    assert comparison_view([]).rows == ()


def test_gallery_view_summarises_the_set(survey_case):
    personas = survey_case.personas
    view = gallery_view(personas, "Wave 1")
    assert view.title == "Wave 1"
    assert view.summary == f"{len(personas)} personas from {personas.n_respondents:,} respondents"
    assert personas.n_respondents == sum(p.size for p in personas) == 1500
    assert view.cards == tuple(persona_view(p) for p in personas)
    assert gallery_view(personas.personas[:2]).summary == (
        f"2 personas from {personas[0].size + personas[1].size:,} respondents")


# --- the three renderers agree -------------------------------------------------------------

@dataclasses.dataclass
class Node:
    """A rendered element, from HTML or from a Dash component tree."""

    tag: str
    attrs: dict
    children: list = dataclasses.field(default_factory=list)
    parent: Node | None = None

    def elements(self):
        return [c for c in self.children if isinstance(c, Node)]

    def walk(self):
        yield self
        for child in self.elements():
            yield from child.walk()

    def find(self, predicate):
        return [n for n in self.walk() if predicate(n)]


_VOID = {"img", "meta", "link", "br", "hr", "input"}


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.node = Node("root", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), parent=self.node)
        self.node.children.append(node)
        if tag not in _VOID:
            self.node = node

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        assert self.node.tag == tag, f"</{tag}> closes <{self.node.tag}>"
        self.node = self.node.parent

    def handle_data(self, data):
        self.node.children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    assert builder.node is builder.root, "unclosed elements"
    return builder.root


def dash_tree(component, parent: Node | None = None) -> Node:
    props = component.to_plotly_json()["props"]
    attrs = {("class" if k == "className" else k): v for k, v in props.items()
             if k != "children"}
    if isinstance(attrs.get("style"), dict):
        attrs["style"] = ";".join(f"{k}:{v}" for k, v in attrs["style"].items())
    node = Node(type(component).__name__.lower(), attrs, parent=parent)
    children = props.get("children")
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if isinstance(child, Component):
            node.children.append(dash_tree(child, node))
        elif child is not None:
            node.children.append(str(child))
    return node


def text(node: Node) -> str:
    """Visible text (decorative ``aria-hidden`` parts left out), whitespace normalised."""
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.attrs.get("aria-hidden") != "true":
            parts.append(text(child))
    return " ".join("".join(parts).split())


def _style(node: Node) -> dict[str, str]:
    pairs = (item.split(":", 1) for item in node.attrs.get("style", "").split(";") if item)
    return {k.strip(): v.strip() for k, v in pairs}


def _icon(item: Node) -> str:
    """A line's decorative icon: its ``aria-hidden`` part, or its list's, drawn by the
    stylesheet from the list's ``--dash-personas-icon``."""
    own = "".join(text(Node("x", {}, c.children)) for c in item.elements()
                  if c.attrs.get("aria-hidden") == "true")
    shared = _style(item.parent).get("--dash-personas-icon") if item.tag == "li" else None
    return own or (json.loads(shared) if shared else "")


def card_content(card: Node) -> dict:
    """What a rendered card says, read from its markup alone."""
    (name,) = card.find(lambda n: "dash-personas-name" in n.attrs.get("class", ""))
    (img,) = card.find(lambda n: n.tag == "img")
    quotes = card.find(lambda n: n.tag == "blockquote")
    captions = card.find(lambda n: n.tag == "figcaption")
    sections = []
    for heading in card.find(lambda n: "data-section" in n.attrs):
        # a section is its heading and the siblings up to the next heading
        siblings = heading.parent.elements()
        after = siblings[siblings.index(heading) + 1:]
        ends = [i for i, n in enumerate(after) if "data-section" in n.attrs]
        content = Node("section", {}, after[:ends[0]] if ends else after)
        bars = []
        for track in content.find(lambda n: "data-direction" in n.attrs):
            # label and value in a row above the track, or beside it in the bar's grid
            row = track.parent.elements()
            label, value = (text(c) for c in (row[0].elements() if len(row) == 2 else row[:2]))
            fill = _style(track.elements()[-1])
            alt = track.attrs.get("aria-label") or track.attrs.get("title")
            bars.append((label, value, track.attrs["data-direction"], alt,
                         float(fill["left"].rstrip("%")), float(fill["width"].rstrip("%"))))
        lines = [(text(n), _icon(n)) for n in content.find(lambda n: n.tag in ("li", "p"))]
        sections.append((heading.attrs["data-section"], text(heading), bars, lines))
    return {
        "label": card.attrs.get("aria-label"),
        "header": [text(n) for n in name.parent.elements()],
        "avatar": (img.attrs["alt"], img.attrs["src"]),
        "quote": [text(n) for n in quotes + captions],
        "sections": sections,
    }


def _html_cards(document: str) -> dict[str, dict]:
    cards = parse_html(document).find(lambda n: "dash-personas-card" in n.attrs.get("class", "")
                                      and n.tag == "section")
    return {c.attrs["aria-label"]: card_content(c) for c in cards}


def test_dash_card_html_sheet_and_notebook_say_the_same(survey_case):
    personas = survey_case.personas
    sheet = _html_cards(persona_sheet_html(personas))
    notebook = _html_cards(personas._repr_html_())
    directions = set()
    for persona in personas:
        view = persona_view(persona)
        card = dash_tree(PersonaCard(persona))
        dash = card_content(card)
        # the outer Div carries the card's accessible name, the Card inside has the class
        assert dash.pop("label") == view.label == f"Persona: {persona.name}"
        single = _html_cards(persona._repr_html_())[view.label]
        for html_card in (sheet[view.label], notebook[view.label], single):
            assert html_card.pop("label") == view.label
            assert html_card == dash
        # ... and what they all say is the view, independently of any renderer
        # the base is given once: "21% · 1,039 respondents", not also "n = 1,039"
        assert dash["header"] == [persona.name, persona.tagline, *view.badges]
        assert view.badges == (view.size_text,) and view.base_is_size
        assert dash["quote"] == [persona.quote, persona.name]
        assert [s[0] for s in dash["sections"]] == [s.key for s in view.sections]
        bars = dash["sections"][0][2]
        top = sorted(persona.aspects, key=lambda s: -abs(s.std_diff))[:5]
        assert [b[0] for b in bars] == [s.label for s in top]
        for (_, value, direction, _, left, width), scale in zip(bars, top):
            assert value == f"{scale.std_diff:+.1f} SD" + ("*" if scale.significant else "")
            # the drawn bar starts at the centre and goes right, or ends there from the left
            if scale.std_diff >= 0:
                assert (direction, left) == ("above", 50.0)
            else:
                assert direction == "below" and left + width == pytest.approx(50.0, abs=0.11)
            directions.add(direction)
        who = next(s for s in dash["sections"] if s[0] == "who")
        assert [line[0].split(" (")[0] for line in who[3][:-1]] == [
            d.level_label for d in persona.demographics[:4]]
        assert who[3][-1][0] == view.section("who").lines[-1].text  # how they were chosen
        do = next(s for s in dash["sections"] if s[0] == "do")
        assert do[3] == [(item, "✓") for item in persona.guidelines.do]
    assert directions == {"above", "below"}
    tree = parse_html(personas._repr_html_())
    gallery = gallery_view(personas)
    assert gallery.summary in [text(n) for n in tree.walk()]
    (table,) = tree.find(lambda n: n.tag == "table")
    assert [[text(c) for c in row.elements()] for row in table.find(lambda n: n.tag == "tr")] == [
        ["", *(name + base for name, base in zip(gallery.comparison.columns,
                                                 gallery.comparison.bases))],
        *[[row.label, *(c.text for c in row.cells)] for row in gallery.comparison.rows]]


def test_jupyter_plugin_renders_with_the_same_functions(survey_case):
    import dash_personas_jupyter

    from dash_personas.personas import persona_card_html, personas_html

    assert dash_personas_jupyter.persona_card_html is persona_card_html
    assert dash_personas_jupyter.personas_html is personas_html
    persona = survey_case.personas[0]
    assert dash_personas_jupyter.persona_card_html(persona) == persona._repr_html_()


def test_compact_dash_card_and_html_card_agree(survey_case):
    from dash_personas.personas import persona_card_html

    persona = survey_case.personas[1]
    dash = card_content(dash_tree(PersonaCard(persona, detail="compact")))
    (html_card,) = _html_cards(persona_card_html(persona, detail="compact")).values()
    dash.pop("label"), html_card.pop("label")
    assert html_card == dash
    assert [s[0] for s in dash["sections"]] == ["differences", "talk", "do", "dont"]


def test_every_renderer_escapes_persona_text(survey_case):
    persona = survey_case.personas[0].model_copy(update={
        "name": EVIL, "tagline": EVIL, "quote": EVIL,
        "motivations": [EVIL], "guidelines": Guidelines(tone=EVIL, do=[EVIL])})
    for document in (persona_sheet_html([persona], title=EVIL), persona._repr_html_(),
                     PersonaSet(personas=[persona])._repr_html_()):
        assert "<img src=x" not in document
        tree = parse_html(document)
        assert not tree.find(lambda n: n.tag == "img" and n.attrs.get("src") == "x")
        (card,) = tree.find(lambda n: n.tag == "section")
        content = card_content(card)
        assert content["header"][:2] == [EVIL, EVIL]
        assert content["quote"] == [EVIL, EVIL]
        texts = [line for s in content["sections"] for line, _ in s[3]]
        assert EVIL in texts and f"Tone: {EVIL}" in texts
        assert not re.search(r"<(script|iframe)", document)
