"""The documented rules that turn segment profiles into names, texts and guidelines.

Everything a persona says is derived from *what distinguishes its segment*: the
standardised difference ``d = (segment mean - overall mean) / overall SD`` of each
numeric feature and the lift of each categorical level. The rules are tables, so an
analyst can read (and a test can check) why a persona got a line of text.

Thresholds
----------
* A scale is **distinctive** when ``|d| >= DISTINCT_SD`` (0.3 SD): high if ``d > 0``,
  low if ``d < 0``. Only distinctive scales produce text; stronger ones come first.
* A categorical level is **over-represented** when its lift is ``>= DISTINCT_LIFT`` (1.2).

Rules (ids are stored in ``Persona.guidelines.rules``)
------------------------------------------------------
``name``      Name = adjective of the most distinctive scale (``SCALE_RULES[scale]["high"|"low"]
              ["adj"]``; generic data: "High-<label>" / "Low-<label>") + an alliterative first
              name. If the adjective or the name is taken, the next distinctive feature / the next
              name is used, so no two personas share a name. Deterministic.
``tagline``   The ``phrase`` of the three most distinctive scales.
``quote``     The first-person ``quote`` of the two most distinctive scales.
``motivation`` Distinctive scales whose direction has a ``motivation`` (top 3).
``frustration`` Distinctive scales whose direction has a ``frustration`` (top 3).
``tone``      The ``tone`` of the most distinctive scale that defines one; else
              "clear and friendly".
``do-high``   High scale -> the codebook's ``high_score`` text when available, else the table's
              ``do``.
``dont-high`` High scale -> the table's ``dont``.
``do-low`` / ``dont-low``  Low scale -> the table's ``do`` / ``dont`` for the low direction; with a
              codebook and no table entry: "Do not lead with what high scorers want: <high_score>".
``channels``  Channels (multiple-choice ``channels__*`` columns or a ``channel`` feature) with a
              lift >= 1.2, most used first; then the ``channels`` hints of distinctive scales.
``clv``       CLV ``d >= 0.3`` -> retention advice; ``d <= -0.3`` -> low-cost-to-serve advice.
``journey``   The over-represented journey stage (lift >= 1.2) -> the stage's advice.

Scales not in ``SCALE_RULES`` fall back to ``DIMENSION_RULES`` (by ASPECTS dimension) and then
to generic wording built from the scale label.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CLV_RULES",
    "DIMENSION_RULES",
    "DISTINCT_LIFT",
    "DISTINCT_SD",
    "FIRST_NAMES",
    "JOURNEY_RULES",
    "SCALE_RULES",
    "direction_rule",
]

DISTINCT_SD = 0.3
DISTINCT_LIFT = 1.2


def _r(adj: str, phrase: str, quote: str, *, motivation: str | None = None,
       frustration: str | None = None, tone: str | None = None, do: str | None = None,
       dont: str | None = None, channels: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"adj": adj, "phrase": phrase, "quote": quote, "motivation": motivation,
            "frustration": frustration, "tone": tone, "do": do, "dont": dont,
            "channels": list(channels)}


#: Per bank scale and direction: the words used for names, taglines, quotes and guidelines.
SCALE_RULES: dict[str, dict[str, dict[str, Any]]] = {
    "at_brand_trust": {
        "high": _r("Loyal", "trusts familiar brands",
                   "If a brand has never let me down, I stick with it.",
                   motivation="Buying from brands with a proven track record",
                   tone="reassuring and confident", do="Lead with the brand and its guarantees",
                   dont="Don't hide who stands behind the product"),
        "low": _r("Sceptical", "doubts what brands promise",
                  "I assume the advert is exaggerating until I see proof.",
                  frustration="Marketing claims that turn out to be exaggerated",
                  tone="factual and transparent",
                  do="Show evidence: reviews, tests, specifications",
                  dont="Don't rely on brand heritage or superlatives"),
    },
    "at_price_focus": {
        "high": _r("Thrifty", "hunts for the best deal",
                   "I always check a few places before I pay.",
                   motivation="Getting clear value for money",
                   frustration="Hidden costs and prices that are hard to compare",
                   tone="straightforward and value-led",
                   do="Show prices, savings and promotions up front",
                   dont="Don't make vague premium claims", channels=("email offers",)),
        "low": _r("Carefree", "rarely compares prices",
                  "If it's good, I don't mind paying for it.",
                  motivation="Quality and ease over saving a few euros",
                  do="Sell on quality and experience, not discounts",
                  dont="Don't train them to wait for promotions"),
    },
    "sv_community": {
        "high": _r("Neighbourly", "cares about the people around them",
                   "I like to buy where it helps my community.",
                   motivation="Supporting local people and belonging to a community",
                   tone="warm and inclusive", do="Tell stories of people and local impact",
                   channels=("community events", "social media")),
        "low": _r("Independent", "makes up their own mind",
                  "I don't need to know what everyone else thinks.",
                  do="Talk to them as an individual", dont="Don't lean on social proof alone"),
    },
    "sv_environment": {
        "high": _r("Green", "weighs the planet in every purchase",
                   "I'd rather buy less and buy better for the planet.",
                   motivation="Making choices that are kind to the environment",
                   frustration="Greenwashing and needless packaging",
                   tone="honest and purposeful",
                   do="Give concrete, verifiable sustainability facts",
                   dont="Don't make green claims you cannot back up"),
        "low": _r("Pragmatic", "puts practicality before eco labels",
                  "Eco labels are nice, but they don't decide what I buy.",
                  do="Focus on practical benefits", dont="Don't make sustainability the headline"),
    },
    "pi_technology": {
        "high": _r("Tech-Savvy", "is first to try new gadgets and apps",
                   "If there's an app for it, I've probably tried it.",
                   motivation="Trying the newest technology", tone="crisp and innovative",
                   do="Offer digital self-service and early access",
                   channels=("mobile app", "email", "online ads")),
        "low": _r("Analogue", "keeps technology at arm's length",
                  "I prefer talking to a real person over using an app.",
                  frustration="Being pushed into apps and online-only service",
                  do="Keep a human contact and simple paper or phone options",
                  dont="Don't make the app the only way in", channels=("phone", "in store")),
    },
    "pi_health": {
        "high": _r("Wellness-Minded", "looks after body and mind",
                   "I read the label because what I put in my body matters.",
                   motivation="Staying healthy and active", tone="positive and caring",
                   do="Explain ingredients and health benefits clearly"),
        "low": _r("Easygoing", "doesn't fuss over health trends",
                  "I don't count calories, I just enjoy things.",
                  dont="Don't preach about healthy living"),
    },
    "pi_ad_receptivity": {
        "high": _r("Curious", "notices and enjoys advertising",
                   "A clever ad can definitely make me look twice.",
                   motivation="Discovering products through good advertising",
                   do="Invest in creative, memorable campaigns",
                   channels=("online ads", "social media", "TV")),
        "low": _r("Ad-Averse", "tunes out advertising",
                  "I skip adverts the moment I can.",
                  frustration="Intrusive ads and too many messages",
                  do="Earn attention with useful content and recommendations",
                  dont="Don't increase ad frequency; it backfires"),
    },
    "em_enjoyment": {
        "high": _r("Joyful", "loves the experience of shopping",
                   "Shopping is one of my small pleasures.",
                   motivation="Enjoying the experience, not just the product",
                   tone="playful and enthusiastic", do="Make buying feel like a treat",
                   channels=("in store", "social media")),
        "low": _r("Efficient", "wants shopping over with quickly",
                  "I just want to get it done and move on.",
                  frustration="Slow, fiddly buying processes", tone="brief and to the point",
                  do="Make the path to purchase as short as possible",
                  dont="Don't add steps or upsell screens"),
    },
    "em_anxiety": {
        "high": _r("Cautious", "worries about making the wrong choice",
                   "I'm always afraid I'll regret what I bought.",
                   frustration="Fear of making the wrong decision",
                   tone="calm and reassuring",
                   do="Offer guarantees, easy returns and clear comparisons",
                   dont="Don't use pressure tactics or countdown timers"),
        "low": _r("Confident", "decides without second thoughts",
                  "I know what I want and I go for it.",
                  do="Give them the facts and let them decide", dont="Don't over-explain"),
    },
    "cn_convenience": {
        "high": _r("Busy", "values speed and convenience",
                   "If it saves me time, I'm in.",
                   motivation="Saving time and effort", frustration="Queues, delays and hassle",
                   do="Stress speed, delivery and one-click convenience",
                   channels=("mobile app", "website")),
        "low": _r("Unhurried", "takes their time to choose",
                  "I don't mind taking my time to get it right.",
                  do="Give rich detail and time to explore"),
    },
    "cn_quality": {
        "high": _r("Discerning", "expects lasting quality",
                   "I'd rather pay once for something that lasts.",
                   motivation="Products that are well made and last",
                   frustration="Things that break or disappoint",
                   tone="expert and precise", do="Show materials, craftsmanship and warranties",
                   dont="Don't compete on price alone"),
        "low": _r("Good-Enough", "settles for good enough",
                  "It doesn't have to be perfect, it has to work.",
                  do="Keep the offer simple and affordable",
                  dont="Don't over-sell premium features"),
    },
    "tr_openness": {
        "high": _r("Adventurous", "loves to try something new",
                   "I'm always up for trying something I've never had before.",
                   motivation="Novelty and discovery", tone="inspiring and imaginative",
                   do="Introduce new products and limited editions first"),
        "low": _r("Traditional", "sticks with what they know",
                  "I know what I like and I stick with it.",
                  frustration="Changes to products they rely on",
                  do="Emphasise continuity and familiar favourites",
                  dont="Don't change what they know without warning"),
    },
    "tr_conscientious": {
        "high": _r("Organised", "plans purchases carefully",
                   "I make a list and I stick to it.",
                   motivation="Being in control and well prepared",
                   do="Provide specs, reminders and planning tools",
                   dont="Don't rely on impulse offers"),
        "low": _r("Spontaneous", "buys on the spur of the moment",
                  "I often buy things I didn't plan to.",
                  do="Use timely prompts and easy impulse buys",
                  channels=("social media", "in store")),
    },
    "tr_extraversion": {
        "high": _r("Sociable", "loves sharing and talking about purchases",
                   "If I like something, all my friends will hear about it.",
                   motivation="Sharing experiences with others", tone="lively and social",
                   do="Make it easy to share, refer and review", channels=("social media",)),
        "low": _r("Reserved", "prefers to research quietly alone",
                  "I'd rather read reviews than ask around.",
                  do="Offer self-service information and reviews",
                  dont="Don't push community or social sharing"),
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

#: CLV advice by direction.
CLV_RULES: dict[str, str] = {
    "high": "Protect the relationship: loyalty benefits and priority service pay back here",
    "low": "Keep the cost to serve low: automated, self-service journeys",
}

#: Advice by over-represented customer-journey stage.
JOURNEY_RULES: dict[str, str] = {
    "awareness": "Build familiarity: explain what the brand is and why it matters",
    "consideration": "Help them compare: clear differences, reviews and trials",
    "purchase": "Make the first experience great: onboarding and follow-up",
    "retention": "Reward repeat buying: reminders, subscriptions and loyalty perks",
    "advocacy": "Give them something to share: referral schemes and reviews",
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
        Keys ``adj``, ``phrase``, ``quote``, ``motivation``, ``frustration``, ``tone``,
        ``do``, ``dont``, ``channels``, ``source`` (which table answered).
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
                      do=f"Talk about {label}: it sets them apart")
        else:
            rule = _r(f"Low-{word}", f"scores low on {label}", f"{label} is not a priority for me.",
                      dont=f"Don't lead with {label}")
        source = "generic"
    lowered = label[:1].lower() + label[1:] if label else scale
    for key in ("phrase", "quote", "motivation", "frustration", "do", "dont"):
        if isinstance(rule.get(key), str):
            text = rule[key]
            filled = text.replace("{label}", lowered)
            if text.startswith("{label}"):
                filled = filled[:1].upper() + filled[1:]
            rule[key] = filled
    rule["source"] = source
    return rule
