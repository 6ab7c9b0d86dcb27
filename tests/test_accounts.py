"""Accounts: passwords, rate limiting, sessions and API tokens (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from crampcheck import accounts
from crampcheck.storage import Repository

PASSWORD = "correct horse battery"


def test_register_and_authenticate(repo: Repository) -> None:
    pid = accounts.register(repo, " Ann@Example.ORG ", PASSWORD)
    assert accounts.authenticate(repo, "ann@example.org", PASSWORD, ip="1.2.3.4") == pid
    assert accounts.authenticate(repo, "ann@example.org", "wrong password", ip="1.2.3.4") is None
    assert accounts.authenticate(repo, "nobody@example.org", PASSWORD, ip="1.2.3.4") is None
    stored = repo.account_by_email("ann@example.org")
    assert stored is not None and stored[1].startswith("$argon2") and PASSWORD not in stored[1]


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("not-an-email", PASSWORD, "email"),
        ("a@example.org", "short", "password"),
        ("a@b.c", "x" * 1001, "password"),
    ],
)
def test_register_rejects_bad_input(repo: Repository, email: str, password: str, field: str) -> None:
    with pytest.raises(accounts.AccountError) as err:
        accounts.register(repo, email, password)
    assert field in err.value.problems


def test_duplicate_email(repo: Repository) -> None:
    accounts.register(repo, "ann@example.org", PASSWORD)
    with pytest.raises(accounts.AccountError) as err:
        accounts.register(repo, "ANN@example.org", PASSWORD)
    assert "already exists" in err.value.problems["email"]


@pytest.fixture
def low_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each failed attempt costs a full argon2 verification; small limits keep the tests quick.
    monkeypatch.setattr(accounts, "MAX_FAILURES_PER_EMAIL", 3)
    monkeypatch.setattr(accounts, "MAX_FAILURES_PER_IP", 4)


@pytest.mark.usefixtures("low_limits")
def test_rate_limit_per_email_then_success_clears(repo: Repository) -> None:
    accounts.register(repo, "ann@example.org", PASSWORD)
    for _ in range(accounts.MAX_FAILURES_PER_EMAIL - 1):
        assert accounts.authenticate(repo, "ann@example.org", "nope nope", ip="5.5.5.5") is None
    assert (
        accounts.authenticate(repo, "ann@example.org", PASSWORD, ip="5.5.5.5") is not None
    )  # resets the count
    for _ in range(accounts.MAX_FAILURES_PER_EMAIL):
        accounts.authenticate(repo, "ann@example.org", "nope nope", ip="5.5.5.6")
    with pytest.raises(accounts.TooManyAttempts):
        accounts.authenticate(repo, "ann@example.org", PASSWORD, ip="5.5.5.7")


@pytest.mark.usefixtures("low_limits")
def test_rate_limit_per_ip_across_addresses(repo: Repository) -> None:
    for i in range(accounts.MAX_FAILURES_PER_IP):
        accounts.authenticate(repo, f"guess{i}@example.org", "whatever", ip="6.6.6.6")
    with pytest.raises(accounts.TooManyAttempts):
        accounts.authenticate(repo, "someone@example.org", "whatever", ip="6.6.6.6")


def test_sessions_and_tokens_store_only_hashes(repo: Repository) -> None:
    pid = accounts.register(repo, "ann@example.org", PASSWORD)
    session = accounts.new_session(repo, pid)
    token = accounts.new_api_token(repo, pid, "laptop")
    assert token.startswith(accounts.API_TOKEN_PREFIX)
    assert accounts.session_person(repo, session) == pid and accounts.person_for_bearer(repo, token) == pid
    assert accounts.person_for_bearer(repo, session) is None and accounts.session_person(repo, "") is None
    with repo.engine.connect() as conn:
        from sqlalchemy import text

        dump = str(conn.execute(text("SELECT * FROM sessions")).all()) + str(
            conn.execute(text("SELECT * FROM api_tokens")).all()
        )
    assert session not in dump and token not in dump
    accounts.end_session(repo, session)
    assert accounts.session_person(repo, session) is None


def test_delete_account_removes_tokens(repo: Repository) -> None:
    pid = accounts.register(repo, "ann@example.org", PASSWORD)
    token = accounts.new_api_token(repo, pid, "laptop")
    accounts.delete_account(repo, pid)
    assert accounts.person_for_bearer(repo, token) is None
    assert accounts.authenticate(repo, "ann@example.org", PASSWORD, ip="1.1.1.1") is None


def test_delete_account_forgets_failed_sign_ins_for_its_address(repo: Repository) -> None:
    import datetime as dt

    pid = accounts.register(repo, "ann@example.org", PASSWORD)
    accounts.authenticate(repo, "ann@example.org", "wrong password", ip="1.1.1.1")
    accounts.delete_account(repo, pid)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    assert repo.login_failures_since("email:ann@example.org", since) == 0
