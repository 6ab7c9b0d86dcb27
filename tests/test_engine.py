"""The engine: every rule fires and just misses; every cause likewise; vignettes; adaptive order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from crampcheck import contract
from crampcheck.engine import assess, default_engine, next_questions
from crampcheck.guidance import load_guidance

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "vignettes.json"
OWN = Path(__file__).parent / "data" / "vignettes.yaml"

# rule id -> (answers that fire it, answers that just miss it)
RULE_CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "clot-in-lung-signs": (
        {"leg_symptoms": ["swelling"], "general_symptoms": ["shortness_of_breath"]},
        {"leg_symptoms": ["numbness"], "general_symptoms": ["shortness_of_breath"]},
    ),
    "breathless-chest-pain-or-coughing-blood": (
        {"general_symptoms": ["coughing_blood"]},
        {"general_symptoms": ["dizziness"]},
    ),
    "possible-clot-in-leg": (
        {"leg_symptoms": ["swelling", "warm_skin"]},
        {"leg_symptoms": ["swelling", "numbness"]},
    ),
    "long-cramp-not-eased-by-moving": (
        {"longest_cramp_minutes": 10.5, "eases_with_movement": False},
        {"longest_cramp_minutes": 10, "eases_with_movement": False},
    ),
    "contact-with-toxin-or-wound-dirt": ({"exposures": ["mercury"]}, {"exposures": []}),
    "affects-quality-of-life": ({"affects_quality_of_life": True}, {"affects_quality_of_life": False}),
    "frequent-cramps": ({"cramps_per_week": 3}, {"cramps_per_week": 2.9}),
    "disturbs-sleep": ({"disturbs_sleep": True}, {"disturbs_sleep": False}),
    "numbness-or-swelling": ({"leg_symptoms": ["numbness"]}, {"leg_symptoms": ["muscle_weakness"]}),
    "redness-or-tingling": ({"leg_symptoms": ["tingling"]}, {"leg_symptoms": ["numbness"]}),
    "warm-skin-or-sore-veins": ({"leg_symptoms": ["hard_sore_veins"]}, {"leg_symptoms": ["swelling"]}),
    "muscle-shrinking-or-weaker": ({"leg_symptoms": ["muscle_shrinking"]}, {"leg_symptoms": ["numbness"]}),
    "walking-or-weight-bearing-problems": (
        {"leg_symptoms": ["cannot_bear_weight"]},
        {"leg_symptoms": ["pain_between_cramps"]},
    ),
    "dizziness": ({"general_symptoms": ["dizziness"]}, {"general_symptoms": []}),
    "new-medicine-before-cramps": (
        {"new_medicine_before_cramps": True},
        {"new_medicine_before_cramps": False},
    ),
    "takes-medicine-linked-to-cramps": (
        {"medicines": ["Anaprox DS 550 mg"]},
        {"medicines": ["paracetamol 500 mg", "ferrous sulfate tablets", "Naprosin"]},
    ),
    "no-warning-signs": ({}, {"disturbs_sleep": True}),
}

# cause id -> (answers that give it, answers that just miss it)
CAUSE_CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "pregnancy": ({"pregnant": True}, {"pregnant": False}),
    "exercise": ({"timing": ["after_exercise"]}, {"timing": ["night", "day"]}),
    "dehydration": ({"low_fluid_intake": True}, {"low_fluid_intake": False}),
    "older_age": ({"age": 60}, {"age": 59}),
    "medicine": ({"medicines": ["Forsteo 20 micrograms pen"]}, {"medicines": ["ibuprofen"]}),
    "toxins": ({"exposures": ["lead"]}, {"exposures": ["dirt_in_wound"]}),
    "infection": ({"exposures": ["dirt_in_wound"]}, {"exposures": ["lead", "mercury"]}),
    "alcohol_misuse": ({"alcohol_units_per_week": 14.5}, {"alcohol_units_per_week": 14}),
    "idiopathic": ({"age": 45}, {"age": 45, "pregnant": True}),
    **{
        cid: (
            {"conditions": [cid]},
            {"conditions": [other for other in contract.CONDITION_IDS if other != cid]},
        )
        for cid in contract.CONDITION_IDS
        if cid not in ("alcohol_misuse", "diarrhoea")
    },
    "diarrhoea": ({"conditions": ["diarrhoea"]}, {"conditions": ["flat_feet"], "low_fluid_intake": True}),
}


def reason_ids(answers: dict[str, Any]) -> list[str]:
    return [r.id for r in assess(answers).reasons]


def cause_ids(answers: dict[str, Any]) -> list[str]:
    return [c.id for c in assess(answers).causes]


def test_every_rule_and_cause_has_cases() -> None:
    g = load_guidance()
    assert sorted(RULE_CASES) == sorted(r.id for r in g.rules)
    assert sorted(CAUSE_CASES) == sorted(c.id for c in g.causes)


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule_fires_and_just_misses(rule_id: str) -> None:
    fire, miss = RULE_CASES[rule_id]
    rule = next(r for r in load_guidance().rules if r.id == rule_id)
    result = assess(fire)
    assert rule_id in [r.id for r in result.reasons]
    assert contract.urgency(result.disposition) >= contract.urgency(rule.disposition)
    assert rule_id not in reason_ids(miss)


@pytest.mark.parametrize("cause_id", sorted(CAUSE_CASES))
def test_cause_found_and_just_missed(cause_id: str) -> None:
    found, missed = CAUSE_CASES[cause_id]
    assert cause_id in cause_ids(found)
    assert cause_id not in cause_ids(missed)


def test_medicine_cause_names_the_generic_medicine() -> None:
    causes = assess({"medicines": ["EVISTA 60mg", "Aleve", "paracetamol"]}).causes
    assert [(c.id, c.medicine) for c in causes if c.id == "medicine"] == [
        ("medicine", "raloxifene"),
        ("medicine", "naproxen"),
    ]
    new_only = [c for c in assess({"new_medicine_before_cramps": True}).causes if c.id == "medicine"]
    assert len(new_only) == 1 and new_only[0].medicine is None
    assert "medicine" not in assess({"new_medicine_before_cramps": True}).to_dict()["causes"][0]


def test_reasons_are_most_urgent_first_and_decide_the_disposition() -> None:
    result = assess({"disturbs_sleep": True, "exposures": ["lead"], "general_symptoms": ["chest_pain"]})
    ranks = [contract.urgency(r.disposition) for r in result.reasons]
    assert ranks == sorted(ranks, reverse=True)
    assert result.disposition == "emergency" == result.reasons[0].disposition
    assert {
        "breathless-chest-pain-or-coughing-blood",
        "contact-with-toxin-or-wound-dirt",
        "disturbs-sleep",
    } <= {r.id for r in result.reasons}


def test_missing_answers_are_unknown_not_no() -> None:
    # A long cramp with nothing said about movement: the safer reading fires, and says so.
    result = assess({"longest_cramp_minutes": 30})
    assert result.disposition == "urgent"
    assert result.reasons[0].assumed == ["eases_with_movement"]
    # But nothing at all known fires nothing beyond self care.
    assert assess({}).disposition == "self_care"
    assert assess({"longest_cramp_minutes": 30, "eases_with_movement": True}).disposition == "self_care"


def test_fallback_cause_only_without_a_secondary_cause() -> None:
    assert cause_ids({"age": 75}) == ["older_age", "idiopathic"]
    assert "idiopathic" not in cause_ids({"age": 75, "conditions": ["liver_disease"]})


def test_advice_always_has_stretch_and_worsening_and_pregnancy_when_pregnant() -> None:
    plain = {a.id for a in assess({}).advice}
    assert {"calf-stretch", "if-it-gets-worse", "stretch-before-bed", "loose-bedclothes"} <= plain
    assert "pregnancy-cramps-pass" not in plain
    assert "pregnancy-cramps-pass" in {a.id for a in assess({"pregnant": True}).advice}
    stretch = next(a for a in assess({}).advice if a.id == "calf-stretch")
    assert len(stretch.steps) == 4
    on_medicine = {a.id for a in assess({"medicines": ["naproxen"]}).advice}
    assert "never-stop-prescribed-medicine" in on_medicine


def _load_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(EXAMPLES.read_text())["cases"] if EXAMPLES.exists() else []
    cases += yaml.safe_load(OWN.read_text())["cases"]
    return cases


@pytest.mark.parametrize("case", _load_cases(), ids=lambda c: c["id"])
def test_vignette(case: dict[str, Any]) -> None:
    result = assess(case["answers"])
    want = case["expect"]["disposition"]
    assert result.disposition in want, case.get("story")
    ids = [c.id for c in result.causes]
    for cid in case["expect"].get("causes_include", []):
        assert cid in ids
    for cid in case["expect"].get("causes_exclude", []):
        assert cid not in ids


def test_next_questions_start_with_red_flags() -> None:
    keys = [q.key for q in next_questions({})]
    assert keys[:3] == ["general_symptoms", "leg_symptoms", "longest_cramp_minutes"]
    assert set(keys) >= {"cramp_location", "which_leg", "timing", "weeks_since_first_cramp"}


def test_next_questions_stop_at_an_emergency() -> None:
    assert next_questions({"general_symptoms": ["chest_pain"]}) == []


def test_next_questions_skip_what_cannot_matter() -> None:
    short = [q.key for q in next_questions({"longest_cramp_minutes": 2})]
    assert "eases_with_movement" not in short
    long = [q.key for q in next_questions({"longest_cramp_minutes": 20})]
    assert "eases_with_movement" in long
    child = [q.key for q in next_questions({"age": 8})]
    assert "pregnant" not in child
    # Don't know the length: ask about movement anyway (the safer course).
    assert "eases_with_movement" in [q.key for q in next_questions({}, declined={"longest_cramp_minutes"})]
    # Already urgent: GP-level questions can no longer change the disposition.
    urgent = [q.key for q in next_questions({"exposures": ["lead"], "general_symptoms": []})]
    assert "disturbs_sleep" not in urgent and "affects_quality_of_life" not in urgent


def test_declined_questions_are_not_asked_again() -> None:
    keys = [q.key for q in next_questions({}, declined={"general_symptoms"})]
    assert "general_symptoms" not in keys


def test_engine_is_pure() -> None:
    answers = {"age": 70, "medicines": ["Premarin"], "leg_symptoms": ["swelling"]}
    copy = json.loads(json.dumps(answers))
    first = assess(answers).to_dict()
    assert assess(answers).to_dict() == first
    assert answers == copy
    assert default_engine() is default_engine()
