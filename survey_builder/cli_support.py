"""Command-line plumbing shared by ``survey-builder`` and ``dash-personas``.

It lives in ``survey_builder`` because data (and dependencies) flow from the survey to
the personas. Only the standard library and click are imported here: both CLIs must
start fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Any

import click

from .errors import UserError

__all__ = ["LazyGroup", "fail", "run_cli"]


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported only when used.

    Parameters
    ----------
    lazy_subcommands : dict
        Maps a command name to ``"module.path:attribute"`` of a click command.
    """

    def __init__(self, *args: Any, lazy_subcommands: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = dict(lazy_subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_subcommands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_subcommands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - programming error
            raise TypeError(f"{target} is not a click command")
        return command


def fail(message: str, exit_code: int = 2) -> None:
    """Print ``Error: message`` on stderr and exit (no traceback)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(exit_code)


def run_cli(
    group: click.Group,
    prog_name: str,
    argv: Sequence[str] | None = None,
) -> None:
    """Run ``group`` turning user mistakes into one line on stderr and exit code 2.

    Parameters
    ----------
    group : click.Group
        The command group.
    prog_name : str
        Program name shown in usage lines.
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    A :class:`~survey_builder.errors.UserError` means "the input is wrong": its message is
    printed as ``Error: ...`` with exit code 2. Any other exception keeps its traceback, so
    a bug is never mistaken for a user mistake.
    """
    try:
        result = group.main(args=list(argv) if argv is not None else None,
                            prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UnicodeDecodeError as exc:
        fail(f"cannot decode input as {exc.encoding} (byte {exc.start}): "
             "save the file as UTF-8 or pass the right --encoding")
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        fail(f"{exc.filename}: {exc.strerror}")
    except UserError as exc:
        fail(str(exc))
    except BrokenPipeError:  # e.g. `survey-builder bank | head`
        sys.exit(0)
    sys.exit(result if isinstance(result, int) else 0)
