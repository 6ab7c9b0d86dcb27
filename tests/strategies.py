"""Hypothesis strategies built from the guidance: valid answers, and answers broken in one key."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from crampcheck.guidance import load_guidance
from crampcheck.guidance.model import Question


def value_for(q: Question) -> st.SearchStrategy[Any]:
    """Any valid value for ``q``."""
    g = load_guidance()
    if q.type == "integer":
        return st.integers(int(q.min or 0), int(q.max or 0))
    if q.type == "number":
        return st.floats(q.min or 0, q.max or 0, allow_nan=False, allow_infinity=False)
    if q.type == "boolean":
        return st.booleans()
    values = [o.value for o in q.options]
    if q.type == "choice":
        return st.sampled_from(values)
    if q.type == "multi_choice":
        return st.lists(st.sampled_from(values), unique=True)
    names = [n for m in g.medicines for n in m.names] + [
        "paracetamol 500 mg",
        "ibuprofen",
        "Ramipril 5mg caps",
    ]
    text = st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=40).filter(lambda s: s.strip()))
    return st.lists(text, max_size=5)


def valid_answers() -> st.SearchStrategy[dict[str, Any]]:
    """Any valid set of answers: each key present or not."""
    g = load_guidance()
    return st.fixed_dictionaries({}, optional={q.key: value_for(q) for q in g.questions})


def invalid_value_for(q: Question) -> st.SearchStrategy[Any]:
    """A value that breaks ``q``: wrong type, out of range or an unknown option."""
    wrong_type = st.sampled_from(["old", {"a": 1}, [1.5]]) if q.type != "text_list" else st.just("naproxen")
    if q.type == "integer":
        return st.one_of(
            wrong_type,
            st.integers(int(q.max or 0) + 1, 10**6),
            st.integers(max_value=-1),
            st.just(True),
            st.just(52.5),
        )
    if q.type == "number":
        return st.one_of(
            wrong_type, st.floats(min_value=(q.max or 0) + 0.01, max_value=1e9), st.just(-1), st.just(False)
        )
    if q.type == "boolean":
        return st.one_of(wrong_type, st.just("yes"), st.just(1), st.just(0))
    if q.type == "choice":
        return st.one_of(wrong_type, st.just("middle"), st.just(["left"]))
    if q.type == "multi_choice":
        return st.one_of(st.just("calf"), st.just(["no_such_value"]), st.just([3]))
    return st.one_of(wrong_type, st.just([""]), st.just(["x" * ((q.max_length or 0) + 1)]), st.just([5]))


def broken_answers() -> st.SearchStrategy[tuple[dict[str, Any], str]]:
    """Valid answers with one key broken (or one unknown key added), and that key."""
    g = load_guidance()

    @st.composite
    def build(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
        answers = draw(valid_answers())
        if draw(st.booleans()):
            key = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=12))
            if key in g.question_map:
                key += "_x"
            answers[key] = draw(st.one_of(st.integers(), st.text(), st.booleans()))
            return answers, key
        q = draw(st.sampled_from(g.questions))
        answers[q.key] = draw(invalid_value_for(q))
        return answers, q.key

    return build()
