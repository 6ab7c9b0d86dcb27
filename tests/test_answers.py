"""Validating answers against the contract (section 1)."""

from __future__ import annotations

import pytest

from crampcheck.answers import AnswersError, answers_model, parse_answers, validate_answers


def test_valid_answers_pass_and_nulls_mean_not_known() -> None:
    answers = validate_answers(
        {"age": 0, "pregnant": None, "cramps_per_week": 0.25, "timing": ["night", "night"]}
    )
    assert answers == {"age": 0, "cramps_per_week": 0.25, "timing": ["night"]}


def test_integers_are_accepted_for_numbers() -> None:
    assert validate_answers({"longest_cramp_minutes": 15}) == {"longest_cramp_minutes": 15.0}


@pytest.mark.parametrize(
    ("answers", "key", "words"),
    [
        ({"age": "52"}, "age", "whole number from 0 to 120"),
        ({"age": 121}, "age", "whole number"),
        ({"age": True}, "age", "whole number"),
        ({"age": 52.5}, "age", "whole number"),
        ({"pregnant": "no"}, "pregnant", "true or false"),
        ({"pregnant": 0}, "pregnant", "true or false"),
        ({"which_leg": "middle"}, "which_leg", "one of: left, right, both"),
        ({"cramp_location": "calf"}, "cramp_location", "list of any of: calf, foot, thigh"),
        ({"conditions": ["gout"]}, "conditions", "list of any of"),
        ({"longest_cramp_minutes": 10_000}, "longest_cramp_minutes", "from 0 to 1440 (minutes)"),
        ({"longest_cramp_minutes": float("nan")}, "longest_cramp_minutes", "number"),
        ({"alcohol_units_per_week": -1}, "alcohol_units_per_week", "from 0 to 500"),
        ({"medicines": "naproxen"}, "medicines", "list of at most 30 texts"),
        ({"medicines": ["x" * 121]}, "medicines", "at most 120 characters"),
        ({"medicines": ["   "]}, "medicines", "list"),
        ({"favourite_colour": "red"}, "favourite_colour", "not a known answer key"),
    ],
)
def test_one_clear_message_per_bad_key(answers: dict[str, object], key: str, words: str) -> None:
    with pytest.raises(AnswersError) as info:
        validate_answers(answers)
    assert list(info.value.problems) == [key]
    assert words in info.value.problems[key]


def test_every_bad_key_is_reported() -> None:
    with pytest.raises(AnswersError) as info:
        validate_answers({"age": "old", "no_such_key": 1, "timing": ["dawn"], "pregnant": True})
    assert set(info.value.problems) == {"age", "no_such_key", "timing"}


def test_not_an_object_or_not_json() -> None:
    for bad in ([1], "text", 5, None):
        with pytest.raises(AnswersError) as info:
            validate_answers(bad)
        assert list(info.value.problems) == ["answers"]
    with pytest.raises(AnswersError) as info:
        parse_answers("{oops")
    assert "not valid JSON" in info.value.problems["answers"]


def test_model_has_a_json_schema_for_every_question() -> None:
    schema = answers_model().model_json_schema()
    assert schema["additionalProperties"] is False
    assert {"age", "medicines", "leg_symptoms"} <= set(schema["properties"])
