"""Storage: the database schema, engines with migrations, and the repository (the one write path).

Importable without FastAPI.

>>> from crampcheck.storage import open_repository
>>> repo = open_repository("sqlite://")
>>> pid = repo.local_person_id()
>>> repo.count_episodes(pid)
0
"""

from __future__ import annotations

from crampcheck.storage.database import current_revision, make_engine, migrate
from crampcheck.storage.repository import AlreadyExists, EpisodeFacts, NotFound, Repository, open_repository

__all__ = [
    "AlreadyExists",
    "EpisodeFacts",
    "NotFound",
    "Repository",
    "current_revision",
    "make_engine",
    "migrate",
    "open_repository",
]
