"""``dash-personas serve`` in a subprocess, for the tests that start the real server."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """``dash-personas serve ARGS`` (the production server) running until :meth:`stop`;
    ``url`` is the address it prints. A free ``--port`` is added unless ARGS name one;
    the environment is the test's without its ``DASH_PERSONAS_*`` variables, plus ``env``."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None,
                 timeout: float = 120) -> None:
        if "--port" not in args:
            args = [*args, "--port", str(free_port())]
        clean = {k: v for k, v in os.environ.items() if not k.startswith("DASH_PERSONAS_")}
        code = "import sys; from dash_personas.cli import main; sys.exit(main(sys.argv[1:]))"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "serve", *args], env={**clean, **(env or {})},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            found = re.search(r"running at (http://\S+)", line)
            if found:
                self.url = found.group(1)
                return
        self.process.kill()
        raise AssertionError("serve did not start:\n" + "".join(self.lines))

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str]:
        """Send ``signum`` (Ctrl+C by default); return the exit code and all it printed."""
        self.process.send_signal(signum)
        try:
            out, _ = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return self.process.returncode, "".join(self.lines) + (out or "")
