"""Database fixtures: ``database_url`` runs a test on SQLite and on a throw-away PostgreSQL.

PostgreSQL comes from Debian's binaries (``/usr/lib/postgresql/<v>/bin``): one server per test
session, initdb into a temporary folder on a free port, a fresh database per test. PostgreSQL
refuses to run as root, so as root the server runs as the ``postgres`` user (``runuser``).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import require

if TYPE_CHECKING:
    from crampcheck.storage import Repository

PG_ROOT = Path("/usr/lib/postgresql")


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder, if any."""
    found = sorted(PG_ROOT.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name), reverse=True)
    return found[0].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A PostgreSQL server in a temporary folder; ``url(db)`` gives a SQLAlchemy URL."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="crampcheck-pg-"))
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self._counter = itertools.count(1)

    def start(self) -> None:
        data = self.dir / "data"
        subprocess.run(
            [
                *self.prefix,
                str(self.bin / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        self.resume()

    def resume(self) -> None:
        """Start the server on its existing data folder and port; return once it accepts connections."""
        self.proc = subprocess.Popen(
            [
                *self.prefix,
                str(self.bin / "postgres"),
                "-D",
                str(self.dir / "data"),
                "-p",
                str(self.port),
                "-k",
                str(self.dir),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=200",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import psycopg

        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.dsn("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.05)

    def _pg_ctl_stop(self, mode: str, *, check: bool) -> None:
        subprocess.run(
            [*self.prefix, str(self.bin / "pg_ctl"), "stop", "-D", str(self.dir / "data"), "-m", mode, "-w"],
            capture_output=True,
            timeout=60,
            check=check,
        )

    def pause(self) -> None:
        """Stop the server as an operator would (``pg_ctl stop -m fast``), keeping its data."""
        self._pg_ctl_stop("fast", check=True)
        if self.proc is not None:
            self.proc.wait(timeout=30)

    def dsn(self, db: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={db}"

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def new_database(self) -> str:
        """A fresh empty database; returns its URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._counter)}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            # "immediate": a throw-away server needs no shutdown checkpoint, and clients may linger.
            self._pg_ctl_stop("immediate", check=False)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    """The session's PostgreSQL (None when the binaries are missing; tests then skip or fail)."""
    bin_dir = pg_bin()
    if bin_dir is None:
        yield None
        return
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the test's own, which it may stop and restart."""
    bin_dir = pg_bin()
    require("POSTGRES", bin_dir is not None, f"no PostgreSQL binaries under {PG_ROOT}")
    assert bin_dir is not None
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer | None) -> str:
    """A fresh PostgreSQL database for one test."""
    require("POSTGRES", postgres_server is not None, f"no PostgreSQL binaries under {PG_ROOT}")
    assert postgres_server is not None
    return postgres_server.new_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'crampcheck.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database URL: the test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crampcheck.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def repo(database_url: str) -> Iterator[Repository]:
    """A migrated :class:`crampcheck.storage.Repository` on ``database_url``."""
    from crampcheck.storage import open_repository

    repository = open_repository(database_url)
    yield repository
    repository.engine.dispose()
