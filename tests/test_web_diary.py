"""The diary API and pages through the app, on SQLite and PostgreSQL: the contract, bad input,
isolation between people (multi-user), accounts, export, and the profile hook."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crampcheck.config import Settings
from crampcheck.web.app import create_app

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def episode(days_ago: float = 1, **extra: Any) -> dict[str, Any]:
    start = (NOW - dt.timedelta(days=days_ago)).replace(hour=3, minute=0)
    return {"started_at": start.isoformat(), "duration_minutes": 3, "location": "calf", **extra}


def make_client(database_url: str, multi_user: bool = False) -> TestClient:
    settings = Settings(
        database_url=database_url, secret_key=secrets.token_urlsafe(32), multi_user=multi_user
    )
    return TestClient(create_app(settings))


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with make_client(database_url) as c:
        yield c
        c.app.state.repo.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def multi(database_url: str) -> Iterator[TestClient]:
    with make_client(database_url, multi_user=True) as c:
        yield c
        c.app.state.repo.engine.dispose()  # type: ignore[attr-defined]


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def count(client: TestClient, **headers: str) -> int:
    return len(client.get("/api/v1/episodes?limit=100000", headers=headers).json()["episodes"])


# --- the contract ---------------------------------------------------------------------------------
def test_contract_flow(client: TestClient) -> None:
    for i in range(8):
        r = client.post(
            "/api/v1/episodes",
            json=episode(
                3 * i + 1,
                duration_minutes=2 + i,
                leg="left",
                severity=4,
                woke_from_sleep=True,
                exercise="none",
            ),
        )
        assert r.status_code == 201 and isinstance(r.json()["id"], int)
        assert r.headers["location"] == f"/api/v1/episodes/{r.json()['id']}"
    eps = client.get("/api/v1/episodes?limit=100000").json()["episodes"]
    assert len(eps) == 8
    starts = [e["started_at"] for e in eps]
    assert starts == sorted(starts, reverse=True)
    s = client.get("/api/v1/diary/summary?days=28").json()
    assert s["episodes"] == 8 and s["per_week"] == 2.0 and s["night_share"] == 1.0
    assert s["median_duration_minutes"] == 5.5 and s["longest_duration_minutes"] == 9
    assert s["disposition"] == "gp" and any(r["id"] == "disturbs-sleep" for r in s["reasons"])
    r = client.post("/api/v1/episodes", json=episode(-3))
    assert r.status_code == 422 and "started_at" in r.json()["errors"]


def test_bad_episode_is_422_per_field_and_nothing_is_written(client: TestClient) -> None:
    bad = episode(duration_minutes=0, severity=11, location="arm", note="x" * 2001, helped=["magic"])
    r = client.post("/api/v1/episodes", json=bad)
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"duration_minutes", "severity", "location", "note", "helped"}
    for body in (b"{oops", b"[]", b'"text"', b'{"duration_minutes": 1' + b"1" * 5000 + b"}"):
        r = client.post("/api/v1/episodes", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 422
    assert client.post("/api/v1/episodes", json=episode(duration_minutes=24 * 60 + 1)).status_code == 422
    assert count(client) == 0


def test_list_range_and_limit(client: TestClient) -> None:
    for d in (1, 5, 10, 20):
        client.post("/api/v1/episodes", json=episode(d))
    assert len(client.get("/api/v1/episodes?limit=2").json()["episodes"]) == 2
    since = (NOW - dt.timedelta(days=12)).date().isoformat()
    until = (NOW - dt.timedelta(days=3)).isoformat()
    got = client.get("/api/v1/episodes", params={"from": since, "to": until}).json()["episodes"]
    assert len(got) == 2
    assert client.get("/api/v1/episodes?limit=100001").status_code == 422
    assert client.get("/api/v1/episodes?from=yesterday").status_code == 422
    assert client.get("/api/v1/diary/summary?days=0").status_code == 422


def test_patch_get_and_delete(client: TestClient) -> None:
    created = client.post("/api/v1/episodes", json=episode(severity=3)).json()
    url = f"/api/v1/episodes/{created['id']}"
    r = client.patch(url, json={"severity": 8, "helped": ["heat"]})
    assert r.status_code == 200 and r.json()["severity"] == 8 and r.json()["helped"] == ["heat"]
    assert client.patch(url, json={"severity": 12}).status_code == 422
    assert client.patch(url, json={"id": 99}).status_code == 422
    assert client.get(url).json()["severity"] == 8
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404
    assert client.patch(url, json={"severity": 1}).status_code == 404
    assert client.get("/api/v1/episodes/999999").status_code == 404


def test_openapi_documents_the_diary(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/episodes"])
    assert {"patch", "delete"} <= set(paths["/api/v1/episodes/{episode_id}"])
    assert "/api/v1/diary/summary" in paths
    schema = paths["/api/v1/episodes"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"started_at", "duration_minutes", "location"}


def test_assessment_answers_become_the_profile(client: TestClient) -> None:
    app = client.app
    repo = app.state.repo  # type: ignore[attr-defined]
    client.post("/api/v1/episodes", json=episode())
    assert client.get("/api/v1/diary/summary").json()["disposition"] == "self_care"

    class FakeRequest:
        def __init__(self) -> None:
            self.app = app
            self.headers: dict[str, str] = {}
            self.cookies: dict[str, str] = {}

    import asyncio
    import threading

    hook = app.state.on_assessment  # type: ignore[attr-defined]
    # A thread of its own: another test's browser may already run an event loop in this one.
    worker = threading.Thread(
        target=lambda: asyncio.run(hook(FakeRequest(), {"affects_quality_of_life": True, "age": 60}))
    )
    worker.start()
    worker.join()
    assert repo.get_profile(repo.local_person_id()) == {"affects_quality_of_life": True, "age": 60}
    s = client.get("/api/v1/diary/summary").json()
    assert s["disposition"] == "gp" and "affects-quality-of-life" in [r["id"] for r in s["reasons"]]


def test_export_json_and_csv(client: TestClient) -> None:
    client.post("/api/v1/episodes", json=episode(note='a "quoted", note', helped=["heat", "walking"]))
    data = client.get("/api/v1/export.json").json()
    assert data["episodes"][0]["note"] == 'a "quoted", note'
    csv_text = client.get("/api/v1/export.csv").text
    assert csv_text.splitlines()[0].startswith("id,started_at,duration_minutes")
    assert "heat;walking" in csv_text


# --- pages ------------------------------------------------------------------------------------------
def test_log_edit_delete_pages(client: TestClient) -> None:
    token = csrf(client, "/diary/log")
    form = {"csrf_token": token, "date": "2026-01-05", "time": "03:10", "tz": "60"}
    r = client.post("/diary/log", data={**form, "duration_minutes": "0", "location": ""})
    assert r.status_code == 422 and "There is a problem" in r.text and "Select where the cramp was" in r.text
    assert count(client) == 0
    r = client.post(
        "/diary/log", data={**form, "duration_minutes": "2.5", "location": "foot"}, follow_redirects=False
    )
    assert r.status_code == 303
    ep = client.get("/api/v1/episodes").json()["episodes"][0]
    assert ep["duration_minutes"] == 2.5 and ep["started_at"] == "2026-01-05T03:10:00+01:00"
    page = client.get("/diary").text
    assert f"/diary/{ep['id']}/edit" in page and f"/diary/{ep['id']}/delete" in page
    edit = client.get(f"/diary/{ep['id']}/edit").text
    assert 'value="2.5"' in edit
    r = client.post(
        f"/diary/{ep['id']}/edit",
        data={
            **form,
            "duration_minutes": "4",
            "location": "thigh",
            "helped": ["heat", "massage"],
            "severity": "6",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    changed = client.get(f"/api/v1/episodes/{ep['id']}").json()
    assert (
        changed["location"] == "thigh"
        and changed["helped"] == ["heat", "massage"]
        and changed["severity"] == 6
    )
    assert "Yes, delete it" in client.get(f"/diary/{ep['id']}/delete").text
    assert count(client) == 1  # asking is not deleting
    r = client.post(f"/diary/{ep['id']}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and count(client) == 0
    assert client.post(f"/diary/{ep['id']}/delete", data={"csrf_token": token}).status_code == 404


def test_form_post_without_csrf_is_refused(client: TestClient) -> None:
    r = client.post(
        "/diary/log",
        data={"date": "2026-01-05", "time": "03:10", "duration_minutes": "2", "location": "calf"},
    )
    assert r.status_code == 403 and count(client) == 0


def test_summary_page_shows_disposition_first_then_charts(client: TestClient) -> None:
    for d in range(1, 15):
        client.post("/api/v1/episodes", json=episode(d / 2, woke_from_sleep=True))
    page = client.get("/diary/summary").text
    label = "Book an appointment with a GP"
    assert label in page and page.index(label) < page.index("<svg")
    assert page.count("<svg") >= 3 and page.count('role="img"') >= 3 and page.count("<table") >= 3
    assert "Not enough data yet" in page


def test_summary_says_what_it_assumed(client: TestClient) -> None:
    # A 12-minute cramp with nothing said about what helped: the safer reading, said out loud.
    client.post("/api/v1/episodes", json=episode(1, duration_minutes=12))
    page = client.get("/diary/summary").text
    assert "Speak to a GP urgently today" in page
    assert "we took the safer view" in page
    # Once the longest cramp says walking helped, nothing is assumed.
    client.post("/api/v1/episodes", json=episode(2, duration_minutes=13, helped=["walking"]))
    assert "we took the safer view" not in client.get("/diary/summary").text


def test_reminder_calendar(client: TestClient) -> None:
    r = client.get("/diary/reminder.ics?time=21:45")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    assert b"RRULE:FREQ=DAILY" in r.content and b"T214500" in r.content


# --- multi-user: accounts and isolation ---------------------------------------------------------------
def register(client: TestClient, email: str) -> dict[str, str]:
    """Register through the pages, make an API token, sign out; return bearer headers."""
    token = csrf(client, "/account/register")
    r = client.post(
        "/account/register", data={"csrf_token": token, "email": email, "password": "correct horse battery"}
    )
    assert r.status_code == 200, r.text
    page = client.post("/account/tokens", data={"csrf_token": csrf(client, "/account"), "name": "test"}).text
    api_token = re.search(r'<code id="new-token">([^<]+)</code>', page)
    assert api_token
    client.post("/account/sign-out", data={"csrf_token": csrf(client, "/account")})
    client.cookies.clear()
    return {"Authorization": f"Bearer {api_token.group(1)}"}


def test_multi_user_needs_credentials(multi: TestClient) -> None:
    assert multi.get("/api/v1/episodes").status_code == 401
    assert multi.post("/api/v1/episodes", json=episode()).status_code == 401
    assert multi.get("/api/v1/diary/summary", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    r = multi.get("/diary", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/account/sign-in")
    assert multi.get("/api/v1/health").status_code == 200


def test_nobody_reaches_another_persons_episodes(multi: TestClient) -> None:
    alice = register(multi, "alice@example.org")
    bob = register(multi, "bob@example.org")
    mine = multi.post("/api/v1/episodes", json=episode(note="private"), headers=alice).json()
    url = f"/api/v1/episodes/{mine['id']}"
    assert multi.get(url, headers=bob).status_code == 404
    assert multi.patch(url, json={"severity": 1}, headers=bob).status_code == 404
    assert multi.delete(url, headers=bob).status_code == 404
    assert count(multi, **bob) == 0
    assert multi.get("/api/v1/diary/summary", headers=bob).json()["episodes"] == 0
    assert "private" not in multi.get("/api/v1/export.json", headers=bob).text
    # and through the pages, signed in as Bob
    token = csrf(multi, "/account/sign-in")
    multi.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": "bob@example.org", "password": "correct horse battery"},
    )
    assert multi.get(f"/diary/{mine['id']}/edit").status_code == 404
    assert multi.get(f"/diary/{mine['id']}/delete").status_code == 404
    form = {
        "csrf_token": token,
        "date": "2026-01-05",
        "time": "03:10",
        "duration_minutes": "9",
        "location": "foot",
    }
    assert multi.post(f"/diary/{mine['id']}/edit", data=form).status_code == 404
    assert multi.post(f"/diary/{mine['id']}/delete", data={"csrf_token": token}).status_code == 404
    assert "private" not in multi.get("/diary").text
    assert multi.get(url, headers=alice).json()["duration_minutes"] == 3


def test_sign_in_is_rate_limited(multi: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from crampcheck import accounts

    monkeypatch.setattr(accounts, "MAX_FAILURES_PER_EMAIL", 3)  # each failure costs an argon2 verify
    register(multi, "carol@example.org")
    token = csrf(multi, "/account/sign-in")
    codes = [
        multi.post(
            "/account/sign-in",
            data={"csrf_token": token, "email": "carol@example.org", "password": "wrong guess"},
        ).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [401] * 3 and codes[3] == 429
    right = {"csrf_token": token, "email": "carol@example.org", "password": "correct horse battery"}
    assert multi.post("/account/sign-in", data=right).status_code == 429  # even the right password, for now


def test_delete_account_deletes_everything(multi: TestClient) -> None:
    dave = register(multi, "dave@example.org")
    multi.post("/api/v1/episodes", json=episode(), headers=dave)
    token = csrf(multi, "/account/sign-in")
    multi.post(
        "/account/sign-in",
        data={"csrf_token": token, "email": "dave@example.org", "password": "correct horse battery"},
    )
    data = json.loads(multi.get("/api/v1/export.json").text)
    assert data["account"]["email"] == "dave@example.org" and len(data["episodes"]) == 1
    assert "Yes, delete my account" in multi.get("/account/delete").text
    r = multi.post("/account/delete", data={"csrf_token": csrf(multi, "/account/delete")})
    assert r.status_code == 200
    assert multi.get("/api/v1/episodes", headers=dave).status_code == 401  # the token went too
    repo = multi.app.state.repo  # type: ignore[attr-defined]
    assert repo.account_by_email("dave@example.org") is None
    with repo.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT count(*) FROM episodes")).scalar() == 0


def test_account_pages_do_not_exist_in_personal_mode(client: TestClient) -> None:
    assert client.get("/account/sign-in").status_code == 404
    assert client.get("/account").status_code == 404


def test_register_rejects_bad_input(multi: TestClient) -> None:
    token = csrf(multi, "/account/register")
    r = multi.post("/account/register", data={"csrf_token": token, "email": "nope", "password": "short"})
    assert r.status_code == 422 and "There is a problem" in r.text
    register(multi, "erin@example.org")
    r = multi.post(
        "/account/register",
        data={
            "csrf_token": csrf(multi, "/account/register"),
            "email": "ERIN@example.org",
            "password": "another long password",
        },
    )
    assert r.status_code == 422 and "already exists" in r.text


# --- CSV import ---------------------------------------------------------------------------------------
GOOD_CSV = "started_at,duration_minutes,location,helped\n2026-01-05T03:10:00+00:00,3,calf,heat;walking\n"
BAD_CSV = GOOD_CSV + "2026-01-06T03:10:00+00:00,-2,calf,\n2026-01-07T03:10:00,2,knee,\n"


def test_csv_import_api(client: TestClient) -> None:
    headers = {"content-type": "text/csv"}
    r = client.post("/api/v1/episodes/import", content=BAD_CSV, headers=headers)
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"line 3: duration_minutes", "line 4: started_at", "line 4: location"}
    assert [x["line"] for x in r.json()["lines"]] == [3, 4]
    assert count(client) == 0
    for malformed in ("", "a,b\n1,2\n", "started_at,duration_minutes,location\n1,2\n", "\xff"):
        r = client.post("/api/v1/episodes/import", content=malformed.encode("latin-1"), headers=headers)
        assert r.status_code == 422, malformed
    for unusable in ("", "a,b\n1,2\n", "\xff"):  # no header to go by: skipping rows cannot help
        r = client.post(
            "/api/v1/episodes/import?skip_bad=1", content=unusable.encode("latin-1"), headers=headers
        )
        assert r.status_code == 422, unusable
    assert count(client) == 0
    r = client.post("/api/v1/episodes/import?skip_bad=true", content=BAD_CSV, headers=headers)
    assert r.status_code == 201 and r.json()["imported"] == 1 and len(r.json()["skipped"]) == 2
    assert client.post("/api/v1/episodes/import", content=GOOD_CSV, headers=headers).status_code == 201
    assert count(client) == 2


def test_csv_import_page(client: TestClient) -> None:
    token = csrf(client, "/diary/import")
    r = client.post(
        "/diary/import", data={"csrf_token": token}, files={"file": ("d.csv", BAD_CSV, "text/csv")}
    )
    assert r.status_code == 422 and "line 3: duration_minutes" in r.text and "nothing was imported" in r.text
    assert count(client) == 0
    r = client.post(
        "/diary/import",
        data={"csrf_token": token},
        files={"file": ("d.csv", GOOD_CSV, "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and count(client) == 1
    assert "Imported 1 cramp." in client.get(r.headers["location"]).text
