"""The state of one person's assessment in the browser: answers and "I don't know" keys.

It lives in a cookie that is encrypted and signed (Fernet: AES plus HMAC-SHA256, keyed from the
app's secret), so answers about someone's health never appear in URLs, logs or the server's
storage, and cannot be read or altered on the way.

Another feature can start a flow with answers it already has (for example from free text)::

    from crampcheck.web.flow import load_state, store_state

    state = load_state(request)          # the current flow, or an empty one
    state.clear()
    for key, value in answers.items():   # answers already checked with validate_answers
        state.answer(key, value)
    response = RedirectResponse("/check/next", status_code=303)
    store_state(response, state)
    return response

``/check/next`` sends the person to the next question the engine wants, or to check your
answers (or to the result at once when it is an emergency).
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from starlette.requests import Request
from starlette.responses import Response

from crampcheck.answers import AnswersError, validate_answers
from crampcheck.config import Settings

COOKIE = "crampcheck_flow"
MAX_AGE = 12 * 60 * 60
"""Seconds a flow stays readable; after that the person starts again."""
MAX_COOKIE_BYTES = 3800
"""Browsers keep at most about 4 KB per cookie (name, value and attributes together)."""

_configured: dict[str, str] = {}


class StateTooLarge(ValueError):
    """The answers do not fit in a cookie (only long medicine lists can get there)."""


def configure(settings: Settings) -> None:
    """Key the cookie with ``settings`` (called by ``create_app``)."""
    _configured["secret"] = settings.secret_key
    _configured["https"] = "1" if settings.https else ""


def _fernet(secret: str) -> Fernet:
    key = hashlib.sha256(b"crampcheck flow cookie:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _secret() -> str:
    if "secret" not in _configured:
        configure(Settings.from_env())
    return _configured["secret"]


@dataclass
class FlowState:
    """Answers given so far, keys answered "I don't know", and the order they were given in."""

    answers: dict[str, Any] = field(default_factory=dict)
    declined: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)

    def answer(self, key: str, value: Any) -> None:
        """Record an answer (it replaces an earlier answer or "I don't know")."""
        self.answers[key] = value
        self._touch(key)

    def decline(self, key: str) -> None:
        """Record "I don't know" for ``key``."""
        self.answers.pop(key, None)
        self._touch(key)

    def _touch(self, key: str) -> None:
        self.declined = [k for k in self.declined if k != key]
        if key not in self.answers:
            self.declined.append(key)
        if key not in self.order:
            self.order.append(key)

    def clear(self) -> None:
        """Forget everything (a new assessment)."""
        self.answers.clear()
        self.declined.clear()
        self.order.clear()

    @property
    def empty(self) -> bool:
        """Nothing answered yet."""
        return not self.order

    def previous(self, key: str) -> str | None:
        """The key asked before ``key`` (for the back link), or None for the first question."""
        if key in self.order:
            i = self.order.index(key)
            return self.order[i - 1] if i > 0 else None
        return self.order[-1] if self.order else None

    def to_json(self) -> bytes:
        """Compact JSON for the cookie."""
        data = {"a": self.answers, "d": self.declined, "o": self.order}
        return json.dumps(data, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> FlowState:
        """Parse and re-validate (a cookie from an older guidance version may no longer fit)."""
        data = json.loads(raw)
        answers = validate_answers(data.get("a", {}))
        declined = [str(k) for k in data.get("d", []) if isinstance(k, str) and k not in answers]
        order = [k for k in data.get("o", []) if isinstance(k, str) and (k in answers or k in declined)]
        return cls(answers=answers, declined=declined, order=order)


def encode_state(state: FlowState, secret: str | None = None) -> str:
    """The cookie value for ``state``; raises :class:`StateTooLarge`."""
    token = _fernet(secret or _secret()).encrypt(zlib.compress(state.to_json(), 9)).decode("ascii")
    if len(token) + len(COOKIE) + 80 > MAX_COOKIE_BYTES:
        raise StateTooLarge("the answers are too long to keep")
    return token


def decode_state(token: str, secret: str | None = None) -> FlowState:
    """The state in a cookie value; an empty state when it is missing, expired or altered."""
    try:
        raw = _fernet(secret or _secret()).decrypt(token.encode("ascii"), ttl=MAX_AGE)
        return FlowState.from_json(zlib.decompress(raw))
    except (InvalidToken, AnswersError, ValueError, TypeError, AttributeError, zlib.error):
        return FlowState()


def load_state(request: Request) -> FlowState:
    """The flow of the person making ``request`` (empty if none)."""
    token = request.cookies.get(COOKIE)
    return decode_state(token) if token else FlowState()


def store_state(response: Response, state: FlowState) -> None:
    """Save ``state`` in ``response``'s cookie; raises :class:`StateTooLarge` if it cannot fit."""
    if state.empty:
        clear_state(response)
        return
    response.set_cookie(
        COOKIE,
        encode_state(state),
        max_age=MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=bool(_configured.get("https")),
    )


def clear_state(response: Response) -> None:
    """Remove the flow cookie."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
