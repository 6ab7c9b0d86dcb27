"""Web bench: what each page type weighs over the wire, and (when installed) Lighthouse scores.

``run()`` starts a real ``crampcheck serve``, opens every page type in Chromium with an empty
cache and adds up the bytes actually transferred (gzipped HTML, CSS, JS, images). Lighthouse
runs only when ``lighthouse`` 12.x is found (``$LIGHTHOUSE``, the PATH or ``node_modules/.bin``;
``npm install lighthouse@12.8.2``), with ``CHROME_PATH=/usr/bin/chromium``.

``python bench/web.py screenshots`` writes PNGs of every page type at 375 px and 1280 px into
``docs/screenshots/``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fixtures_server import start_server, stop_server  # noqa: E402

CHROMIUM = os.environ.get("CRAMPCHECK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SHOTS = ROOT / "docs" / "screenshots"
BUDGET = 100 * 1024

# How to reach each page type: answers posted in order (key -> form values), then the page.
EMERGENCY = [("general_symptoms", {"answer": ["chest_pain"]})]
URGENT = [("general_symptoms", {"answer": "none"}), ("leg_symptoms", {"answer": ["swelling", "redness"]})]
CALM = [("general_symptoms", {"answer": "none"}), ("leg_symptoms", {"answer": "none"})]
PAGES: dict[str, tuple[list[tuple[str, dict[str, Any]]], str]] = {
    "start": ([], "/"),
    "question": ([], "/check/questions/general_symptoms"),
    "question-number": (CALM, "/check/questions/longest_cramp_minutes"),
    "question-error": ([], "/check/questions/general_symptoms#error"),
    "check-answers": (CALM, "/check/answers"),
    "result-emergency": (EMERGENCY, "/check/result"),
    "result-urgent": (URGENT, "/check/result"),
    "result-non-urgent": (CALM, "/check/result"),
    "about": ([], "/about"),
    "not-found": ([], "/no-such-page"),
}


@contextmanager
def server() -> Iterator[str]:
    """A fresh ``crampcheck serve`` for the bench."""
    with tempfile.TemporaryDirectory() as tmp:
        base, proc = start_server(Path(tmp))
        try:
            yield base
        finally:
            stop_server(proc)


def _prepare(page: Any, base: str, steps: list[tuple[str, dict[str, Any]]], until: str) -> None:
    """Post the answers the page type needs, then answer "I don't know" until ``until``."""
    page.goto(base + "/")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url("**/check/questions/**")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for key, data in steps:
        _post(page, f"{base}/check/questions/{key}", {"csrf_token": token, **data})
    if until == "/check/answers" or until == "/check/result":
        for _ in range(40):
            response = page.goto(base + "/check/next")
            if response is None or "/check/questions/" not in page.url:
                break
            key = page.url.rsplit("/", 1)[1]
            is_number = page.locator("button[name=dont_know]").count() > 0
            form = {"dont_know": "1"} if is_number else {"answer": "dont-know"}
            _post(page, f"{base}/check/questions/{key}", {"csrf_token": token, **form})


def _post(page: Any, url: str, data: dict[str, Any]) -> None:
    # Several ticked boxes share one name, which Playwright's form= cannot express.
    body = urlencode(data, doseq=True)
    page.request.post(url, data=body, headers={"content-type": "application/x-www-form-urlencoded"})


def _open(context: Any, base: str, name: str, path: str) -> Any:
    page = context.new_page()
    if path.endswith("#error"):
        page.goto(base + path.removesuffix("#error"))
        page.get_by_role("button", name="Continue").click()
        page.locator(".nhsuk-error-summary").wait_for()
    else:
        page.goto(base + path)
    page.wait_for_load_state("networkidle")
    return page


def each_page(base: str, browser: Any, width: int, visit: Callable[[str, Any], None]) -> None:
    """Open every page type in its own browser context (own cookies, empty cache)."""
    for name, (steps, path) in PAGES.items():
        setup = browser.new_context(viewport={"width": width, "height": 900})
        _prepare(setup.new_page(), base, steps, path.split("#")[0])
        state = setup.storage_state()
        setup.close()
        # A new context starts with an empty cache, so every page is measured cold.
        context = browser.new_context(viewport={"width": width, "height": 900}, storage_state=state)
        visit(name, _open(context, base, name, path))
        context.close()


def page_weights(base: str, browser: Any) -> dict[str, Any]:
    """Bytes over the wire per page type, cold cache."""
    out: dict[str, Any] = {}
    sizes: dict[str, int] = {}

    def visit_measure(name: str, page: Any) -> None:
        sizes[name] = page.evaluate(
            """() => ["navigation", "resource"]
                 .flatMap((type) => performance.getEntriesByType(type))
                 .reduce((sum, e) => sum + (e.transferSize || 0), 0)"""
        )

    each_page(base, browser, 1280, visit_measure)
    for name, size in sizes.items():
        # The error page comes from posting the question page, so its CSS and JS are cached.
        out[f"{name}_bytes" + ("_assets_cached" if name.endswith("-error") else "")] = size
    out["question_within_100kb"] = sizes["question"] <= BUDGET
    return out


def lighthouse(base: str) -> dict[str, Any]:
    """Accessibility and performance scores, if Lighthouse is installed."""
    exe = (
        os.environ.get("LIGHTHOUSE")
        or shutil.which("lighthouse")
        or str(ROOT / "node_modules" / ".bin" / "lighthouse")
    )
    if not Path(exe).exists():
        return {"lighthouse": "not installed (npm install lighthouse@12.8.2)"}
    out: dict[str, Any] = {}
    pages = [("start", "/"), ("question", "/check/questions/general_symptoms"), ("result", "/check/result")]
    headers = json.dumps({"Cookie": _result_cookie(base)})
    for name, path in [*pages, ("about", "/about")]:
        with tempfile.NamedTemporaryFile(suffix=".json") as report:
            subprocess.run(
                [
                    exe,
                    base + path,
                    "--quiet",
                    "--only-categories=accessibility,performance,best-practices",
                    "--output=json",
                    f"--output-path={report.name}",
                    f"--extra-headers={headers}",
                    "--chrome-flags=--headless --no-sandbox --disable-gpu",
                ],
                env={**os.environ, "CHROME_PATH": CHROMIUM},
                check=True,
                timeout=300,
                capture_output=True,
            )
            categories = json.loads(Path(report.name).read_text())["categories"]
        for cat in ("accessibility", "performance", "best-practices"):
            out[f"lighthouse_{name}_{cat}"] = round(categories[cat]["score"] * 100)
    return out


def _result_cookie(base: str) -> str:
    """Cookies of a finished assessment (non-urgent result), for Lighthouse to load the result."""
    import re

    import httpx

    with httpx.Client(base_url=base) as client:
        token = re.search(r'name="csrf_token" value="(\w+)"', client.get("/").text)
        assert token
        form = {"csrf_token": token.group(1)}
        client.post("/check/start", data=form)
        for key, data in CALM:
            client.post(f"/check/questions/{key}", data={**form, **data})
        for _ in range(40):
            where = client.get("/check/next").headers["location"]
            if "/check/questions/" not in where:
                break
            client.post(where, data={**form, "answer": "dont-know", "dont_know": "1"})
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def run() -> dict[str, Any]:
    """Page weight per page type (gzipped bytes incl. CSS/JS/images) and Lighthouse scores."""
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    with server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        figures = page_weights(base, browser)
        browser.close()
        figures.update(lighthouse(base))
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures


def _shrink(path: Path) -> None:
    """A 64-colour palette keeps flat NHS.UK pages sharp at a third of the size."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def screenshots() -> list[Path]:
    """PNGs of every page type at phone and desktop widths, into docs/screenshots/."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for width, label in [(375, "phone"), (1280, "desktop")]:

            def shoot(name: str, page: Any, label: str = label) -> None:
                path = SHOTS / f"{name}-{label}.png"
                page.screenshot(path=str(path), full_page=True)
                _shrink(path)
                written.append(path)

            each_page(base, browser, width, shoot)
        browser.close()
    return written


if __name__ == "__main__":
    if sys.argv[1:] == ["screenshots"]:
        for path in screenshots():
            print(path.relative_to(ROOT))
    else:
        print(json.dumps(run(), indent=2))
