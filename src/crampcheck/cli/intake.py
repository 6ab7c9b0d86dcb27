"""CLI: ``crampcheck intake "TEXT"`` reads a description in the person's own words into answers."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from crampcheck.cli.assess import OutputFormat as Format


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("intake")(intake)


def intake(
    text: Annotated[str, typer.Argument(help='What happens, in your own words ("-" reads standard input).')],
    output: Annotated[
        Format, typer.Option("--format", "-f", help="json prints the answers object only.")
    ] = Format.text,
) -> None:
    """Read a free-text description of leg cramps into answers you can check.

    Example: crampcheck intake "My left calf cramps most nights, no swelling" --format json
    """
    import sys

    from crampcheck.guidance import load_guidance
    from crampcheck.intake import parse

    if text == "-":
        text = sys.stdin.read()
    result = parse(text)
    if output is Format.json:
        typer.echo(json.dumps(result.answers, ensure_ascii=False))
        return
    guidance = load_guidance()
    if not result.answers:
        typer.echo("Nothing was understood that answers a question. Try `crampcheck assess`.")
    if result.about_someone_else:
        typer.echo("Read as a description of someone else; their answers are shown.")
    for key, value in result.answers.items():
        words = "; ".join(f'"{e.text}"' for e in result.evidence.get(key, []))
        typer.echo(f"{guidance.question_map[key].text}\n  {_show(value)}   (from {words})")
    for key, values in result.denied.items():
        typer.echo(f"Said not to apply ({key}): {', '.join(values)}")
    typer.echo("Check these answers: this reading is not a diagnosis and may have missed things.")


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
