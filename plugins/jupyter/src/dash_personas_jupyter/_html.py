"""Notebook HTML for personas: provided by dash_personas itself (``Persona._repr_html_``)."""

from dash_personas.personas._html import comparison_table_html, persona_card_html, personas_html

__all__ = ["comparison_table_html", "persona_card_html", "personas_html"]
