"""A real browser for end-to-end tests: Debian's Chromium driven by Playwright (Python).

Fixtures:

- ``browser``: the Chromium shared by consecutive browser tests (stopped before other tests,
  because Playwright's sync API marks an asyncio loop as running while it is alive).
- ``page``: a fresh Playwright ``Page`` (own cookies, 1280x900, JavaScript on) per test.
- ``new_page(javascript=True, width=1280, height=900)``: more pages, for example with
  JavaScript turned off or at phone width.

Helpers (``from fixtures_browser import axe_check``):

- ``axe_check(page)``: runs axe-core on the page and fails with a readable report unless there
  are zero WCAG 2.2 A/AA violations.

Example::

    @pytest.mark.browser
    def test_start_page(page: Page, live_server: str) -> None:
        page.goto(live_server + "/")
        axe_check(page)

Playwright cannot download its own browsers here, so this uses ``/usr/bin/chromium`` (override
with ``CRAMPCHECK_CHROMIUM``). Without it the tests skip loudly, or fail when CI sets
``CRAMPCHECK_REQUIRE_BROWSER=1`` (see ``conftest.require``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conftest import require

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def chromium_path() -> str | None:
    """The Chromium binary to drive, if there is one."""
    wanted = os.environ.get("CRAMPCHECK_CHROMIUM") or "/usr/bin/chromium"
    if Path(wanted).is_file():
        return wanted
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _playwright_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


class _Chromium:
    """One Chromium shared by consecutive browser tests, stopped before any other test runs.

    While Playwright's sync API is running it marks an asyncio loop as running in the main
    thread, which would break a later test's ``asyncio.run``; so it only lives while browser
    tests follow each other.
    """

    def __init__(self) -> None:
        self._manager: Any = None
        self._browser: Browser | None = None

    def get(self) -> Browser:
        if self._browser is None:
            exe = chromium_path()
            why = "no Chromium found (install Debian's chromium or set CRAMPCHECK_CHROMIUM)"
            require("BROWSER", exe is not None, why)
            require("BROWSER", _playwright_available(), "the Python package playwright is not installed")
            from playwright.sync_api import sync_playwright

            self._manager = sync_playwright()
            playwright = self._manager.__enter__()
            try:
                self._browser = playwright.chromium.launch(
                    executable_path=exe, args=CHROMIUM_ARGS, headless=True
                )
            except BaseException:
                self.stop()
                raise
        return self._browser

    def stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._manager is not None:
            self._manager.__exit__(None, None, None)
            self._manager = None


_CHROMIUM = _Chromium()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Stop the shared Chromium before a test that does not use it."""
    if "browser" not in getattr(item, "fixturenames", ()):
        _CHROMIUM.stop()


def pytest_sessionfinish(session: pytest.Session) -> None:
    _CHROMIUM.stop()


@pytest.fixture
def browser() -> Browser:
    """The shared Chromium (started on first use)."""
    return _CHROMIUM.get()


PageFactory = Callable[..., "Page"]


@pytest.fixture
def new_page(browser: Browser) -> Iterator[PageFactory]:
    """Make pages in fresh browser contexts (own cookies); all are closed after the test."""
    contexts: list[BrowserContext] = []

    def make(javascript: bool = True, width: int = 1280, height: int = 900, **options: Any) -> Page:
        context = browser.new_context(
            java_script_enabled=javascript, viewport={"width": width, "height": height}, **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: PageFactory) -> Page:
    """A fresh page with JavaScript on, at desktop width."""
    return new_page()


def axe_check(page: Page, context: str | dict[str, Any] | None = None) -> None:
    """Fail unless axe-core finds zero WCAG 2.2 A/AA violations on ``page``."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, context=context, options=options)
    if results.violations_count:
        pytest.fail(
            f"axe found {results.violations_count} violation(s) on {page.url}:\n{results.generate_report()}"
        )
