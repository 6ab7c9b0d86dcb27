"""Security in process: CSRF on every form post, security headers, cookie flags, the flow cookie,
caching and compression of static files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.testclient import TestClient

from crampcheck.config import Settings
from crampcheck.web.app import create_app
from crampcheck.web.flow import COOKIE, FlowState, decode_state, encode_state
from crampcheck.web.security import CSRF_COOKIE, harden_cookie

TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def make_app(tmp_path: Path, https: bool = False) -> FastAPI:
    settings = Settings.from_env(database_url=f"sqlite:///{tmp_path / 't.db'}")
    if https:
        settings = Settings(**{**settings.__dict__, "https": True})
    app = create_app(settings)
    # A stand-in for another feature's form handler: the middleware must protect it unaided.
    extra = APIRouter()

    @extra.post("/test-only/form")
    async def form_handler(request: Request) -> Response:
        async with request.form() as form:
            return PlainTextResponse(f"got {form.get('thing')}")

    @extra.get("/test-only/cookie")
    def cookie_handler() -> Response:
        response = PlainTextResponse("ok")
        response.set_cookie("plain", "1")
        return response

    app.include_router(extra)
    return app


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(make_app(tmp_path)) as c:
        yield c


def token_from(client: TestClient) -> str:
    match = TOKEN.search(client.get("/").text)
    assert match, "the start page has a form with a CSRF token"
    return match.group(1)


def test_form_post_without_token_is_refused(client: TestClient) -> None:
    token_from(client)  # the cookie is set, but the form below does not carry the token
    r = client.post("/test-only/form", data={"thing": "x"})
    assert r.status_code == 403
    assert "could not save" in r.text


def test_form_post_with_token_passes_and_body_is_intact(client: TestClient) -> None:
    token = token_from(client)
    r = client.post("/test-only/form", data={"thing": "x", "csrf_token": token})
    assert r.status_code == 200
    assert r.text == "got x"


def test_multipart_and_header_tokens(client: TestClient) -> None:
    token = token_from(client)
    r = client.post(
        "/test-only/form", data={"thing": "y", "csrf_token": token}, files={"f": ("a.txt", b"hi")}
    )
    assert r.text == "got y"
    r = client.post("/test-only/form", data={"thing": "z"}, headers={"x-csrf-token": token})
    assert r.text == "got z"


def test_token_from_another_cookie_is_refused(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with TestClient(app) as a, TestClient(app) as b:
        token_a = token_from(a)
        token_from(b)
        assert b.post("/test-only/form", data={"csrf_token": token_a}).status_code == 403


def test_text_plain_posts_need_the_header(client: TestClient) -> None:
    token_from(client)
    r = client.post("/test-only/form", content=b"thing=x", headers={"content-type": "text/plain"})
    assert r.status_code == 403


def test_json_api_needs_no_token(client: TestClient) -> None:
    assert client.post("/api/v1/assessments", json={}).status_code == 200


def test_no_cookie_means_no_post(client: TestClient) -> None:
    r = client.post("/check/start", data={"csrf_token": "0" * 64})
    assert r.status_code == 403


@pytest.mark.parametrize("path", ["/", "/about", "/api/v1/health", "/check/questions/age", "/nope"])
def test_security_headers_everywhere(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"accept": "text/html"})
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]+'", csp)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_inline_scripts_carry_the_nonce(client: TestClient) -> None:
    r = client.get("/")
    nonce = re.search(r"'nonce-([\w-]+)'", r.headers["content-security-policy"])
    assert nonce
    scripts = re.findall(r"<script([^>]*)>", r.text)
    assert scripts
    for attrs in scripts:
        assert f'nonce="{nonce.group(1)}"' in attrs or "src=" in attrs
    assert "style=" not in r.text
    assert nonce.group(1) != re.search(
        r"'nonce-([\w-]+)'", client.get("/").headers["content-security-policy"]
    )


def test_every_cookie_is_httponly_and_lax(client: TestClient) -> None:
    r = client.get("/test-only/cookie")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    r = client.get("/")
    assert CSRF_COOKIE in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]


def test_cookies_are_secure_over_https(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, https=True), base_url="https://testserver") as c:
        assert "Secure" in c.get("/test-only/cookie").headers["set-cookie"]
        assert "Secure" in c.get("/").headers["set-cookie"]
        assert "strict-transport-security" in c.get("/").headers


def test_harden_cookie_keeps_existing_flags() -> None:
    assert (
        harden_cookie("a=1; HttpOnly; SameSite=Strict", https=True)
        == "a=1; HttpOnly; SameSite=Strict; Secure"
    )


def test_flow_cookie_is_encrypted_and_tamper_proof(client: TestClient) -> None:
    token = token_from(client)
    client.post("/check/start", data={"csrf_token": token})
    r = client.post(
        "/check/questions/age", data={"csrf_token": token, "answer": "52"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert "52" not in r.headers["location"]
    value = client.cookies[COOKIE]
    assert "52" not in value and "age" not in value
    state = decode_state(value)
    assert state.answers == {"age": 52}
    tampered = value[:-5] + ("A" if value[-5] != "A" else "B") + value[-4:]
    assert decode_state(tampered).empty
    assert decode_state("not a token").empty


def test_flow_state_round_trip_and_invalid_answers_dropped() -> None:
    state = FlowState()
    state.answer("age", 40)
    state.decline("pregnant")
    back = decode_state(encode_state(state))
    assert back.answers == {"age": 40} and back.declined == ["pregnant"] and back.order == ["age", "pregnant"]


def test_hashed_static_files_are_cached_for_a_year_and_gzipped(client: TestClient) -> None:
    html = client.get("/").text
    css = re.search(r'href="(/static/vendor/nhsuk-frontend\.min\.[0-9a-f]{12}\.css)"', html)
    assert css
    r = client.get(css.group(1), headers={"accept-encoding": "gzip"})
    assert r.status_code == 200
    assert "immutable" in r.headers["cache-control"] and "max-age=31536000" in r.headers["cache-control"]
    assert r.headers["content-encoding"] == "gzip"
    assert "assets.nhs.uk" not in r.text, "no fonts from another host"
    plain = client.get("/static/vendor/nhsuk-frontend.min.css")
    assert plain.headers["cache-control"] == "no-cache"
    stale = client.get("/static/vendor/nhsuk-frontend.min.000000000000.css")
    assert stale.status_code == 200 and stale.headers["cache-control"] == "no-cache"
    etag = r.headers["etag"]
    assert client.get(css.group(1), headers={"if-none-match": etag}).status_code == 304
    assert client.get("/static/../pyproject.toml").status_code == 404


def test_pages_are_gzipped_and_not_stored(client: TestClient) -> None:
    r = client.get("/about", headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["cache-control"] == "no-store"


def test_head_on_static_files(client: TestClient) -> None:
    r = client.head("/static/css/app.css", headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and int(r.headers["content-length"]) > 0 and r.content == b""


def test_missing_static_files_degrade_to_plain_urls(tmp_path: Path) -> None:
    from crampcheck.web.assets import AssetStore

    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "a.css").write_text("a{background:url(/static/img/x.svg)}")
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "x.svg").write_text("<svg/>")
    store = AssetStore(tmp_path)
    assert store.url("vendor/nope.css") == "/static/vendor/nope.css"
    css = store.assets["css/a.css"].body.decode()
    assert re.search(r"url\(/static/img/x\.[0-9a-f]{12}\.svg\)", css), "CSS image URLs are pinned to hashes"
