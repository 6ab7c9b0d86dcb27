"""The database schema as SQLAlchemy Core tables (Alembic migrations create them).

Times are stored as UTC without a zone (portable between SQLite and PostgreSQL) and come back
time-zone aware; an episode also keeps the person's UTC offset so "time of day" means their
local clock, not the server's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive values are refused."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite in some raw paths hands back text
            value = dt.datetime.fromisoformat(value)
        stamp: dt.datetime = value
        return stamp.replace(tzinfo=dt.UTC)


people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    # "local" for the one person of personal mode; NULL for accounts (which have an e-mail).
    Column("handle", String(40), unique=True, nullable=True),
    Column("email", String(320), unique=True, nullable=True),
    Column("password_hash", String(200), nullable=True),
    Column("profile_json", Text, nullable=True),
    Column("profile_updated_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

episodes = Table(
    "episodes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("utc_offset_minutes", Integer, nullable=False),
    Column("duration_minutes", Float, nullable=False),
    Column("location", String(10), nullable=False),
    Column("leg", String(10), nullable=True),
    Column("severity", Integer, nullable=True),
    Column("woke_from_sleep", Boolean, nullable=True),
    Column("exercise", String(10), nullable=True),
    Column("helped", String(100), nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
# A person's summary reads only their own rows, in time order: cost follows their diary, not the table.
Index("ix_episodes_person_started", episodes.c.person_id, episodes.c.started_at)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime, nullable=True),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(400), nullable=False),
    Column("attempted_at", UTCDateTime, nullable=False),
)
Index("ix_login_attempts_key_at", login_attempts.c.key, login_attempts.c.attempted_at)
