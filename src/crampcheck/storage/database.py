"""Database engines and migrations.

SQLite (the personal default) gets WAL, foreign keys, a busy timeout and ``BEGIN IMMEDIATE`` for
writes, so concurrent writers queue instead of failing with "database is locked". PostgreSQL
connections are checked before use and time out quickly, so while the server is down requests fail
fast (the web app answers 503) and the pool recovers by itself when it returns.

>>> engine = make_engine("sqlite://")
>>> migrate(engine)
>>> engine.dispose()
"""

from __future__ import annotations

import sqlite3
from importlib.resources import files
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import StaticPool

WRITE = "crampcheck_write"
"""Execution option: this connection's transaction will write (SQLite takes the lock up front)."""

BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 3
"""An unreachable PostgreSQL host fails a request after this long rather than hanging it."""
POOL_TIMEOUT_S = 10


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with crampcheck's connection settings."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, **kwargs)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT_S)
    if url.startswith("postgresql+psycopg"):
        kwargs.setdefault("connect_args", {"connect_timeout": CONNECT_TIMEOUT_S})
    # pre_ping: connections broken by a database restart are replaced, not handed to a request.
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    if memory:
        # One shared connection, or each checkout would see a new empty database.
        kwargs.setdefault("poolclass", StaticPool)
    engine = create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Take transaction control from the sqlite3 module so "begin" below decides how to begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before the 201 goes out, even if the machine loses power.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads then writes can fail at once with SQLITE_BUSY (the busy
        # timeout does not apply to lock upgrades); taking the write lock first makes writers wait.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` with the migrations shipped in the package."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("crampcheck") / "migrations"))
    # On SQLite the write lock is taken up front, so processes starting together migrate in turn.
    with engine.connect().execution_options(**{WRITE: True}) as conn:
        if conn.dialect.name == "postgresql":
            # Several server processes may start at once; one migrates, the others wait.
            conn.execute(text("SELECT pg_advisory_lock(4242001)"))
            conn.commit()
        try:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
        finally:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(4242001)"))
                conn.commit()


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
