"""Free-text intake: precision and recall per answer key, negation errors, speed.

Scores the labelled narratives (tests/data/narratives.yaml, tuned against) and the held-out ones
(tests/data/narratives_heldout.yaml) separately; times the pipeline's first load and the average
milliseconds per narrative once loaded.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def _cases(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["narratives"]
    return cases


def run() -> dict[str, object]:
    started = time.perf_counter()
    from crampcheck.intake import parse, warm_up
    from crampcheck.intake.evaluate import evaluate

    warm_up()
    load_seconds = time.perf_counter() - started
    figures: dict[str, object] = {"load_seconds": round(load_seconds, 2)}
    for label, name in (("labelled", "narratives.yaml"), ("held_out", "narratives_heldout.yaml")):
        report = evaluate(_cases(name))
        figures[f"{label}_narratives"] = report.cases
        figures[f"{label}_precision"] = round(report.precision, 3)
        figures[f"{label}_recall"] = round(report.recall, 3)
        figures[f"{label}_negation_errors"] = len(report.negation_errors)
        figures[f"{label}_per_key"] = {
            key: {"precision": round(s.precision, 2), "recall": round(s.recall, 2), "expected": s.expected}
            for key, s in sorted(report.per_key.items())
        }
    texts = [c["text"] for c in _cases("narratives.yaml") + _cases("narratives_heldout.yaml")]
    rounds = []
    for _ in range(5):
        t0 = time.perf_counter()
        for text in texts:
            parse(text)
        rounds.append((time.perf_counter() - t0) * 1000 / len(texts))
    figures["ms_per_narrative_median"] = round(statistics.median(rounds), 2)
    figures["ms_per_narrative_best"] = round(min(rounds), 2)
    figures["chars_per_narrative_mean"] = round(statistics.mean(len(t) for t in texts))
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
