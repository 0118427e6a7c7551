"""Hand-written specs shared by the export tests (XLSForm, SurveyJS, REDCap).

``FULL_SPEC`` exercises every question type, relevance conditions of every shape (grid
items, ``selected``, ``answered`` on a multiple choice and a ranking, ``not``, ``!=``,
``or``), randomised sections and grid rows, hints, units, bounds, both languages and a
choice value starting with a digit.
"""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

from survey_builder.spec import Survey, survey_from_dict

FULL_SPEC_YAML = textwrap.dedent(
    """
    id: export_check
    version: "3"
    title: {en: Shopping habits and views, es: Hábitos de compra y opiniones}
    description: {en: A short study, es: Un estudio breve}
    languages: [en, es]
    anchor_sets:
      agree5:
        - {en: Strongly disagree, es: Muy en desacuerdo}
        - {en: Disagree, es: En desacuerdo}
        - {en: Neither agree nor disagree, es: Ni de acuerdo ni en desacuerdo}
        - {en: Agree, es: De acuerdo}
        - {en: Strongly agree, es: Muy de acuerdo}
      like7:
        - {en: Not at all like me, es: Nada como yo}
        - {en: Not like me, es: No como yo}
        - {en: A little unlike me, es: Un poco distinto a mí}
        - {en: Neutral, es: Neutral}
        - {en: A little like me, es: Un poco como yo}
        - {en: Like me, es: Como yo}
        - {en: Very much like me, es: Muy parecido a mí}
    scales:
      - name: brand_trust
        dimension: attitudes
        label: {en: Brand trust, es: Confianza en la marca}
        description: {en: Trust in brands, es: Confianza en las marcas}
        high_score: {en: Lead with reliability, es: Destacar la fiabilidad}
        points: 5
      - name: novelty
        dimension: traits
        label: {en: Novelty seeking, es: Búsqueda de novedad}
        description: {en: Liking new things, es: Gusto por lo nuevo}
        high_score: {en: Lead with what is new, es: Destacar lo nuevo}
        points: 7
    sections:
      - name: views
        title: {en: Your views, es: Sus opiniones}
        randomize: true
        questions:
          - type: note
            name: views_intro
            label: {en: "There are no right or wrong answers & <b>no</b> tricks.",
                    es: "No hay respuestas correctas ni incorrectas & <b>ni</b> trucos."}
          - type: likert_grid
            name: trust_grid
            label: {en: "How much do you agree?", es: "¿Cuánto está de acuerdo?"}
            hint: {en: One answer per row, es: Una respuesta por fila}
            anchors: agree5
            scale: brand_trust
            randomize: true
            required: true
            items:
              - {name: trust_1, label: {en: Brands keep their promises,
                                        es: Las marcas cumplen sus promesas}}
              - {name: trust_2, label: {en: I rely on brands I know,
                                        es: Confío en las marcas que conozco}}
              - {name: trust_3, label: {en: Advertising is mostly honest,
                                        es: La publicidad es casi siempre honesta}}
              - {name: trust_4, reverse_keyed: true,
                 label: {en: "Brands say one thing, do another",
                         es: "Las marcas dicen una cosa y hacen otra"}}
          - type: likert
            name: novel_1
            label: {en: I like to try new products first,
                    es: Me gusta probar productos nuevos el primero}
            hint: {en: Think of the last year, es: Piense en el último año}
            anchors: like7
            points: 7
            scale: novelty
            required: true
          - type: likert
            name: novel_2
            label: {en: I stick to what I know, es: Me quedo con lo que conozco}
            anchors: like7
            points: 7
            scale: novelty
            reverse_keyed: true
            relevant: "${trust_2} >= 2"
          - type: attention_check
            name: attn_1
            label: {en: "To show you are reading, choose 'Agree'",
                     es: "Para mostrar que lee, elija 'De acuerdo'"}
            choices:
              - {value: disagree, label: {en: Disagree, es: En desacuerdo}}
              - {value: agree, label: {en: Agree, es: De acuerdo}}
            answer: agree
            required: true
      - name: habits
        title: {en: Your shopping, es: Sus compras}
        questions:
          - type: single_choice
            name: age_band
            label: {en: Your age, es: Su edad}
            required: true
            choices:
              - {value: '18_34', label: {en: 18 to 34, es: 18 a 34}}
              - {value: '35_54', label: {en: 35 to 54, es: 35 a 54}}
              - {value: 55_plus, label: {en: 55 or older, es: 55 o más}}
          - type: single_choice
            name: buy_freq
            label: {en: "How often do you buy?", es: "¿Con qué frecuencia compra?"}
            relevant: "${trust_1} >= 3 and ${age_band} != '55_plus'"
            choices:
              - {value: weekly, label: {en: Every week, es: Cada semana}, numeric: 52}
              - {value: monthly, label: {en: Every month, es: Cada mes}, numeric: 12}
              - {value: yearly, label: {en: Once a year, es: Una vez al año}, numeric: 1}
          - type: multiple_choice
            name: channels
            label: {en: "Where do you shop?", es: "¿Dónde compra?"}
            min_selected: 1
            max_selected: 3
            choices:
              - {value: online, label: {en: Online, es: En línea}}
              - {value: store, label: {en: In a store, es: En una tienda}}
              - {value: phone, label: {en: By phone, es: Por teléfono}}
              - {value: market, label: {en: At a market, es: En un mercado}}
          - type: numeric
            name: avg_spend
            label: {en: Average spend per purchase, es: Gasto medio por compra}
            min: 0
            max: 5000.5
            unit: {en: euros, es: euros}
            relevant: "answered(${channels})"
          - type: numeric
            name: lifespan
            label: {en: Years you expect to stay a customer,
                    es: Años que espera seguir siendo cliente}
            hint: {en: Whole years, es: Años completos}
            integer: true
            min: 0
            max: 60
            required: true
            relevant: "selected(${channels}, 'online') or ${buy_freq} = 'weekly'"
          - type: numeric
            name: household
            label: {en: People in your household, es: Personas en su hogar}
            integer: true
            min: 1
          - type: ranking
            name: priorities
            label: {en: Rank what matters most, es: Ordene lo que más importa}
            choices:
              - {value: price, label: {en: Price, es: Precio}}
              - {value: quality, label: {en: Quality, es: Calidad}}
              - {value: service, label: {en: Service, es: Servicio}}
          - type: text
            name: why_rank
            label: {en: "Why this order?", es: "¿Por qué este orden?"}
            multiline: true
            max_length: 400
            relevant: "answered(${priorities}) and not (${novel_1} < 3 or ${attn_1} = 'disagree')"
          - type: text
            name: brand_name
            label: {en: Your favourite brand, es: Su marca favorita}
            max_length: 60
            relevant: "not selected(${channels}, 'market')"
    clv:
      currency: EUR
      value: {question: avg_spend}
      frequency: {question: buy_freq}
      lifespan: {question: lifespan}
    """
)


def full_spec_dict() -> dict[str, Any]:
    """A fresh copy of :data:`FULL_SPEC_YAML` as a dict."""
    return yaml.safe_load(FULL_SPEC_YAML)


def full_survey() -> Survey:
    """The validated :class:`Survey` of :data:`FULL_SPEC_YAML`."""
    return survey_from_dict(full_spec_dict(), source="full_spec.yaml")


def single_language_survey() -> Survey:
    """:func:`full_survey` restricted to Spanish only (a one-language spec)."""
    data = full_spec_dict()

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"en", "es"}:
                return {"es": node["es"]}
            return {key: strip(value) for key, value in node.items()}
        if isinstance(node, list):
            return [strip(value) for value in node]
        return node

    data = strip(data)
    data["languages"] = ["es"]
    return survey_from_dict(data, source="es_only.yaml")
