"""The ``dash-personas`` command line.

Sub-commands are imported lazily so ``dash-personas --help`` starts fast.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from survey_builder import __version__
from survey_builder.cli_support import LazyGroup, run_cli

COMMANDS: dict[str, str] = {
    "segment": "dash_personas.commands.segment:segment_command",
    "typing-tool": "dash_personas.commands.typing_tool:typing_tool_command",
    "assign": "dash_personas.commands.typing_tool:assign_command",
    "demo": "dash_personas.commands.demo:demo_command",
    "personas": "dash_personas.commands.personas:personas_command",
    "serve": "dash_personas.commands.serve:serve_command",
    "track": "dash_personas.commands.track:track_group",
    "export": "dash_personas.commands.export:export_command",
}


@click.group(cls=LazyGroup, lazy_subcommands=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dash-personas")
def cli() -> None:
    """Segment survey respondents and turn the segments into personas.

    \b
    Example:
      dash-personas segment scores.csv --k auto --out model.json --labels labels.csv

    Shell completion (bash): eval "$(_DASH_PERSONAS_COMPLETE=bash_source dash-personas)"
    """


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    run_cli(cli, "dash-personas", argv)
