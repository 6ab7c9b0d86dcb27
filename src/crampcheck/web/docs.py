"""API documentation at ``/docs``, rendered from the OpenAPI schema into an NHS.UK-style page.

FastAPI's own Swagger UI loads from a CDN; crampcheck's pages must work offline and under a
strict Content-Security-Policy, so the reference is plain HTML instead.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crampcheck.web.templating import render

router = APIRouter(include_in_schema=False)

METHODS = ("get", "post", "put", "patch", "delete")


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation in an OpenAPI schema, in path order."""
    out: list[dict[str, Any]] = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "responses": sorted(op.get("responses", {})),
                    "tags": op.get("tags", []),
                }
            )
    return out


@router.get("/docs")
def api_docs(request: Request) -> HTMLResponse:
    """A readable reference of every endpoint, with a link to the OpenAPI JSON."""
    schema = request.app.openapi()
    return render(request, "docs.html", {"operations": operations(schema), "info": schema.get("info", {})})
