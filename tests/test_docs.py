"""The docstring examples of the core modules run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

CORE = [
    "crampcheck.answers",
    "crampcheck.contract",
    "crampcheck.config",
    "crampcheck.engine",
    "crampcheck.medicines",
    "crampcheck.guidance",
    "crampcheck.guidance.condition",
    "crampcheck.guidance.document",
    "crampcheck.guidance.guidance",
    "crampcheck.guidance.loader",
    "crampcheck.guidance.model",
    "crampcheck.cli.interview",
    "crampcheck.cli.render",
]


@pytest.mark.parametrize("name", CORE)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
