"""Storage on SQLite and PostgreSQL: migrations, the repository, isolation, cascades, concurrency."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import inspect, text

from crampcheck.diary import EpisodeIn, validate_episode
from crampcheck.storage import NotFound, Repository, current_revision, make_engine, migrate, open_repository
from crampcheck.storage.repository import AlreadyExists

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def ep(days_ago: float = 1, **extra: Any) -> EpisodeIn:
    started = (NOW - dt.timedelta(days=days_ago)).astimezone(dt.timezone(dt.timedelta(hours=2)))
    return validate_episode(
        {"started_at": started.isoformat(), "duration_minutes": 3, "location": "calf", **extra}
    )


def test_migrations_create_schema_with_person_time_index(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # idempotent: a restart runs it again
    assert current_revision(engine) == "0001"
    insp = inspect(engine)
    assert {"people", "episodes", "sessions", "api_tokens", "login_attempts"} <= set(insp.get_table_names())
    indexes = {i["name"]: i["column_names"] for i in insp.get_indexes("episodes")}
    assert indexes["ix_episodes_person_started"] == ["person_id", "started_at"]
    engine.dispose()


def test_sqlite_connection_settings(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    engine.dispose()


def test_episode_round_trip_keeps_offset_and_fields(repo: Repository) -> None:
    me = repo.local_person_id()
    assert repo.local_person_id() == me
    stored = repo.add_episode(
        me,
        ep(
            severity=7,
            leg="both",
            woke_from_sleep=True,
            exercise="after",
            helped=["heat", "walking"],
            note="ow ✓",
        ),
    )
    got = repo.get_episode(me, stored.id)
    assert got == stored
    assert got.started_at.utcoffset() == dt.timedelta(hours=2)
    assert got.helped == ["heat", "walking"] and got.note == "ow ✓" and got.severity == 7


def test_list_is_newest_first_with_range_and_limit(repo: Repository) -> None:
    me = repo.local_person_id()
    for d in (5, 1, 3, 10):
        repo.add_episode(me, ep(d))
    days = [round((NOW - e.started_at).total_seconds() / 86400) for e in repo.list_episodes(me)]
    assert days == [1, 3, 5, 10]
    assert len(repo.list_episodes(me, limit=2)) == 2
    ranged = repo.list_episodes(me, since=NOW - dt.timedelta(days=6), until=NOW - dt.timedelta(days=2))
    assert len(ranged) == 2
    assert len(repo.list_episodes(me, newest_first=False)) == 4


def test_update_and_delete(repo: Repository) -> None:
    me = repo.local_person_id()
    stored = repo.add_episode(me, ep())
    changed = repo.update_episode(me, stored.id, ep(duration_minutes=9))
    assert changed.duration_minutes == 9 and changed.updated_at >= stored.updated_at
    repo.delete_episode(me, stored.id)
    with pytest.raises(NotFound):
        repo.get_episode(me, stored.id)
    with pytest.raises(NotFound):
        repo.delete_episode(me, stored.id)


def test_one_person_cannot_reach_another(repo: Repository) -> None:
    alice = repo.create_account("alice@example.org", "hash-a")
    bob = repo.create_account("bob@example.org", "hash-b")
    mine = repo.add_episode(alice, ep())
    with pytest.raises(NotFound):
        repo.get_episode(bob, mine.id)
    with pytest.raises(NotFound):
        repo.update_episode(bob, mine.id, ep(duration_minutes=1))
    with pytest.raises(NotFound):
        repo.delete_episode(bob, mine.id)
    assert repo.list_episodes(bob) == []
    assert repo.get_episode(alice, mine.id).duration_minutes == 3


def test_accounts_unique_email_and_delete_cascades(repo: Repository) -> None:
    alice = repo.create_account("alice@example.org", "hash")
    with pytest.raises(AlreadyExists):
        repo.create_account("alice@example.org", "other")
    repo.add_episode(alice, ep())
    repo.set_profile(alice, {"age": 70})
    repo.add_session(alice, "s" * 64, NOW + dt.timedelta(days=1))
    repo.add_api_token(alice, "laptop", "t" * 64)
    assert repo.session_person("s" * 64) == alice and repo.api_token_person("t" * 64) == alice
    repo.delete_person(alice)
    assert repo.account_by_email("alice@example.org") is None
    assert repo.session_person("s" * 64) is None and repo.api_token_person("t" * 64) is None
    with repo.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM episodes")).scalar() == 0


def test_foreign_keys_cascade_in_the_database(repo: Repository) -> None:
    alice = repo.create_account("a@example.org", "hash")
    repo.add_episode(alice, ep())
    with repo.engine.begin() as conn:
        conn.execute(text("DELETE FROM people WHERE id = :id"), {"id": alice})
    with repo.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM episodes")).scalar() == 0


def test_profile_round_trip(repo: Repository) -> None:
    me = repo.local_person_id()
    assert repo.get_profile(me) == {}
    repo.set_profile(me, {"age": 70, "conditions": ["type_2_diabetes"]})
    assert repo.get_profile(me) == {"age": 70, "conditions": ["type_2_diabetes"]}


def test_sessions_expire_and_tokens_list(repo: Repository) -> None:
    me = repo.create_account("m@example.org", "hash")
    repo.add_session(me, "old" + "0" * 61, NOW - dt.timedelta(seconds=1))
    assert repo.session_person("old" + "0" * 61) is None
    tid = repo.add_api_token(me, "phone", "x" * 64)
    assert [t["name"] for t in repo.list_api_tokens(me)] == ["phone"]
    other = repo.create_account("o@example.org", "hash")
    with pytest.raises(NotFound):
        repo.delete_api_token(other, tid)
    repo.delete_api_token(me, tid)
    assert repo.list_api_tokens(me) == []


def test_login_failures_counted_per_key(repo: Repository) -> None:
    for _ in range(3):
        repo.note_login_failure("a@example.org")
    since = NOW - dt.timedelta(minutes=1)
    assert repo.login_failures_since("a@example.org", since) == 3
    assert repo.login_failures_since("b@example.org", since) == 0
    repo.clear_login_failures("a@example.org")
    assert repo.login_failures_since("a@example.org", since) == 0


def test_add_episodes_is_all_or_nothing(repo: Repository) -> None:
    me = repo.local_person_id()
    assert len(repo.add_episodes(me, [ep(1), ep(2)])) == 2
    with pytest.raises(Exception):  # noqa: B017 - the driver's own error type differs per database
        repo.add_episodes(10_000_000, [ep(1)])  # no such person: foreign key
    assert repo.count_episodes(me) == 2


def test_concurrent_writers_in_threads(database_url: str) -> None:
    repo = open_repository(database_url)
    me = repo.local_person_id()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for i in range(15):
                stored = repo.add_episode(me, ep(1 + i / 100))
                repo.update_episode(me, stored.id, ep(2, severity=3))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert repo.count_episodes(me) == 120
    repo.engine.dispose()


def test_local_person_is_created_once_under_races(database_url: str) -> None:
    repos = [open_repository(database_url) for _ in range(4)]
    ids: list[int] = []
    threads = [threading.Thread(target=lambda r=r: ids.append(r.local_person_id())) for r in repos]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 1
    for r in repos:
        r.engine.dispose()


def test_migrations_match_the_schema(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from crampcheck.storage.schema import metadata

    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == [], "the models changed without a migration"


def test_storage_imports_without_fastapi_and_core_without_storage() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['fastapi'] = None; sys.modules['starlette'] = None\n"
        "import crampcheck.storage, crampcheck.accounts, crampcheck.diary_summary, crampcheck.charts\n"
        "import crampcheck.diary_io, crampcheck.reminders\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "ok", out.stderr
    code = (
        "import sys, crampcheck.engine, crampcheck.guidance\n"
        "banned = ('crampcheck.storage', 'crampcheck.web', 'sqlalchemy')\n"
        "print(sorted(m for m in sys.modules if m.startswith(banned)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def _start_up(url: str) -> None:
    repo = open_repository(url)
    repo.local_person_id()
    repo.engine.dispose()


def test_processes_starting_together_migrate_once(database_url: str) -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_start_up, args=(database_url,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    engine = make_engine(database_url)
    assert current_revision(engine) == "0001"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM people WHERE handle = 'local'")).scalar() == 1
    engine.dispose()


def test_episode_facts_match_the_episodes(repo: Repository) -> None:
    me = repo.local_person_id()
    repo.add_episode(me, ep(2, woke_from_sleep=True, exercise="after", helped=["heat", "walking"]))
    repo.add_episode(me, ep(40))
    facts = repo.episode_facts(me, NOW - dt.timedelta(days=28), NOW)
    (full,) = repo.list_episodes(me, since=NOW - dt.timedelta(days=28))
    assert len(facts) == 1
    f = facts[0]
    assert f.started_at == full.started_at and f.started_at.utcoffset() == dt.timedelta(hours=2)
    assert (f.duration_minutes, f.woke_from_sleep, f.exercise, f.helped) == (
        3,
        True,
        "after",
        ("heat", "walking"),
    )
