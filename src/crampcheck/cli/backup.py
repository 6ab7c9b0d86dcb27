"""CLI commands: ``crampcheck backup FILE`` and ``crampcheck restore FILE`` (SQLite)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""

    @app.command()
    def backup(
        dest: Annotated[Path, typer.Argument(help="The new backup file.")],
        database_url: str = typer.Option(
            None, "--database-url", help="Database URL (default: SQLite in your data folder)."
        ),
    ) -> None:
        """Copy the SQLite database to FILE, safely even while crampcheck is running."""
        from crampcheck.config import default_database_url
        from crampcheck.storage import backup as backups

        try:
            backups.backup(database_url or default_database_url(), dest)
        except backups.BackupError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"Backed up to {dest}")

    @app.command()
    def restore(
        source: Annotated[Path, typer.Argument(help="A file made by `crampcheck backup`.")],
        database_url: str = typer.Option(
            None, "--database-url", help="Database URL (default: SQLite in your data folder)."
        ),
    ) -> None:
        """Replace the SQLite database with a backup. Stop crampcheck first."""
        from crampcheck.config import default_database_url
        from crampcheck.storage import backup as backups

        try:
            backups.restore(source, database_url or default_database_url())
        except backups.BackupError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"Restored from {source}")
