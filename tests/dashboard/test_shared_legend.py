"""What every card of a gallery would repeat is said once: one legend for the gallery."""

from __future__ import annotations

import json

from test_persona_view import card_content, dash_tree, text

from dash_personas.app import create_app
from dash_personas.components import PersonaCard, PersonaGallery
from dash_personas.personas import persona_view, share_notes
from dash_personas.personas._view import CLV_HINT, LEGEND, SHARED_HINTS


def _cards(tree):
    return tree.find(lambda n: n.tag == "personacard")


def test_share_notes_moves_each_repeated_note_to_one_legend(survey_case):
    views = [persona_view(p) for p in survey_case.personas]
    cards, legend = share_notes(views)
    lines = [line.text for line in legend.lines]
    assert legend.key == "legend" and len(lines) == len(set(lines))
    # the reading of the numbers first, then the hints the cards gave on hover
    assert lines[:2] == list(LEGEND) and SHARED_HINTS[CLV_HINT] in lines
    for view, card in zip(views, cards):
        assert card.section("legend") is None and view.section("legend") is not None
        titles = [s.title for sec in card.sections for line in sec.lines for s in line.spans]
        assert CLV_HINT not in titles
        # everything else is unchanged: same sections, same visible text
        kept = [s for s in view.sections if s.key != "legend"]
        assert [s.key for s in card.sections] == [s.key for s in kept]
        assert [[line.text for line in s.lines] for s in card.sections if s.key != "who"] == \
            [[line.text for line in s.lines] for s in kept if s.key != "who"]
    assert share_notes([]) == ((), None)


def test_gallery_says_the_legend_once_and_every_card_points_to_it(survey_case):
    personas = survey_case.personas
    gallery = PersonaGallery(personas, aio_id="g", group="x")
    tree = dash_tree(gallery)
    (legend,) = tree.find(lambda n: "dash-personas-card-legend" in n.attrs.get("class", ""))
    cards = _cards(tree)
    assert len(cards) == len(personas)
    assert {c.attrs["aria-describedby"] for c in cards} == {legend.attrs["id"]}
    assert LEGEND[0] in text(legend) and "CLV: customer lifetime value" in text(legend)
    for card in cards:
        assert "legend" not in [s[0] for s in card_content(card)["sections"]]
        assert LEGEND[0] not in text(card)
    payload = json.dumps(gallery.to_plotly_json(), cls=_Encoder, ensure_ascii=False)
    assert payload.count(LEGEND[0]) == 1 and payload.count(CLV_HINT) == 0
    # a card on its own keeps its own legend
    alone = card_content(dash_tree(PersonaCard(personas[0])))
    assert "legend" in [s[0] for s in alone["sections"]]


def test_list_icons_are_given_once_per_list(survey_case):
    card = dash_tree(PersonaCard(survey_case.personas[0]))
    lists = card.find(lambda n: n.tag == "ul" and "dash-personas-icons" in n.attrs.get("class", ""))
    assert lists  # do, don't, motivations...
    for ul in lists:
        assert "--dash-personas-icon:" in ul.attrs["style"]
        assert not any(c.attrs.get("aria-hidden") for li in ul.elements() for c in li.elements())
    sections = dict((s[0], s[3]) for s in card_content(card)["sections"])
    assert {icon for _, icon in sections["do"]} == {"✓"}


def test_page_layout_repeats_no_card_note(survey_case):
    app = create_app(survey_case.personas, survey_case.scores)
    layout = app.server.test_client().get("/_dash-layout").get_data(as_text=True)
    assert layout.count(json.dumps(LEGEND[0])[1:-1]) == 1
    assert json.dumps(CLV_HINT)[1:-1] not in layout
    assert layout.count('"aria-describedby"') == len(survey_case.personas)


class _Encoder(json.JSONEncoder):
    def default(self, o):
        return o.to_plotly_json() if hasattr(o, "to_plotly_json") else super().default(o)


def test_a_gallery_card_is_the_card_of_its_persona(survey_case):
    """The gallery hands each card the view it made for its legend: every card is, node
    for node, the card made from the persona alone with that legend."""
    from dash_personas.browser_json import plain_tree

    gallery = PersonaGallery(survey_case.personas, aio_id="g", group="x")
    legend_id = "g-x-legend"
    cards = []

    def walk(node):
        if isinstance(node, PersonaCard):
            cards.append(node)
        children = getattr(node, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if hasattr(child, "children"):
                walk(child)

    walk(gallery)
    assert len(cards) == len(survey_case.personas)
    for persona, card in zip(survey_case.personas, cards):
        alone = PersonaCard(persona, footer=card.children.children[-1].children,
                            aio_id=f"g-{persona.id}", legend_id=legend_id)
        assert plain_tree(card) == plain_tree(alone)
