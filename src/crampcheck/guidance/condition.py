"""Conditions compiled to fast closures with three-valued logic.

An answer that is missing is *unknown*, never "no". A test on an unknown answer is unknown, so an
``all`` with an unknown part cannot be true, and a rule does not fire on what nobody said. A test
marked ``if_unknown: assume`` reads an unknown answer the safer way (as satisfying the test) but
counts as *assumed*: a condition is only acted on when some known answer holds it up
(``anchored``), so an empty set of answers never fires a rule.

>>> from crampcheck.guidance.model import Leaf
>>> test = compile_condition(Leaf(key="age", ge=60), {})
>>> test(Facts({"age": 70}))
Verdict(value=True, anchored=True, assumed=())
>>> test(Facts({})).value is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from crampcheck.guidance.model import AllOf, AnyOf, Condition, Leaf, ThresholdRef


class Facts:
    """What a condition is evaluated against: the answers and the listed medicines they name."""

    __slots__ = ("answers", "medicines")

    def __init__(self, answers: Mapping[str, Any], medicines: tuple[str, ...] = ()) -> None:
        self.answers = answers
        self.medicines = medicines


class Verdict(NamedTuple):
    value: bool | None
    """True, False, or None when it cannot be decided from what is known."""
    anchored: bool
    """True when a known answer (not an assumption) makes the condition true."""
    assumed: tuple[str, ...]
    """Keys read the safer way because they were unknown."""


Test = Callable[[Facts], Verdict]

_FALSE = Verdict(False, False, ())
_UNKNOWN = Verdict(None, False, ())
_TRUE = Verdict(True, True, ())


def bound_value(bound: float | ThresholdRef, thresholds: Mapping[str, float]) -> float:
    """A number in a condition: a literal, or a named threshold from rules.yaml."""
    return thresholds[bound.threshold] if isinstance(bound, ThresholdRef) else bound


def _leaf_check(leaf: Leaf, thresholds: Mapping[str, float]) -> Callable[[Any, Facts], bool]:
    op = leaf.operator
    if op == "is_":
        target = leaf.is_
        return lambda v, f: bool(v == target)
    if op in ("gt", "ge", "lt", "le"):
        n = bound_value(getattr(leaf, op), thresholds)
        return {
            "gt": lambda v, f: bool(v > n),
            "ge": lambda v, f: bool(v >= n),
            "lt": lambda v, f: bool(v < n),
            "le": lambda v, f: bool(v <= n),
        }[op]
    if op == "any_of":
        wanted = frozenset(leaf.any_of or ())
        return lambda v, f: not wanted.isdisjoint(v if isinstance(v, list | tuple) else (v,))
    if op == "at_least":
        pool, need = frozenset(leaf.of or ()), leaf.at_least or 1
        return lambda v, f: len(pool.intersection(v if isinstance(v, list | tuple) else (v,))) >= need
    # listed_medicine: the answer is known (a list was given) and a listed medicine matched.
    return lambda v, f: bool(f.medicines)


def _compile_leaf(leaf: Leaf, thresholds: Mapping[str, float]) -> Test:
    key, check = leaf.key, _leaf_check(leaf, thresholds)
    when_unknown = Verdict(True, False, (key,)) if leaf.if_unknown == "assume" else _UNKNOWN

    def test(facts: Facts) -> Verdict:
        value = facts.answers.get(key)
        if value is None:
            return when_unknown
        return _TRUE if check(value, facts) else _FALSE

    return test


def _compile_all(children: list[Test]) -> Test:
    def test(facts: Facts) -> Verdict:
        unknown, anchored = False, False
        assumed: tuple[str, ...] = ()
        for child in children:
            v = child(facts)
            if v.value is False:
                return _FALSE
            if v.value is None:
                unknown = True
            else:
                anchored = anchored or v.anchored
                assumed += v.assumed
        if unknown:
            return _UNKNOWN
        return Verdict(True, anchored, assumed)

    return test


def _compile_any(children: list[Test]) -> Test:
    def test(facts: Facts) -> Verdict:
        unknown, best = False, None
        for child in children:
            v = child(facts)
            if v.value is True:
                if v.anchored and not v.assumed:
                    return v
                best = best if best is not None and best.anchored else v
            elif v.value is None:
                unknown = True
        if best is not None:
            return best
        return _UNKNOWN if unknown else _FALSE

    return test


def compile_condition(condition: Condition, thresholds: Mapping[str, float]) -> Test:
    """Turn a condition from the guidance into a function of :class:`Facts`."""
    if isinstance(condition, Leaf):
        return _compile_leaf(condition, thresholds)
    if isinstance(condition, AllOf):
        return _compile_all([compile_condition(c, thresholds) for c in condition.all])
    assert isinstance(condition, AnyOf)  # noqa: S101 - the Condition union has three members
    return _compile_any([compile_condition(c, thresholds) for c in condition.any])
