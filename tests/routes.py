"""Every route of the app, for tests that must cover all of them (a new route is covered at once).

FastAPI keeps included routers as nested branches; :func:`all_routes` flattens them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

SAMPLE_PARAMS = {"episode_id": "1", "token_id": "1", "key": "age", "patient_id": "me", "path": "x.css"}


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    in_schema: bool

    def url(self, **params: str) -> str:
        """The path with its parameters filled in (``SAMPLE_PARAMS`` unless given)."""
        values = {**SAMPLE_PARAMS, **params}
        return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _flatten(routes: Iterable[Any]) -> Iterator[RouteInfo]:
    for route in routes:
        if hasattr(route, "effective_candidates"):  # an included router
            yield from _flatten(route.effective_candidates())
            continue
        original = getattr(route, "original_route", route)
        for method in sorted(getattr(original, "methods", None) or ()):
            if method != "HEAD":
                yield RouteInfo(method, route.path, bool(getattr(route, "include_in_schema", True)))


def all_routes(app: FastAPI) -> list[RouteInfo]:
    """Every (method, path) the app answers, HEAD aside."""
    return list(_flatten(app.routes))
