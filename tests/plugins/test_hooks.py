"""The Dash hooks plugin without a browser: registration, opt-in, routes and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import dash
import dash_personas_hooks
import pytest
from dash import html
from dash._utils import to_json
from dash_personas_hooks._page import IDS, page_content
from hostapp import make_app, plain_layout_json

HOSTAPP = Path(__file__).with_name("hostapp.py")


def _run_host(env: dict[str, str], prefix: str = "/") -> dict:
    """Run the plain host app in a fresh Python process (nothing imported beforehand)."""
    import os

    clean = {k: v for k, v in os.environ.items() if not k.startswith("DASH_PERSONAS_")}
    result = subprocess.run([sys.executable, str(HOSTAPP), prefix], env={**clean, **env},
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _ids(component) -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "to_plotly_json"):
            return
        if getattr(node, "id", None) is not None:
            found.append(node.id)
        walk(getattr(node, "children", None))

    walk(component)
    return found


def test_registered_through_the_dash_hooks_entry_point():
    points = [ep for ep in metadata.entry_points(group="dash_hooks")
              if ep.value.startswith("dash_personas_hooks")]
    assert [ep.value for ep in points] == ["dash_personas_hooks._hooks"]
    dist = metadata.distribution("dash-personas-hooks")
    assert dist.metadata["Name"] == "dash-personas-hooks"
    # the plugin is its own distribution: the main package does not ship it
    import tomllib
    from setuptools import find_namespace_packages

    root = Path(__file__).resolve().parents[2]
    find = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"]["find"]
    packages = find_namespace_packages(str(root), include=find["include"],
                                       exclude=find.get("exclude", ()))
    assert "dash_personas" in packages
    assert not [p for p in packages if "hooks" in p or "jupyter" in p or "plugins" in p]


def test_env_opt_in_for_a_host_that_never_imports_the_plugin(personas_case):
    served = _run_host({"DASH_PERSONAS_PERSONAS": str(personas_case.personas_file),
                        "DASH_PERSONAS_DATA": str(personas_case.scores_file)})
    assert served["plugin_imported"]  # loaded by Dash from the entry point
    root = served["layout"]
    assert root["props"]["className"] == "dash-personas-hooks-root"
    children = root["props"]["children"]
    host = next(c for c in children if c["props"].get("id") == IDS.host)
    assert json.loads(plain_layout_json()) == host["props"]["children"]
    assert served["summary_status"] == 200
    assert served["summary_type"] == "application/json"
    summary = served["summary"]
    assert summary["format"] == "dash-personas-summary"
    assert summary["page"] == "/personas"
    assert [p["name"] for p in summary["personas"]] == [p.name for p in personas_case.personas]
    assert sum(p["size"] for p in summary["personas"]) == len(personas_case.scores)
    assert served["page_status"] == 200
    # host callback + the plugin's page callbacks and the gallery's linked selection
    outputs = " ".join(d["output"] for d in served["dependencies"])
    assert "host-output.children" in outputs
    assert IDS.page in outputs


def test_without_opt_in_the_host_is_unchanged():
    served = _run_host({})
    assert served["plugin_imported"]  # installed and loaded, but inert
    assert served["layout"] == json.loads(plain_layout_json())
    assert [d["output"] for d in served["dependencies"]] == ["host-output.children"]
    assert served["summary_status"] == 200  # Dash's catch-all index page, not the plugin
    assert served["summary_type"].startswith("text/html")
    assert not [r for r in served["rules"] if "_dash-personas" in r]


def test_env_opt_in_under_a_path_prefix(personas_case):
    served = _run_host({"DASH_PERSONAS_PERSONAS": str(personas_case.personas_file)}, "/app/")
    assert served["summary_status"] == 200
    assert served["summary"]["page"] == "/app/personas"
    assert "/app/_dash-personas/summary" in served["rules"]
    button = served["layout"]["props"]["children"][-1]["props"]["children"]
    assert button["props"]["href"] == "/app/personas"


def test_invalid_personas_file_from_env_does_not_break_the_host(bad_personas_file):
    served = _run_host({"DASH_PERSONAS_PERSONAS": str(bad_personas_file)})
    assert served["summary_status"] == 500
    assert "not valid JSON" in served["summary"]["error"]
    assert served["page_status"] == 200
    outputs = [d["output"] for d in served["dependencies"]]
    assert "host-output.children" in outputs


def test_enable_on_one_app_leaves_the_other_apps_alone(personas_case):
    enabled = dash_personas_hooks.enable(make_app(name="enabled"), personas_case.personas)
    other = make_app(name="other")
    assert dash_personas_hooks.is_enabled(enabled)
    assert not dash_personas_hooks.is_enabled(other)
    assert to_json(other.get_layout()) == plain_layout_json()
    assert len(other._callback_list) == 1
    assert len(enabled._callback_list) > 1
    wrapped = enabled.get_layout()
    ids = _ids(wrapped)
    for expected in (IDS.location, IDS.host, IDS.page, IDS.button, "host-button"):
        assert expected in ids
    client = enabled.server.test_client()
    body = client.get("/_dash-personas/summary").get_json()
    assert [p["id"] for p in body["personas"]] == [p.id for p in personas_case.personas]
    assert other.server.test_client().get("/_dash-personas/summary").content_type.startswith(
        "text/html")


def test_layout_function_hosts_are_wrapped_on_every_request(personas_case):
    app = dash.Dash("function-layout")
    calls = []

    def layout():
        calls.append(1)
        return html.Div(f"call {len(calls)}", id="dynamic")

    app.layout = layout
    dash_personas_hooks.enable(app, personas_case.personas)
    client = app.server.test_client()
    first = client.get("/_dash-layout").get_json()
    second = client.get("/_dash-layout").get_json()
    host = next(c for c in first["props"]["children"] if c["props"].get("id") == IDS.host)
    assert host["props"]["children"]["props"]["id"] == "dynamic"
    assert first != second  # the host's function still runs per request


def test_missing_personas_file_shows_a_message(tmp_path, caplog):
    missing = tmp_path / "nope.json"
    app = dash_personas_hooks.enable(make_app(name="missing"), personas=missing)
    assert "no such personas file" in caplog.text
    body, status = dash_personas_hooks.summary(app)
    assert status == 500 and "no such personas file" in body["error"]
    page = page_content(app, dash_personas_hooks.config_of(app))
    text = json.dumps(page.to_plotly_json(), default=lambda o: o.to_plotly_json())
    assert "The personas cannot be shown" in text
    assert "no such personas file" in text
    assert '"type": "Alert"' in text and '"color": "danger"' in text


def test_personas_file_is_reread_when_it_changes(personas_case, tmp_path):
    from dash_personas.personas import save_personas

    path = tmp_path / "personas.json"
    path.write_text("not json", encoding="utf-8")
    app = dash_personas_hooks.enable(make_app(name="reread"), personas=path)
    assert dash_personas_hooks.summary(app)[1] == 500
    save_personas(personas_case.personas, path)
    body, status = dash_personas_hooks.summary(app)
    assert status == 200 and len(body["personas"]) == len(personas_case.personas)


def test_bad_data_file_keeps_the_stored_sizes_with_a_warning(personas_case, tmp_path):
    bad = tmp_path / "other.csv"
    bad.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    app = dash_personas_hooks.enable(make_app(name="bad-data"), personas_case.personas_file,
                                     data=bad)
    body, status = dash_personas_hooks.summary(app)
    assert status == 200
    assert [p["size"] for p in body["personas"]] == [p.size for p in personas_case.personas]
    assert "none of the columns" in body["warnings"][0]


def test_enable_needs_personas_and_a_valid_configuration(monkeypatch):
    with pytest.raises(TypeError, match="DASH_PERSONAS_PERSONAS"):
        dash_personas_hooks.enable(make_app(name="nothing"))
    with pytest.raises(ValueError, match="unknown Bootstrap theme"):
        dash_personas_hooks.enable(make_app(name="theme"), "p.json", theme="no-such-theme")
    with pytest.raises(ValueError, match="page name"):
        dash_personas_hooks.enable(make_app(name="path"), "p.json", path="_dash-layout")


def test_enable_after_the_first_request_is_a_clear_error(personas_case):
    app = make_app(name="late")
    assert app.server.test_client().get("/").status_code == 200
    with pytest.raises(RuntimeError, match="before the app serves its first request"):
        dash_personas_hooks.enable(app, personas_case.personas)


def test_host_bootstrap_theme_is_respected(personas_case):
    from dash_personas.components import bootstrap_stylesheet

    themed = make_app(name="themed")
    themed.config.external_stylesheets = [bootstrap_stylesheet(themed, "darkly")]
    dash_personas_hooks.enable(themed, personas_case.personas)
    plain = dash_personas_hooks.enable(make_app(name="unthemed"), personas_case.personas)

    def config_store(app):
        layout = app.get_layout()
        return next(c for c in layout.children if getattr(c, "id", None) == IDS.config).data

    def sheets(app):
        return [link["href"] for link in config_store(app)["links"]]

    # the host's own Bootstrap is used; the components' contrast rules come on the page
    assert sheets(themed) == ["/_dash-personas/dash-personas.css"]
    assert dash_personas_hooks._plugin.host_color_mode(themed) == "dark"
    assert sheets(plain) == ["/_dash-personas/css/bootstrap.css",
                             "/_dash-personas/dash-personas.css"]
    assert dash_personas_hooks._plugin.host_color_mode(plain) == "light"
    assert themed.config.external_stylesheets == [bootstrap_stylesheet(themed, "darkly")]
    assert plain.config.external_stylesheets == []  # nothing forced on the host


def test_page_renders_every_persona_as_text(personas_case):
    evil = "<img src=x onerror=alert(1)>"
    people = personas_case.personas
    people = people.model_copy(update={"personas": [
        people[0].model_copy(update={"name": evil}), *people.personas[1:]]})
    app = dash_personas_hooks.enable(make_app(name="page"), people)
    page = page_content(app, dash_personas_hooks.config_of(app))
    ids = _ids(page)
    cards = [i for i in ids if isinstance(i, dict) and i.get("subcomponent") == "card"]
    assert len(cards) == len(people)
    graphs = [i for i in ids if isinstance(i, dict) and i.get("subcomponent") == "graph"]
    assert {g["aio_id"] for g in graphs} >= {"dots", "sizes", "heatmap"}

    def texts(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, (list, tuple)):
            for child in node:
                yield from texts(child)
        elif hasattr(node, "children"):
            yield from texts(node.children)

    assert evil in list(texts(page))  # a text child, never dangerouslySetInnerHTML
    assert "dangerously_allow_html" not in json.dumps(
        page.to_plotly_json(), default=lambda o: o.to_plotly_json() if hasattr(
            o, "to_plotly_json") else str(o))


def test_data_file_is_read_with_the_codebook_beside_it(personas_case, tmp_path):
    from survey_builder import build_codebook, sidecar_path, write_scores
    from survey_builder.compose import compose_survey
    from survey_builder.spec import survey_from_dict

    codebook = build_codebook(survey_from_dict(compose_survey(
        "aspects", ["demographics", "behaviour", "journey", "clv"], languages=["en"])))
    path = tmp_path / "scores.csv"
    write_scores(personas_case.scores, codebook, path)
    app = dash_personas_hooks.enable(make_app(name="with-codebook"),
                                     personas_case.personas_file, data=path)
    body, status = dash_personas_hooks.summary(app)
    assert status == 200 and body["warnings"] == []
    assert sum(p["size"] for p in body["personas"]) == len(personas_case.scores)
    sidecar_path(path).write_text("{", encoding="utf-8")  # a broken codebook is named
    body, status = dash_personas_hooks.summary(app)
    assert status == 200 and "scores.codebook.json" in body["warnings"][0]


def test_plugin_imports_no_private_module_of_another_package():
    import re

    source = Path(dash_personas_hooks.__file__).parent
    private = re.compile(r"^\s*(?:from|import)\s+(?:dash_personas|survey_builder)\S*\._\w+",
                         re.MULTILINE)
    offenders = [p.name for p in source.glob("*.py") if private.search(p.read_text())]
    assert offenders == []
