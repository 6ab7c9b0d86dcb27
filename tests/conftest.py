"""Shared fixtures. Each area keeps its own fixtures in ``tests/fixtures_<area>.py``; they are
loaded here as plugins so every test module sees them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest_plugins = sorted(p.stem for p in Path(__file__).parent.glob("fixtures_*.py"))


def require(kind: str, available: bool, why: str) -> None:
    """Skip loudly when a test's tool is missing, or fail when CI requires it.

    ``kind`` is ``BROWSER`` or ``POSTGRES``: with ``CRAMPCHECK_REQUIRE_<kind>=1`` a missing tool
    is a failure, never a skip.
    """
    if available:
        return
    if os.environ.get(f"CRAMPCHECK_REQUIRE_{kind}") == "1":
        pytest.fail(f"CRAMPCHECK_REQUIRE_{kind}=1 but {why}", pytrace=False)
    notice = f"\n*** SKIPPING a {kind.lower()} test: {why} ***\n"
    sys.stderr.write(notice)
    pytest.skip(notice.strip())


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user's data folder from a test."""
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path_factory.mktemp("data")))
