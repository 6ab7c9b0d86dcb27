"""The "describe it in your own words" pages, as a browser without JavaScript uses them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from crampcheck.config import Settings
from crampcheck.web.app import create_app
from crampcheck.web.flow import COOKIE, decode_state

if TYPE_CHECKING:
    from playwright.sync_api import Page

TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
KEY = re.compile(r'name="key" value="([a-z_0-9]+)"')


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.from_env(database_url=f"sqlite:///{tmp_path}/t.db")
    with TestClient(create_app(settings)) as c:
        yield c


class Writer:
    """Someone describing their cramps, then confirming each answer."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        page = client.get("/describe")
        assert page.status_code == 200
        match = TOKEN.search(page.text)
        assert match
        self.token = match.group(1)

    def post(self, url: str, data: dict[str, Any]) -> Any:
        return self.client.post(url, data={"csrf_token": self.token, **data}, follow_redirects=False)


def test_the_form_is_offered(client: TestClient) -> None:
    page = client.get("/describe")
    assert "Describe it in your own words" in page.text
    assert 'name="description"' in page.text


def test_empty_text_is_an_error(client: TestClient) -> None:
    r = Writer(client).post("/describe", {"description": "  "})
    assert r.status_code == 400
    assert "There is a problem" in r.text


def test_nothing_understood_offers_the_questions(client: TestClient) -> None:
    r = Writer(client).post("/describe", {"description": "Hello there"})
    assert r.status_code == 200
    assert "could not pick out any answers" in r.text


def test_each_answer_is_confirmed_then_the_flow_continues(client: TestClient) -> None:
    w = Writer(client)
    text = "My left calf cramps most nights. No swelling."
    r = w.post("/describe", {"description": text})
    assert r.status_code == 200
    seen = []
    while r.status_code == 200:
        key = KEY.search(r.text)
        assert key, r.text
        seen.append(key.group(1))
        assert "We filled this in from your words" in r.text
        if key.group(1) == "which_leg":
            assert "&ldquo;left&rdquo;" in r.text
            assert re.search(r'value="left"\s+checked', r.text)
            r = w.post("/describe/confirm", {"description": text, "key": "which_leg", "answer": "right"})
        else:
            checked = re.findall(r'name="answer"[^>]*value="([a-z_0-9]+)"\s+checked', r.text)
            typed = re.search(r'name="answer"[^>]*value="([0-9.]+)"', r.text)
            answer: Any = checked or (typed.group(1) if typed else "")
            r = w.post("/describe/confirm", {"description": text, "key": key.group(1), "answer": answer})
    assert seen == ["cramps_per_week", "cramp_location", "which_leg", "timing"]
    assert r.status_code == 303 and r.headers["location"] == "/check/next"
    state = decode_state(client.cookies[COOKIE])
    assert state.answers == {
        "cramps_per_week": 5.0,
        "cramp_location": ["calf"],
        "which_leg": "right",
        "timing": ["night"],
    }
    assert (
        client.get("/check/next", follow_redirects=False).headers["location"].startswith("/check/questions/")
    )


def test_a_wrong_answer_format_is_shown_again(client: TestClient) -> None:
    w = Writer(client)
    text = "cramps about twice a week"
    w.post("/describe", {"description": text})
    r = w.post("/describe/confirm", {"description": text, "key": "cramps_per_week", "answer": "lots"})
    assert r.status_code == 400
    assert "There is a problem" in r.text


def test_a_red_flag_shows_the_result_at_once(client: TestClient) -> None:
    w = Writer(client)
    r = w.post("/describe", {"description": "Leg cramps and now I'm short of breath with chest pain."})
    assert r.status_code == 200
    assert 'data-disposition="emergency"' in r.text
    assert "&ldquo;short of breath&rdquo;" in r.text
    assert 'name="key"' not in r.text


def test_an_urgent_red_flag_also_shows_the_result(client: TestClient) -> None:
    w = Writer(client)
    text = "My right calf cramped for half an hour and moving didn't help."
    r = w.post("/describe", {"description": text})
    assert 'data-disposition="urgent"' in r.text


def test_the_text_is_escaped(client: TestClient) -> None:
    r = Writer(client).post("/describe", {"description": 'my left calf "><script>alert(1)</script> cramps'})
    assert r.status_code == 200
    assert "<script>alert" not in r.text


def test_the_text_is_never_in_a_url(client: TestClient) -> None:
    w = Writer(client)
    r = w.post("/describe", {"description": "cramps twice a week"})
    r = w.post(
        "/describe/confirm", {"description": "cramps twice a week", "key": "cramps_per_week", "answer": "2"}
    )
    assert "cramps" not in r.headers.get("location", "")


@pytest.mark.browser
def test_describe_in_a_browser(page: Page, live_server: str) -> None:
    from fixtures_browser import axe_check

    page.goto(live_server + "/describe")
    axe_check(page)
    page.get_by_label("Describe it in your own words").fill("My left calf cramps most nights. No swelling.")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    axe_check(page)
    for _ in range(4):
        assert "We filled this in from your words" in page.content()
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/check/questions/**")


@pytest.mark.browser
def test_red_flag_in_a_browser(page: Page, live_server: str) -> None:
    from fixtures_browser import axe_check

    page.goto(live_server + "/describe")
    page.get_by_label("Describe it in your own words").fill("Cramp in my calf and now chest pain.")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    page.locator(".nhsuk-card--care--emergency").wait_for()
    axe_check(page)
