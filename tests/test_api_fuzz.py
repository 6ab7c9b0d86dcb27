"""Schemathesis against ``/openapi.json``: every operation, personal and multi-user mode.

In-process (ASGI) on a fresh SQLite database, a bounded number of examples per operation and
mode (``CRAMPCHECK_FUZZ_EXAMPLES``, 25 by default; ``make bench`` runs more through
bench/fuzz.py): no 5xx, and every response's status, content type, headers and body match the
schema.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fuzzing import fuzz, fuzz_target

EXAMPLES = int(os.environ.get("CRAMPCHECK_FUZZ_EXAMPLES", "25"))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["personal", "multi-user"])
def test_every_operation_keeps_its_schema(mode: str, tmp_path: Path) -> None:
    target = fuzz_target(tmp_path, multi_user=mode == "multi-user")
    try:
        report = fuzz(target, EXAMPLES)
    finally:
        target.app.state.repo.engine.dispose()
    print(f"\nfuzz {mode}: {report.operations} operations, {report.examples} requests")
    assert report.operations >= 15
    failed = "\n\n".join(f"== {op}\n{why}" for op, why in report.failures.items())
    assert not report.failures, f"{len(report.failures)} operations failed:\n{failed}"
