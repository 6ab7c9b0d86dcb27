"""CDS Hooks 2.0 ``leg-cramps`` service, driven by requests shaped like the specification's examples
(cds-hooks/docs ``docs/specification/current.md``: request, fhirAuthorization and prefetch)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from crampcheck import cds
from crampcheck.guidance import load_guidance

PATIENT = "1288992"
BASE = "https://crampcheck.test/"


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def condition(system: str, code: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": f"c-{code}",
        "clinicalStatus": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}
            ]
        },
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": f"Patient/{PATIENT}"},
        **extra,
    }


def med_request(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "status": "active",
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "medicationCodeableConcept": {"text": text},
        **extra,
    }


def request(**prefetch: Any) -> dict[str, Any]:
    """The specification's patient-view example request, with our prefetch keys."""
    return {
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "http://hooks.smarthealthit.org:9080",
        "hook": "patient-view",
        "fhirAuthorization": {
            "access_token": "some-opaque-fhir-access-token",
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "user/Patient.read user/Condition.read user/MedicationRequest.read",
            "subject": "cds-service4",
        },
        "context": {"userId": "Practitioner/example", "patientId": PATIENT, "encounterId": "89284"},
        "prefetch": {
            "patient": {
                "resourceType": "Patient",
                "gender": "male",
                "birthDate": "1925-12-23",
                "id": PATIENT,
            },
            **prefetch,
        },
    }


def call(body: object) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = cds.call(body, BASE)["cards"]
    return cards


def test_discovery_lists_one_patient_view_service_with_prefetch() -> None:
    services = cds.discovery()["services"]
    assert len(services) == 1
    svc = services[0]
    assert svc["id"] == "leg-cramps" and svc["hook"] == "patient-view"
    assert svc["title"] and svc["description"]
    assert svc["prefetch"]["patient"] == "Patient/{{context.patientId}}"
    assert svc["prefetch"]["conditions"].startswith("Condition?patient={{context.patientId}}")
    assert "clinical-status=active" in svc["prefetch"]["conditions"]
    assert svc["prefetch"]["medications"].startswith("MedicationRequest?patient={{context.patientId}}")
    for template in svc["prefetch"].values():
        assert "{{context.patientId}}" in template


def test_a_linked_medicine_gets_a_warning_card_naming_it() -> None:
    cards = call(request(conditions=None, medications=bundle(med_request("Naproxen 250 mg tablets"))))
    assert [c["indicator"] for c in cards] == ["warning"]
    card = cards[0]
    assert "naproxen" in card["summary"]
    assert "Naproxen 250 mg tablets" in card["detail"]
    assert card["links"] == [{"label": card["links"][0]["label"], "url": BASE, "type": "absolute"}]


def test_brand_names_codings_and_statements_are_recognised() -> None:
    statement = {
        "resourceType": "MedicationStatement",
        "status": "active",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "medicationCodeableConcept": {
            "coding": [
                {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "x", "display": "Evista"}
            ]
        },
    }
    cards = call(request(conditions=None, medications=None, medicationStatements=bundle(statement)))
    assert "raloxifene" in cards[0]["summary"]


def test_a_referenced_medication_is_resolved() -> None:
    req = med_request("", medicationReference={"reference": "#med"}, contained=[])
    del req["medicationCodeableConcept"]
    req["contained"] = [{"resourceType": "Medication", "id": "med", "code": {"text": "Forteo pen"}}]
    included = {"resourceType": "Medication", "id": "m9", "code": {"text": "Naprosyn 500mg"}}
    other = med_request("", id="m2")
    del other["medicationCodeableConcept"]
    other["medicationReference"] = {"reference": "Medication/m9"}
    cards = call(request(conditions=None, medications=bundle(req, other, included)))
    assert "teriparatide" in cards[0]["summary"] and "naproxen" in cards[0]["summary"]


def test_conditions_by_snomed_and_icd10_get_an_info_card() -> None:
    conditions = bundle(
        condition("http://snomed.info/sct", "44054006"),
        condition("http://hl7.org/fhir/sid/icd-10-cm", "K74.60"),
        condition("http://hl7.org/fhir/sid/icd-10", "J45"),  # asthma: not a cause
    )
    cards = call(request(conditions=conditions, medications=None))
    assert [c["indicator"] for c in cards] == ["info"]
    causes = {c.id: c.title for c in load_guidance().causes}
    assert causes["type_2_diabetes"] in cards[0]["summary"]
    assert causes["liver_disease"] in cards[0]["summary"]


def test_inactive_refuted_and_other_patients_conditions_are_ignored() -> None:
    status = "http://terminology.hl7.org/CodeSystem/condition-clinical"
    verification = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
    conditions = bundle(
        condition(
            "http://snomed.info/sct",
            "44054006",
            clinicalStatus={"coding": [{"system": status, "code": "resolved"}]},
        ),
        condition(
            "http://snomed.info/sct",
            "40930008",
            verificationStatus={"coding": [{"system": verification, "code": "refuted"}]},
        ),
        condition("http://snomed.info/sct", "49049000", subject={"reference": "Patient/someone-else"}),
    )
    stopped = med_request("naproxen", status="stopped")
    assert call(request(conditions=conditions, medications=bundle(stopped))) == []


def test_both_cards_carry_a_source_and_short_summaries() -> None:
    conditions = bundle(
        *(condition("http://snomed.info/sct", c) for c in ("44054006", "40930008", "49049000"))
    )
    meds = bundle(
        *(med_request(t) for t in ("naproxen", "Evista", "Forteo", "Premarin", "Venofer", "Microgynon"))
    )
    cards = call(request(conditions=conditions, medications=meds))
    assert [c["indicator"] for c in cards] == ["warning", "info"]
    for card in cards:
        assert 0 < len(card["summary"]) < 140
        assert card["source"]["label"] and card["source"]["url"].startswith("https://")
        assert card["uuid"]
    assert len({c["uuid"] for c in cards}) == 2


@pytest.mark.parametrize("count", [1, 3, 6, 15])
def test_summaries_stay_under_140_characters(count: int) -> None:
    names = [f"a-rather-long-condition-name-{i}" for i in range(count)]
    texts = cds.load_codes().cards
    summary = cds.fit_summary(texts.conditions_summary, texts.more, names)
    assert len(summary) < 140
    assert names[0] in summary


def test_an_empty_record_gets_no_cards() -> None:
    assert call(request(conditions=bundle(), medications=bundle())) == []
    assert call(request(conditions=None, medications=None)) == []


@pytest.mark.parametrize("missing", ["conditions", "medications", "both"])
def test_missing_prefetch_is_412(missing: str) -> None:
    body = request(conditions=bundle(), medications=bundle())
    for key in ("conditions", "medications") if missing == "both" else (missing,):
        del body["prefetch"][key]
    with pytest.raises(cds.CdsError) as info:
        call(body)
    assert info.value.status == 412


def test_no_prefetch_at_all_is_412() -> None:
    body = request()
    del body["prefetch"]
    with pytest.raises(cds.CdsError) as info:
        call(body)
    assert info.value.status == 412


def _broken(change: str) -> dict[str, Any]:
    body = request(conditions=None, medications=None)
    if change == "hook":
        body["hook"] = "order-select"
    elif change == "hookInstance":
        del body["hookInstance"]
    elif change == "patientId":
        del body["context"]["patientId"]
    elif change == "userId":
        del body["context"]["userId"]
    elif change == "fhirServer":
        del body["fhirServer"]
    elif change == "prefetch":
        body["prefetch"] = ["not", "an", "object"]
    return body


@pytest.mark.parametrize("change", ["hook", "hookInstance", "patientId", "userId", "fhirServer", "prefetch"])
def test_malformed_requests_are_400(change: str) -> None:
    with pytest.raises(cds.CdsError) as info:
        call(_broken(change))
    assert info.value.status == 400


def test_record_text_is_not_markdown() -> None:
    cards = call(
        request(conditions=None, medications=bundle(med_request("naproxen **[click](http://evil)**")))
    )
    detail = cards[0]["detail"]
    assert "[click](http://evil)" not in detail
    assert r"\*\*\[click\](http://evil)\*\*" in detail


def test_the_request_is_not_changed() -> None:
    body = request(conditions=bundle(condition("http://snomed.info/sct", "44054006")), medications=None)
    before = copy.deepcopy(body)
    call(body)
    assert json.dumps(body, sort_keys=True) == json.dumps(before, sort_keys=True)
