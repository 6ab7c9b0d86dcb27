"""Schemathesis, longer than in ``make test``: every operation of ``/openapi.json``, schema-valid
and schema-breaking requests, personal and multi-user mode, a fresh random seed each run.

``CRAMPCHECK_BENCH_FUZZ_EXAMPLES`` (default 150) examples per operation and mode. Aim: no 5xx and
every response matching the schema (``failures`` empty).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzzing import fuzz, fuzz_target  # noqa: E402 - the shared runner lives with the tests

EXAMPLES = int(os.environ.get("CRAMPCHECK_BENCH_FUZZ_EXAMPLES", "150"))


def run() -> dict[str, object]:
    figures: dict[str, object] = {"examples_per_operation_and_mode": EXAMPLES}
    failures: dict[str, str] = {}
    for mode in ("personal", "multi_user"):
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            target = fuzz_target(Path(tmp), multi_user=mode == "multi_user")
            try:
                report = fuzz(target, EXAMPLES, seed=None)
            finally:
                target.app.state.repo.engine.dispose()
        figures[f"{mode}_operations"] = report.operations
        figures[f"{mode}_requests"] = report.examples
        figures[f"{mode}_seconds"] = round(time.perf_counter() - started, 1)
        failures |= {f"{mode}: {op}": why[:400] for op, why in report.failures.items()}
    figures["failed_operations"] = len(failures)
    figures["failures"] = failures
    return figures


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
