"""Notebook HTML for personas: the renderers of dash_personas itself (public API), the same
as ``Persona._repr_html_`` and ``PersonaSet._repr_html_``."""

from dash_personas.personas import comparison_table_html, persona_card_html, personas_html

__all__ = ["comparison_table_html", "persona_card_html", "personas_html"]
