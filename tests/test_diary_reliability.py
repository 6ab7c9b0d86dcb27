"""Reliability of diary writes against a real server process, on SQLite and PostgreSQL.

- An acknowledged write (201) is never lost: the server is killed with SIGKILL in the middle of
  concurrent writes, restarted, and every acknowledged episode must be there; on SQLite the file
  passes ``PRAGMA integrity_check`` straight after the kill and after the restart.
- 16 concurrent writers for 10 seconds: every write succeeds (no "database is locked").
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

from fixtures_server import start_server, stop_server

pytestmark = pytest.mark.slow


def _episode(n: int, note: str) -> dict[str, object]:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=n % 10_000)
    return {"started_at": start.isoformat(), "duration_minutes": 1 + n % 30, "location": "calf", "note": note}


def _writers(base: str, count: int, stop: threading.Event) -> tuple[list[tuple[int, str]], list[str]]:
    """Run ``count`` writer threads until ``stop``; return acknowledged (id, note) and errors."""
    acked: list[tuple[int, str]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            n = 0
            while not stop.is_set():
                note = f"w{w}-{n}"
                try:
                    r = client.post("/api/v1/episodes", json=_episode(n, note))
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(f"{type(exc).__name__}")
                    if stop.is_set():
                        return
                    continue
                with lock:
                    if r.status_code == 201:
                        acked.append((r.json()["id"], note))
                    else:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                n += 1

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(count)]
    for t in threads:
        t.start()
    _writers.threads = threads  # type: ignore[attr-defined]
    return acked, errors


def _join() -> None:
    for t in _writers.threads:  # type: ignore[attr-defined]
        t.join(timeout=60)


def test_acknowledged_writes_survive_sigkill(database_url: str, tmp_path: Path) -> None:
    base, proc = start_server(tmp_path, ("--database-url", database_url))
    stop = threading.Event()
    try:
        acked, _ = _writers(base, 8, stop)
        deadline = time.monotonic() + 20
        while len(acked) < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)  # mid-write: requests are in flight right now
        proc.wait(timeout=10)
        stop.set()
        _join()
    finally:
        stop.set()
        stop_server(proc)
    assert len(acked) >= 150, "the writers hardly wrote anything before the kill"
    assert_sqlite_intact(database_url)
    restart = tmp_path / "restart"
    restart.mkdir()
    again, proc2 = start_server(restart, ("--database-url", database_url))
    try:
        stored = httpx.get(f"{again}/api/v1/episodes?limit=100000", timeout=30).json()["episodes"]
    finally:
        stop_server(proc2)
    by_id = {e["id"]: e["note"] for e in stored}
    lost = [(i, note) for i, note in acked if by_id.get(i) != note]
    assert lost == [], f"{len(lost)} acknowledged episodes lost after SIGKILL, e.g. {lost[:5]}"
    assert_sqlite_intact(database_url)


def assert_sqlite_intact(database_url: str) -> None:
    """``PRAGMA integrity_check`` is ok (on SQLite; PostgreSQL checks itself on recovery)."""
    if not database_url.startswith("sqlite:///"):
        return
    conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def test_sixteen_concurrent_writers_for_ten_seconds(database_url: str, tmp_path: Path) -> None:
    base, proc = start_server(tmp_path, ("--database-url", database_url))
    stop = threading.Event()
    try:
        acked, errors = _writers(base, 16, stop)
        time.sleep(10)
        stop.set()
        _join()
        total = httpx.get(f"{base}/api/v1/diary/summary?days=30", timeout=30).json()["episodes"]
    finally:
        stop.set()
        stop_server(proc)
    if database_url.startswith("postgresql"):  # the server really wrote to PostgreSQL
        assert not (tmp_path / "t.db").exists()
    assert errors == [], f"{len(errors)} failed writes, e.g. {errors[:3]}"
    assert len(acked) > 100
    assert total == len(acked)
