"""The database failing under the app, in-process (the real outage is in tests/test_load.py):
what needs the database answers 503 at once; checking symptoms keeps working."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError, OperationalError

from crampcheck.config import Settings
from crampcheck.storage import Repository
from crampcheck.web.app import create_app

CALM = [("general_symptoms", {"answer": "none"}), ("leg_symptoms", {"answer": "none"})]


def _down(*_args: object, **_kwargs: object) -> None:
    raise OperationalError("SELECT 1", {}, Exception("connection refused"))


def _finish_a_check(client: TestClient) -> None:
    token = re.search(r'name="csrf_token" value="(\w+)"', client.get("/").text)
    assert token
    form = {"csrf_token": token.group(1)}
    client.post("/check/start", data=form)
    for key, data in CALM:
        client.post(f"/check/questions/{key}", data={**form, **data})
    for _ in range(40):
        where = client.get("/check/next", follow_redirects=False).headers["location"]
        if "/check/questions/" not in where:
            return
        client.post(where, data={**form, "answer": "dont-know", "dont_know": "1"})
    pytest.fail("the check did not end")


@pytest.mark.parametrize("multi_user", [False, True])
def test_the_result_is_shown_while_the_database_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, multi_user: bool
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        secret_key=secrets.token_urlsafe(32),
        multi_user=multi_user,
    )
    with TestClient(create_app(settings)) as client:
        _finish_a_check(client)
        client.cookies.set("crampcheck_session", "someone", domain="testserver.local")
        for method in ("set_profile", "session_person", "list_episodes", "episode_facts", "get_profile"):
            monkeypatch.setattr(Repository, method, _down)
        r = client.get("/check/result")
        assert r.status_code == 200 and "nhsuk-card" in r.text
        assert client.post("/api/v1/assessments", json={"age": 40}).status_code == 200
        diary = client.get("/diary", headers={"Accept": "text/html"})
        assert diary.status_code == 503 and diary.headers["retry-after"] == "5"
        client.app.state.repo.engine.dispose()  # type: ignore[attr-defined]


def test_other_database_errors_are_not_disguised_as_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", secret_key=secrets.token_urlsafe(32)
    )

    def broken(*_args: object, **_kwargs: object) -> None:
        raise IntegrityError("INSERT", {}, Exception("constraint"))

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        monkeypatch.setattr(Repository, "list_episodes", broken)
        assert client.get("/api/v1/episodes").status_code == 500  # a bug, not an outage
        client.app.state.repo.engine.dispose()  # type: ignore[attr-defined]
