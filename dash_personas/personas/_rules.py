"""The documented rules that turn segment profiles into names, texts and guidelines.

Everything a persona says is derived from *what distinguishes its segment*: the
standardised difference ``d = (segment mean - overall mean) / overall SD`` of each
numeric feature and the share of each answer (its lift = share / overall share, and
Cohen's ``h = 2 asin(sqrt(share)) - 2 asin(sqrt(overall share))`` as an effect size
comparable with ``d``). The rules are tables, so an analyst can read (and a test can
check) why a persona got a line of text.

Thresholds
----------
* A scale is **distinctive** when ``|d| >= DISTINCT_SD`` (0.3 SD): high if ``d > 0``,
  low if ``d < 0``. Names, taglines and quotes use the distinctive scales, strongest first.
* A categorical answer is **over-represented** when its lift is ``>= DISTINCT_LIFT`` (1.2);
  in lists (below) its Cohen's ``h`` must also reach ``DISTINCT_SD``.
* **Distinctive among the personas**: every *list* a persona gets (motivations,
  frustrations, goals, objections, triggers, do / don't, channels) comes only from evidence
  on which the persona stands out from the others too: a scale's ``d`` must also be at least
  ``DISTINCT_SD`` away from the median ``d`` of all personas (same direction), an answer's
  share at least ``DISTINCT_LIFT`` times the median persona's share. Fewer than half of the
  personas can lie that far on one side of the median, so no such sentence can be given to
  most personas.

Rules (ids are stored in ``Persona.guidelines.rules``)
------------------------------------------------------
``name``      Name = adjective of the most distinctive scale (``SCALE_RULES[scale]["high"|"low"]
              ["adj"]``; generic data: "High-<label>" / "Low-<label>") + an alliterative first
              name. If the adjective or the name is taken, the next distinctive feature / the next
              name is used, so no two personas share a name. Deterministic.
``tagline``   The ``phrase`` of the three most distinctive scales.
``quote``     The first-person ``quote`` of the two most distinctive scales.
``motivation`` / ``frustration`` / ``objection``  The scale direction's entry (top 3).
``tone``      The ``tone`` of the strongest scale that defines one; else "clear and friendly".
``do-high`` / ``dont-high`` / ``do-low`` / ``dont-low``  The scale direction's ``do`` /
              ``dont`` (an :class:`Advice`). Scales outside the table: for a high score, the
              advice part of the codebook's ``high_score`` note (after its ";"), for a low score
              "Don't make <label> the headline ...". Notes are never pasted in whole.
``channel:<source>``  Channels: from the questionnaire's channel question (``channels__*``
              option columns) when the persona uses a channel distinctively (see above), the
              option named by :data:`CHANNEL_OPTIONS`; else the ``channels`` hints of the
              distinctive scales.
``goal``      A choice driver (``choice_drivers``) the persona ranks distinctively higher ->
              ``DRIVER_GOALS``; when the persona also stands out in the opposite direction on
              the scale that measures the same thing (``DRIVER_OPPOSITES``), the weaker of the
              two is left out: the goal, or everything that scale says.
``clv``       CLV ``d >= 0.3`` -> retention advice; ``d <= -0.3`` -> low-cost-to-serve advice.
``journey``   The over-represented journey stage -> the stage's advice.

Every do, don't and channel is an :class:`~dash_personas.personas._guidelines.Advice` with the
themes it promotes and avoids; conflicting advice is resolved by evidence strength (``|d|`` or
``|h|``) and every persona's result is checked (``check_guidelines``) when it is built.

Scales not in ``SCALE_RULES`` fall back to ``DIMENSION_RULES`` (by ASPECTS dimension) and then
to generic wording built from the scale label.

Questionnaire answers (``BEHAVIOUR_QUESTIONS``): the bank's ``channels``,
``purchase_triggers`` and ``choice_drivers`` questions; purchase frequency and spend are the
codebook's CLV ``frequency`` and ``value`` questions.
"""

from __future__ import annotations

from typing import Any

from ._guidelines import Advice, advice

__all__ = [
    "BEHAVIOUR_QUESTIONS",
    "CHANNELS",
    "CHANNEL_OPTIONS",
    "CLV_RULES",
    "DIMENSION_RULES",
    "DISTINCT_LIFT",
    "DISTINCT_SD",
    "DRIVER_GOALS",
    "DRIVER_OPPOSITES",
    "FIRST_NAMES",
    "JOURNEY_RULES",
    "SCALE_RULES",
    "TRIGGER_PHRASES",
    "advice_catalogue",
    "direction_rule",
    "note_advice",
]

DISTINCT_SD = 0.3
DISTINCT_LIFT = 1.2


def _do(text: str, *promotes: str, avoids: tuple[str, ...] = ()) -> Advice:
    return advice(text, "do", promotes, avoids)


def _dont(text: str, *avoids: str) -> Advice:
    return advice(text, "dont", (), avoids)


def _r(adj: str, phrase: str, quote: str, *, motivation: str | None = None,
       frustration: str | None = None, objection: str | None = None, tone: str | None = None,
       do: Advice | None = None, dont: Advice | None = None,
       channels: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"adj": adj, "phrase": phrase, "quote": quote, "motivation": motivation,
            "frustration": frustration, "objection": objection, "tone": tone, "do": do,
            "dont": dont, "channels": list(channels)}


#: Marketing channels by name: the themes each one promotes (a channel that pushes messages
#: at people conflicts with advice against advertising, ...).
CHANNELS: dict[str, Advice] = {name: advice(name, "channel", themes) for name, themes in {
    "in store": ("human_service",),
    "phone": ("human_service",),
    "website": (),
    "mobile app": (),
    "online marketplaces": (),
    "email": ("messages",),
    "email offers": ("messages", "advertising", "discounts"),
    "social media": ("advertising", "social_sharing"),
    "online ads": ("advertising",),
    "TV": ("advertising",),
    "community events": ("community", "social_sharing"),
}.items()}

#: Option codes of the bank's channel question (``channels``) -> channel name in CHANNELS.
CHANNEL_OPTIONS: dict[str, str] = {
    "store": "in store", "website": "website", "app": "mobile app",
    "marketplace": "online marketplaces", "social": "social media", "phone": "phone",
}

#: Which bank question measures what (question name -> role of its option columns).
BEHAVIOUR_QUESTIONS: dict[str, str] = {
    "channels": "channel", "purchase_triggers": "trigger", "choice_drivers": "driver",
}

#: Option codes of the bank's ranking question ``choice_drivers`` -> the goal it stands for.
DRIVER_GOALS: dict[str, str] = {
    "price": "Pay a fair price and get clear value",
    "quality": "Buy something well made that lasts",
    "brand": "Buy from a brand they know and trust",
    "convenience": "Get what they need with the least effort",
    "sustainability": "Buy in a way that is kind to the planet",
}

#: Per bank scale and direction: the words used for names, taglines, quotes and guidelines.
SCALE_RULES: dict[str, dict[str, dict[str, Any]]] = {
    "at_brand_trust": {
        "high": _r("Loyal", "trusts familiar brands",
                   "If a brand has never let me down, I stick with it.",
                   objection="An unfamiliar brand without a track record",
                   motivation="Buying from brands with a proven track record",
                   tone="reassuring and confident",
                   do=_do("Lead with the brand and its guarantees", "brand_heritage"),
                   dont=_dont("Don't hide who stands behind the product")),
        "low": _r("Sceptical", "doubts what brands promise",
                  "I assume the advert is exaggerating until I see proof.",
                  objection="Doubts that the product will live up to what is promised",
                  frustration="Marketing claims that turn out to be exaggerated",
                  tone="factual and transparent",
                  do=_do("Show evidence: reviews, tests, specifications"),
                  dont=_dont("Don't rely on brand heritage or superlatives", "brand_heritage",
                             "premium_claims")),
    },
    "at_price_focus": {
        "high": _r("Thrifty", "hunts for the best deal",
                   "I always check a few places before I pay.",
                   objection="The price looks high next to the alternatives",
                   motivation="Getting clear value for money",
                   frustration="Hidden costs and prices that are hard to compare",
                   tone="straightforward and value-led",
                   do=_do("Show prices, savings and promotions up front", "discounts"),
                   dont=_dont("Don't make vague premium claims", "premium_claims"),
                   channels=("email offers",)),
        "low": _r("Carefree", "rarely compares prices",
                  "If it's good, I don't mind paying for it.",
                  motivation="Quality and ease over saving a few euros",
                  do=_do("Sell on quality and experience, not discounts", avoids=("discounts",)),
                  dont=_dont("Don't train them to wait for promotions", "discounts")),
    },
    "sv_community": {
        "high": _r("Neighbourly", "cares about the people around them",
                   "I like to buy where it helps my community.",
                   motivation="Supporting local people and belonging to a community",
                   tone="warm and inclusive",
                   do=_do("Tell stories of people and local impact", "community"),
                   channels=("community events", "social media")),
        "low": _r("Independent", "makes up their own mind",
                  "I don't need to know what everyone else thinks.",
                  do=_do("Talk to them as an individual"),
                  dont=_dont("Don't lean on social proof alone")),
    },
    "sv_environment": {
        "high": _r("Green", "weighs the planet in every purchase",
                   "I'd rather buy less and buy better for the planet.",
                   objection="Doubts about how the product was made and packaged",
                   motivation="Making choices that are kind to the environment",
                   frustration="Greenwashing and needless packaging",
                   tone="honest and purposeful",
                   do=_do("Give concrete, verifiable sustainability facts", "sustainability"),
                   dont=_dont("Don't make green claims you cannot back up")),
        "low": _r("Pragmatic", "puts practicality before eco labels",
                  "Eco labels are nice, but they don't decide what I buy.",
                  do=_do("Focus on practical benefits"),
                  dont=_dont("Don't make sustainability the headline", "sustainability")),
    },
    "pi_technology": {
        "high": _r("Tech-Savvy", "is first to try new gadgets and apps",
                   "If there's an app for it, I've probably tried it.",
                   motivation="Trying the newest technology", tone="crisp and innovative",
                   do=_do("Offer digital self-service and early access", "self_service", "novelty"),
                   channels=("mobile app", "email", "online ads")),
        "low": _r("Analogue", "keeps technology at arm's length",
                  "I prefer talking to a real person over using an app.",
                  objection="Having to use an app or a website to buy or to get help",
                  frustration="Being pushed into apps and online-only service",
                  do=_do("Keep a human contact and simple paper or phone options", "human_service"),
                  dont=_dont("Don't make the app the only way in"), channels=("phone", "in store")),
    },
    "pi_health": {
        "high": _r("Wellness-Minded", "looks after body and mind",
                   "I read the label because what I put in my body matters.",
                   motivation="Staying healthy and active", tone="positive and caring",
                   do=_do("Explain ingredients and health benefits clearly", "health")),
        "low": _r("Easygoing", "doesn't fuss over health trends",
                  "I don't count calories, I just enjoy things.",
                  dont=_dont("Don't preach about healthy living", "health")),
    },
    "pi_ad_receptivity": {
        "high": _r("Curious", "notices and enjoys advertising",
                   "A clever ad can definitely make me look twice.",
                   motivation="Discovering products through good advertising",
                   do=_do("Invest in creative, memorable campaigns", "advertising"),
                   channels=("online ads", "social media", "TV")),
        "low": _r("Ad-Averse", "tunes out advertising",
                  "I skip adverts the moment I can.",
                  objection="Being chased by adverts and messages",
                  frustration="Intrusive ads and too many messages",
                  do=_do("Earn attention with useful content and recommendations"),
                  dont=_dont("Don't increase ad frequency; it backfires", "advertising",
                             "messages")),
    },
    "em_enjoyment": {
        "high": _r("Joyful", "loves the experience of shopping",
                   "Shopping is one of my small pleasures.",
                   motivation="Enjoying the experience, not just the product",
                   tone="playful and enthusiastic", do=_do("Make buying feel like a treat"),
                   channels=("in store", "social media")),
        "low": _r("Efficient", "wants shopping over with quickly",
                  "I just want to get it done and move on.",
                  frustration="Slow, fiddly buying processes", tone="brief and to the point",
                  do=_do("Make the path to purchase as short as possible", "brevity"),
                  dont=_dont("Don't add steps or upsell screens", "upsell")),
    },
    "em_anxiety": {
        "high": _r("Cautious", "worries about making the wrong choice",
                   "I'm always afraid I'll regret what I bought.",
                   objection="Fear of regretting the purchase if it turns out wrong",
                   frustration="Fear of making the wrong decision",
                   tone="calm and reassuring",
                   do=_do("Offer guarantees, easy returns and clear comparisons"),
                   dont=_dont("Don't use pressure tactics or countdown timers", "pressure")),
        "low": _r("Confident", "decides without second thoughts",
                  "I know what I want and I go for it.",
                  do=_do("Give them the facts and let them decide"),
                  dont=_dont("Don't over-explain", "rich_detail")),
    },
    "cn_convenience": {
        "high": _r("Busy", "values speed and convenience",
                   "If it saves me time, I'm in.",
                   objection="Delivery times, queues or a slow checkout",
                   motivation="Saving time and effort", frustration="Queues, delays and hassle",
                   do=_do("Stress speed, delivery and one-click convenience", "brevity"),
                   channels=("mobile app", "website")),
        "low": _r("Unhurried", "takes their time to choose",
                  "I don't mind taking my time to get it right.",
                  do=_do("Give rich detail and time to explore", "rich_detail")),
    },
    "cn_quality": {
        "high": _r("Discerning", "expects lasting quality",
                   "I'd rather pay once for something that lasts.",
                   objection="Worry that it will break or wear out quickly",
                   motivation="Products that are well made and last",
                   frustration="Things that break or disappoint",
                   tone="expert and precise",
                   do=_do("Show materials, craftsmanship and warranties"),
                   dont=_dont("Don't compete on price alone")),
        "low": _r("Good-Enough", "settles for good enough",
                  "It doesn't have to be perfect, it has to work.",
                  objection="Paying extra for features they will not use",
                  do=_do("Keep the offer simple and affordable"),
                  dont=_dont("Don't over-sell premium features", "premium_claims", "upsell")),
    },
    "tr_openness": {
        "high": _r("Adventurous", "loves to try something new",
                   "I'm always up for trying something I've never had before.",
                   motivation="Novelty and discovery", tone="inspiring and imaginative",
                   do=_do("Introduce new products and limited editions first", "novelty")),
        "low": _r("Traditional", "sticks with what they know",
                  "I know what I like and I stick with it.",
                  objection="Switching away from a product they know works",
                  frustration="Changes to products they rely on",
                  do=_do("Emphasise continuity and familiar favourites", "continuity"),
                  dont=_dont("Don't change what they know without warning")),
    },
    "tr_conscientious": {
        "high": _r("Organised", "plans purchases carefully",
                   "I make a list and I stick to it.",
                   objection="Missing the information they need to plan the purchase",
                   motivation="Being in control and well prepared",
                   do=_do("Provide specs, reminders and planning tools", "rich_detail"),
                   dont=_dont("Don't rely on impulse offers", "impulse")),
        "low": _r("Spontaneous", "buys on the spur of the moment",
                  "I often buy things I didn't plan to.",
                  do=_do("Use timely prompts and easy impulse buys", "impulse"),
                  channels=("social media", "in store")),
    },
    "tr_extraversion": {
        "high": _r("Sociable", "loves sharing and talking about purchases",
                   "If I like something, all my friends will hear about it.",
                   motivation="Sharing experiences with others", tone="lively and social",
                   do=_do("Make it easy to share, refer and review", "social_sharing"),
                   channels=("social media",)),
        "low": _r("Reserved", "prefers to research quietly alone",
                  "I'd rather read reviews than ask around.",
                  do=_do("Offer self-service information and reviews"),
                  dont=_dont("Don't push community or social sharing", "social_sharing",
                             "community")),
    },
}

#: Fallback words by ASPECTS dimension, for scales outside the bank.
DIMENSION_RULES: dict[str, dict[str, dict[str, Any]]] = {
    "attitudes": {"high": _r("Convinced", "holds strong views on {label}",
                             "I have clear opinions about {label}."),
                  "low": _r("Detached", "is indifferent to {label}",
                            "{label} doesn't really matter to me.")},
    "social_values": {"high": _r("Principled", "is guided by {label}",
                                 "{label} guides a lot of what I do."),
                      "low": _r("Individual", "is not swayed by {label}",
                                "{label} is not what drives me.")},
    "personal_interests": {"high": _r("Enthusiast", "is into {label}",
                                      "I'm really into {label}."),
                           "low": _r("Uninterested", "has little interest in {label}",
                                     "{label} isn't my thing.")},
    "emotions": {"high": _r("Emotional", "feels strongly about {label}",
                            "{label} is a big part of how I feel when I buy."),
                 "low": _r("Level-Headed", "stays calm about {label}",
                           "I don't get worked up about {label}.")},
    "conscious_needs": {"high": _r("Demanding", "needs {label}", "I need {label}."),
                        "low": _r("Relaxed", "can do without {label}",
                                  "I can live without {label}.")},
    "traits": {"high": _r("Distinctive", "is strong on {label}", "People see {label} in me."),
               "low": _r("Understated", "is low on {label}", "{label} doesn't describe me.")},
}

#: A choice driver ranked high contradicts a low score on the scale that measures the same
#: thing: the weaker evidence of the two is left out (``goal`` rule).
DRIVER_OPPOSITES: dict[str, tuple[str, str]] = {
    "price": ("at_price_focus", "low"), "quality": ("cn_quality", "low"),
    "brand": ("at_brand_trust", "low"), "convenience": ("cn_convenience", "low"),
    "sustainability": ("sv_environment", "low"),
}

#: Option codes of the bank's ``purchase_triggers`` question -> "often <phrase>" in the
#: persona's typical purchase.
TRIGGER_PHRASES: dict[str, str] = {
    "need": "when they run out or need something",
    "promotion": "when there is a discount or promotion",
    "recommendation": "after a recommendation from someone they know",
    "advert": "after seeing an advertisement",
    "new_product": "when a new product comes out",
    "occasion": "for a gift or a special occasion",
    "impulse": "on impulse",
}

#: CLV advice by direction.
CLV_RULES: dict[str, Advice] = {
    "high": _do("Protect the relationship: loyalty benefits and priority service pay back here"),
    "low": _do("Keep the cost to serve low: automated, self-service journeys", "self_service"),
}

#: Advice by over-represented customer-journey stage.
JOURNEY_RULES: dict[str, Advice] = {
    "awareness": _do("Build familiarity: explain what the brand is and why it matters"),
    "consideration": _do("Help them compare: clear differences, reviews and trials"),
    "purchase": _do("Make the first experience great: onboarding and follow-up"),
    "retention": _do("Reward repeat buying: reminders, subscriptions and loyalty perks",
                     "messages"),
    "advocacy": _do("Give them something to share: referral schemes and reviews",
                    "social_sharing"),
}

#: Alliterative first names by initial (gender-neutral where possible); ordered, deterministic.
FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "A": ("Alex", "Ari", "Ash"), "B": ("Blake", "Bo", "Billie"), "C": ("Casey", "Cam", "Cleo"),
    "D": ("Dana", "Drew", "Dev"), "E": ("Eden", "Eli", "Emery"), "F": ("Frankie", "Finn", "Fae"),
    "G": ("Gray", "Gabi", "Glen"), "H": ("Harper", "Hayden", "Hana"), "I": ("Indy", "Ira", "Ivo"),
    "J": ("Jordan", "Jules", "Jo"), "K": ("Kai", "Kit", "Kelly"), "L": ("Logan", "Lou", "Lee"),
    "M": ("Morgan", "Max", "Mika"), "N": ("Nico", "Noa", "Nat"), "O": ("Oakley", "Ollie", "Ona"),
    "P": ("Parker", "Pat", "Pip"), "Q": ("Quinn", "Quin", "Quincy"), "R": ("Riley", "Remy", "Rae"),
    "S": ("Sam", "Sky", "Sasha"), "T": ("Taylor", "Toni", "Teo"), "U": ("Uma", "Uri", "Umi"),
    "V": ("Val", "Vic", "Vesna"), "W": ("Wren", "Wes", "Winnie"), "X": ("Xan", "Xia", "Xavi"),
    "Y": ("Yael", "Yuri", "Yan"), "Z": ("Zoe", "Zen", "Zia"),
}


def direction_rule(scale: str, dimension: str | None, direction: str,
                   label: str) -> dict[str, Any]:
    """The words for ``scale`` in ``direction`` ("high" or "low").

    Looks up :data:`SCALE_RULES`, then :data:`DIMENSION_RULES`, then builds generic
    wording from ``label``. ``{label}`` placeholders are filled in.

    Parameters
    ----------
    scale : str
        Scale (or numeric feature) name.
    dimension : str or None
        ASPECTS dimension of the scale.
    direction : {"high", "low"}
    label : str
        Readable label of the scale.

    Returns
    -------
    dict
        Keys ``adj``, ``phrase``, ``quote``, ``motivation``, ``frustration``, ``objection``,
        ``tone``, ``channels``, ``do`` and ``dont`` (:class:`Advice` or ``None``) and
        ``source`` (which table answered).
    """
    if scale in SCALE_RULES:
        rule, source = dict(SCALE_RULES[scale][direction]), "scale"
    elif dimension in DIMENSION_RULES:
        rule, source = dict(DIMENSION_RULES[dimension][direction]), "dimension"
    else:
        word = "-".join(w.capitalize() for w in label.split()) or scale
        if direction == "high":
            rule = _r(f"High-{word}", f"scores high on {label}", f"{label} matters a lot to me.",
                      motivation=f"More {label}",
                      do=_do(f"Talk about {label}: it sets them apart"))
        else:
            rule = _r(f"Low-{word}", f"scores low on {label}", f"{label} is not a priority for me.",
                      dont=_dont(f"Don't lead with {label}"))
        source = "generic"
    lowered = label[:1].lower() + label[1:] if label else scale

    def fill(text: str) -> str:
        filled = text.replace("{label}", lowered)
        return filled[:1].upper() + filled[1:] if text.startswith("{label}") else filled

    for key in ("phrase", "quote", "motivation", "frustration", "objection"):
        if isinstance(rule.get(key), str):
            rule[key] = fill(rule[key])
    for key in ("do", "dont"):
        if isinstance(rule.get(key), Advice):
            rule[key] = Advice(fill(rule[key].text), rule[key].kind, rule[key].promotes,
                               rule[key].avoids)
    rule["source"] = source
    return rule


def note_advice(note: str | None, direction: str, label: str) -> Advice | None:
    """Advice for a scale outside :data:`SCALE_RULES` from its codebook ``high_score`` note.

    The bank's notes read "<who high scorers are>; <what to do>": a high-scoring persona
    gets the second part as a "do" ("Give complete, well-structured information ...");
    a low-scoring persona gets a "don't" about the scale, never the note itself.

    Parameters
    ----------
    note : str or None
        The codebook's "what a high score means" text.
    direction : {"high", "low"}
    label : str
        Readable label of the scale.

    Returns
    -------
    Advice or None
        ``None`` when the note has no advice part (high direction).
    """
    lowered = label[:1].lower() + label[1:] if label else label
    if direction == "low":
        return _dont(f"Don't make {lowered} the headline: it matters less to them than to "
                     "most customers")
    if not note or ";" not in note:
        return None
    action = note.split(";", 1)[1].strip().rstrip(".")
    return _do(action[:1].upper() + action[1:]) if action else None


def advice_catalogue() -> dict[tuple[str, str], Advice]:
    """Every sentence of the rule tables, by ``(kind, text)``: what ``check_guidelines`` reads.

    Returns
    -------
    dict of (str, str) to Advice
    """
    items: list[Advice] = [*CHANNELS.values(), *CLV_RULES.values(), *JOURNEY_RULES.values()]
    for directions in SCALE_RULES.values():
        for rule in directions.values():
            items += [rule[key] for key in ("do", "dont") if rule.get(key) is not None]
    return {(a.kind, a.text): a for a in items}
