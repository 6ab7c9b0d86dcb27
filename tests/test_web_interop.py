"""The FHIR and CDS Hooks routes over HTTP, in the real app (media types, status codes, diary)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.riskassessment import RiskAssessment

from crampcheck.config import Settings
from crampcheck.web.app import create_app

FHIR_JSON = "application/fhir+json"
ASSESS = "/fhir/QuestionnaireResponse/$assess"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.from_env(database_url=f"sqlite:///{tmp_path / 't.db'}")
    with TestClient(create_app(settings)) as c:
        yield c


def _qr(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "Questionnaire/leg-cramps",
        "item": list(items),
    }


URGENT = _qr(
    {"linkId": "longest_cramp_minutes", "answer": [{"valueDecimal": 15.0}]},
    {"linkId": "eases_with_movement", "answer": [{"valueBoolean": False}]},
)


def test_questionnaire_is_fhir_json(client: TestClient) -> None:
    r = client.get("/fhir/Questionnaire/leg-cramps")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(FHIR_JSON)
    Questionnaire.model_validate(r.json())


@pytest.mark.parametrize("ctype", [FHIR_JSON, "application/json"])
def test_assess_returns_a_risk_assessment(client: TestClient, ctype: str) -> None:
    r = client.post(ASSESS, content=json.dumps(URGENT), headers={"content-type": ctype})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(FHIR_JSON)
    ra = r.json()
    RiskAssessment.model_validate(ra)
    assert ra["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "urgent"


def test_assess_accepts_parameters(client: TestClient) -> None:
    body = {"resourceType": "Parameters", "parameter": [{"name": "response", "resource": URGENT}]}
    r = client.post(ASSESS, json=body)
    assert r.status_code == 200
    assert r.json()["resourceType"] == "RiskAssessment"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"resourceType": "Patient"}', 400),
        (b'{"resourceType": "QuestionnaireResponse"}', 400),
        (
            b'{"resourceType": "QuestionnaireResponse", "status": "completed", '
            b'"item": [{"linkId": "colour", "answer": [{"valueString": "red"}]}]}',
            422,
        ),
    ],
)
def test_bad_resources_get_an_operation_outcome(client: TestClient, body: bytes, status: int) -> None:
    r = client.post(ASSESS, content=body, headers={"content-type": FHIR_JSON})
    assert r.status_code == status
    assert r.headers["content-type"].startswith(FHIR_JSON)
    OperationOutcome.model_validate(r.json())


def test_the_diary_as_observations(client: TestClient) -> None:
    episode = {
        "started_at": "2026-01-05T03:10:00+01:00",
        "duration_minutes": 4,
        "location": "calf",
        "leg": "both",
        "severity": 5,
    }
    assert client.post("/api/v1/episodes", json=episode).status_code == 201
    r = client.get("/fhir/Patient/me/Observation")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(FHIR_JSON)
    bundle = r.json()
    Bundle.model_validate(bundle)
    assert bundle["total"] == 1
    obs = bundle["entry"][0]["resource"]
    assert obs["code"]["coding"][0]["code"] == "449918009"
    assert obs["effectivePeriod"]["start"] == "2026-01-05T03:10:00+01:00"
    assert obs["subject"] == {"reference": "Patient/me"}


def test_someone_elses_diary_is_not_found(client: TestClient) -> None:
    r = client.get("/fhir/Patient/999/Observation")
    assert r.status_code == 404
    OperationOutcome.model_validate(r.json())


def test_cds_discovery_and_call(client: TestClient) -> None:
    services = client.get("/cds-services").json()["services"]
    assert [s["id"] for s in services] == ["leg-cramps"]
    body = {
        "hook": "patient-view",
        "hookInstance": "6b1fbc5e-55c4-4b6b-a5b6-2d3f6c6f3a10",
        "context": {"userId": "Practitioner/1", "patientId": "p1"},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": "p1"},
            "conditions": None,
            "medications": {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "MedicationRequest",
                            "status": "active",
                            "intent": "order",
                            "subject": {"reference": "Patient/p1"},
                            "medicationCodeableConcept": {"text": "Naproxen 250 mg tablets"},
                        }
                    }
                ],
            },
        },
    }
    r = client.post("/cds-services/leg-cramps", json=body)
    assert r.status_code == 200
    card = r.json()["cards"][0]
    assert card["indicator"] == "warning" and "naproxen" in card["summary"]
    assert card["links"][0]["url"] == "http://testserver/"


def test_cds_without_prefetch_is_412_and_bad_json_400(client: TestClient) -> None:
    body = {
        "hook": "patient-view",
        "hookInstance": "x",
        "context": {"userId": "Practitioner/1", "patientId": "p"},
    }
    assert client.post("/cds-services/leg-cramps", json=body).status_code == 412
    r = client.post("/cds-services/leg-cramps", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 400


def test_metadata_is_a_capability_statement(client: TestClient) -> None:
    r = client.get("/fhir/metadata")
    assert r.status_code == 200 and r.headers["content-type"].startswith(FHIR_JSON)
    cs = CapabilityStatement.model_validate(r.json())
    assert cs.fhirVersion == "4.3.0"
    types = [res["type"] for res in r.json()["rest"][0]["resource"]]
    assert types == ["Questionnaire", "QuestionnaireResponse", "Observation"]


def test_oversized_bodies_are_413(client: TestClient) -> None:
    big = b'{"resourceType": "QuestionnaireResponse", "x": "' + b"a" * 600_000 + b'"}'
    r = client.post(ASSESS, content=big, headers={"content-type": FHIR_JSON})
    assert r.status_code == 413
    OperationOutcome.model_validate(r.json())
    assert client.post("/cds-services/leg-cramps", content=big).status_code == 413


def test_observation_search_by_date_and_count(client: TestClient) -> None:
    for day in (3, 10, 20):
        episode = {
            "started_at": f"2026-01-{day:02d}T03:10:00+00:00",
            "duration_minutes": 2,
            "location": "foot",
        }
        assert client.post("/api/v1/episodes", json=episode).status_code == 201
    r = client.get("/fhir/Patient/me/Observation?date=ge2026-01-05&date=le2026-01-20")
    assert [e["resource"]["effectivePeriod"]["start"][:10] for e in r.json()["entry"]] == [
        "2026-01-10",
        "2026-01-20",
    ]
    r = client.get("/fhir/Patient/me/Observation?date=lt2026-01-10&_count=1")
    assert r.json()["total"] == 1
    r = client.get("/fhir/Patient/me/Observation?date=2026-01-20")
    assert r.json()["total"] == 1
    r = client.get("/fhir/Patient/me/Observation?date=soon")
    assert r.status_code == 400
    OperationOutcome.model_validate(r.json())
