"""The ``survey-builder`` command line.

Sub-commands live in their own modules and are imported only when invoked (or when
``--help`` lists them), so command modules must import pandas/numpy *inside* their
functions: ``survey-builder --help`` has to start about as fast as click itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from ._version import __version__
from .cli_support import LazyGroup, run_cli

COMMANDS: dict[str, str] = {
    "init": "survey_builder.commands.init:init_command",
    "validate": "survey_builder.commands.validate:validate_command",
    "bank": "survey_builder.commands.bank:bank_command",
    "build": "survey_builder.commands.build:build_command",
    "simulate": "survey_builder.commands.simulate:simulate_command",
    "score": "survey_builder.commands.score:score_command",
    "fieldwork": "survey_builder.commands.fieldwork:fieldwork_command",
}


@click.group(cls=LazyGroup, lazy_subcommands=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="survey-builder")
def cli() -> None:
    """Build ASPECTS psychometric questionnaires, export them, and score the answers.

    \b
    A typical session:
      survey-builder init --template aspects \
          --modules demographics,behaviour,journey,clv --out survey.yaml
      survey-builder validate survey.yaml
      survey-builder build survey.yaml --format all --out build/
      survey-builder simulate survey.yaml -n 2000 --personas 4 --seed 0 --out responses.csv
      survey-builder score survey.yaml responses.csv --out scores.csv
      survey-builder fieldwork survey.yaml responses.csv --out fieldwork.html

    Shell completion (bash): eval "$(_SURVEY_BUILDER_COMPLETE=bash_source survey-builder)"
    """


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    run_cli(cli, "survey-builder", argv)
