"""Property tests for the engine (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampcheck import contract
from crampcheck.answers import AnswersError, validate_answers
from crampcheck.engine import assess
from crampcheck.guidance import load_guidance
from strategies import broken_answers, valid_answers
from test_engine import RULE_CASES

FIRING_RULES = sorted(r for r in RULE_CASES if r != "no-warning-signs")


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Add answers: lists are joined, other values replaced."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = list(dict.fromkeys(out[key] + value))
        else:
            out[key] = value
    return out


@settings(max_examples=300, deadline=None)
@given(valid_answers(), st.sampled_from(FIRING_RULES))
def test_adding_a_triggering_answer_never_lowers_the_disposition(
    answers: dict[str, Any], rule_id: str
) -> None:
    rule = next(r for r in load_guidance().rules if r.id == rule_id)
    before = assess(answers).disposition
    after = assess(merge(answers, RULE_CASES[rule_id][0])).disposition
    assert contract.urgency(after) >= max(contract.urgency(before), contract.urgency(rule.disposition))


@settings(max_examples=300, deadline=None)
@given(valid_answers())
def test_valid_answers_never_raise_and_everything_cites_a_source(answers: dict[str, Any]) -> None:
    g = load_guidance()
    result = assess(answers)
    assert result.disposition in contract.DISPOSITIONS
    assert result.disposition == result.reasons[0].disposition
    assert result.causes, "at least idiopathic"
    for item in [*result.reasons, *result.causes, *result.advice]:
        assert item.sources
        for cite in item.sources:
            assert cite.section in {s.id for s in g.sources[cite.id].sections}
    assert any(a.kind == "worse" for a in result.advice), "always say what to do if things get worse"


@settings(max_examples=300, deadline=None)
@given(broken_answers())
def test_invalid_answers_always_raise_naming_the_key(case: tuple[dict[str, Any], str]) -> None:
    answers, key = case
    with pytest.raises(AnswersError) as info:
        validate_answers(answers)
    assert key in info.value.problems


@settings(max_examples=200, deadline=None)
@given(valid_answers())
def test_an_unknown_answer_is_never_less_urgent_than_every_known_one(answers: dict[str, Any]) -> None:
    """Not knowing a yes/no answer never gives a less urgent result than both 'yes' and 'no' would:
    "don't know" is not quietly read as the reassuring answer."""
    g = load_guidance()
    for q in g.questions:
        if q.key not in answers or q.type != "boolean":
            continue
        without = {k: v for k, v in answers.items() if k != q.key}
        known = [contract.urgency(assess({**without, q.key: v}).disposition) for v in (True, False)]
        assert contract.urgency(assess(without).disposition) >= min(known)
