"""One app-wide limit on request bodies: anything larger is refused with 413 before it is read.

:class:`BodyLimitMiddleware` checks ``Content-Length`` first and then counts the bytes actually
received (a chunked upload has no length), so no route can be made to buffer an oversized body.
Routes may still apply tighter limits of their own (an episode is at most 64 KB).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1024 * 1024
"""The default: well above any answers, episode, FHIR resource or CDS request."""

LARGER_BODIES = {
    # CSV imports (at most 5 MB of text), plus room for a multipart form's framing.
    "/api/v1/episodes/import": 6 * 1024 * 1024,
    "/diary/import": 6 * 1024 * 1024,
}


def limit_for(path: str) -> int:
    """The largest body accepted on ``path``, in bytes."""
    return LARGER_BODIES.get(path, MAX_BODY_BYTES)


def declared_length(scope: Scope) -> int | None:
    """The request's ``Content-Length`` (-1 when it is not a number), or None without one."""
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a streamed body passes the limit (the app answers 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=f"The request body is too large (at most {limit // 1024} KB)")


class BodyLimitMiddleware:
    """Pure ASGI middleware enforcing :func:`limit_for` on every request with a body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = declared_length(scope)
        if declared is not None and not 0 <= declared <= limit:
            await too_large(limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await too_large(limit)(scope, receive, send)


def too_large(limit: int) -> JSONResponse:
    """The 413 answer; the connection is closed so the rest of the body is never read."""
    return JSONResponse(
        {"detail": BodyTooLarge(limit).detail}, status_code=413, headers={"Connection": "close"}
    )
