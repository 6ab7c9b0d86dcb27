"""The patient pages in process: the question flow, errors, check your answers, results, about,
the diary hook and page weight. (The same journeys run in a real browser in test_browser.py.)"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from crampcheck.config import Settings
from crampcheck.guidance import load_guidance
from crampcheck.web import question_form
from crampcheck.web.app import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "vignettes.json"
OWN = Path(__file__).parent / "data" / "vignettes.yaml"
TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
G = load_guidance()


def example_cases() -> list[dict[str, Any]]:
    if EXAMPLES.exists():
        cases: list[dict[str, Any]] = json.loads(EXAMPLES.read_text())["cases"]
        return cases
    import yaml

    own: list[dict[str, Any]] = yaml.safe_load(OWN.read_text())["cases"]
    return own[:12]


class Person:
    """Someone filling in the forms, as a browser without JavaScript would."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        page = client.get("/")
        match = TOKEN.search(page.text)
        assert match
        self.token = match.group(1)

    def post(self, url: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(url, data={"csrf_token": self.token, **(data or {})}, follow_redirects=False)

    def start(self) -> str:
        r = self.post("/check/start")
        assert r.status_code == 303
        return str(r.headers["location"])

    def form_for(self, key: str, answers: dict[str, Any]) -> dict[str, Any]:
        q = G.question_map[key]
        if key not in answers:
            return (
                {"dont_know": "1"}
                if q.type in ("integer", "number", "text_list")
                else {"answer": "dont-know"}
            )
        value = answers[key]
        if q.type == "boolean":
            return {"answer": "yes" if value else "no"}
        if q.type == "multi_choice":
            if not value:
                return {"answer": "none" if q.none_label else "dont-know"}
            return {"answer": list(value)}
        if q.type == "text_list":
            return {"answer": "\n".join(value)}
        return {"answer": str(value)}

    def walk(self, answers: dict[str, Any]) -> tuple[str, list[str]]:
        """Answer every question the app asks; return the final URL and the keys asked."""
        url = self.start()
        asked: list[str] = []
        while url.startswith("/check/questions/"):
            key = url.rsplit("/", 1)[1]
            assert key not in asked, f"{key} asked twice"
            asked.append(key)
            r = self.post(url, self.form_for(key, answers))
            assert r.status_code == 303, r.text
            url = r.headers["location"]
        return url, asked


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.from_env(database_url=f"sqlite:///{tmp_path / 't.db'}")
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def person(client: TestClient) -> Person:
    return Person(client)


def disposition_on(html: str) -> str:
    match = re.search(r'data-disposition="(\w+)"', html)
    assert match, "the result page names its disposition"
    return match.group(1)


def test_start_page_says_what_it_is_and_is_not(client: TestClient) -> None:
    html = client.get("/").text
    assert "<h1>Check your leg cramps</h1>" in html
    assert "diagnosis" in html and "999" in html
    assert 'action="/check/start"' in html


@pytest.mark.parametrize("case", example_cases(), ids=lambda c: c["id"])
def test_every_example_can_be_completed(person: Person, case: dict[str, Any]) -> None:
    url, asked = person.walk(case["answers"])
    assert asked[0] == G.questions[0].key, "the most dangerous question comes first"
    if url == "/check/answers":
        page = person.client.get(url)
        assert page.status_code == 200 and "Check your answers" in page.text
        url = "/check/result"
    page = person.client.get(url)
    assert page.status_code == 200
    assert disposition_on(page.text) in case["expect"]["disposition"]


def test_emergency_is_shown_at_once(person: Person) -> None:
    assert person.start() == "/check/questions/general_symptoms"
    r = person.post("/check/questions/general_symptoms", {"answer": ["chest_pain"]})
    assert r.headers["location"] == "/check/result"
    html = person.client.get("/check/result").text
    assert disposition_on(html) == "emergency"
    assert "nhsuk-card--care--emergency" in html
    assert "Possible causes to discuss" not in html, "an emergency page shows only what to do and why"
    answers = person.client.get("/check/answers", follow_redirects=False)
    assert answers.status_code == 200, "a mis-tap can still be changed from check your answers"
    assert 'href="/check/questions/general_symptoms?change=1"' in answers.text
    assert G.dispositions["emergency"].label.replace("&", "&amp;") in html


@pytest.mark.parametrize(
    ("answers", "disposition", "card"),
    [
        ({"general_symptoms": [], "leg_symptoms": ["swelling", "redness"]}, "urgent", "urgent"),
        ({"general_symptoms": [], "leg_symptoms": [], "disturbs_sleep": True}, "gp", "non-urgent"),
        ({"general_symptoms": [], "leg_symptoms": [], "exposures": [], "age": 30}, "self_care", "non-urgent"),
    ],
)
def test_result_kinds_use_the_matching_care_card(
    person: Person, answers: dict[str, Any], disposition: str, card: str
) -> None:
    person.walk(answers)
    html = person.client.get("/check/result").text
    assert disposition_on(html) == disposition
    assert f"nhsuk-card--care--{card}" in html


def test_result_shows_reasons_sources_causes_and_stretch_steps(person: Person) -> None:
    url, _ = person.walk({"age": 52, "leg_symptoms": [], "general_symptoms": [], "exposures": []})
    html = person.client.get("/check/result").text
    stretch = next(a for a in G.advice if a.kind == "stretch")
    assert "<ol" in html and all(step.replace("'", "&#39;") in html for step in stretch.steps)
    assert "Why we said this" in html and "Possible causes to discuss" in html
    nhs = G.sources["nhs-inform"]
    assert f'href="{nhs.url}"' in html
    assert "not a diagnosis" in html


def test_empty_answer_shows_the_error_summary(person: Person) -> None:
    person.start()
    r = person.post("/check/questions/general_symptoms", {})
    assert r.status_code == 200
    assert "nhsuk-error-summary" in r.text and 'href="#answer"' in r.text
    assert "<title>Error: " in r.text
    assert "nhsuk-error-message" in r.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "digits"),
        ("-3", "from 0 to 120"),
        ("40.5", "whole number"),
        ("", "Enter a number"),
        ("1e999", "digits"),
    ],
)
def test_number_errors(person: Person, typed: str, message: str) -> None:
    person.start()
    r = person.post("/check/questions/age", {"answer": typed})
    assert r.status_code == 200 and message in r.text
    assert f'value="{typed}"' in r.text or not typed


@pytest.mark.parametrize("form", [{"dont_know": "1"}, {"answer": "I don't know"}, {"answer": "not sure"}])
def test_numbers_accept_i_dont_know(person: Person, form: dict[str, str]) -> None:
    person.start()
    r = person.post("/check/questions/longest_cramp_minutes", form)
    assert r.status_code == 303
    answers_page = (
        person.client.get("/check/answers").text if r.headers["location"] == "/check/answers" else ""
    )
    next_page = person.client.get(r.headers["location"]).text
    assert "longest_cramp_minutes" not in r.headers["location"]
    assert answers_page or next_page


def test_numbers_accept_units_and_commas(person: Person) -> None:
    person.start()
    assert person.post("/check/questions/longest_cramp_minutes", {"answer": "12 minutes"}).status_code == 303
    assert person.post("/check/questions/age", {"answer": "1,00"}).status_code == 303


def test_none_and_an_option_together_is_an_error(person: Person) -> None:
    person.start()
    r = person.post("/check/questions/general_symptoms", {"answer": ["none", "chest_pain"]})
    assert r.status_code == 200 and "on its own" in r.text


def test_unknown_option_is_an_error(person: Person) -> None:
    person.start()
    r = person.post("/check/questions/which_leg", {"answer": "middle"})
    assert r.status_code == 200 and "nhsuk-error-summary" in r.text


def test_check_answers_has_change_links_and_changing_comes_back(person: Person) -> None:
    answers = {"age": 52, "leg_symptoms": [], "general_symptoms": [], "exposures": [], "medicines": []}
    url, asked = person.walk(answers)
    assert url == "/check/answers"
    html = person.client.get(url).text
    for key in asked:
        assert f'href="/check/questions/{key}?change=1"' in html
    assert "52 years" in html
    change = person.client.get("/check/questions/age?change=1").text
    assert 'href="/check/answers"' in change and 'value="52"' in change
    r = person.post("/check/questions/age?change=1", {"answer": "53"})
    assert r.headers["location"] in ("/check/answers", "/check/questions/pregnant")
    assert "53 years" in person.client.get("/check/answers", follow_redirects=True).text


def test_back_links_follow_the_order_asked(person: Person) -> None:
    person.start()
    person.post("/check/questions/general_symptoms", {"answer": "none"})
    html = person.client.get("/check/questions/leg_symptoms").text
    assert 'href="/check/questions/general_symptoms"' in html
    first = person.client.get("/check/questions/general_symptoms").text
    assert re.search(r'class="nhsuk-back-link"[^>]*href="/"|href="/"[^>]*class="nhsuk-back-link', first)


def test_result_without_answers_goes_to_start(client: TestClient) -> None:
    r = client.get("/check/result", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_result_with_questions_left_goes_to_the_next_question(person: Person) -> None:
    person.start()
    person.post("/check/questions/general_symptoms", {"answer": "none"})
    r = person.client.get("/check/result", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/check/questions/")


def test_unknown_question_is_404(client: TestClient) -> None:
    r = client.get("/check/questions/favourite_colour")
    assert r.status_code == 404 and "Page not found" in r.text


def test_result_page_calls_the_diary_hook(client: TestClient, person: Person) -> None:
    seen: list[dict[str, Any]] = []

    def hook(request: Request, answers: dict[str, Any]) -> None:
        seen.append(answers)

    client.app.state.on_assessment = hook  # type: ignore[attr-defined]
    person.start()
    person.post("/check/questions/general_symptoms", {"answer": ["chest_pain"]})
    person.client.get("/check/result")
    assert seen == [{"general_symptoms": ["chest_pain"]}]


def test_about_page_lists_sources_disagreements_and_version(client: TestClient) -> None:
    html = client.get("/about").text
    assert G.version in html
    for source in G.source_list:
        assert source.title.replace("'", "&#39;") in html
    for d in G.disagreement_list:
        assert d.topic.replace("'", "&#39;") in html


def test_question_types_render_with_i_dont_know(person: Person) -> None:
    person.start()
    for q in G.questions:
        html = person.client.get(f"/check/questions/{q.key}").text
        assert question_form.DONT_KNOW_LABEL.replace("'", "&#39;") in html, q.key
        assert q.text.replace("'", "&#39;") in html


def test_question_page_weight_is_under_100_kb_gzipped(person: Person) -> None:
    person.start()
    gz = {"accept-encoding": "gzip"}
    page = person.client.get("/check/questions/general_symptoms", headers=gz)
    total = int(page.headers.get("content-length") or len(gzip.compress(page.content)))
    urls = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page.text)
    js = person.client.get(next(u for u in urls if u.endswith(".js"))).text
    urls += re.findall(r'"(/static/[^"]+\.js)"', js)
    assert any("nhsuk-frontend" in u and u.endswith(".css") for u in urls)
    for url in set(urls):
        r = person.client.get(url, headers=gz)
        assert r.status_code == 200
        total += int(r.headers["content-length"])
    assert total <= 100 * 1024, f"{total} bytes"


def _values(q: Any) -> Any:
    from hypothesis import strategies as st

    if q.type == "integer":
        return st.integers(int(q.min), int(q.max))
    if q.type == "number":
        return st.decimals(q.min, q.max, places=2, allow_nan=False).map(float)
    if q.type == "boolean":
        return st.booleans()
    values = [o.value for o in q.options]
    if q.type == "choice":
        return st.sampled_from(values)
    if q.type == "multi_choice":
        subsets = st.lists(st.sampled_from(values), unique=True, min_size=0 if q.none_label else 1)
        return subsets.map(lambda chosen: [v for v in values if v in chosen])
    line = st.text(
        st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"]), min_size=1, max_size=q.max_length
    )
    lines = st.lists(line.map(str.strip).filter(bool), unique=True, max_size=q.max_items)
    return lines.filter(lambda ls: not (len(ls) == 1 and question_form._DONT_KNOW_TYPED.match(ls[0])))


@pytest.mark.parametrize("key", [q.key for q in G.questions])
def test_a_shown_answer_posts_back_unchanged(key: str) -> None:
    """What a question page shows for a stored answer reads back as the same answer."""
    from hypothesis import given, settings
    from starlette.datastructures import FormData

    q = G.question_map[key]

    @settings(max_examples=40, deadline=None)
    @given(_values(q))
    def round_trip(value: Any) -> None:
        form = FormData([(question_form.FIELD, v) for v in question_form.shown(q, value, False)])
        posted = question_form.parse(q, form)
        assert posted.error is None and not posted.declined
        assert posted.value == value

    round_trip()
    dont_know = FormData([(question_form.FIELD, v) for v in question_form.shown(q, None, True)])
    assert question_form.parse(q, dont_know).declined or q.type in ("integer", "number", "text_list")
