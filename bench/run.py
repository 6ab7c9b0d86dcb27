"""`make bench`: run every bench/<area>.py module's ``run()`` and write bench/results.json.

Each module returns a dict of figures measured side by side in one run (ratios where the
machine's speed would otherwise decide the number). Usage: ``python bench/run.py [area ...]``.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The one table of headline figures: (figure, area, dotted keys into that area's results, aim).
TABLE = [
    (
        "API: assessments ÷ health, requests/s (32 connections)",
        "api",
        ["assessments_to_health_ratio"],
        "≥ 0.7",
    ),
    (
        "API health: requests/s, p50 ms, p99 ms",
        "api",
        ["health.requests_per_second", "health.p50_ms", "health.p99_ms"],
        "",
    ),
    (
        "API assessments: requests/s, p50 ms, p99 ms",
        "api",
        ["assessments.requests_per_second", "assessments.p50_ms", "assessments.p99_ms"],
        "",
    ),
    ("Engine: assessments/s", "engine", ["assessments_per_second"], "≥ 20000"),
    ("Intake: ms per narrative (median)", "intake", ["ms_per_narrative_median"], ""),
    (
        "Intake, held-out narratives: precision, recall",
        "intake",
        ["held_out_precision", "held_out_recall"],
        "",
    ),
    ("Diary summary: 5 M-episode table ÷ 5 k-episode table", "diary", ["ratio"], "≤ 2"),
    (
        "Diary: one person with 20 k episodes, 365-day summary ms",
        "diary",
        ["heavy_person_summary_365d_ms"],
        "",
    ),
    ("Report: 2-year daily diary ÷ 10 episodes", "report", ["ratio_2_year_vs_10"], "≤ 1.5"),
    ("Page weight, question page (bytes, gzipped, all assets)", "web", ["question_bytes"], "≤ 102400"),
    ("Page weight, start / result page (bytes)", "web", ["start_bytes", "result-non-urgent_bytes"], ""),
    (
        "Lighthouse question page: accessibility, performance",
        "web",
        ["lighthouse_question_accessibility", "lighthouse_question_performance"],
        "",
    ),
    ("Fuzz: operations failing, personal + multi-user", "fuzz", ["failed_operations"], "0"),
    ("Fuzz: requests, personal / multi-user", "fuzz", ["personal_requests", "multi_user_requests"], ""),
]


def _lookup(figures: object, dotted: str) -> object:
    for part in dotted.split("."):
        if not isinstance(figures, dict) or part not in figures:
            return None
        figures = figures[part]
    return figures


def table(results: dict[str, object]) -> list[dict[str, object]]:
    """The headline rows, from whatever areas have results."""
    rows = []
    for figure, area, keys, aim in TABLE:
        values = [_lookup(results.get(area), key) for key in keys]
        shown = " / ".join("–" if v is None else str(v) for v in values)
        rows.append({"figure": figure, "area": area, "value": shown, "aim": aim})
    return rows


def markdown(rows: list[dict[str, object]]) -> str:
    lines = ["| figure | value | aim |", "|---|---|---|"]
    lines += [f"| {r['figure']} | {r['value']} | {r['aim']} |" for r in rows]
    return "\n".join(lines)


def _machine() -> dict[str, object]:
    import os

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "system": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def main(argv: list[str]) -> int:
    wanted = set(argv)
    results: dict[str, object] = {"machine": _machine()}
    for path in sorted(HERE.glob("*.py")):
        if path.name == "run.py" or (wanted and path.stem not in wanted):
            continue
        spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}", flush=True)
        started = time.perf_counter()
        figures = module.run()
        figures["bench_seconds"] = round(time.perf_counter() - started, 1)
        for key, value in figures.items():
            print(f"  {key}: {value}")
        results[path.stem] = figures
    out = HERE / "results.json"
    previous = json.loads(out.read_text()) if out.exists() and wanted else {}
    merged = {**previous, **results}
    merged["table"] = table(merged)
    print(markdown(merged["table"]))  # type: ignore[arg-type]
    out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
