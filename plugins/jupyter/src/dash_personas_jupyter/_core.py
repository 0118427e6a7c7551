"""Segment a DataFrame into personas and show them in the notebook."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass, field
from html import escape
from typing import Any

import pandas as pd

from dash_personas.pipeline import DEFAULT_K_RANGE
from survey_builder.errors import UserError

from ._html import personas_html

__all__ = ["NoUsableColumnsError", "NotebookPersonas", "segment_personas", "show_personas",
           "usable_columns"]

MODES = ("inline", "external", "jupyterlab", "tab", "static")


class NoUsableColumnsError(UserError):
    """The data has nothing to segment on (shown as a short message, not a traceback)."""

    def _render_traceback_(self) -> list[str]:  # IPython: print this instead of a traceback
        return [f"{type(self).__name__}: {self}"]


def usable_columns(frame: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """The columns to segment on, and why each other column is left out.

    The rules are :func:`dash_personas.pipeline.select_features`' (the ones the
    ``dash-personas`` commands use): identifiers, ``survey-builder`` data-quality flags,
    empty and constant columns, free text and dates are left out.

    Returns
    -------
    (list of str, dict of str to str)
    """
    from dash_personas.pipeline import select_features

    chosen = select_features(frame, allow_empty=True)
    return chosen.features, chosen.left_out


def _check(data: Any, k: Any) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if not isinstance(data, pd.DataFrame):
        raise NoUsableColumnsError(f"expected a pandas DataFrame, got {type(data).__name__}")
    frame = data.set_axis([str(c) for c in data.columns], axis=1)
    if frame.shape[1] == 0:
        raise NoUsableColumnsError("the DataFrame has no columns to segment on")
    from dash_personas.pipeline import select_features

    try:
        chosen = select_features(frame)
    except UserError as exc:
        raise NoUsableColumnsError(exc.message) from None
    smallest = 2 if k == "auto" else int(k)
    if len(frame) < max(10, 3 * smallest):
        raise NoUsableColumnsError(f"too few rows to segment: {len(frame)} (need at least "
                                   f"{max(10, 3 * smallest)} for k={k})")
    return frame, frame[chosen.features], chosen.left_out


def _parse_k(k: Any) -> Any:
    if isinstance(k, str):
        text = k.strip().lower()
        if text == "auto":
            return "auto"
        if text.isdigit():
            k = int(text)
        else:
            raise UserError(f"k must be 'auto' or a whole number >= 2, got {k!r}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise UserError(f"k must be 'auto' or a whole number >= 2, got {k!r}")
    return k


@dataclass
class NotebookPersonas:
    """Personas made in a notebook, with what produced them.

    Attributes
    ----------
    personas : PersonaSet
        Rich display in notebooks (cards + comparison table), no server needed.
    model : KPrototypes
    selection : KSelection or None
        The k-selection evidence when ``k="auto"``.
    labels : Series
        The persona id of every row of the data.
    features : list of str
        The columns segmented on.
    dropped : dict
        Left-out columns and why.
    url : str or None
        Where the inline dashboard is served (after :meth:`show`).
    """

    personas: Any
    model: Any
    selection: Any = None
    labels: Any = None
    features: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    _app: Any = field(default=None, repr=False)

    def app(self, **dash_kwargs: Any) -> Any:
        """The personas dashboard as a Dash app (gallery, comparison, profiles, k evidence)."""
        if self._app is None or dash_kwargs:
            from dash_personas.app import create_app

            dash_kwargs.setdefault("name", f"dash_personas_jupyter_{uuid.uuid4().hex[:8]}")
            self._app = create_app(self.personas, **dash_kwargs)
        return self._app

    def show(self, mode: str = "inline", *, port: int | None = None, height: int = 900,
             server_url: str | None = None) -> NotebookPersonas:
        """Serve the dashboard in the notebook (``mode="static"``: HTML only, no server).

        Parameters
        ----------
        mode : {"inline", "external", "jupyterlab", "tab", "static"}
            Dash's ``jupyter_mode``; ``"static"`` displays the self-contained HTML.
        port : int, optional
            Default: a free port on 127.0.0.1.
        height : int
            Height of the inline frame, in pixels.
        server_url : str, optional
            The URL the browser reaches the kernel's server at (JupyterHub, remote
            kernels); see also ``dash.jupyter_dash.infer_jupyter_proxy_config()``.
        """
        url = serve_inline(self.app, lambda: personas_html(self.personas), "personas",
                           mode=mode, port=port, height=height, server_url=server_url)
        self.url = url or self.url
        return self

    def save(self, path: Any) -> None:
        """Write the personas JSON file (for ``dash-personas serve`` or the hooks plugin)."""
        from dash_personas.personas import save_personas

        save_personas(self.personas, path)

    def _repr_html_(self) -> str:
        people = list(self.personas)
        rows = "".join(
            f"<tr><td><span style='display:inline-block;width:10px;height:10px;"
            f"border-radius:50%;background:{escape(p.colour)}'></span> {escape(p.name)}</td>"
            f"<td style='text-align:right'>{p.share:.0%}</td><td>{escape(p.tagline)}</td></tr>"
            for p in people)
        how = (f"k = {len(people)} chosen by select_k: {escape(str(self.selection.rule))}"
               if self.selection is not None else f"k = {len(people)}")
        dropped = ""
        if self.dropped:
            dropped = ("<div style='opacity:.75;font-size:.9em'>Left out: " + ", ".join(
                f"{escape(name)} ({escape(why)})" for name, why in self.dropped.items())
                + "</div>")
        served = (f"<div style='font-size:.9em'>Dashboard: <a href='{escape(self.url)}' "
                  f"target='_blank'>{escape(self.url)}</a></div>" if self.url else "")
        n = len(self.labels) if self.labels is not None else (
            self.personas.n_respondents or sum(p.size for p in people))
        columns = f" and {len(self.features)} columns" if self.features else ""
        return (f"<div class='dash-personas-result'><strong>{len(people)} personas</strong> "
                f"from {n:,} rows{columns} ({how}). <code>.personas</code> shows the "
                f"cards.{served}{dropped}"
                f"<table style='margin-top:4px'><thead><tr><th>Persona</th><th>Share</th>"
                f"<th>Tagline</th></tr></thead><tbody>{rows}</tbody></table></div>")

    def __repr__(self) -> str:
        names = ", ".join(p.name for p in self.personas)
        return f"<NotebookPersonas: {len(self.personas)} personas ({names})>"


def serve_inline(make_app: Any, static_html: Any, what: str, *, mode: str,
                 port: int | None, height: int, server_url: str | None) -> str | None:
    """Serve ``make_app()`` in the notebook, or display ``static_html()`` instead.

    The HTML is shown for ``mode="static"``, outside a Jupyter kernel and when the
    server cannot start (with a note saying why). Returns the URL of the served
    dashboard, or ``None`` when the HTML was shown.
    """
    from IPython.display import HTML, display

    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "static":
        display(HTML(static_html()))
        return None
    from dash import jupyter_dash

    if not jupyter_dash.active:
        display(HTML(static_html() + _note(
            f"Not running in a Jupyter kernel: showing the {what} without a server.")))
        return None
    port = port or _free_port()
    app = make_app()
    try:
        app.run(jupyter_mode=mode, jupyter_height=height, port=port, host="127.0.0.1",
                jupyter_server_url=server_url)
    except Exception as exc:  # the HTML is still worth showing
        display(HTML(static_html() + _note(
            f"The inline dashboard could not start ({exc}); showing the {what} as HTML "
            "instead.")))
        return None
    prefix = app.config.requests_pathname_prefix or "/"
    base = (server_url or f"http://127.0.0.1:{port}").rstrip("/")
    return f"{base}{prefix}"


def _note(text: str) -> str:
    return f"<p style='opacity:.75;font-size:.9em'>{escape(text)}</p>"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def segment_personas(data: Any, k: Any = "auto", *, codebook: Any = None,
                     k_range: Any = DEFAULT_K_RANGE, n_init: int = 3,
                     random_state: int | None = 0) -> NotebookPersonas:
    """Segment ``data`` with k-prototypes and turn the segments into personas.

    Parameters
    ----------
    data : DataFrame
        One row per respondent: numeric scores and categorical answers. Identifiers,
        ``survey-builder`` quality flags, free text, empty and constant columns are left
        out (listed in ``.dropped``).
    k : "auto" or int, default="auto"
        ``"auto"`` chooses among ``k_range`` with :func:`dash_personas.select_k`.
    codebook : mapping or path, optional
        A ``survey-builder`` codebook: readable labels, ASPECTS dimensions, guideline texts.
    k_range : iterable of int
    n_init : int
        Restarts per fit.
    random_state : int or None

    Raises
    ------
    NoUsableColumnsError
        Nothing to segment on (a short message in notebooks, not a traceback).
    """
    from dash_personas.pipeline import fit_segments, make_personas
    from survey_builder import load_codebook

    k = _parse_k(k)
    frame, features, dropped = _check(data, k)
    if isinstance(codebook, str) or hasattr(codebook, "__fspath__"):
        codebook = load_codebook(codebook)
    segmentation = fit_segments(features, k, k_range=k_range,
                                n_init=max(1, min(n_init, 2)) if k == "auto" else n_init,
                                n_bootstrap=4, random_state=random_state)
    model, selection = segmentation.model, segmentation.selection
    personas = make_personas(segmentation, features, scores=frame, codebook=codebook)
    by_segment = {str(p.segment): p.id for p in personas}
    raw = getattr(model, "labels_", None)
    if raw is None or len(raw) != len(frame):
        raw = model.predict(features)
    labels = pd.Series([by_segment.get(str(v)) for v in raw], index=frame.index,
                       name="persona")
    return NotebookPersonas(personas, model, selection, labels, [str(c) for c in features],
                            dropped)


def show_personas(data: Any, k: Any = "auto", *, mode: str = "inline", port: int | None = None,
                  height: int = 900, codebook: Any = None, **kwargs: Any) -> NotebookPersonas:
    """Segment ``data`` (or take ready personas) and show the dashboard in the notebook.

    Parameters
    ----------
    data : DataFrame, PersonaSet or NotebookPersonas
        A DataFrame is segmented first (see :func:`segment_personas`).
    k : "auto" or int
    mode : {"inline", "external", "jupyterlab", "tab", "static"}
    port, height : see :meth:`NotebookPersonas.show`
    codebook : optional
    **kwargs
        More :func:`segment_personas` arguments (``k_range``, ``random_state``...).

    Returns
    -------
    NotebookPersonas
    """
    from dash_personas.personas import PersonaSet

    from ._extension import register_formatters

    register_formatters()
    if isinstance(data, NotebookPersonas):
        result = data
    elif isinstance(data, PersonaSet):
        result = NotebookPersonas(data, None)
    else:
        result = segment_personas(data, k, codebook=codebook, **kwargs)
    return result.show(mode, port=port, height=height)
