"""Three-valued conditions: unknown is not no; assumed parts need a known anchor."""

from __future__ import annotations

from crampcheck.guidance.condition import Facts, compile_condition
from crampcheck.guidance.model import AllOf, AnyOf, Leaf


def verdict(cond: AllOf | AnyOf | Leaf, answers: dict[str, object]) -> tuple[bool | None, bool]:
    v = compile_condition(cond, {"t": 10})(Facts(answers))
    return v.value, v.anchored


def test_leaf_on_an_unknown_answer_is_unknown() -> None:
    assert verdict(Leaf(key="age", ge=60), {}) == (None, False)
    assert verdict(Leaf(key="age", ge=60), {"age": 60}) == (True, True)
    assert verdict(Leaf(key="age", ge=60), {"age": 59}) == (False, False)


def test_all_is_false_if_any_part_is_false_even_with_unknowns() -> None:
    cond = AllOf(all=[Leaf(key="a", is_=True), Leaf(key="b", is_=True)])
    assert verdict(cond, {"a": False}) == (False, False)
    assert verdict(cond, {"a": True}) == (None, False)
    assert verdict(cond, {"a": True, "b": True}) == (True, True)


def test_any_is_true_if_one_part_is_true_even_with_unknowns() -> None:
    cond = AnyOf(any=[Leaf(key="a", is_=True), Leaf(key="b", is_=True)])
    assert verdict(cond, {"b": True}) == (True, True)
    assert verdict(cond, {"a": False}) == (None, False)
    assert verdict(cond, {"a": False, "b": False}) == (False, False)


def test_assumed_unknowns_need_a_known_anchor() -> None:
    cond = AllOf(
        all=[
            Leaf(key="minutes", gt={"threshold": "t"}, if_unknown="assume"),  # type: ignore[arg-type]
            Leaf(key="eases", is_=False, if_unknown="assume"),
        ]
    )
    test = compile_condition(cond, {"t": 10})
    assert test(Facts({})).anchored is False
    fired = test(Facts({"minutes": 20}))
    assert (fired.value, fired.anchored, fired.assumed) == (True, True, ("eases",))
    assert test(Facts({"minutes": 20, "eases": True})).value is False


def test_list_operators() -> None:
    assert verdict(Leaf(key="s", any_of=["x", "y"]), {"s": ["y"]}) == (True, True)
    assert verdict(Leaf(key="s", any_of=["x"]), {"s": []}) == (False, False)
    two = Leaf(key="s", at_least=2, of=["x", "y", "z"])
    assert verdict(two, {"s": ["x", "q"]}) == (False, False)
    assert verdict(two, {"s": ["x", "z"]}) == (True, True)


def test_listed_medicine_uses_the_matched_names() -> None:
    test = compile_condition(Leaf(key="medicines", listed_medicine=True), {})
    assert test(Facts({"medicines": ["Evista"]}, ("raloxifene",))).value is True
    assert test(Facts({"medicines": ["paracetamol"]}, ())).value is False
    assert test(Facts({}, ())).value is None
