"""End to end in a real browser (Chromium via Playwright) against a real ``crampcheck serve``:
every example vignette walked through, the emergency short-cut, changing an answer, the error
summary, keyboard only, JavaScript off, and axe-core on every page type."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from crampcheck.guidance import load_guidance
from crampcheck.web import question_form
from fixtures_browser import PageFactory, axe_check

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "vignettes.json"
OWN = Path(__file__).parent / "data" / "vignettes.yaml"
G = load_guidance()
QUESTION_URL = re.compile(r"/check/questions/(\w+)")


def example_cases() -> list[dict[str, Any]]:
    """The shared examples; in a fresh clone (no shared folder), our own first twelve."""
    if EXAMPLES.exists():
        cases: list[dict[str, Any]] = json.loads(EXAMPLES.read_text())["cases"]
        return cases
    import yaml

    own: list[dict[str, Any]] = yaml.safe_load(OWN.read_text())["cases"]
    return own[:12]


def watch_console(page: Page) -> list[str]:
    """Collect console errors (CSP violations show up here) and failed requests."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    # ERR_ABORTED is the browser dropping a favicon fetch when the next page starts loading.
    page.on(
        "requestfailed",
        lambda r: (
            problems.append(f"failed: {r.url} {r.failure}")
            if "ERR_ABORTED" not in (r.failure or "")
            else None
        ),
    )
    return problems


def current_key(page: Page) -> str | None:
    match = QUESTION_URL.search(page.url)
    return match.group(1) if match else None


def answer(page: Page, key: str, answers: dict[str, Any]) -> None:
    """Answer the question on screen as the vignette would, "I don't know" where it has no answer."""
    q = G.question_map[key]
    dont_know = question_form.DONT_KNOW_LABEL
    value = answers.get(key)
    if key not in answers or (q.type == "multi_choice" and not value and not q.none_label):
        if q.type in ("integer", "number", "text_list"):
            page.get_by_role("button", name=dont_know).click()
            page.wait_for_url(lambda url: current_key_from(url) != key, wait_until="commit")
            return
        page.get_by_label(dont_know, exact=True).check()
    elif q.type == "boolean":
        page.get_by_label("Yes" if value else "No", exact=True).check()
    elif q.type == "choice":
        option = q.option(value)
        assert option is not None
        page.get_by_label(option.label, exact=True).check()
    elif q.type == "multi_choice":
        labels = [o.label for o in q.options if o.value in value] or [q.none_label or dont_know]
        for label in labels:
            page.get_by_label(label, exact=True).check()
    elif q.type == "text_list":
        page.locator("#answer").fill("\n".join(value))
    else:
        page.locator("#answer").fill(str(value))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: current_key_from(url) != key, wait_until="commit")


_SUBMIT = """([labels, text, button]) => {
  const form = document.querySelector("main form");
  for (const name of labels) {
    const label = [...form.querySelectorAll("label")].find((l) => l.textContent.trim() === name);
    if (!label) throw new Error("no option labelled " + name);
    document.getElementById(label.htmlFor).checked = true;
  }
  if (text !== null) form.querySelector("#answer").value = text;
  form.requestSubmit([...form.querySelectorAll("button")].find((b) => b.textContent.trim() === button));
}"""


def quick_answer(page: Page, key: str, answers: dict[str, Any]) -> None:
    """Like :func:`answer`, but ticks and submits in one round trip to the browser.

    A Playwright action costs 100-200 ms on a 2-core machine; the walks below take about 16
    steps each, so they use this. The other tests click, type and tab like a person.
    """
    q = G.question_map[key]
    dont_know = question_form.DONT_KNOW_LABEL
    value = answers.get(key)
    labels: list[str] = []
    text: str | None = None
    button = "Continue"
    if key not in answers or (q.type == "multi_choice" and not value and not q.none_label):
        if q.type in ("integer", "number", "text_list"):
            button = dont_know
        else:
            labels = [dont_know]
    elif q.type == "boolean":
        labels = ["Yes" if value else "No"]
    elif q.type == "choice":
        labels = [o.label for o in q.options if o.value == value]
    elif q.type == "multi_choice":
        labels = [o.label for o in q.options if o.value in value] or [q.none_label or dont_know]
    elif q.type == "text_list":
        text = "\n".join(value)
    else:
        text = str(value)
    with page.expect_navigation():
        page.evaluate(_SUBMIT, [labels, text, button])


def walk(page: Page, base: str, answers: dict[str, Any], quick: bool = True) -> list[str]:
    """From the start page to the result; returns the keys asked."""
    page.goto(base + "/")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(QUESTION_URL)
    asked: list[str] = []
    while (key := current_key(page)) is not None:
        assert key not in asked, f"{key} asked twice"
        asked.append(key)
        (quick_answer if quick else answer)(page, key, answers)
    if page.url.endswith("/check/answers"):
        page.get_by_role("link", name="See what to do").click()
    page.wait_for_url("**/check/result")
    return asked


def current_key_from(url: str) -> str | None:
    match = QUESTION_URL.search(url)
    return match.group(1) if match else None


def disposition(page: Page) -> str:
    value = page.locator("[data-disposition]").get_attribute("data-disposition")
    assert value
    return value


_AXE_DONE: set[str] = set()
"""Result care-card kinds already checked with axe in this session (each is checked once)."""


def axe_result_once(page: Page) -> None:
    kind = page.locator(".nhsuk-card--care").get_attribute("class") or ""
    if kind not in _AXE_DONE:
        axe_check(page)
        _AXE_DONE.add(kind)


@pytest.mark.parametrize("case", example_cases(), ids=lambda c: c["id"])
def test_vignette_walk(page: Page, live_server: str, case: dict[str, Any]) -> None:
    problems = watch_console(page)
    asked = walk(page, live_server, case["answers"])
    assert asked, "at least one question is asked"
    shown = disposition(page)
    assert shown in case["expect"]["disposition"]
    card = G.dispositions[shown].care_card
    variant = {"immediate": "emergency"}.get(card, card)
    heading = page.locator(f".nhsuk-card--care--{variant} h1").inner_text()
    assert heading.strip().endswith(G.dispositions[shown].label)
    axe_result_once(page)
    assert problems == []


def test_emergency_short_cut(page: Page, live_server: str) -> None:
    problems = watch_console(page)
    page.goto(live_server + "/")
    page.get_by_role("button", name="Start now").click()
    assert current_key(page) == "general_symptoms"
    page.get_by_label(G.question_map["general_symptoms"].options[1].label, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/check/result")
    assert disposition(page) == "emergency"
    assert page.locator(".nhsuk-card--care--emergency").is_visible()
    axe_check(page)
    assert problems == []


def test_change_an_answer_from_check_your_answers(page: Page, live_server: str) -> None:
    answers = {"age": 52, "general_symptoms": [], "leg_symptoms": [], "exposures": [], "medicines": []}
    walk(page, live_server, answers)
    assert disposition(page) == "self_care"
    # The printed result drops the navigation and keeps the advice.
    page.emulate_media(media="print")
    assert not page.locator(".nhsuk-header__navigation").is_visible()
    assert not page.locator(".nhsuk-footer").is_visible()
    assert page.locator(".nhsuk-card--care").is_visible()
    page.emulate_media(media="screen")
    assert page.get_by_role("button", name="Print this page").is_visible()
    page.get_by_role("link", name="Change your answers").click()
    page.wait_for_url("**/check/answers")
    axe_check(page)
    row = page.locator(".nhsuk-summary-list__row", has_text=G.question_map["age"].text)
    assert "52" in row.inner_text()
    row.get_by_role("link", name=re.compile("Change")).click()
    assert page.locator("#answer").input_value() == "52"
    assert page.get_by_role("link", name="Back").get_attribute("href") == "/check/answers"
    page.locator("#answer").fill("53")
    page.get_by_role("button", name="Continue").click()
    while (key := current_key(page)) is not None:
        answer(page, key, answers)
    page.wait_for_url("**/check/answers")
    row = page.locator(".nhsuk-summary-list__row", has_text=G.question_map["age"].text)
    assert "53" in row.inner_text()


def test_error_summary(page: Page, live_server: str) -> None:
    problems = watch_console(page)
    page.goto(live_server + "/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error: ")
    # NHS.UK frontend moves focus to the summary so screen readers announce it.
    assert page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")
    assert page.locator(".nhsuk-error-message").is_visible()
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "answer"
    axe_check(page)
    # A number question's error, reached by answering the first two.
    page.get_by_label("None of these", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("None of these", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    assert current_key(page) == "longest_cramp_minutes"
    page.locator("#answer").fill("lots")
    page.get_by_role("button", name="Continue").click()
    assert "digits" in page.locator(".nhsuk-error-summary").inner_text()
    assert page.locator("#answer").input_value() == "lots"
    axe_check(page)
    assert problems == []


def tab_to(page: Page, matches: str, limit: int = 60) -> None:
    """Press Tab until the focused element's text, label or value contains ``matches``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate(
            """() => { const e = document.activeElement;
                 const label = e.labels && e.labels[0] ? e.labels[0].innerText : "";
                 return (e.innerText || "") + "|" + label + "|" + (e.value || ""); }"""
        )
        if matches in text:
            return
    pytest.fail(f"could not reach {matches!r} with the Tab key")


def test_keyboard_only(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.innerText").strip() == "Skip to main content"
    tab_to(page, "Start now")
    page.keyboard.press("Enter")
    page.wait_for_url("**/check/questions/general_symptoms")
    # Submitting nothing, then following the error summary's link to the field.
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    page.locator(".nhsuk-error-summary").wait_for()
    tab_to(page, "Select all that apply")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "answer"
    tab_to(page, G.question_map["general_symptoms"].options[1].label)
    page.keyboard.press("Space")
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    page.wait_for_url("**/check/result")
    assert disposition(page) == "emergency"
    # A number: type it and press Enter in the field.
    page.goto(live_server + "/check/questions/longest_cramp_minutes")
    while page.evaluate("document.activeElement.id") != "answer":
        page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "longest_cramp_minutes" not in url)


def test_javascript_disabled(new_page: PageFactory, live_server: str) -> None:
    page = new_page(javascript=False)
    case = {
        "age": 67,
        "cramps_per_week": 7,
        "disturbs_sleep": True,
        "general_symptoms": [],
        "leg_symptoms": [],
    }
    walk(page, live_server, case, quick=False)
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    assert disposition(page) == "gp"
    page.goto(live_server + "/")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label(G.question_map["general_symptoms"].options[0].label, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/check/result")
    assert disposition(page) == "emergency"


@pytest.mark.parametrize("path", ["/", "/about", "/docs", "/no-such-page"])
def test_axe_on_static_page_types(page: Page, live_server: str, path: str) -> None:
    problems = watch_console(page)
    page.goto(live_server + path)
    axe_check(page)
    if path != "/no-such-page":
        assert problems == []


def test_axe_on_every_question_type(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_role("button", name="Start now").click()
    seen: set[str] = set()
    for q in G.questions:
        if q.type not in seen:
            seen.add(q.type)
            page.goto(f"{live_server}/check/questions/{q.key}")
            axe_check(page)


@pytest.mark.parametrize(
    ("variant", "answers"),
    [
        ("emergency", {"general_symptoms": ["chest_pain"]}),
        ("urgent", {"general_symptoms": [], "leg_symptoms": ["swelling", "redness"]}),
        ("non-urgent", {"general_symptoms": [], "leg_symptoms": [], "exposures": [], "age": 30}),
    ],
)
def test_axe_on_each_result_kind(page: Page, live_server: str, variant: str, answers: dict[str, Any]) -> None:
    """Cheap after the vignette walks (they have usually checked every kind already)."""
    if any(f"nhsuk-card--care--{variant}" in kind.split() for kind in _AXE_DONE):
        return
    walk(page, live_server, answers)
    assert page.locator(f".nhsuk-card--care--{variant}").count() == 1
    axe_result_once(page)
