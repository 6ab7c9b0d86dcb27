"""Diary benchmark: a person's summary costs in proportion to their own episodes, not the table.

Figures (SQLite, the default database):

- ``summary_ms_big``: median summary time for people with 50 episodes each, in a table of
  5 million episodes across 100,000 people;
- ``summary_ms_small``: the same for the same kind of person in a table of 5,000 episodes;
- ``ratio`` = big / small (aim: within 2x);
- ``heavy_person_*``: one person with 20,000 episodes (summary over 28 and 365 days, and listing
  all of them).

``CRAMPCHECK_BENCH_SCALE`` (default 1) scales the big table down for a quick run, e.g. 0.05.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from crampcheck.storage import make_engine, migrate
from crampcheck.storage.repository import Repository
from crampcheck.web.diary import person_summary

PER_PERSON = 50
HEAVY = 20_000
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime in SQLite


def _build(path: Path, people: int, per_person: int, heavy: int = 0) -> int:
    """Fill a migrated database with bulk inserts; return the heavy person's id (or 0)."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    rng = random.Random(42)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA journal_mode=OFF")  # build only: the benchmark reads with the normal settings
    created = NOW.replace(tzinfo=None).strftime(FORMAT)
    con.executemany(
        "INSERT INTO people (id, email, password_hash, created_at) VALUES (?, ?, 'x', ?)",
        ((i, f"p{i}@example.org", created) for i in range(1, people + 2)),
    )
    con.execute("DROP INDEX ix_episodes_person_started")  # built once at the end: much faster

    def rows(person: int, n: int, span_days: int) -> list[tuple[object, ...]]:
        out = []
        for _ in range(n):
            start = (NOW - dt.timedelta(seconds=rng.randrange(span_days * 86400))).replace(tzinfo=None)
            out.append(
                (
                    person,
                    start.strftime(FORMAT),
                    0,
                    0.5 + rng.random() * 8,
                    "calf",
                    rng.random() < 0.6,
                    created,
                )
            )
        return out

    sql = (
        "INSERT INTO episodes (person_id, started_at, utc_offset_minutes, duration_minutes, location, "
        "woke_from_sleep, helped, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '', '', ?, ?)"
    )
    batch: list[tuple[object, ...]] = []
    # People in random order, so one person's rows are scattered through the table as in real use.
    order = list(range(1, people + 1))
    rng.shuffle(order)
    for chunk_start in range(0, per_person):
        for person in order:
            batch += [(*r, r[-1]) for r in rows(person, 1, 365)]
        if len(batch) >= 200_000 or chunk_start == per_person - 1:
            con.executemany(sql, batch)
            batch = []
    heavy_id = 0
    if heavy:
        heavy_id = people + 1
        con.executemany(sql, [(*r, r[-1]) for r in rows(heavy_id, heavy, 365)])
    con.execute("CREATE INDEX ix_episodes_person_started ON episodes (person_id, started_at)")
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return heavy_id


def _time(fn: object, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1000


def _summary_ms(repo: Repository, people: int, samples: int = 40) -> float:
    rng = random.Random(7)
    chosen = [rng.randrange(1, people + 1) for _ in range(samples)]
    person_summary(repo, chosen[0], 28)  # warm up (guidance, engine, statement cache)
    times = []
    for pid in chosen:
        t = time.perf_counter()
        person_summary(repo, pid, 28)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def run() -> dict[str, object]:
    scale = float(os.environ.get("CRAMPCHECK_BENCH_SCALE", "1"))
    big_people = max(1000, int(100_000 * scale))
    figures: dict[str, object] = {"scale": scale}
    with tempfile.TemporaryDirectory() as tmp:
        small_path, big_path = Path(tmp) / "small.db", Path(tmp) / "big.db"
        _build(small_path, 5_000 // PER_PERSON, PER_PERSON)
        t = time.perf_counter()
        heavy = _build(big_path, big_people, PER_PERSON, HEAVY)
        figures["build_seconds_big"] = round(time.perf_counter() - t, 1)
        figures["episodes_big"] = big_people * PER_PERSON + HEAVY
        figures["people_big"] = big_people + 1
        figures["episodes_small"] = 5_000
        small = Repository(make_engine(f"sqlite:///{small_path}"))
        big = Repository(make_engine(f"sqlite:///{big_path}"))
        s_ms = _summary_ms(small, 5_000 // PER_PERSON)
        b_ms = _summary_ms(big, big_people)
        figures["summary_ms_small"] = round(s_ms, 2)
        figures["summary_ms_big"] = round(b_ms, 2)
        figures["ratio"] = round(b_ms / s_ms, 2)
        figures["ratio_within_2x"] = b_ms / s_ms <= 2
        figures["heavy_person_summary_28d_ms"] = round(_time(lambda: person_summary(big, heavy, 28), 5), 1)
        figures["heavy_person_summary_365d_ms"] = round(_time(lambda: person_summary(big, heavy, 365), 3), 1)
        figures["heavy_person_list_all_ms"] = round(_time(lambda: big.list_episodes(heavy, limit=None), 3), 1)
        small.engine.dispose()
        big.engine.dispose()
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
