"""Multi-user accounts: e-mail and argon2 password, rate-limited sign-in, sessions, API tokens.

Only hashes of session and API tokens are stored (SHA-256: the tokens are long and random, so a
slow hash adds nothing); a stolen database gives no working token.

>>> from crampcheck.storage import open_repository
>>> repo = open_repository("sqlite://")
>>> pid = register(repo, "Sam@Example.org", "a long enough password")
>>> authenticate(repo, "sam@example.org", "a long enough password", ip="127.0.0.1") == pid
True
>>> token = new_api_token(repo, pid, "laptop")
>>> person_for_bearer(repo, token) == pid
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from crampcheck.storage import AlreadyExists, Repository

SESSION_DAYS = 14
PASSWORD_MIN = 10
PASSWORD_MAX = 1000
LOGIN_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 30
API_TOKEN_PREFIX = "cct_"  # noqa: S105 - a marker, not a secret
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()
# Verified when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


class AccountError(ValueError):
    """Bad registration or sign-in input; ``problems`` maps each field to a message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {m}" for k, m in problems.items()))


@dataclass
class TooManyAttempts(Exception):
    """Sign-in refused for now; try again after ``retry_after`` seconds."""

    retry_after: int


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_new_account(email: str, password: str) -> dict[str, str]:
    """Problems with a new e-mail and password ({} when fine)."""
    problems: dict[str, str] = {}
    if not _EMAIL.match(normalise_email(email)) or len(email) > 320:
        problems["email"] = "Enter an e-mail address in the right format, like name@example.com"
    if len(password) < PASSWORD_MIN:
        problems["password"] = f"Enter a password of at least {PASSWORD_MIN} characters"
    elif len(password) > PASSWORD_MAX:
        problems["password"] = f"Enter a password of at most {PASSWORD_MAX} characters"
    return problems


def register(repo: Repository, email: str, password: str) -> int:
    """Create an account; raises :class:`AccountError` for bad input or a taken address."""
    problems = check_new_account(email, password)
    if problems:
        raise AccountError(problems)
    try:
        return repo.create_account(normalise_email(email), _hasher.hash(password))
    except AlreadyExists:
        raise AccountError({"email": "An account with this e-mail address already exists"}) from None


def authenticate(repo: Repository, email: str, password: str, *, ip: str) -> int | None:
    """The person for a correct e-mail and password, else None.

    Raises :class:`TooManyAttempts` after too many recent failures for the address or the IP.
    """
    email = normalise_email(email)
    since = dt.datetime.now(dt.UTC) - LOGIN_WINDOW
    keys = (f"email:{email}", f"ip:{ip}")
    if (
        repo.login_failures_since(keys[0], since) >= MAX_FAILURES_PER_EMAIL
        or repo.login_failures_since(keys[1], since) >= MAX_FAILURES_PER_IP
    ):
        raise TooManyAttempts(int(LOGIN_WINDOW.total_seconds()))
    found = repo.account_by_email(email)
    stored = found[1] if found else _DUMMY_HASH
    try:
        ok = _hasher.verify(stored, password) and found is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok or found is None:
        for key in keys:
            repo.note_login_failure(key)
        return None
    repo.clear_login_failures(keys[0])
    if _hasher.check_needs_rehash(stored):
        repo.set_password_hash(found[0], _hasher.hash(password))
    return found[0]


def new_session(repo: Repository, person_id: int) -> str:
    """A new session token (for the cookie)."""
    token = secrets.token_urlsafe(32)
    repo.add_session(person_id, token_hash(token), dt.datetime.now(dt.UTC) + dt.timedelta(days=SESSION_DAYS))
    return token


def session_person(repo: Repository, token: str) -> int | None:
    return repo.session_person(token_hash(token)) if token else None


def end_session(repo: Repository, token: str) -> None:
    repo.delete_session(token_hash(token))


def new_api_token(repo: Repository, person_id: int, name: str) -> str:
    """A personal API token, shown once; programs send it as ``Authorization: Bearer <token>``."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    repo.add_api_token(person_id, name.strip()[:100] or "API token", token_hash(token))
    return token


def person_for_bearer(repo: Repository, token: str) -> int | None:
    return repo.api_token_person(token_hash(token)) if token else None


def delete_account(repo: Repository, person_id: int) -> None:
    """Delete the account and all of its data (failed sign-ins naming its address too)."""
    email = repo.person_email(person_id)
    repo.delete_person(person_id)
    if email:
        repo.clear_login_failures(f"email:{email}")
