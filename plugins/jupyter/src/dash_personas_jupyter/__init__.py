"""dash-personas-jupyter: personas from a DataFrame, inside Jupyter.

>>> %load_ext dash_personas_jupyter                  # doctest: +SKIP
>>> %personas scores --k auto                        # doctest: +SKIP
>>> result = show_personas(scores, k=5)              # doctest: +SKIP
>>> result.personas                                  # doctest: +SKIP
>>> %study study.db                                  # doctest: +SKIP
>>> show_study("study.db")                           # doctest: +SKIP

The dashboard is Dash's ``jupyter_mode="inline"`` (an iframe to a server in the kernel);
``PersonaSet`` and ``Persona`` objects also display as self-contained HTML, without a
server, once the extension is loaded.
"""

from __future__ import annotations

from ._core import (
    NotebookPersonas,
    NoUsableColumnsError,
    segment_personas,
    show_personas,
    usable_columns,
)
from ._extension import load_ipython_extension, register_formatters, unload_ipython_extension
from ._html import comparison_table_html, persona_card_html, personas_html
from ._study import NotebookStudy, show_study, study_html

__version__ = "0.1.0"

__all__ = [
    "NoUsableColumnsError",
    "NotebookPersonas",
    "NotebookStudy",
    "__version__",
    "comparison_table_html",
    "load_ipython_extension",
    "persona_card_html",
    "personas_html",
    "register_formatters",
    "segment_personas",
    "show_personas",
    "show_study",
    "study_html",
    "unload_ipython_extension",
    "usable_columns",
]
