"""The diary pages in a real browser: quick logging, edit, delete with confirmation, the summary,
the account pages, and axe (zero WCAG 2.2 A/AA violations) on each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from fixtures_browser import axe_check
from fixtures_server import start_server, stop_server

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_log_a_cramp_quickly_then_edit_and_delete(page: Page, live_server: str) -> None:
    page.goto(live_server + "/diary/log")
    axe_check(page)
    # Quick to log: two answers and one button (the rest is optional).
    page.get_by_label("How many minutes did it last?").fill("2")
    page.get_by_label("Calf").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/diary\?done=logged"))
    assert "Your cramp is saved" in page.content()
    axe_check(page)

    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Change")).first.click()
    axe_check(page)
    page.get_by_label("How many minutes did it last?").fill("7")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(r"done=changed"))
    assert "7 min" in page.content()

    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Delete")).first.click()
    axe_check(page)
    page.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_url(re.compile(r"done=deleted"))


def test_errors_are_announced_and_accessible(page: Page, live_server: str) -> None:
    page.goto(live_server + "/diary/log")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert "Select where the cramp was" in summary.inner_text()
    assert page.title().startswith("Error:")
    axe_check(page)


def test_import_page(page: Page, live_server: str) -> None:
    page.goto(live_server + "/diary/import")
    axe_check(page)
    page.get_by_role("button", name="Import").click()
    assert "Select a CSV file" in page.locator(".nhsuk-error-summary").inner_text()
    axe_check(page)


def test_summary_page(page: Page, live_server: str) -> None:
    page.goto(live_server + "/diary/summary")
    assert page.locator("svg[role=img]").count() == 3
    page.get_by_text('Show "Cramps per week" as a table').click()
    axe_check(page)


@pytest.fixture(scope="module")
def multi_user_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("multi")
    base, proc = start_server(folder, ("--multi-user",))
    try:
        yield base
    finally:
        proc.kill()  # a throw-away server: no need to wait for the browser's keep-alive connections
        stop_server(proc)


def test_account_pages(page: Page, multi_user_server: str) -> None:
    page.goto(multi_user_server + "/diary")
    page.wait_for_url(re.compile("/account/sign-in"))
    axe_check(page)
    page.get_by_role("link", name="Create an account").click()
    axe_check(page)
    page.get_by_label("E-mail address").fill("browser@example.org")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile("/diary$"))
    page.goto(multi_user_server + "/account")
    page.get_by_label("Name of the new token").fill("script")
    page.get_by_role("button", name="Create a token").click()
    assert page.locator("#new-token").inner_text().startswith("cct_")
    axe_check(page)
    page.goto(multi_user_server + "/account/delete")
    axe_check(page)
    page.get_by_role("button", name="Yes, delete my account").click()
    assert "Your account is deleted" in page.content()
