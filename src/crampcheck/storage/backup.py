"""Backup and restore of a SQLite database with SQLite's online backup API.

The backup is a consistent copy even while servers are writing (WAL and all): it is what
``crampcheck backup`` does. PostgreSQL has its own tools (``pg_dump``/``pg_restore``, see
docs/deploy.md).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

SQLITE_PREFIX = "sqlite:///"


class BackupError(ValueError):
    """A backup or restore that cannot be done; the message says why."""


def sqlite_path(database_url: str) -> Path:
    """The file of a ``sqlite:///`` URL."""
    if not database_url.startswith(SQLITE_PREFIX) or database_url in (SQLITE_PREFIX, "sqlite:///:memory:"):
        raise BackupError(
            "only a SQLite database file can be backed up this way; "
            "for PostgreSQL use pg_dump and pg_restore (see docs/deploy.md)"
        )
    return Path(database_url.removeprefix(SQLITE_PREFIX))


def _check(conn: sqlite3.Connection, what: str) -> None:
    if conn.execute("PRAGMA integrity_check").fetchone() != ("ok",):
        raise BackupError(f"{what} is damaged (PRAGMA integrity_check failed)")
    found = conn.execute("SELECT name FROM sqlite_master WHERE name = 'alembic_version'").fetchone()
    if found is None:
        raise BackupError(f"{what} is not a crampcheck database")


def backup(database_url: str, dest: Path) -> None:
    """Copy the live database to ``dest`` (a new file), then check the copy."""
    src = sqlite_path(database_url)
    if not src.exists():
        raise BackupError(f"there is no database at {src}")
    if dest.exists():
        raise BackupError(f"{dest} exists already; choose a new file name")
    with closing(sqlite3.connect(src)) as live, closing(sqlite3.connect(dest)) as copy:
        live.backup(copy)
        _check(copy, "the backup")


def restore(source: Path, database_url: str) -> None:
    """Replace the database's contents with the backup in ``source`` (stop the servers first)."""
    if not source.exists():
        raise BackupError(f"there is no backup at {source}")
    target = sqlite_path(database_url)
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as saved:
        _check(saved, "the backup")
        with closing(sqlite3.connect(target)) as live:
            saved.backup(live)
