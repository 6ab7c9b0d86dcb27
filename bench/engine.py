"""Engine speed on one core: assessments a second, with and without validating the answers.

Measured on a fixed mix of vignette-like answers (the shared examples and our own vignettes), so
the figure covers every path: emergencies, medicines, fallbacks.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import yaml

from crampcheck.answers import validate_answers
from crampcheck.engine import assess, default_engine

ROOT = Path(__file__).resolve().parent.parent


def _cases() -> list[dict[str, Any]]:
    cases = yaml.safe_load((ROOT / "tests" / "data" / "vignettes.yaml").read_text())["cases"]
    shared = ROOT.parent / "shared" / "examples" / "vignettes.json"
    if shared.exists():
        cases += json.loads(shared.read_text())["cases"]
    return [c["answers"] for c in cases]


def _rate(fn: Any, items: list[Any], seconds: float = 2.0) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for item in items:
            fn(item)
        done += len(items)
    return done / (time.perf_counter() - started)


def run() -> dict[str, object]:
    engine = default_engine()
    raw = _cases()
    valid = [validate_answers(a) for a in raw]
    for a in valid:  # warm the medicine cache as a long-running server would have it
        engine.assess(a)
    assess_rate = _rate(engine.assess, valid)
    full_rate = _rate(assess, raw)
    questions_rate = _rate(lambda a: engine.next_questions(a), valid[:10], seconds=1.0)
    return {
        "answer_sets": len(raw),
        "assessments_per_second": round(assess_rate),
        "validated_assessments_per_second": round(full_rate),
        "next_questions_per_second": round(questions_rate),
        "aim_assessments_per_second": 20_000,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
