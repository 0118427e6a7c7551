"""``dash-personas serve`` in production: waitress, compression, basic auth, clean stops.

The server tests start the real command in a subprocess on a free port and talk HTTP to
it; the middleware and the credentials parsing are also checked in process.
"""

from __future__ import annotations

import base64
import gzip
import re
import signal

import brotli
import pytest
import requests
from _serving import Served, free_port

from dash_personas.cli import main
from dash_personas.personas import save_personas
from dash_personas.serving import BasicAuth, Credentials, read_credentials
from survey_builder.errors import UserError

USER, PASSWORD = "analyst", "pa:ss word-7f3c"


@pytest.fixture(scope="module")
def personas_file(survey_case, tmp_path_factory):
    path = tmp_path_factory.mktemp("serve") / "personas.json"
    save_personas(survey_case.personas, path)
    return path


def _bundle_urls(index_html: str) -> list[str]:
    return re.findall(r'<script src="([^"]+\.js)"', index_html)


def test_serve_compresses_asks_for_a_password_and_stops_on_sigint(personas_file):
    served = Served(["--personas", str(personas_file), "--port", str(free_port())],
                     {"DASH_PERSONAS_AUTH": f"{USER}:{PASSWORD}"})
    try:
        base = served.url
        denied = requests.get(base, timeout=30)
        assert denied.status_code == 401
        assert denied.headers["WWW-Authenticate"].startswith("Basic ")
        assert requests.get(base, auth=(USER, "wrong"), timeout=30).status_code == 401
        auth = (USER, PASSWORD)
        page = requests.get(base, auth=auth, timeout=30)
        assert page.status_code == 200 and "_dash-config" in page.text
        assert page.headers["Server"] == "dash-personas"  # waitress, not Werkzeug
        # callbacks and the layout are behind the password too
        assert requests.get(f"{base}_dash-layout", timeout=30).status_code == 401
        assert requests.get(f"{base}_dash-layout", auth=auth, timeout=30).status_code == 200

        def fetch(path: str, encoding: str) -> requests.Response:
            return requests.get(base.rstrip("/") + path, auth=auth, stream=True, timeout=60,
                                headers={"Accept-Encoding": encoding})

        bundles = _bundle_urls(page.text)
        renderer = next(u for u in bundles if "dash_renderer" in u)
        plain = fetch(renderer, "identity")
        raw_plain = plain.raw.read()
        assert "Content-Encoding" not in plain.headers
        br = fetch(renderer, "gzip, br")
        assert br.headers["Content-Encoding"] == "br"
        raw_br = br.raw.read()
        assert brotli.decompress(raw_br) == raw_plain
        assert len(raw_br) < 0.4 * len(raw_plain)
        gz = fetch(renderer, "gzip")
        assert gz.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(gz.raw.read()) == raw_plain
    finally:
        code, output = served.stop(signal.SIGINT)
    assert code == 0, output
    assert "Stopped." in output and "Traceback" not in output
    assert PASSWORD not in output  # the password is never printed or logged


def test_serve_public_without_password_stops_on_sigterm(personas_file):
    served = Served(["--personas", str(personas_file), "--port", str(free_port()),
                      "--host", "0.0.0.0", "--public"], {})
    try:
        url = served.url.replace("0.0.0.0", "127.0.0.1")
        assert requests.get(url, timeout=30).status_code == 200
    finally:
        code, output = served.stop(signal.SIGTERM)
    assert code == 0, output
    assert "other machines can reach this dashboard" in output
    assert "Stopped." in output and "Traceback" not in output


def test_serve_refuses_other_machines_without_a_password(personas_file, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--personas", str(personas_file), "--host", "0.0.0.0"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "DASH_PERSONAS_AUTH" in err and "--public" in err and len(err.splitlines()) == 1
    bad = tmp_path / "users.txt"
    bad.write_text("# team\nanalyst\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--personas", str(personas_file), "--auth-file", str(bad)])
    assert exit_info.value.code == 2
    assert f"{bad}:2: credentials: expected user:password" in capsys.readouterr().err


def _status(app, header: str | None) -> int:
    """HTTP status of ``app`` (a WSGI callable) for a GET with ``Authorization: header``."""
    from werkzeug.test import Client

    headers = {"Authorization": header} if header is not None else {}
    return Client(app).get("/", headers=headers).status_code


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_basic_auth_middleware_accepts_only_the_credentials(tmp_path):
    from flask import Flask
    from werkzeug.security import generate_password_hash

    server = Flask(__name__)
    server.add_url_rule("/", "index", lambda: "ok")
    path = tmp_path / "users.txt"
    path.write_text(f"# shared deployment\n{USER}:{PASSWORD}\n\n"
                    f"lead:{generate_password_hash('s3cret', method='pbkdf2:sha256:1000')}\n",
                    encoding="utf-8")
    credentials = read_credentials(path)
    assert PASSWORD not in repr(credentials) and "2 user(s)" in repr(credentials)
    app = BasicAuth(server.wsgi_app, credentials)
    assert _status(app, _basic(USER, PASSWORD)) == 200
    assert _status(app, _basic("lead", "s3cret")) == 200
    accented = BasicAuth(server.wsgi_app, Credentials({"zoë": "mot de passé"}, "test"))
    assert _status(accented, _basic("zoë", "mot de passé")) == 200  # UTF-8, as browsers send
    for header in (None, _basic(USER, "nope"), _basic("lead", "S3cret"), _basic("x", PASSWORD),
                   "Bearer abc", "Basic", "Basic !!!not-base64", "Basic " +
                   base64.b64encode(b"\xff\xfe:x").decode(), "Basic " +
                   base64.b64encode(b"no-colon").decode()):
        assert _status(app, header) == 401, header  # malformed: 401, never a 500


def test_credentials_from_the_environment():
    assert read_credentials(environ={}) is None
    found = read_credentials(environ={"DASH_PERSONAS_AUTH": "team:a:b"})
    assert found.check("team", "a:b") and not found.check("team", "a")
    with pytest.raises(UserError, match="DASH_PERSONAS_AUTH: expected user:password"):
        read_credentials(environ={"DASH_PERSONAS_AUTH": "just-a-password"})
    assert isinstance(Credentials({}, "x").check("a", "b"), bool)
