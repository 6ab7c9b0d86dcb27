"""``crampcheck guidance check`` and ``crampcheck guidance show``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``guidance`` command group to ``app``."""
    group = typer.Typer(help="Check or read the guidance the assessment is built from.", no_args_is_help=True)
    group.command("check")(check)
    group.command("show")(show)
    app.add_typer(group, name="guidance")


def check() -> None:
    """Validate every guidance file; print each problem and exit 1 if there are any."""
    from crampcheck.guidance import read_guidance
    from crampcheck.guidance.codes import read_codes

    guidance, problems = read_guidance()
    codes, code_problems = read_codes()
    problems += code_problems
    for problem in problems:
        typer.echo(f"problem: {problem}", err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in the guidance.", err=True)
        raise typer.Exit(1)
    assert guidance is not None and codes is not None  # noqa: S101 - no problems means both loaded
    g = guidance
    counts = (
        f"{len(g.questions)} questions, {len(g.rules)} rules, {len(g.causes)} causes, "
        f"{len(g.medicines)} medicines, {len(g.advice)} advice items, {len(g.source_list)} sources"
    )
    typer.echo(f"guidance {g.version}: {counts}, and the clinical code lists: no problems.")


def show() -> None:
    """Print the whole guidance as a readable document."""
    from rich.console import Console
    from rich.markdown import Markdown

    from crampcheck.guidance import load_guidance
    from crampcheck.guidance.document import guidance_markdown

    Console().print(Markdown(guidance_markdown(load_guidance())))
