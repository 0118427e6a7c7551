"""A tracking study in the notebook: its tracking view inline, or a summary without a server."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from html import escape
from typing import Any

__all__ = ["NotebookStudy", "show_study", "study_html"]


def study_html(view: Any) -> str:
    """A self-contained, escaped HTML summary of a study: shares per wave, then alerts.

    Parameters
    ----------
    view : StudyView
        :func:`dash_personas.tracking_view.study_view` of the study.
    """
    waves = view.waves
    names: list[str] = []
    for wave in waves:
        for segment in wave.summary["segments"]:
            if segment["persona"] not in names:
                names.append(segment["persona"])
    head = "".join(f"<th style='text-align:right'>{escape(w.label)}</th>" for w in waves)
    rows = []
    for name in names:
        cells = []
        for wave in waves:
            share = next((s for s in wave.summary["segments"] if s["persona"] == name), None)
            cells.append("<td style='text-align:right'>—</td>" if share is None else
                         f"<td style='text-align:right' title='95 % CI "
                         f"{share['ci_low']:.1%} – {share['ci_high']:.1%}'>"
                         f"{share['share']:.1%}</td>")
        colour = escape(view.colours.get(name, "#999999"))
        rows.append(f"<tr><td><span style='display:inline-block;width:10px;height:10px;"
                    f"border-radius:50%;background:{colour}'></span> {escape(name)}</td>"
                    f"{''.join(cells)}</tr>")
    alerts = "".join(f"<li><strong>{escape(a['wave'])}</strong> {escape(a['kind'])}: "
                     f"{escape(a['detail'])}</li>" for a in view.alerts)
    alerts_html = (f"<ul class='dash-personas-alerts'>{alerts}</ul>" if alerts
                   else "<p>No alerts in any wave.</p>")
    return (f"<div class='dash-personas-study'><strong>Tracking study</strong> "
            f"{escape(view.location)}: {len(waves)} waves. Shares of respondents per wave "
            f"(hover: 95 % interval)."
            f"<table style='margin-top:4px'><thead><tr><th>Persona</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{alerts_html}</div>")


@dataclass
class NotebookStudy:
    """A tracking study opened in a notebook.

    Attributes
    ----------
    view : StudyView
        What the tracking view shows (waves, alerts, personas, colours).
    url : str or None
        Where the inline dashboard is served (after :meth:`show`).
    """

    view: Any
    url: str | None = None
    _app: Any = field(default=None, repr=False)

    def app(self, **dash_kwargs: Any) -> Any:
        """The study dashboard (:func:`dash_personas.app.create_study_app`)."""
        if self._app is None or dash_kwargs:
            from dash_personas.app import create_study_app

            dash_kwargs.setdefault("name", f"dash_personas_jupyter_{uuid.uuid4().hex[:8]}")
            self._app = create_study_app(self.view, **dash_kwargs)
        return self._app

    def show(self, mode: str = "inline", *, port: int | None = None, height: int = 1200,
             server_url: str | None = None) -> NotebookStudy:
        """Serve the tracking view in the notebook (``mode="static"``: the HTML summary).

        Parameters are those of :meth:`NotebookPersonas.show`.
        """
        from ._core import serve_inline

        url = serve_inline(self.app, lambda: study_html(self.view), "study", mode=mode,
                           port=port, height=height, server_url=server_url)
        self.url = url or self.url
        return self

    def _repr_html_(self) -> str:
        served = (f"<div style='font-size:.9em'>Dashboard: <a href='{escape(self.url)}' "
                  f"target='_blank'>{escape(self.url)}</a></div>" if self.url else "")
        return study_html(self.view) + served

    def __repr__(self) -> str:
        return f"<NotebookStudy: {self.view.location}, {len(self.view.waves)} waves>"


def show_study(study: Any, *, mode: str = "inline", port: int | None = None,
               height: int = 1200, server_url: str | None = None) -> NotebookStudy:
    """Show a tracking study's dashboard in the notebook, tracking view first.

    The same view as ``dash-personas serve --study``: wave selector, each persona's share
    per wave with its interval, the cards' trends, drift and alerts, and the migration of
    the panel between any two waves.

    Parameters
    ----------
    study : Study, path or str
        An open :class:`dash_personas.tracking.Study`, a SQLite path or a SQLAlchemy URL.
    mode, port, height, server_url
        As for :meth:`NotebookPersonas.show` (``"static"``: an HTML summary, no server).

    Returns
    -------
    NotebookStudy

    Raises
    ------
    UserError
        Not a study, no such file, unreachable server (a short message in notebooks).
    """
    from dash_personas.tracking_view import study_view

    return NotebookStudy(study_view(study)).show(mode, port=port, height=height,
                                                 server_url=server_url)
