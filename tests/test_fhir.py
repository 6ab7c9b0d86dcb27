"""FHIR R4B: every resource validates with fhir.resources, plus what fhir.resources does not check
(enableWhen targets and semantics, code systems) and the round trip through ``$assess``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.riskassessment import RiskAssessment
from hypothesis import HealthCheck, given, settings

from crampcheck import contract, fhir
from crampcheck.engine import default_engine
from crampcheck.guidance import load_guidance
from crampcheck.guidance.codes import load_codes
from crampcheck.guidance.condition import Facts, compile_condition
from strategies import valid_answers

VIGNETTES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "vignettes.json"
OPERATORS = {"exists", "=", "!=", ">", "<", ">=", "<="}
ANSWER_TYPE = {
    "integer": "answerInteger",
    "decimal": "answerDecimal",
    "boolean": "answerBoolean",
    "choice": "answerCoding",
    "string": "answerString",
}


def _items(q: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    out, stack = [], list(q.get("item", []))
    while stack:
        item = stack.pop(0)
        out.append(item)
        stack = list(item.get("item", [])) + stack
    return out


def _vignettes() -> list[dict[str, Any]]:
    if not VIGNETTES.exists():  # the shared examples are not part of a fresh clone
        return []
    cases: list[dict[str, Any]] = json.loads(VIGNETTES.read_text(encoding="utf-8"))["cases"]
    return cases


def expressible(answers: Mapping[str, Any], questionnaire: Mapping[str, Any]) -> dict[str, Any]:
    """The answers a QuestionnaireResponse can carry: an empty list needs a "none" option."""
    decl = {i["linkId"]: i for i in _items(questionnaire)}
    nones = {
        k
        for k, i in decl.items()
        if any(o["valueCoding"]["code"] == fhir.NONE_CODE for o in i.get("answerOption", []))
    }
    return {k: v for k, v in answers.items() if v != [] or k in nones}


def response_for(answers: Mapping[str, Any], questionnaire: Mapping[str, Any]) -> dict[str, Any]:
    """A QuestionnaireResponse for contract answers, typed as the Questionnaire declares."""
    decl = {i["linkId"]: i for i in _items(questionnaire)}
    items = []
    for key, value in expressible(answers, questionnaire).items():
        item = decl[key]
        options = {o["valueCoding"]["code"]: o["valueCoding"] for o in item.get("answerOption", [])}
        values = value if isinstance(value, list) else [value]
        if item["type"] == "choice" and not values:
            values = [fhir.NONE_CODE]  # a known "none of these"
        out: list[dict[str, Any]] = []
        for v in values:
            if item["type"] == "boolean":
                out.append({"valueBoolean": v})
            elif item["type"] == "integer":
                out.append({"valueInteger": v})
            elif item["type"] == "decimal":
                out.append({"valueDecimal": float(v)})
            elif item["type"] == "choice":
                out.append({"valueCoding": options[v]})
            else:
                out.append({"valueString": v})
        if out:
            items.append({"linkId": key, "answer": out})
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": f"{questionnaire['url']}|{questionnaire['version']}",
        "item": items,
    }


# --- Questionnaire -------------------------------------------------------------------------------


def test_questionnaire_validates_and_carries_the_guidance_version() -> None:
    q = fhir.questionnaire()
    model = Questionnaire.model_validate(q)
    assert model.version == load_guidance().version
    assert q["url"] == fhir.QUESTIONNAIRE_URL and q["id"] == "leg-cramps"


def test_link_ids_are_the_contract_keys_and_unique() -> None:
    q = fhir.questionnaire()
    questions = [i["linkId"] for i in q["item"]]
    assert sorted(questions) == sorted(contract.ANSWER_KEYS)
    every = [i["linkId"] for i in _items(q)]
    assert len(every) == len(set(every))


def test_answer_options_come_from_the_declared_systems() -> None:
    g = load_guidance()
    for item in fhir.questionnaire()["item"]:
        q = g.question_map[item["linkId"]]
        codings = [o["valueCoding"] for o in item.get("answerOption", [])]
        assert all(c["system"] == fhir.option_system(q.key) for c in codings)
        codes = [c["code"] for c in codings]
        assert codes[: len(q.options)] == [o.value for o in q.options]
        assert set(codes[len(q.options) :]) <= {fhir.NONE_CODE}
        assert all(c["display"] for c in codings)
        if q.key in contract.ANSWER_VALUES:
            assert set(contract.ANSWER_VALUES[q.key]) <= set(codes)


def test_enable_when_targets_exist_earlier_and_are_well_typed() -> None:
    q = fhir.questionnaire()
    seen: dict[str, Mapping[str, Any]] = {}
    conditional = 0
    for item in q["item"]:
        when = item.get("enableWhen", [])
        conditional += bool(when)
        if len(when) > 1:
            assert item.get("enableBehavior") in ("all", "any"), item["linkId"]  # invariant que-12
        for ew in when:
            target = seen.get(ew["question"])
            assert target is not None, f"{item['linkId']}: enableWhen on unknown or later {ew['question']}"
            assert ew["operator"] in OPERATORS
            answers = [k for k in ew if k.startswith("answer")]
            assert len(answers) == 1
            if ew["operator"] == "exists":
                assert answers == ["answerBoolean"]
                continue
            assert answers == [ANSWER_TYPE[target["type"]]], item["linkId"]
            if answers == ["answerCoding"]:
                assert ew["answerCoding"]["code"] in [
                    o["valueCoding"]["code"] for o in target["answerOption"]
                ]
                assert ew["answerCoding"]["system"] == fhir.option_system(target["linkId"])
        seen[item["linkId"]] = item
    assert conditional == sum(1 for x in load_guidance().questions if x.ask_when is not None)


def _answered(item_answers: list[Any]) -> bool:
    return bool(item_answers)


def fhir_enabled(item: Mapping[str, Any], response: Mapping[str, Any]) -> bool:
    """FHIR R4B enableWhen semantics (questionnaire-enable-operator definitions)."""
    given_answers = {i["linkId"]: i["answer"] for i in response["item"]}
    results = []
    for ew in item.get("enableWhen", []):
        answers = given_answers.get(ew["question"], [])
        key = next(k for k in ew if k.startswith("answer"))
        want = ew[key]
        values = [a[key.replace("answer", "value")] for a in answers if key.replace("answer", "value") in a]
        if key == "answerCoding":
            values = [(v["system"], v["code"]) for v in values]
            want = (want["system"], want["code"])
        op = ew["operator"]
        if op == "exists":
            results.append(_answered(answers) == want)
        elif op == "=":
            results.append(any(v == want for v in values))
        elif op == "!=":
            results.append(all(v != want for v in values))
        else:
            compare = {">": float.__gt__, "<": float.__lt__, ">=": float.__ge__, "<=": float.__le__}[op]
            results.append(any(compare(float(v), float(want)) for v in values))
    if not results:
        return True
    return all(results) if item.get("enableBehavior", "all") == "all" else any(results)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_answers())
def test_enable_when_asks_what_the_guidance_asks(answers: dict[str, Any]) -> None:
    """Exactly the guidance's rule ("ask unless known to be false") wherever FHIR can express it;
    for the rest, exact whenever the earlier answers are given."""
    g = load_guidance()
    q = fhir.questionnaire()
    answers = expressible(answers, q)
    response = response_for(answers, q)
    for item in q["item"]:
        question = g.question_map[item["linkId"]]
        if question.ask_when is None:
            continue
        native = compile_condition(question.ask_when, g.thresholds)(Facts(answers)).value is not False
        exact = any(ew["operator"] == "exists" for ew in item["enableWhen"])
        deps = {ew["question"] for ew in item["enableWhen"]}
        if exact or deps <= set(answers):
            assert fhir_enabled(item, response) == native, (item["linkId"], answers)


# --- $assess -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _vignettes(), ids=lambda c: c["id"])
def test_round_trip_gives_the_native_disposition(case: dict[str, Any]) -> None:
    q = fhir.questionnaire()
    response = response_for(case["answers"], q)
    ra = fhir.assess_response(response)
    RiskAssessment.model_validate(ra)
    native = default_engine().assess(case["answers"])
    risk = ra["prediction"][0]["qualitativeRisk"]["coding"][0]
    assert risk["system"] == fhir.DISPOSITION_SYSTEM
    assert risk["code"] == native.disposition
    assert risk["code"] in case["expect"]["disposition"]
    assert [n["text"] for n in ra["note"]] == [r.text for r in native.reasons]
    assert ra["basis"] == [{"reference": "#response"}]
    assert ra["contained"][0]["resourceType"] == "QuestionnaireResponse"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_answers())
def test_round_trip_matches_the_engine_for_any_answers(answers: dict[str, Any]) -> None:
    q = fhir.questionnaire()
    ra = fhir.assess_response(response_for(answers, q))
    native = default_engine().assess(expressible(answers, q))
    assert ra["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == native.disposition


def test_basis_references_a_stored_response_and_groups_are_read() -> None:
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": "qr-7",
        "status": "completed",
        "subject": {"reference": "Patient/p1"},
        "item": [
            {
                "linkId": "group",
                "item": [
                    {"linkId": "longest_cramp_minutes", "answer": [{"valueInteger": 15}]},
                    {"linkId": "eases_with_movement", "answer": [{"valueBoolean": False}]},
                ],
            }
        ],
    }
    ra = fhir.assess_response(response)
    RiskAssessment.model_validate(ra)
    assert ra["basis"] == [{"reference": "QuestionnaireResponse/qr-7"}]
    assert ra["subject"] == {"reference": "Patient/p1"}
    assert "contained" not in ra
    assert ra["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "urgent"


def _error(data: object) -> fhir.FhirError:
    with pytest.raises(fhir.FhirError) as info:
        fhir.assess_response(data)
    OperationOutcome.model_validate(info.value.outcome())
    return info.value


def _qr(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"resourceType": "QuestionnaireResponse", "status": "completed", "item": list(items), **extra}


@pytest.mark.parametrize(
    ("data", "status", "needle"),
    [
        ([], 400, "QuestionnaireResponse"),
        ({"resourceType": "Patient"}, 400, "QuestionnaireResponse"),
        ({"resourceType": "QuestionnaireResponse"}, 400, "status"),
        (_qr(status="finished"), 400, "status must be one of"),
        (_qr({"linkId": "age", "answer": "old"}), 400, "answer"),
        (_qr({"linkId": "colour", "answer": [{"valueString": "red"}]}), 422, "colour"),
        (_qr({"linkId": "age", "answer": [{"valueString": "old"}]}), 422, "valueInteger"),
        (_qr({"linkId": "age", "answer": [{"valueInteger": 300}]}), 422, "age"),
        (_qr({"linkId": "which_leg", "answer": [{"valueCoding": {"code": "middle"}}]}), 422, "which_leg"),
        (
            _qr({"linkId": "which_leg", "answer": [{"valueCoding": {"system": "http://x", "code": "left"}}]}),
            422,
            fhir.option_system("which_leg"),
        ),
        (
            _qr({"linkId": "pregnant", "answer": [{"valueBoolean": True}, {"valueBoolean": False}]}),
            422,
            "one",
        ),
        (_qr(questionnaire="http://example.org/Questionnaire/phq-9"), 422, "assesses"),
    ],
)
def test_bad_resources_get_an_operation_outcome(data: object, status: int, needle: str) -> None:
    err = _error(data)
    assert err.status == status
    assert needle in json.dumps(err.outcome())


def test_none_of_these_is_a_known_empty_list() -> None:
    none = {"system": fhir.option_system("leg_symptoms"), "code": fhir.NONE_CODE}
    answers = fhir.answers_from_response(_qr({"linkId": "leg_symptoms", "answer": [{"valueCoding": none}]}))
    assert answers == {"leg_symptoms": []}


# --- diary ---------------------------------------------------------------------------------------

EPISODES = [
    {
        "id": 3,
        "started_at": "2026-03-01T02:40:00-05:00",
        "duration_minutes": 6,
        "location": "calf",
        "leg": "left",
        "severity": 7,
        "woke_from_sleep": True,
        "exercise": "none",
        "helped": ["stretching", "walking"],
        "note": "after a long walk",
    },
    {"id": 4, "started_at": "2026-03-02T14:00:00+00:00", "duration_minutes": 0.5, "location": "foot"},
]


def test_diary_bundle_validates_and_uses_checked_codes() -> None:
    bundle = fhir.observation_bundle(EPISODES, "Patient/me", "http://localhost:8000/fhir")
    Bundle.model_validate(bundle)
    codes = load_codes()
    first, second = (e["resource"] for e in bundle["entry"])
    assert first["code"]["coding"] == [
        {"system": "http://snomed.info/sct", "code": "449918009", "display": "Cramp in lower leg"}
    ]
    assert first["effectivePeriod"] == {
        "start": "2026-03-01T02:40:00-05:00",
        "end": "2026-03-01T02:46:00-05:00",
    }
    assert first["bodySite"]["coding"][0]["code"] == codes.observation.body_sites["calf"].code
    severity = first["component"][0]
    assert severity["code"]["coding"][0]["code"] == "72514-3" and severity["valueInteger"] == 7
    side = first["component"][1]["valueCodeableConcept"]["coding"][0]
    assert side["code"] == codes.observation.sides["left"].code
    assert second["bodySite"]["coding"][0]["code"] == codes.observation.body_sites["foot"].code
    assert "component" not in second
    assert bundle["entry"][0]["fullUrl"] == "http://localhost:8000/fhir/Observation/episode-3"
    known = {
        c.code for c in (codes.observation.finding, codes.observation.severity, codes.observation.laterality)
    }
    known |= {c.code for c in (*codes.observation.body_sites.values(), *codes.observation.sides.values())}
    for entry in bundle["entry"]:
        text = json.dumps(entry["resource"])
        for coding in _codings(entry["resource"]):
            if coding.get("system") in ("http://snomed.info/sct", "http://loinc.org"):
                assert coding["code"] in known, text


def _codings(node: object) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node] if "system" in node and "code" in node else []
        return found + [c for v in node.values() for c in _codings(v)]
    if isinstance(node, list):
        return [c for v in node for c in _codings(v)]
    return []


def test_naive_episode_times_are_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        fhir.observation({"id": 1, "started_at": "2026-03-01T02:40:00", "location": "calf"}, "Patient/me")


# --- command line --------------------------------------------------------------------------------


def test_cli_exports_and_assesses(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from crampcheck.cli import app

    runner = CliRunner()
    q = runner.invoke(app, ["fhir", "questionnaire"])
    assert q.exit_code == 0
    Questionnaire.model_validate_json(q.stdout)
    db = f"sqlite:///{tmp_path / 'c.db'}"
    obs = runner.invoke(app, ["fhir", "observations", "--database-url", db])
    assert obs.exit_code == 0
    assert Bundle.model_validate_json(obs.stdout).total == 0
    qr = tmp_path / "qr.json"
    qr.write_text(
        json.dumps(_qr({"linkId": "general_symptoms", "answer": [{"valueCoding": {"code": "chest_pain"}}]}))
    )
    ra = runner.invoke(app, ["fhir", "assess", str(qr)])
    assert ra.exit_code == 0
    assert json.loads(ra.stdout)["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "emergency"
    qr.write_text("{}")
    bad = runner.invoke(app, ["fhir", "assess", str(qr)])
    assert bad.exit_code == 2 and "OperationOutcome" in bad.stdout


def test_the_cli_does_not_import_fhir_resources() -> None:
    import subprocess
    import sys

    code = "import sys, crampcheck.cli; print(any(m.startswith(('fhir', 'weasyprint')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
