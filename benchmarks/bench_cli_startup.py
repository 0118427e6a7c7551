"""How long does ``survey-builder --help`` take compared with importing click?

The CLI promises to start about as fast as click itself (target: at most ~2x ``python -c
"import click"``), which only holds if no command module imports pandas/numpy at import time.
This script measures both side by side (several runs each, median wall time), prints the ratio,
and checks in a fresh interpreter that neither pandas nor numpy is in ``sys.modules`` after the
CLI has been imported and ``--help`` resolved (which imports every lazily registered command to
list its one-line help).

Run: ``python benchmarks/bench_cli_startup.py [--repeat 21] [--max-ratio 2.0] [--strict]``.
Without ``--strict`` a ratio above the target is reported but does not fail the run (wall time on
a shared machine is noisy); the import check always fails loudly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

IMPORT_CHECK = """
import sys
from survey_builder.cli import main
try:
    main(["--help"])
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
heavy = [m for m in ("pandas", "numpy", "scipy", "sklearn", "dash", "plotly")
         if m in sys.modules]
assert not heavy, f"survey-builder --help imported {heavy}"
print("ok")
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def cli_command() -> list[str]:
    """The ``survey-builder --help`` command line: the installed console script if it sits next
    to this interpreter, otherwise the same entry point through ``python -c``."""
    script = Path(sys.executable).with_name("survey-builder")
    if script.exists():
        return [str(script), "--help"]
    found = shutil.which("survey-builder")
    if found:
        return [found, "--help"]
    return [sys.executable, "-c", "from survey_builder.cli import main; main()", "--help"]


def time_commands(commands: list[list[str]], repeat: int) -> list[list[float]]:
    """Wall times (seconds) of ``repeat`` runs of each command, after one warm-up run each.

    The commands are run interleaved (a, b, a, b, ...) so that load changes on a shared
    machine affect both alike.
    """
    env = _env()
    for cmd in commands:
        subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repeat):
        for cmd, bucket in zip(commands, times, strict=True):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
            bucket.append(time.perf_counter() - start)
    return times


def check_no_heavy_imports() -> None:
    """Fail if importing the CLI and resolving ``--help`` pulls in pandas/numpy."""
    result = subprocess.run([sys.executable, "-c", IMPORT_CHECK], capture_output=True, text=True,
                            env=_env(), cwd=ROOT)
    if result.returncode != 0 or "ok" not in result.stdout:
        raise SystemExit(f"import check failed:\n{result.stdout}{result.stderr}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="timed runs per command")
    parser.add_argument("--max-ratio", type=float, default=2.0, help="target ratio")
    parser.add_argument("--strict", action="store_true", help="exit 1 if the ratio is above target")
    args = parser.parse_args(argv)

    check_no_heavy_imports()
    print("import check: pandas/numpy not imported by `survey-builder --help`")

    baseline_cmd = [sys.executable, "-c", "import click"]
    cli_cmd = cli_command()
    baseline, cli = time_commands([baseline_cmd, cli_cmd], args.repeat)
    base_med, cli_med = statistics.median(baseline), statistics.median(cli)
    ratio = cli_med / base_med

    width = 34
    print(f"{'command':<{width}} {'median':>9} {'min':>9} {'max':>9}   (n={args.repeat})")
    for label, times in (('python -c "import click"', baseline), ("survey-builder --help", cli)):
        print(f"{label:<{width}} {statistics.median(times) * 1e3:>7.1f}ms "
              f"{min(times) * 1e3:>7.1f}ms {max(times) * 1e3:>7.1f}ms")
    verdict = "OK" if ratio <= args.max_ratio else "ABOVE TARGET"
    print(f"ratio survey-builder/click: {ratio:.2f}x median, {min(cli) / min(baseline):.2f}x "
          f"best-of-{args.repeat} (target <= {args.max_ratio:g}x) {verdict}")
    if args.strict and ratio > args.max_ratio:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
