"""The Jinja environment for every HTML page, with the NHS.UK frontend macros.

How to use it from a feature router::

    from crampcheck.web.templating import render

    @router.get("/diary")
    def diary_page(request: Request) -> HTMLResponse:
        return render(request, "diary/index.html", {"episodes": episodes})

Templates extend ``layout.html`` and fill ``{% block content %}`` (other blocks: ``pageTitle``
(the text before " – crampcheck"), ``beforeContent`` (back links), ``head``, ``bodyEnd``). The
NHS.UK macros import as ``{% from "nhsuk/components/button/macro.jinja" import button %}`` and
take one dict argument. Globals available in every template:

- ``csrf_input()``: the hidden CSRF field; put it inside every ``<form method="post">``.
- ``static_url(name)``: the content-hashed URL of a file under ``web/static/``.
- ``nav_current``: set it in the context (``"check"``, ``"diary"``, ``"report"``, ``"about"``) to
  mark the current header link.
- ``guidance``: the loaded guidance (wording comes from there, never from templates).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    pass_context,
)
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from crampcheck.guidance import load_guidance
from crampcheck.web.assets import static_url

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
CSRF_FIELD = "csrf_token"
"""Name of the hidden form field (and of the ``X-CSRF-Token`` header's form twin)."""


@pass_context
def csrf_input(context: Context) -> Markup:
    """The hidden input carrying this request's CSRF token."""
    request: Request | None = context.get("request")
    if request is None:
        return Markup("")
    state = request.scope.setdefault("state", {})
    # Tells the middleware to send the CSRF cookie with this response (only pages with forms get it).
    state["csrf_used"] = True
    token = state.get("csrf_token", "")
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)


@cache
def environment() -> Environment:
    """The shared Jinja environment (autoescaped; NHS.UK frontend templates on the path)."""
    env = Environment(
        undefined=ChainableUndefined,
        autoescape=True,
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATE_DIR),
                PackageLoader("nhsuk_frontend_jinja"),
            ]
        ),
    )
    env.globals["csrf_input"] = csrf_input
    env.globals["static_url"] = static_url
    env.globals["guidance"] = load_guidance()
    return env


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` with ``context`` into an HTML response for ``request``.

    The context also gets ``request`` and ``cspNonce`` (for the layout's one inline script).
    """
    state = request.scope.get("state", {})
    ctx = {"request": request, "cspNonce": state.get("csp_nonce", ""), **(context or {})}
    html = environment().get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    # Pages can hold answers about someone's health: never keep them in shared caches.
    response.headers.setdefault("Cache-Control", "no-store")
    return response
