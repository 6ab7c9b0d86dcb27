"""The repository: the one way crampcheck reads and writes the database.

Every method is one short transaction. Episode methods take the owner's ``person_id`` and match
on it, so one person can never reach another's episode (it is simply "not found").

>>> import datetime as dt
>>> from crampcheck.diary import validate_episode
>>> repo = open_repository("sqlite://")
>>> me = repo.local_person_id()
>>> ep = repo.add_episode(me, validate_episode({"started_at": "2026-01-05T03:10:00+01:00",
...                                            "duration_minutes": 3, "location": "calf"}))
>>> repo.get_episode(me, ep.id).started_at.isoformat()
'2026-01-05T03:10:00+01:00'
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, RowMapping, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from crampcheck.diary import Episode, EpisodeIn
from crampcheck.storage.database import WRITE, make_engine, migrate
from crampcheck.storage.schema import api_tokens, episodes, login_attempts, people, sessions

LOCAL = "local"
MAX_LIST = 100_000


class EpisodeFacts(NamedTuple):
    """The part of an episode a summary needs (see :meth:`Repository.episode_facts`)."""

    started_at: dt.datetime
    duration_minutes: float
    woke_from_sleep: bool | None
    exercise: str | None
    helped: tuple[str, ...]


class NotFound(LookupError):
    """No such record for this person."""


MAX_ID = 2**31 - 1
"""Ids are 32-bit integers on PostgreSQL; a larger one cannot exist (and would not even bind)."""


def _existing(record_id: int) -> int:
    if not 1 <= record_id <= MAX_ID:
        raise NotFound(record_id)
    return record_id


class AlreadyExists(ValueError):
    """A unique value (such as an e-mail address) is taken."""


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    if key is None:  # every table here has an integer primary key
        raise RuntimeError("insert returned no primary key")
    return int(key[0])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _row_values(ep: EpisodeIn) -> dict[str, Any]:
    offset = ep.started_at.utcoffset() or dt.timedelta(0)
    return {
        "started_at": ep.started_at,
        "utc_offset_minutes": int(offset.total_seconds() // 60),
        "duration_minutes": ep.duration_minutes,
        "location": ep.location,
        "leg": ep.leg,
        "severity": ep.severity,
        "woke_from_sleep": ep.woke_from_sleep,
        "exercise": ep.exercise,
        "helped": ",".join(ep.helped),
        "note": ep.note,
    }


@lru_cache(maxsize=256)
def _zone(offset_minutes: int) -> dt.timezone:
    return dt.timezone(dt.timedelta(minutes=offset_minutes))


_ALL_FIELDS = frozenset(Episode.model_fields)


def _episode(row: RowMapping) -> Episode:
    # Rows were validated on the way in, so build without validating again (a diary can be long).
    tz = _zone(row["utc_offset_minutes"])
    return Episode.model_construct(
        set(_ALL_FIELDS),
        id=row["id"],
        started_at=row["started_at"].astimezone(tz),
        duration_minutes=row["duration_minutes"],
        location=row["location"],
        leg=row["leg"],
        severity=row["severity"],
        woke_from_sleep=row["woke_from_sleep"],
        exercise=row["exercise"],
        helped=[h for h in row["helped"].split(",") if h],
        note=row["note"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


_EPISODE_COLUMNS = [c for c in episodes.c if c.name != "person_id"]


class Repository:
    """Reads and writes for one database. Thread-safe; share one per process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # --- people ----------------------------------------------------------------------------------
    def local_person_id(self) -> int:
        """The one person of personal mode (created on first use)."""
        with self._read() as conn:
            found = conn.scalar(select(people.c.id).where(people.c.handle == LOCAL))
        if found is not None:
            return int(found)
        try:
            with self._write() as conn:
                return _new_id(conn.execute(insert(people).values(handle=LOCAL, created_at=_now())))
        except IntegrityError:  # another process created it first
            with self._read() as conn:
                return int(conn.scalar(select(people.c.id).where(people.c.handle == LOCAL)) or 0)

    def create_account(self, email: str, password_hash: str) -> int:
        """A new person with a login; raises :class:`AlreadyExists` if the e-mail is taken."""
        try:
            with self._write() as conn:
                result = conn.execute(
                    insert(people).values(email=email, password_hash=password_hash, created_at=_now())
                )
                return _new_id(result)
        except IntegrityError:
            raise AlreadyExists(email) from None

    def account_by_email(self, email: str) -> tuple[int, str] | None:
        """``(person_id, password_hash)`` for an e-mail address, or None."""
        with self._read() as conn:
            row = conn.execute(
                select(people.c.id, people.c.password_hash).where(people.c.email == email)
            ).first()
        return (int(row[0]), str(row[1])) if row and row[1] else None

    def set_password_hash(self, person_id: int, password_hash: str) -> None:
        with self._write() as conn:
            conn.execute(update(people).where(people.c.id == person_id).values(password_hash=password_hash))

    def person_email(self, person_id: int) -> str | None:
        with self._read() as conn:
            return conn.scalar(select(people.c.email).where(people.c.id == person_id))

    def delete_person(self, person_id: int) -> None:
        """Delete a person and everything that belongs to them (episodes, sessions, tokens)."""
        with self._write() as conn:
            # Explicit deletes as well as ON DELETE CASCADE: correct even if a driver ignores FKs.
            for table in (episodes, sessions, api_tokens):
                conn.execute(delete(table).where(table.c.person_id == person_id))
            conn.execute(delete(people).where(people.c.id == person_id))

    # --- profile ---------------------------------------------------------------------------------
    def get_profile(self, person_id: int) -> dict[str, Any]:
        """The person's latest assessment answers ({} if none yet)."""
        with self._read() as conn:
            raw = conn.scalar(select(people.c.profile_json).where(people.c.id == person_id))
        value = json.loads(raw) if raw else {}
        return value if isinstance(value, dict) else {}

    def set_profile(self, person_id: int, answers: dict[str, Any]) -> None:
        """Keep ``answers`` (already validated) as the person's profile."""
        with self._write() as conn:
            conn.execute(
                update(people)
                .where(people.c.id == person_id)
                .values(profile_json=json.dumps(answers, sort_keys=True), profile_updated_at=_now())
            )

    # --- episodes --------------------------------------------------------------------------------
    def add_episode(self, person_id: int, ep: EpisodeIn) -> Episode:
        """Store one episode; it is committed when this returns."""
        return self.add_episodes(person_id, [ep])[0]

    def add_episodes(self, person_id: int, eps: Sequence[EpisodeIn]) -> list[Episode]:
        """Store several episodes in one transaction: all or none."""
        now = _now()
        stored: list[Episode] = []
        with self._write() as conn:
            for ep in eps:
                values = {**_row_values(ep), "person_id": person_id, "created_at": now, "updated_at": now}
                new_id = _new_id(conn.execute(insert(episodes).values(**values)))
                stored.append(Episode(**ep.model_dump(), id=new_id, created_at=now, updated_at=now))
        return stored

    def get_episode(self, person_id: int, episode_id: int) -> Episode:
        _existing(episode_id)
        with self._read() as conn:
            row = (
                conn.execute(
                    select(*_EPISODE_COLUMNS).where(
                        episodes.c.id == episode_id, episodes.c.person_id == person_id
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            raise NotFound(episode_id)
        return _episode(row)

    def update_episode(self, person_id: int, episode_id: int, ep: EpisodeIn) -> Episode:
        _existing(episode_id)
        with self._write() as conn:
            result = conn.execute(
                update(episodes)
                .where(episodes.c.id == episode_id, episodes.c.person_id == person_id)
                .values(**_row_values(ep), updated_at=_now())
            )
            if result.rowcount != 1:
                raise NotFound(episode_id)
        return self.get_episode(person_id, episode_id)

    def delete_episode(self, person_id: int, episode_id: int) -> None:
        _existing(episode_id)
        with self._write() as conn:
            result = conn.execute(
                delete(episodes).where(episodes.c.id == episode_id, episodes.c.person_id == person_id)
            )
            if result.rowcount != 1:
                raise NotFound(episode_id)

    def list_episodes(
        self,
        person_id: int,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int | None = 500,
        newest_first: bool = True,
    ) -> list[Episode]:
        """The person's episodes with ``since <= started_at <= until``, newest first by default."""
        query = select(*_EPISODE_COLUMNS).where(episodes.c.person_id == person_id)
        if since is not None:
            query = query.where(episodes.c.started_at >= since)
        if until is not None:
            query = query.where(episodes.c.started_at <= until)
        order = episodes.c.started_at.desc() if newest_first else episodes.c.started_at.asc()
        query = query.order_by(order, episodes.c.id.desc() if newest_first else episodes.c.id.asc())
        if limit is not None:
            query = query.limit(min(limit, MAX_LIST))
        with self._read() as conn:
            return [_episode(r) for r in conn.execute(query).mappings().all()]

    def episode_facts(self, person_id: int, since: dt.datetime, until: dt.datetime) -> list[EpisodeFacts]:
        """What a summary needs of the person's episodes in ``[since, until]``, oldest first.

        Lighter than :meth:`list_episodes` for long diaries: five columns, no notes.
        """
        query = (
            select(
                episodes.c.started_at,
                episodes.c.utc_offset_minutes,
                episodes.c.duration_minutes,
                episodes.c.woke_from_sleep,
                episodes.c.exercise,
                episodes.c.helped,
            )
            .where(
                episodes.c.person_id == person_id,
                episodes.c.started_at >= since,
                episodes.c.started_at <= until,
            )
            .order_by(episodes.c.started_at)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [
            EpisodeFacts(
                start.astimezone(_zone(offset)),
                duration,
                woke,
                exercise,
                tuple(h for h in helped.split(",") if h),
            )
            for start, offset, duration, woke, exercise, helped in rows
        ]

    def count_episodes(self, person_id: int) -> int:
        with self._read() as conn:
            return int(conn.scalar(select(func.count()).where(episodes.c.person_id == person_id)) or 0)

    # --- sessions and API tokens (hashes only; see crampcheck.accounts) ---------------------------
    def add_session(self, person_id: int, token_hash: str, expires_at: dt.datetime) -> None:
        with self._write() as conn:
            conn.execute(
                delete(sessions).where(sessions.c.person_id == person_id, sessions.c.expires_at <= _now())
            )
            conn.execute(
                insert(sessions).values(
                    token_hash=token_hash, person_id=person_id, created_at=_now(), expires_at=expires_at
                )
            )

    def session_person(self, token_hash: str) -> int | None:
        """The person of a live session, or None (unknown or expired)."""
        with self._read() as conn:
            found = conn.scalar(
                select(sessions.c.person_id).where(
                    sessions.c.token_hash == token_hash, sessions.c.expires_at > _now()
                )
            )
        return int(found) if found is not None else None

    def delete_session(self, token_hash: str) -> None:
        with self._write() as conn:
            conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))

    def add_api_token(self, person_id: int, name: str, token_hash: str) -> int:
        with self._write() as conn:
            result = conn.execute(
                insert(api_tokens).values(
                    person_id=person_id, name=name, token_hash=token_hash, created_at=_now()
                )
            )
            return _new_id(result)

    def api_token_person(self, token_hash: str) -> int | None:
        with self._read() as conn:
            found = conn.scalar(select(api_tokens.c.person_id).where(api_tokens.c.token_hash == token_hash))
        return int(found) if found is not None else None

    def list_api_tokens(self, person_id: int) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(
                select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.created_at)
                .where(api_tokens.c.person_id == person_id)
                .order_by(api_tokens.c.id)
            ).mappings()
            return [dict(r) for r in rows]

    def delete_api_token(self, person_id: int, token_id: int) -> None:
        _existing(token_id)
        with self._write() as conn:
            result = conn.execute(
                delete(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.person_id == person_id)
            )
            if result.rowcount != 1:
                raise NotFound(token_id)

    # --- login rate limiting (in the database, so it holds across server processes) --------------
    def note_login_failure(self, key: str) -> None:
        now = _now()
        with self._write() as conn:
            # Old attempts have no use and name e-mail addresses: keep only the last day.
            conn.execute(
                delete(login_attempts).where(login_attempts.c.attempted_at < now - dt.timedelta(days=1))
            )
            conn.execute(insert(login_attempts).values(key=key, attempted_at=now))

    def login_failures_since(self, key: str, since: dt.datetime) -> int:
        with self._read() as conn:
            query = select(func.count()).where(
                login_attempts.c.key == key, login_attempts.c.attempted_at >= since
            )
            return int(conn.scalar(query) or 0)

    def clear_login_failures(self, key: str) -> None:
        with self._write() as conn:
            conn.execute(delete(login_attempts).where(login_attempts.c.key == key))


def open_repository(url: str, *, run_migrations: bool = True) -> Repository:
    """An engine for ``url`` with the schema migrated to the latest version, wrapped in a repository."""
    engine = make_engine(url)
    if run_migrations:
        migrate(engine)
    return Repository(engine)
