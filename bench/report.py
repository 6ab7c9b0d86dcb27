"""GP report time: a two-year daily diary against a ten-episode diary (aim: within 1.5x).

Each figure is the median of several end-to-end runs of what ``GET /api/v1/report.pdf`` does:
read the person's rows from SQLite, summarise, lay out and write the PDF (WeasyPrint). Both
diaries are measured in the same run, so the ratio does not depend on the machine's speed.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

REPEATS = 7


def _diary(repo: Any, person: int, count: int, every: dt.timedelta, now: dt.datetime) -> None:
    from crampcheck.diary import EpisodeIn

    eps = [
        EpisodeIn.model_validate(
            {
                "started_at": (now - every * i).replace(hour=2 + i % 5, minute=10),
                "duration_minutes": 1 + i % 9,
                "location": ("calf", "foot", "thigh")[i % 3],
                "woke_from_sleep": i % 2 == 0,
                "helped": ["stretching"] if i % 4 else ["walking", "heat"],
            }
        )
        for i in range(1, count + 1)
    ]
    repo.add_episodes(person, eps)


def _once(repo: Any, person: int, now: dt.datetime) -> tuple[float, int]:
    from crampcheck.report import report_for, report_pdf

    started = time.perf_counter()
    pdf = report_pdf(report_for(repo, person, now=now))
    return time.perf_counter() - started, len(pdf)


def run() -> dict[str, Any]:
    from crampcheck.report import report_for, report_pdf
    from crampcheck.storage import open_repository

    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=1))).replace(microsecond=0)
    profile = {"age": 60, "medicines": ["Naproxen 250 mg"], "conditions": ["type_2_diabetes"]}
    with tempfile.TemporaryDirectory() as tmp:
        repo = open_repository(f"sqlite:///{Path(tmp) / 'bench.db'}")
        small = repo.local_person_id()
        large = repo.create_account("bench@example.org", "x")
        _diary(repo, small, 10, dt.timedelta(days=3), now)
        _diary(repo, large, 730, dt.timedelta(days=1), now)
        for person in (small, large):
            repo.set_profile(person, profile)
        for person in (small, large, small, large):  # warm-up: imports, fonts, caches
            report_pdf(report_for(repo, person, now=now))
        # Alternate the two, so a busy moment on the machine hits both alike.
        small_runs, large_runs = [], []
        for _ in range(REPEATS):
            small_runs.append(_once(repo, small, now))
            large_runs.append(_once(repo, large, now))
        small_s, small_bytes = statistics.median(t for t, _ in small_runs), small_runs[-1][1]
        large_s, large_bytes = statistics.median(t for t, _ in large_runs), large_runs[-1][1]
    return {
        "report_10_episodes_ms": round(small_s * 1000, 1),
        "report_2_year_daily_ms": round(large_s * 1000, 1),
        "ratio_2_year_vs_10": round(large_s / small_s, 2),
        "aim_ratio": 1.5,
        "pdf_bytes_10": small_bytes,
        "pdf_bytes_2_year": large_bytes,
        "repeats": REPEATS,
    }


if __name__ == "__main__":
    print(run())
