"""The JSON API in process: health, questionnaire, assessments, OpenAPI and the docs page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crampcheck import contract
from crampcheck.config import Settings
from crampcheck.guidance import load_guidance
from crampcheck.web.app import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "vignettes.json"


def example_cases() -> list[dict[str, Any]]:
    """The shared example vignettes when present (not in a fresh clone)."""
    if not EXAMPLES.exists():
        return []
    cases: list[dict[str, Any]] = json.loads(EXAMPLES.read_text())["cases"]
    return cases


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.from_env(database_url=f"sqlite:///{tmp_path / 't.db'}")
    with TestClient(create_app(settings)) as c:
        yield c


def test_health_is_exactly_ok(client: TestClient) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers["content-type"].startswith("application/json")


def test_questionnaire_lists_every_contract_key_with_its_values(client: TestClient) -> None:
    body = client.get("/api/v1/questionnaire").json()
    assert body["guidance_version"] == load_guidance().version
    questions = {q["key"]: q for q in body["questions"]}
    assert set(contract.ANSWER_KEYS) <= set(questions)
    for key, values in contract.ANSWER_VALUES.items():
        assert {o["value"] for o in questions[key]["options"]} >= set(values)
    assert questions["eases_with_movement"]["ask_when"]["key"] == "longest_cramp_minutes"
    assert "long_cramp_minutes" in body["thresholds"]


@pytest.mark.parametrize("case", example_cases(), ids=lambda c: c["id"])
def test_assessment_of_each_example(client: TestClient, case: dict[str, Any]) -> None:
    r = client.post("/api/v1/assessments", json=case["answers"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["disposition"] in case["expect"]["disposition"]
    causes = {c["id"] for c in body["causes"]}
    assert set(case["expect"].get("causes_include", [])) <= causes
    assert not set(case["expect"].get("causes_exclude", [])) & causes
    assert body["guidance_version"] == load_guidance().version
    assert all(r["sources"] for r in body["reasons"])


def test_assessment_shape_follows_the_contract(client: TestClient) -> None:
    body = client.post(
        "/api/v1/assessments", json={"longest_cramp_minutes": 15, "eases_with_movement": False}
    ).json()
    assert body["disposition"] == "urgent"
    assert {"disposition", "reasons", "causes", "advice", "guidance_version"} <= set(body)
    reason = body["reasons"][0]
    assert {"id", "text", "sources"} <= set(reason)
    assert {"id", "section"} <= set(reason["sources"][0])


def test_medicine_cause_names_the_generic(client: TestClient) -> None:
    body = client.post("/api/v1/assessments", json={"medicines": ["Evista 60mg"]}).json()
    medicine = [c for c in body["causes"] if c["id"] == "medicine"]
    assert medicine and medicine[0]["medicine"] == "raloxifene"


def test_bad_answers_get_one_message_per_field(client: TestClient) -> None:
    r = client.post("/api/v1/assessments", json={"age": "old", "no_such_key": 1})
    assert r.status_code == 422
    body = r.json()
    assert set(body["errors"]) == {"age", "no_such_key"}
    assert all(isinstance(m, str) and m for m in body["errors"].values())
    assert {tuple(d["loc"]) for d in body["detail"]} == {("body", "age"), ("body", "no_such_key")}


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "", "null", '"text"'])
def test_body_that_is_not_an_object_is_422(client: TestClient, raw: str) -> None:
    r = client.post("/api/v1/assessments", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "answers" in r.json()["errors"]


def test_empty_answers_are_valid(client: TestClient) -> None:
    r = client.post("/api/v1/assessments", json={})
    assert r.status_code == 200
    assert r.json()["disposition"] in contract.DISPOSITIONS


def test_openapi_documents_the_contract(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/v1/health", "/api/v1/questionnaire", "/api/v1/assessments"} <= set(paths)
    post = paths["/api/v1/assessments"]["post"]
    answers = post["requestBody"]["content"]["application/json"]["schema"]
    assert set(contract.ANSWER_KEYS) <= set(answers["properties"])
    assert answers["additionalProperties"] is False
    assert {"200", "422"} <= set(post["responses"])
    assert not any(p.startswith(("/check", "/static", "/about")) for p in paths)


def test_docs_page_works_offline(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert "/api/v1/assessments" in r.text
    assert "cdn" not in r.text.lower() and "https://" not in r.text.split("<main", 1)[0]


def test_api_404_is_json(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here", headers={"accept": "text/html"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
