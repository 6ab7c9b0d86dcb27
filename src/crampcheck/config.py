"""Settings shared by the web app, the diary and the CLI, from arguments or the environment.

>>> s = Settings.from_env(database_url="sqlite:///:memory:")
>>> s.multi_user
False
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "crampcheck"


def data_dir() -> Path:
    """The user's data folder (created if needed); ``CRAMPCHECK_DATA_DIR`` overrides it."""
    override = os.environ.get("CRAMPCHECK_DATA_DIR")
    path = Path(override) if override else user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_url() -> str:
    """SQLite in the user's data folder, unless ``CRAMPCHECK_DATABASE_URL`` is set."""
    return os.environ.get("CRAMPCHECK_DATABASE_URL") or f"sqlite:///{data_dir() / 'crampcheck.db'}"


def _secret_key() -> str:
    # Signs cookies and CSRF tokens. Services set CRAMPCHECK_SECRET_KEY (shared by all processes);
    # a personal install keeps a random key in its data folder so restarts keep sessions valid.
    env = os.environ.get("CRAMPCHECK_SECRET_KEY")
    if env:
        return env
    path = data_dir() / "secret.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class Settings:
    """How one crampcheck process runs."""

    database_url: str
    secret_key: str = field(repr=False)
    multi_user: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    https: bool = False
    """Behind HTTPS (sets Secure on cookies); ``CRAMPCHECK_HTTPS=1``."""

    @classmethod
    def from_env(
        cls,
        *,
        database_url: str | None = None,
        multi_user: bool | None = None,
        host: str | None = None,
        port: int | None = None,
    ) -> Settings:
        env_multi = os.environ.get("CRAMPCHECK_MULTI_USER", "") in ("1", "true", "yes")
        return cls(
            database_url=database_url or default_database_url(),
            secret_key=_secret_key(),
            multi_user=env_multi if multi_user is None else multi_user,
            host=host or os.environ.get("CRAMPCHECK_HOST", "127.0.0.1"),
            port=port or int(os.environ.get("CRAMPCHECK_PORT", "8000")),
            https=os.environ.get("CRAMPCHECK_HTTPS", "") in ("1", "true", "yes"),
        )
