"""Oversized bodies are refused with 413 on every route that takes one, before they are read:
by their declared Content-Length, and by counting when the body is streamed without one."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from crampcheck.config import Settings
from crampcheck.web.app import create_app
from crampcheck.web.limits import MAX_BODY_BYTES, limit_for
from routes import RouteInfo, all_routes

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
TYPES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("limits")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'db.sqlite'}",
        secret_key=secrets.token_urlsafe(32),
        multi_user=True,
    )
    with TestClient(create_app(settings)) as c:
        yield c
        c.app.state.repo.engine.dispose()  # type: ignore[attr-defined]


def _routes() -> list[RouteInfo]:
    app = create_app(Settings(database_url="sqlite://", secret_key="x" * 40, multi_user=True))
    found = [r for r in all_routes(app) if r.method in BODY_METHODS]
    app.state.repo.engine.dispose()
    return found


ROUTES = _routes()


def test_every_body_route_is_covered() -> None:
    assert len(ROUTES) >= 15, ROUTES


@pytest.mark.parametrize("route", ROUTES, ids=str)
@pytest.mark.parametrize("content_type", TYPES)
def test_declared_oversized_body_is_413(client: TestClient, route: RouteInfo, content_type: str) -> None:
    body = b"a" * (limit_for(route.url()) + 1)
    r = client.request(route.method, route.url(), content=body, headers={"Content-Type": content_type})
    assert r.status_code == 413, (route, content_type, r.status_code, r.text[:200])
    assert r.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in r.headers


@pytest.fixture(scope="module")
def bearer(client: TestClient) -> dict[str, str]:
    from crampcheck import accounts

    repo = client.app.state.repo  # type: ignore[attr-defined]
    person = accounts.register(repo, "big@example.org", "correct horse battery")
    auth = {"Authorization": f"Bearer {accounts.new_api_token(repo, person, 'limits')}"}
    ep = {"started_at": "2026-01-05T03:00:00+00:00", "duration_minutes": 2, "location": "calf"}
    auth["episode"] = str(client.post("/api/v1/episodes", json=ep, headers=auth).json()["id"])
    return auth


READS_NO_BODY = {"DELETE /api/v1/episodes/{episode_id}"}
"""Routes that answer without reading a body, so there is nothing to count."""


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_streamed_oversized_body_is_413(client: TestClient, bearer: dict[str, str], route: RouteInfo) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(limit_for(route.url()) // 65536 + 2):
            yield b"a" * 65536

    # No Content-Length: the bytes are counted as they arrive (forms are read by the CSRF check).
    api = route.path.startswith(("/api/", "/fhir", "/cds-services"))
    own = {"Authorization": bearer["Authorization"], "Content-Type": "application/json"}
    headers = own if api else {"Content-Type": TYPES[1]}
    r = client.request(
        route.method, route.url(episode_id=bearer["episode"]), content=chunks(), headers=headers
    )
    if str(route) in READS_NO_BODY:
        assert r.status_code < 500
    else:
        assert r.status_code == 413, (route, r.status_code, r.text[:200])


def test_bodies_within_the_limit_still_reach_the_route(client: TestClient) -> None:
    r = client.post("/api/v1/assessments", content=b" " * (MAX_BODY_BYTES - 2) + b"{}")
    assert r.status_code == 200


def test_a_bad_content_length_is_refused(client: TestClient) -> None:
    r = client.post("/api/v1/assessments", content=b"{}", headers={"Content-Length": "-5"})
    assert r.status_code in (400, 413)
