"""Serving a dashboard in production: waitress, compression and optional basic auth.

``dash-personas serve`` (and ``demo``) run the app on waitress, a production WSGI server,
with flask-compress answering ``Accept-Encoding: br`` / ``gzip`` (the Plotly bundle
alone is 4.8 MB uncompressed, about 1.4 MB with brotli). A shared deployment can ask
for a user name and password (HTTP basic auth: use it behind HTTPS, since the browser
sends the password with every request):

* ``DASH_PERSONAS_AUTH=user:password`` — one user, from the environment (never from a
  command-line argument, which other users of the machine can read in ``ps``);
* a credentials file of ``user:password`` lines (``#`` comments), where the password may
  be a Werkzeug hash (``werkzeug.security.generate_password_hash``: ``scrypt:...`` or
  ``pbkdf2:...``) so the file holds no clear-text password.

The check is a WSGI middleware in front of every route of the app (the page, its
callbacks, scripts, stylesheets and plugin routes, whatever the path prefix); it never
logs a password. ``dash-auth``'s ``BasicAuth`` was not used: it answers a malformed
``Authorization`` header with HTTP 500 and only protects ``/_dash-update-component``
callbacks at the root prefix.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import signal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey_builder.errors import UserError

__all__ = ["AUTH_ENV", "LOOPBACK", "BasicAuth", "Credentials", "enable_compression",
           "protect", "read_credentials", "serve_app"]

#: Environment variable with the credentials of a shared deployment: ``user:password``.
AUTH_ENV = "DASH_PERSONAS_AUTH"
#: Hosts that only this machine can reach: serving on any other needs auth or ``public``.
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: Werkzeug password-hash methods accepted in a credentials file.
HASH_METHODS = ("scrypt:", "pbkdf2:")
#: What flask-compress may use, best first (every current browser sends ``br``).
ALGORITHMS = ["br", "gzip"]


@dataclass(frozen=True)
class Credentials:
    """Users allowed in, each with a clear-text password or a Werkzeug password hash.

    Parameters
    ----------
    users : mapping of str to str
    source : str
        Where they came from (shown to the user; never the passwords).
    """

    users: Mapping[str, str]
    source: str

    def __repr__(self) -> str:  # never show a password, even in a traceback
        return f"Credentials({len(self.users)} user(s) from {self.source})"

    def check(self, user: str, password: str) -> bool:
        """Whether ``user`` may sign in with ``password`` (constant-time comparison)."""
        secret = self.users.get(user)
        if secret is None:
            return False
        if secret.startswith(HASH_METHODS):
            from werkzeug.security import check_password_hash

            return check_password_hash(secret, password)
        return hmac.compare_digest(secret.encode("utf-8"), password.encode("utf-8"))


def _user_password(text: str, where: str, file: str | None = None,
                   line: int | None = None) -> tuple[str, str]:
    user, sep, password = text.partition(":")
    user = user.strip()
    if not sep or not user or not password:
        raise UserError(f"{where}: expected user:password", file=file, line=line)
    return user, password


def read_credentials(file: str | os.PathLike[str] | None = None,
                     environ: Mapping[str, str] | None = None) -> Credentials | None:
    """The credentials of a shared deployment: from ``file``, else ``DASH_PERSONAS_AUTH``.

    Parameters
    ----------
    file : path, optional
        ``user:password`` lines (blank lines and ``#`` comments skipped); a password may
        be a Werkzeug hash (``scrypt:...``, ``pbkdf2:...``).
    environ : mapping, optional
        Default :data:`os.environ`.

    Returns
    -------
    Credentials or None
        None when neither is given (no authentication).

    Raises
    ------
    UserError
        A missing file, a line or a variable that is not ``user:password``, a user twice.
    """
    if file is not None:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot read the credentials file ({exc.strerror or exc})",
                            file=str(path)) from None
        users: dict[str, str] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            user, password = _user_password(stripped, "credentials", str(path), number)
            if user in users:
                raise UserError(f"user {user!r} appears twice", file=str(path), line=number)
            users[user] = password
        if not users:
            raise UserError("the credentials file has no user:password line", file=str(path))
        return Credentials(users, str(path))
    value = (os.environ if environ is None else environ).get(AUTH_ENV, "")
    if not value.strip():
        return None
    user, password = _user_password(value.strip(), AUTH_ENV)
    return Credentials({user: password}, AUTH_ENV)


class BasicAuth:
    """WSGI middleware: HTTP basic auth in front of every route of ``app``.

    Parameters
    ----------
    app : WSGI callable
    credentials : Credentials
    realm : str
        Shown by the browser's sign-in prompt.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], credentials: Credentials,
                 realm: str = "dash-personas") -> None:
        self.app = app
        self.credentials = credentials
        self.realm = realm.replace('"', "'")

    def _authorized(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, sep, password = decoded.partition(":")
        return bool(sep) and self.credentials.check(user, password)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        if self._authorized(environ.get("HTTP_AUTHORIZATION", "")):
            return self.app(environ, start_response)
        body = b"Sign-in required.\n"
        start_response("401 Unauthorized", [
            ("WWW-Authenticate", f'Basic realm="{self.realm}", charset="UTF-8"'),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ])
        return [body]


def enable_compression(app: Any) -> Any:
    """Compress ``app``'s responses (brotli or gzip, as the browser accepts) and return it.

    Responses are compressed once per request; the fingerprinted Dash bundles are cached
    by the browser for a year, so a visitor pays for them once.
    """
    from flask_compress import Compress

    server = app.server
    if "dash_personas_compress" not in server.extensions:
        server.config.setdefault("COMPRESS_ALGORITHM", ALGORITHMS)
        server.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br"])
        Compress(server)
        server.extensions["dash_personas_compress"] = True
    return app


def protect(app: Any, credentials: Credentials | None) -> Any:
    """Put :class:`BasicAuth` in front of ``app``'s server (nothing without credentials)."""
    if credentials is not None and not isinstance(app.server.wsgi_app, BasicAuth):
        app.server.wsgi_app = BasicAuth(app.server.wsgi_app, credentials)
    return app


def check_exposure(host: str, credentials: Credentials | None, public: bool) -> None:
    """Refuse to serve an unprotected dashboard to other machines unless ``public``.

    Raises
    ------
    UserError
        ``host`` is not a loopback address, there are no credentials and not ``public``.
    """
    if host in LOOPBACK or credentials is not None or public:
        return
    raise UserError(f"--host {host} lets other machines reach the dashboard: ask for a "
                    f"password ({AUTH_ENV}=user:password, or serve's --auth-file FILE), or "
                    "pass --public to serve it to anyone who can reach this machine")


def serve_app(app: Any, host: str, port: int, *, threads: int = 8,
              ready: Callable[[str], None] | None = None) -> None:
    """Serve ``app`` on waitress until SIGINT (Ctrl+C) or SIGTERM, then stop cleanly.

    Parameters
    ----------
    app : dash.Dash
    host, port
        Where to listen.
    threads : int
        Worker threads of waitress.
    ready : callable, optional
        Called with the URL once the socket listens.

    Raises
    ------
    UserError
        The address cannot be used (in use, not this machine's, no permission).
    """
    from waitress import create_server

    try:
        # Flask calls server.wsgi_app: the middleware of protect() comes along
        server = create_server(app.server, host=host, port=port, threads=threads,
                               ident="dash-personas")
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                        "pass another --port") from None

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        if ready is not None:
            shown = f"[{host}]" if ":" in host else host
            ready(f"http://{shown}:{server.effective_port}/")
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()

