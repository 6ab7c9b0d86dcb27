"""``crampcheck assess``: the assessment in a terminal, interactive or from a JSON file.

Only the core is imported here (guidance, answers, engine, Rich); no web, PDF or database code.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class OutputFormat(StrEnum):
    """``--format`` of the commands that print answers or assessments."""

    json = "json"
    text = "text"


def register(app: typer.Typer) -> None:
    """Add ``assess`` to ``app``."""
    app.command("assess")(assess)


def assess(
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            "-a",
            metavar="FILE|-",
            help="Answers as JSON (contract section 1) from FILE, or '-' for standard input. "
            "Without it, the questions are asked interactively.",
        ),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.text,
) -> None:
    """Assess leg cramps: what to do now, why, possible causes and self-care advice."""
    from crampcheck.answers import AnswersError, parse_answers
    from crampcheck.engine import default_engine

    engine = default_engine()
    if answers is None:
        from crampcheck.cli.interview import interview

        result = interview(engine)
    else:
        try:
            text = sys.stdin.read() if answers == "-" else Path(answers).read_text(encoding="utf-8")
        except OSError as exc:
            typer.echo(f"error: cannot read answers from {answers}: {exc.strerror}", err=True)
            raise typer.Exit(2) from None
        try:
            valid = parse_answers(text, engine.guidance)
        except AnswersError as exc:
            for key, message in exc.problems.items():
                typer.echo(f"error: {key}: {message}", err=True)
            raise typer.Exit(2) from None
        result = engine.assess(valid)
    if output is OutputFormat.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        from rich.console import Console

        from crampcheck.cli.render import render_assessment

        render_assessment(Console(), result, engine.guidance)
