"""``crampcheck report --pdf FILE [--from DATE --to DATE]``: the GP visit report as a PDF.

It reads the same database as ``crampcheck serve`` (``--database-url`` or
``CRAMPCHECK_DATABASE_URL``), as the local person or as the account given with ``--email``.
WeasyPrint is imported only when the command runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from crampcheck.cli.diary import DbOption, EmailOption


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to ``app``."""
    app.command("report")(report)


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"Error: {name} must be a date like 2026-01-05, not {value!r}", err=True)
        raise typer.Exit(2) from None


def report(
    pdf: Annotated[Path, typer.Option("--pdf", help="Write the PDF here ('-' for standard output).")],
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD [12 weeks before --to].")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD [today].")] = None,
    database_url: DbOption = None,
    email: EmailOption = None,
) -> None:
    """Write the GP visit report (A4, at most two pages) from your diary and your last check."""
    import sys

    from crampcheck.cli.diary import open_diary
    from crampcheck.report import period, report_for, report_pdf

    start, end = _date(date_from, "--from"), _date(date_to, "--to")
    try:
        if start or end:
            period(end or dt.date.today(), start, end)
    except ValueError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None
    with open_diary(database_url, email) as (repo, person):
        report = report_for(repo, person, date_from=start, date_to=end)
    data = report_pdf(report)
    if str(pdf) == "-":
        sys.stdout.buffer.write(data)
        return
    pdf.write_bytes(data)
    typer.echo(f"Wrote {pdf} ({len(data) // 1024 + 1} KB).")
