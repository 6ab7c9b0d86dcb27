"""CLI commands for the cramp diary: ``log``, ``diary``, ``export`` and ``import``.

They work on the same database as ``crampcheck serve`` (``--database-url`` or
``CRAMPCHECK_DATABASE_URL``; default SQLite in your data folder), as the local person, or as the
account given with ``--email`` on a multi-user database. Heavy imports stay inside the commands.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from crampcheck.storage import Repository

SPARKS = "▁▂▃▄▅▆▇█"

DbOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL [default: SQLite in your data folder]."),
]
EmailOption = Annotated[
    str | None, typer.Option("--email", help="Act for this account (multi-user databases); default: you.")
]


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


def register(app: typer.Typer) -> None:
    """Add the diary commands to ``app``."""
    app.command("log")(log)
    app.command("diary")(diary)
    app.command("export")(export)
    app.command("import")(import_csv)


@contextmanager
def open_diary(database_url: str | None, email: str | None) -> Iterator[tuple[Repository, int]]:
    """The repository and the person to act for (you, or the account ``email``); closed afterwards.

    Shared by every command that reads a diary (``diary``, ``export``, ``report``, ``fhir``).
    """
    from crampcheck.config import default_database_url
    from crampcheck.storage import open_repository

    repo = open_repository(database_url or default_database_url())
    try:
        if email is None:
            yield repo, repo.local_person_id()
            return
        found = repo.account_by_email(email.strip().lower())
        if found is None:
            typer.echo(f"Error: no account with the e-mail address {email}", err=True)
            raise typer.Exit(2)
        yield repo, found[0]
    finally:
        repo.engine.dispose()


def sparkline(values: list[int]) -> str:
    """``[0, 1, 4]`` -> ``'▁▂█'``: one character a week, scaled to the highest week."""
    top = max(values, default=0)
    if top == 0:
        return SPARKS[0] * len(values)
    return "".join(SPARKS[round(v / top * (len(SPARKS) - 1))] for v in values)


def log(
    duration: Annotated[float, typer.Option("--duration", "-d", help="How many minutes it lasted.")],
    location: Annotated[str, typer.Option("--location", "-l", help="calf, foot or thigh.")],
    when: Annotated[
        str | None,
        typer.Option(
            "--when", "-w", help="When it started, ISO 8601 (without an offset: your local time) [now]."
        ),
    ] = None,
    leg: Annotated[str | None, typer.Option("--leg", help="left, right or both.")] = None,
    severity: Annotated[int | None, typer.Option("--severity", "-s", help="0 (none) to 10 (worst).")] = None,
    woke: Annotated[
        bool | None, typer.Option("--woke/--not-woke", help="Whether it woke you from sleep.")
    ] = None,
    exercise: Annotated[str | None, typer.Option("--exercise", help="none, during or after.")] = None,
    helped: Annotated[
        list[str] | None,
        typer.Option("--helped", help="What helped (repeat): stretching, walking, massage, heat, nothing."),
    ] = None,
    note: Annotated[str, typer.Option("--note", help="A note (up to 2,000 characters).")] = "",
    database_url: DbOption = None,
    email: EmailOption = None,
) -> None:
    """Log a cramp: how long and where are needed; the time defaults to now."""
    import datetime as dt

    from crampcheck.diary import EpisodeError, validate_episode

    try:
        started = dt.datetime.fromisoformat(when) if when else dt.datetime.now()
    except ValueError:
        typer.echo("Error: --when must be a date and time such as 2026-01-05T03:10", err=True)
        raise typer.Exit(2) from None
    if started.tzinfo is None:
        started = started.astimezone()
    data = {
        "started_at": started.isoformat(),
        "duration_minutes": duration,
        "location": location,
        "leg": leg,
        "severity": severity,
        "woke_from_sleep": woke,
        "exercise": exercise,
        "helped": helped or [],
        "note": note,
    }
    try:
        ep = validate_episode(data)
    except EpisodeError as exc:
        for key, message in exc.problems.items():
            typer.echo(f"Error: {key} {message}", err=True)
        raise typer.Exit(2) from None
    with open_diary(database_url, email) as (repo, person):
        stored = repo.add_episode(person, ep)
    typer.echo(f"Logged cramp {stored.id}: {stored.started_at:%d %b %Y %H:%M}, {duration:g} min, {location}.")


def diary(
    days: Annotated[int, typer.Option("--days", help="Summary period in days.", min=1, max=3650)] = 28,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many recent cramps to list.", min=1)] = 20,
    weeks: Annotated[int, typer.Option("--weeks", help="Weeks in the sparkline.", min=1, max=520)] = 12,
    database_url: DbOption = None,
    email: EmailOption = None,
) -> None:
    """Show your recent cramps, a weekly sparkline and what the diary means now."""
    import datetime as dt

    from rich.console import Console
    from rich.table import Table

    from crampcheck.diary_summary import summarize

    with open_diary(database_url, email) as (repo, person):
        now = dt.datetime.now(dt.UTC)
        console = Console()
        table = Table(title="Your recent cramps (newest first)")
        for col in ("When", "Minutes", "Where", "Leg", "How bad", "Woke you", "Exercise", "Helped"):
            table.add_column(col)
        for e in repo.list_episodes(person, limit=limit):
            table.add_row(
                f"{e.started_at:%a %d %b %Y %H:%M}",
                f"{e.duration_minutes:g}",
                e.location,
                e.leg or "",
                "" if e.severity is None else f"{e.severity}/10",
                {True: "yes", False: "no", None: ""}[e.woke_from_sleep],
                e.exercise or "",
                ", ".join(e.helped),
            )
        console.print(table)
        since = now - dt.timedelta(weeks=weeks)
        counts = [0] * weeks
        for e in repo.list_episodes(person, since=since, until=now, limit=None):
            counts[min(weeks - 1, (e.started_at - since).days // 7)] += 1
        console.print(
            f"Cramps a week, last {weeks} weeks: {sparkline(counts)}  (most in a week: {max(counts)})"
        )
        eps = repo.episode_facts(person, now - dt.timedelta(days=days), now)
        s = summarize(eps, repo.get_profile(person), days=days, now=now)
        console.print(f"Last {days} days: {s.episodes} cramps, {s.per_week} a week.", markup=False)
        console.print(f"What to do: {s.assessment.disposition_label}", markup=False)
        for reason in s.assessment.reasons:
            console.print(f"  - {reason.text}", markup=False)


def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv (the diary) or json (all my data).")
    ] = (ExportFormat.csv),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write [standard output].")
    ] = None,
    database_url: DbOption = None,
    email: EmailOption = None,
) -> None:
    """Export your diary as CSV, or all your data as JSON."""
    import json

    from crampcheck.diary_io import all_my_data, episodes_to_csv

    with open_diary(database_url, email) as (repo, person):
        eps = repo.list_episodes(person, limit=None, newest_first=False)
        if fmt is ExportFormat.csv:
            text = episodes_to_csv(eps)
        else:
            data = all_my_data(repo.person_email(person), repo.get_profile(person), eps)
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
            typer.echo(f"Wrote {len(eps)} cramps to {output}", err=True)


def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV with a header row (as written by `crampcheck export`).")],
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Import the good rows even if some are bad.")
    ] = False,
    database_url: DbOption = None,
    email: EmailOption = None,
) -> None:
    """Import cramps from CSV. Every row is checked; with any bad row nothing is imported unless
    --skip-bad is given."""
    from crampcheck.diary_io import describe_bad_rows, parse_csv

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"Error: cannot read {file}: {exc}", err=True)
        raise typer.Exit(2) from None
    result = parse_csv(text)
    for line in describe_bad_rows(result.bad):
        typer.echo(f"{file}: {line}", err=True)
    if result.bad and not skip_bad:
        typer.echo(f"Nothing imported: {len(result.bad)} bad row(s). Fix them, or use --skip-bad.", err=True)
        raise typer.Exit(1)
    with open_diary(database_url, email) as (repo, person):
        repo.add_episodes(person, [ep for _, ep in result.good])
        skipped = f", skipped {len(result.bad)} bad row(s)" if result.bad else ""
        typer.echo(f"Imported {len(result.good)} cramp(s){skipped}.")
