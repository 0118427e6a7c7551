"""A plain Dash host app that knows nothing about personas (never imports the plugin).

Used by the plugin tests, in the test process (``make_app``) and as a script in a fresh
process (``python hostapp.py [prefix]`` prints what the app serves as JSON).
"""

from __future__ import annotations

import json
import sys

import dash
from dash import Input, Output, html


def make_app(prefix: str = "/", stylesheets: list | None = None, name: str = "hostapp"):
    app = dash.Dash(name, requests_pathname_prefix=prefix, routes_pathname_prefix=prefix,
                    external_stylesheets=stylesheets or [], serve_locally=True)
    app.layout = html.Div([
        html.H1("Sales dashboard", id="host-title"),
        html.Button("Count", id="host-button", n_clicks=0),
        html.Span("clicked 0 times", id="host-output"),
    ], id="host-root")

    @app.callback(Output("host-output", "children"), Input("host-button", "n_clicks"))
    def _count(n_clicks):
        return f"clicked {n_clicks} times"

    return app


def plain_layout_json() -> str:
    """The JSON of the host layout as the host defines it (no hooks applied)."""
    from dash._utils import to_json

    return to_json(make_app(name="reference").layout)


if __name__ == "__main__":
    prefix = sys.argv[1] if len(sys.argv) > 1 else "/"
    app = make_app(prefix)
    client = app.server.test_client()
    layout = client.get(f"{prefix}_dash-layout")
    summary = client.get(f"{prefix}_dash-personas/summary")
    page = client.get(f"{prefix}personas")
    print(json.dumps({
        "plugin_imported": "dash_personas_hooks" in sys.modules,
        "layout": layout.get_json(),
        "dependencies": client.get(f"{prefix}_dash-dependencies").get_json(),
        "summary_status": summary.status_code,
        "summary_type": summary.content_type,
        "summary": summary.get_json(silent=True),
        "page_status": page.status_code,
        "rules": sorted(r.rule for r in app.server.url_map.iter_rules()),
    }))
