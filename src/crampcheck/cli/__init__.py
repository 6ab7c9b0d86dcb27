"""The ``crampcheck`` command: a thin shell over the core.

Each command lives in its own module with a ``register(app)`` function. Modules import heavy
dependencies (web, database, PDF, NLP) inside the command functions, so that
``crampcheck assess --answers`` loads none of them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from crampcheck import __version__
from crampcheck.cli import assess, backup, diary, guidance, intake, interop, report, serve

app = typer.Typer(
    name="crampcheck",
    help="Leg-cramp guidance: assessment, diary, GP report. Not a diagnosis; in an emergency call 999.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"crampcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """crampcheck: leg-cramp guidance you can use at 3 a.m. It gives no diagnosis."""


for module in (assess, guidance, serve, diary, report, intake, interop, backup):
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
