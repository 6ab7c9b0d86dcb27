"""Security over every route of the app (listed from ``app.routes``, so a new route must be
classified here or the test fails): another person's data (IDOR) through every API route and
page in multi-user mode, CSRF on every form post, session fixation, login limits shared by
processes, and security headers on every kind of response (JSON, HTML, static, 404, 422, 413, 503).

The mechanisms have their own tests (tests/test_web_security.py, tests/test_web_diary.py,
tests/test_accounts.py); these check that no route escapes them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from crampcheck import accounts
from crampcheck.config import Settings
from crampcheck.storage import Repository
from crampcheck.web.app import create_app
from crampcheck.web.diary import SESSION_COOKIE
from routes import RouteInfo, all_routes

PASSWORD = "correct horse battery"
SECRET_NOTE = "alice-private-note-7f3a"

PUBLIC = {
    # Routes that read or write nobody's stored data (the check flow lives in the browser's own
    # encrypted cookie; an assessment is stateless; sign-in and register create their own session).
    "GET /openapi.json",
    "GET /api/v1/health",
    "GET /api/v1/questionnaire",
    "POST /api/v1/assessments",
    "GET /docs",
    "GET /static/{path:path}",
    "GET /",
    "POST /check/start",
    "GET /check/next",
    "GET /check/questions/{key}",
    "POST /check/questions/{key}",
    "GET /check/answers",
    "GET /check/result",
    "GET /about",
    "GET /fhir/metadata",
    "GET /fhir/Questionnaire/leg-cramps",
    "POST /fhir/QuestionnaireResponse/$assess",
    "GET /cds-services",
    "POST /cds-services/leg-cramps",
    "GET /account/register",
    "POST /account/register",
    "GET /account/sign-in",
    "POST /account/sign-in",
    "GET /describe",
    "POST /describe",
    "POST /describe/confirm",
}

LAST = ("POST /account/sign-out", "POST /account/delete")
"""Personal routes that end Bob's session or account: tried after all the others."""


@dataclass
class World:
    client: TestClient
    repo: Repository
    alice: int
    alice_episode: int
    alice_token_id: int
    alice_bearer: str
    bob_bearer: str


def make_client(folder: Path) -> TestClient:
    settings = Settings(
        database_url=f"sqlite:///{folder / 'db.sqlite'}", secret_key="k" * 43, multi_user=True
    )
    return TestClient(create_app(settings))


def csrf(client: TestClient, path: str = "/account/sign-in") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def sign_in(client: TestClient, email: str) -> None:
    form = {"csrf_token": csrf(client), "email": email, "password": PASSWORD}
    assert client.post("/account/sign-in", data=form, follow_redirects=False).status_code == 303


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with make_client(tmp_path) as client:
        repo: Repository = client.app.state.repo  # type: ignore[attr-defined]
        alice = accounts.register(repo, "alice@example.org", PASSWORD)
        bob = accounts.register(repo, "bob@example.org", PASSWORD)
        alice_bearer = accounts.new_api_token(repo, alice, "alice's")
        bob_bearer = accounts.new_api_token(repo, bob, "bob's")
        ep = {"started_at": "2026-01-05T03:00:00+00:00", "duration_minutes": 3, "location": "calf"}
        r = client.post(
            "/api/v1/episodes",
            json={**ep, "note": SECRET_NOTE},
            headers={"Authorization": f"Bearer {alice_bearer}"},
        )
        token_id = repo.list_api_tokens(alice)[0]["id"]
        sign_in(client, "bob@example.org")
        yield World(client, repo, alice, r.json()["id"], token_id, alice_bearer, bob_bearer)
        repo.engine.dispose()


def _app_routes() -> list[RouteInfo]:
    app = create_app(Settings(database_url="sqlite://", secret_key="k" * 43, multi_user=True))
    app.state.repo.engine.dispose()
    return all_routes(app)


ROUTES = _app_routes()
PERSONAL = sorted((r for r in ROUTES if str(r) not in PUBLIC), key=lambda r: str(r) in LAST)


def test_every_route_is_classified() -> None:
    """A new route is personal (and tried below as someone else) unless it is listed in PUBLIC."""
    known = {str(r) for r in ROUTES}
    assert PUBLIC <= known, f"PUBLIC lists routes that no longer exist: {PUBLIC - known}"
    assert len(PERSONAL) >= 20


def _request(world: World, route: RouteInfo) -> Any:
    c = world.client
    url = route.url(
        episode_id=str(world.alice_episode), token_id=str(world.alice_token_id), patient_id=str(world.alice)
    )
    episode = {"started_at": "2026-01-06T03:00:00+00:00", "duration_minutes": 9, "location": "foot"}
    if route.path.startswith(("/api/", "/fhir/")):
        auth = {"Authorization": f"Bearer {world.bob_bearer}"}
        if route.path.endswith("/import"):
            csv = "started_at,duration_minutes,location\n2026-01-06T03:00:00+00:00,9,foot\n"
            return c.post(url, content=csv, headers={**auth, "Content-Type": "text/csv"})
        body = {"json": episode} if route.method in ("POST", "PATCH") else {}
        return c.request(route.method, url, headers=auth, **body)
    if route.method == "GET":
        return c.get(url, follow_redirects=False)
    form = {"csrf_token": csrf(c, "/account"), "date": "2026-01-06", "time": "03:00"}
    form |= {"duration_minutes": "9", "location": "foot", "name": "bob's"}
    if route.path == "/diary/import":
        files = {"file": ("d.csv", "started_at,duration_minutes,location\n", "text/csv")}
        return c.post(url, data=form, files=files, follow_redirects=False)
    return c.post(url, data=form, follow_redirects=False)


def test_nobody_reaches_another_persons_data_through_any_route(world: World) -> None:
    """Bob, signed in and with his own token, aims every personal route at Alice's ids."""
    leaks = []
    for route in PERSONAL:
        r = _request(world, route)
        takes_her_id = any(p in route.path for p in ("{episode_id}", "{token_id}", "{patient_id}"))
        if takes_her_id and r.status_code != 404:
            leaks.append(f"{route}: {r.status_code} instead of 404")
        if r.status_code >= 500:
            leaks.append(f"{route}: {r.status_code}")
        if SECRET_NOTE in r.text or "alice@example.org" in r.text:
            leaks.append(f"{route}: shows Alice's data")
    assert leaks == []
    # Alice's episode and token are untouched.
    assert world.repo.get_episode(world.alice, world.alice_episode).note == SECRET_NOTE
    assert world.repo.get_episode(world.alice, world.alice_episode).duration_minutes == 3
    assert accounts.person_for_bearer(world.repo, world.alice_bearer) == world.alice


FORM_POSTS = [r for r in ROUTES if r.method == "POST" and not r.in_schema]


@pytest.mark.parametrize("route", FORM_POSTS, ids=str)
def test_every_form_post_needs_a_valid_csrf_token(world: World, route: RouteInfo) -> None:
    c = world.client
    url = route.url(episode_id=str(world.alice_episode))
    good = csrf(c, "/account")
    for data in ({}, {"csrf_token": ""}, {"csrf_token": "0" * len(good)}, {"csrf_token": good[:-1] + "x"}):
        r = c.post(
            url, data={**data, "email": "bob@example.org", "password": PASSWORD}, follow_redirects=False
        )
        assert r.status_code == 403, (route, data, r.status_code)
    multipart = c.post(
        url, data={"csrf_token": "0" * 64}, files={"f": ("a.txt", b"x")}, follow_redirects=False
    )
    assert multipart.status_code == 403
    assert accounts.session_person(world.repo, c.cookies[SESSION_COOKIE]) is not None  # still signed in


def test_form_posts_are_all_found() -> None:
    assert len(FORM_POSTS) >= 12, FORM_POSTS


def test_session_id_changes_on_sign_in_and_a_planted_one_is_never_signed_in(tmp_path: Path) -> None:
    with make_client(tmp_path) as client:
        repo = client.app.state.repo  # type: ignore[attr-defined]
        accounts.register(repo, "carol@example.org", PASSWORD)
        planted = secrets.token_urlsafe(32)
        client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
        assert client.get("/account", follow_redirects=False).status_code == 303  # not signed in
        sign_in(client, "carol@example.org")
        issued = client.cookies[SESSION_COOKIE]
        assert issued != planted
        assert client.get("/account").status_code == 200
        with make_client(tmp_path) as attacker:
            attacker.cookies.set(SESSION_COOKIE, planted)
            assert attacker.get("/account", follow_redirects=False).status_code == 303
        sign_in(client, "carol@example.org")  # signing in again issues yet another session
        assert client.cookies[SESSION_COOKIE] not in (planted, issued)
        client.post("/account/sign-out", data={"csrf_token": csrf(client, "/account")})
        with make_client(tmp_path) as later:
            later.cookies.set(SESSION_COOKIE, issued)
            assert later.get("/account").status_code == 200  # the first session is still its own
        repo.engine.dispose()


def test_sign_in_limit_holds_across_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Failures are counted in the database, so a second process sees the first one's."""
    monkeypatch.setattr(accounts, "MAX_FAILURES_PER_EMAIL", 3)
    with make_client(tmp_path) as one, make_client(tmp_path) as two:
        accounts.register(one.app.state.repo, "dan@example.org", PASSWORD)  # type: ignore[attr-defined]
        codes = []
        for client in (one, two, one, two):
            form = {"csrf_token": csrf(client), "email": "dan@example.org", "password": "wrong guess"}
            codes.append(client.post("/account/sign-in", data=form).status_code)
        assert codes == [401, 401, 401, 429]
        form = {"csrf_token": csrf(one), "email": "dan@example.org", "password": PASSWORD}
        r = one.post("/account/sign-in", data=form)
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        for c in (one, two):
            c.app.state.repo.engine.dispose()  # type: ignore[attr-defined]


def _assert_secure(r: Any, what: str) -> None:
    h = r.headers
    assert "frame-ancestors 'none'" in h.get("content-security-policy", ""), what
    assert h.get("x-content-type-options") == "nosniff", what
    assert h.get("referrer-policy") == "no-referrer", what
    assert h.get("x-frame-options") == "DENY", what


def test_security_headers_on_every_kind_of_response(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from crampcheck.web.assets import static_url

    c = world.client
    auth = {"Authorization": f"Bearer {world.bob_bearer}"}
    html = {"Accept": "text/html"}
    cases = {
        "json": c.get("/api/v1/health"),
        "html": c.get("/", headers=html),
        "static": c.get(static_url("css/app.css")),
        "404 json": c.get("/api/v1/nope"),
        "404 html": c.get("/nope", headers=html),
        "422": c.post("/api/v1/assessments", json={"age": "old"}),
        "413": c.post("/api/v1/assessments", content=b"x" * (2 * 1024 * 1024)),
        "403 form": c.post("/diary/log", data={"csrf_token": "nope"}),
    }
    down = OperationalError("SELECT 1", {}, Exception("connection refused"))

    def unavailable(*_args: object, **_kwargs: object) -> None:
        raise down

    monkeypatch.setattr(Repository, "list_episodes", unavailable)
    cases["503 json"] = c.get("/api/v1/episodes", headers=auth)
    cases["503 html"] = c.get("/diary", headers=html)
    expected = {"404 json": 404, "404 html": 404, "422": 422, "413": 413, "403 form": 403}
    expected |= {"503 json": 503, "503 html": 503}
    for what, r in cases.items():
        assert r.status_code == expected.get(what, 200), (what, r.status_code)
        _assert_secure(r, what)
    assert cases["503 json"].json()["detail"].startswith("The diary is not available right now")
    assert cases["503 json"].headers["retry-after"].isdigit()
    assert "not available right now" in cases["503 html"].text
    assert cases["503 html"].headers["content-type"].startswith("text/html")
