"""Measure the intake against labelled narratives: precision and recall per answer key, and
negation errors (a value the text says does not apply, reported as present).

A fact is one list item or one scalar answer. Numbers match within a tolerance; medicines match
when one written name contains the other (case ignored).

>>> case = {"id": "A", "text": "My left calf cramps. No swelling.",
...         "expect": {"which_leg": "left", "cramp_location": ["calf"]},
...         "absent": {"leg_symptoms": ["swelling"]}}
>>> report = evaluate([case])
>>> report.precision, report.recall, report.negation_errors
(1.0, 1.0, [])
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crampcheck.answers import Answers

DEFAULT_TOLERANCE = {
    "age": 0.0,
    "longest_cramp_minutes": 0.5,
    "cramps_per_week": 0.5,
    "weeks_since_first_cramp": 0.5,
    "alcohol_units_per_week": 1.0,
}


@dataclass
class KeyScore:
    true_positive: int = 0
    predicted: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.expected if self.expected else 1.0


@dataclass
class Report:
    per_key: dict[str, KeyScore] = field(default_factory=lambda: defaultdict(KeyScore))
    negation_errors: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    seconds: float = 0.0
    cases: int = 0

    @property
    def precision(self) -> float:
        tp = sum(k.true_positive for k in self.per_key.values())
        predicted = sum(k.predicted for k in self.per_key.values())
        return tp / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        tp = sum(k.true_positive for k in self.per_key.values())
        expected = sum(k.expected for k in self.per_key.values())
        return tp / expected if expected else 1.0


def _facts(answers: Mapping[str, Any]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in answers.items():
        out += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
    return out


def _same(key: str, got: Any, want: Any, tol: Mapping[str, float]) -> bool:
    if key == "medicines":
        g, w = str(got).lower(), str(want).lower()
        return g in w or w in g
    if isinstance(want, bool) or isinstance(got, bool) or isinstance(want, str):
        return bool(got == want)
    return abs(float(got) - float(want)) <= tol.get(key, DEFAULT_TOLERANCE.get(key, 0.05)) + 1e-9


def evaluate(cases: Iterable[Mapping[str, Any]], reader: Callable[[str], Answers] | None = None) -> Report:
    """Run ``reader`` (default: :func:`crampcheck.intake.parse`'s answers) over labelled cases."""
    if reader is None:
        from crampcheck.intake import parse

        def reader(text: str) -> Answers:
            return parse(text).answers

    report = Report()
    for case in cases:
        started = time.perf_counter()
        got = reader(case["text"])
        report.seconds += time.perf_counter() - started
        report.cases += 1
        tol = case.get("tol", {})
        wanted = _facts(case.get("expect", {}))
        found = _facts(got)
        for key, _ in wanted:
            report.per_key[key].expected += 1
        unmatched = list(wanted)
        for key, value in found:
            report.per_key[key].predicted += 1
            hit = next((w for w in unmatched if w[0] == key and _same(key, value, w[1], tol)), None)
            if hit is not None:
                unmatched.remove(hit)
                report.per_key[key].true_positive += 1
            else:
                report.extras.append(f"{case['id']}: {key}={value!r}")
        report.misses += [f"{case['id']}: {k}={v!r}" for k, v in unmatched]
        for key, values in case.get("absent", {}).items():
            have = got.get(key)
            have = have if isinstance(have, list) else [have]
            report.negation_errors += [f"{case['id']}: {key}={v}" for v in values if v in have]
    return report
