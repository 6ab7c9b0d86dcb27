"""App-wide protection: CSRF on every form post, security headers and safe cookies.

:class:`SecurityMiddleware` wraps the whole app (see :func:`crampcheck.web.app.create_app`), so
a feature router gets all of this without doing anything, except putting ``{{ csrf_input() }}``
inside each ``<form method="post">``:

- Every POST/PUT/PATCH/DELETE whose body is a form (``application/x-www-form-urlencoded``,
  ``multipart/form-data`` or ``text/plain``, the three a cross-site page can send without asking)
  must carry the token in the ``csrf_token`` field or the ``X-CSRF-Token`` header, or it gets a
  403 page. JSON bodies are not checked: browsers cannot send them cross-site without CORS,
  which crampcheck does not allow.
- The token is an HMAC of a random value kept in the ``crampcheck_csrf`` cookie (signed double
  submit), so it needs no server-side storage.
- Every response gets a Content-Security-Policy that allows scripts only from this host or
  carrying the per-request nonce (``request.scope["state"]["csp_nonce"]``; templates get it as
  ``cspNonce``), plus ``X-Content-Type-Options``, ``Referrer-Policy`` and
  ``frame-ancestors 'none'``. A response that sets its own CSP keeps it.
- Every ``Set-Cookie`` gets ``HttpOnly``, ``SameSite=Lax`` and, behind HTTPS, ``Secure``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crampcheck.config import Settings
from crampcheck.web.limits import declared_length, limit_for
from crampcheck.web.templating import CSRF_FIELD, render

CSRF_COOKIE = "crampcheck_csrf"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


def content_security_policy(nonce: str) -> str:
    """The policy for crampcheck's own pages: nothing from other hosts, no inline code."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "manifest-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def csrf_token_for(secret: str, cookie_value: str) -> str:
    """The form token matching a CSRF cookie value."""
    return hmac.new(secret.encode(), b"csrf:" + cookie_value.encode(), hashlib.sha256).hexdigest()


def harden_cookie(value: str, https: bool) -> str:
    """Add HttpOnly, SameSite=Lax and (over HTTPS) Secure to a ``Set-Cookie`` value."""
    lower = value.lower()
    if "httponly" not in lower:
        value += "; HttpOnly"
    if "samesite" not in lower:
        value += "; SameSite=Lax"
    if https and "secure" not in lower.replace("samesite", ""):
        value += "; Secure"
    return value


def _cookie(scope: Scope, name: str) -> str | None:
    for key, raw in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(raw.decode("latin-1"))
            except Exception:  # noqa: S112 - a malformed Cookie header is just ignored
                continue
            if name in jar:
                return jar[name].value
    return None


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _submitted_token(scope: Scope, body: bytes, receive: Receive, media_type: str) -> str:
    if media_type == "application/x-www-form-urlencoded":
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FIELD, [""])
        return values[0]
    if media_type == "multipart/form-data":
        request = Request(scope, _replay(body, receive))
        try:
            form = await request.form()
        except Exception:
            return ""
        value = form.get(CSRF_FIELD)
        await form.close()
        return value if isinstance(value, str) else ""
    return ""


class SecurityMiddleware:
    """Pure ASGI middleware: CSRF check, CSP nonce, security headers, cookie flags."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.secret = settings.secret_key
        self.https = settings.https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        nonce = secrets.token_urlsafe(16)
        state["csp_nonce"] = nonce
        cookie_value = _cookie(scope, CSRF_COOKIE)
        new_cookie = None
        if not cookie_value or len(cookie_value) < 32:
            cookie_value = new_cookie = secrets.token_urlsafe(32)
        expected = csrf_token_for(self.secret, cookie_value)
        state["csrf_token"] = expected
        send = self._wrap_send(send, scope, nonce, new_cookie)

        if scope["method"] in UNSAFE_METHODS:
            headers = MutableHeaders(scope=scope)
            media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
            if media_type in FORM_TYPES:
                limit = limit_for(scope["path"])
                declared = declared_length(scope)
                too_large = declared is not None and not 0 <= declared <= limit
                body = None if too_large else await _read_body(receive, limit)
                if body is None:
                    await self._reject(scope, receive, send, 413)
                    return
                submitted = headers.get(CSRF_HEADER) or await _submitted_token(
                    scope, body, receive, media_type
                )
                if new_cookie is not None or not hmac.compare_digest(submitted.encode(), expected.encode()):
                    await self._reject(scope, receive, send, 403)
                    return
                receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _wrap_send(self, send: Send, scope: Scope, nonce: str, new_cookie: str | None) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                self._add_headers(headers, nonce)
                cookies = [v for k, v in headers.raw if k == b"set-cookie"]
                if cookies:
                    del headers["set-cookie"]
                    for raw in cookies:
                        headers.append("set-cookie", harden_cookie(raw.decode("latin-1"), self.https))
                if new_cookie is not None and scope.get("state", {}).get("csrf_used"):
                    secure = "; Secure" if self.https else ""
                    headers.append(
                        "set-cookie", f"{CSRF_COOKIE}={new_cookie}; Path=/; HttpOnly; SameSite=Lax{secure}"
                    )
            await send(message)

        return wrapped

    def _add_headers(self, headers: MutableHeaders, nonce: str) -> None:
        headers.setdefault("content-security-policy", content_security_policy(nonce))
        headers.setdefault("x-content-type-options", "nosniff")
        headers.setdefault("referrer-policy", "no-referrer")
        headers.setdefault("x-frame-options", "DENY")
        headers.setdefault("cross-origin-opener-policy", "same-origin")
        headers.setdefault("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if self.https:
            headers.setdefault("strict-transport-security", "max-age=31536000")

    async def _reject(self, scope: Scope, receive: Receive, send: Send, status: int) -> None:
        request = Request(scope, receive)
        response = render(request, "errors/form_expired.html", {"status": status}, status_code=status)
        await response(scope, receive, send)
