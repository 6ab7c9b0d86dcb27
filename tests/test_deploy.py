"""The backup and restore procedures of docs/deploy.md, carried out as written there.

- SQLite: ``crampcheck backup`` while a server is writing, more writes, the server stopped,
  ``crampcheck restore``: the data of the backup is back, later writes are gone, the file is sound.
- PostgreSQL: ``pg_dump --format=custom`` of a live database, ``pg_restore`` into a new empty
  database: every row is back and the app runs on it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from fixtures_db import PostgresServer
from fixtures_server import start_server, stop_server

DOC = Path(__file__).resolve().parents[1] / "docs" / "deploy.md"


def crampcheck(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", "from crampcheck.cli import main; main()", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def episode(note: str) -> dict[str, object]:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    return {"started_at": start.isoformat(), "duration_minutes": 4, "location": "calf", "note": note}


def test_the_guide_documents_what_is_tested() -> None:
    text = DOC.read_text(encoding="utf-8")
    for needle in (
        "CRAMPCHECK_DATABASE_URL",
        "CRAMPCHECK_SECRET_KEY",
        "CRAMPCHECK_MULTI_USER",
        "CRAMPCHECK_HTTPS",
        "CRAMPCHECK_FORWARDED_ALLOW_IPS",
        "upstream crampcheck",
        "/api/v1/health",
        "crampcheck backup",
        "crampcheck restore",
        "pg_dump --format=custom",
        "pg_restore --no-owner",
    ):
        assert needle in text, needle


@pytest.mark.slow
def test_sqlite_backup_while_running_then_restore(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    url = f"sqlite:///{db}"
    base, proc = start_server(tmp_path, ("--database-url", url))
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for i in range(20):
                assert client.post("/api/v1/episodes", json=episode(f"before-{i}")).status_code == 201
            backup = tmp_path / "backup.db"
            done = crampcheck("backup", str(backup), "--database-url", url)
            assert done.returncode == 0, done.stderr
            assert crampcheck("backup", str(backup), "--database-url", url).returncode == 2  # no overwrite
            assert client.post("/api/v1/episodes", json=episode("after")).status_code == 201
    finally:
        stop_server(proc)
    restored = crampcheck("restore", str(backup), "--database-url", url)
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        notes = {n for (n,) in conn.execute("SELECT note FROM episodes")}
    conn.close()
    assert notes == {f"before-{i}" for i in range(20)}
    not_a_backup = tmp_path / "x.db"
    not_a_backup.write_bytes(b"")
    refused = crampcheck("restore", str(not_a_backup), "--database-url", url)
    assert refused.returncode == 2 and "not a crampcheck database" in refused.stderr


def test_backup_of_postgresql_points_to_pg_dump() -> None:
    done = crampcheck("backup", "x.db", "--database-url", "postgresql+psycopg://h/db")
    assert done.returncode == 2 and "pg_dump" in done.stderr


@pytest.mark.slow
@pytest.mark.postgres
def test_postgresql_dump_and_restore(
    postgres_server: PostgresServer | None, postgres_url: str, tmp_path: Path
) -> None:
    assert postgres_server is not None
    from sqlalchemy import text

    from crampcheck.diary import validate_episode
    from crampcheck.storage import open_repository

    repo = open_repository(postgres_url)
    me = repo.local_person_id()
    for i in range(25):
        repo.add_episode(me, validate_episode(episode(f"kept-{i}")))
    repo.engine.dispose()
    libpq = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    dump = tmp_path / "crampcheck.dump"
    pg = postgres_server.bin
    subprocess.run(
        [pg / "pg_dump", "--format=custom", f"--file={dump}", libpq],
        check=True,
        capture_output=True,
        timeout=120,
    )
    fresh = postgres_server.new_database()
    subprocess.run(
        [
            pg / "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={fresh.replace('+psycopg', '')}",
            dump,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    base, proc = start_server(tmp_path, ("--database-url", fresh))  # the app runs on the restored copy
    try:
        stored = httpx.get(f"{base}/api/v1/episodes?limit=1000", timeout=30).json()["episodes"]
    finally:
        stop_server(proc)
    assert sorted(e["note"] for e in stored) == sorted(f"kept-{i}" for i in range(25))
    restored = open_repository(fresh)
    with restored.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM people")).scalar() == 1
    restored.engine.dispose()
