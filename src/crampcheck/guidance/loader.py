"""Load the guidance files shipped in the package and check every cross-reference.

Structure is checked by the pydantic models (unknown keys rejected); this module checks what the
models cannot see on their own: citations resolve to a source and section, conditions name real
questions, values and thresholds, every contract key has a question, every question can be
reached, and so on. All problems are collected, so ``crampcheck guidance check`` can print them
all at once.

>>> guidance, problems = read_guidance()
>>> problems
[]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from crampcheck import contract
from crampcheck.guidance.condition import Facts, bound_value, compile_condition
from crampcheck.guidance.guidance import Guidance
from crampcheck.guidance.model import (
    AdviceFile,
    CausesFile,
    Condition,
    DisagreementsFile,
    DispositionsFile,
    Leaf,
    MedicinesFile,
    Question,
    QuestionsFile,
    RulesFile,
    SourceRef,
    SourcesFile,
    ThresholdRef,
    leaves,
)
from crampcheck.medicines import MedicineMatcher

M = TypeVar("M", bound=BaseModel)

FILES: dict[str, type[BaseModel]] = {
    "sources.yaml": SourcesFile,
    "questions.yaml": QuestionsFile,
    "rules.yaml": RulesFile,
    "dispositions.yaml": DispositionsFile,
    "causes.yaml": CausesFile,
    "medicines.yaml": MedicinesFile,
    "advice.yaml": AdviceFile,
    "disagreements.yaml": DisagreementsFile,
}


class GuidanceError(Exception):
    """The guidance files have problems; ``problems`` lists every one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the guidance has problems:\n" + "\n".join(f"- {p}" for p in problems))


def _read_texts(directory: Path | None) -> dict[str, str]:
    if directory is not None:
        return {name: (directory / name).read_text(encoding="utf-8") for name in FILES}
    root = resources.files("crampcheck.guidance") / "data"
    return {name: (root / name).read_text(encoding="utf-8") for name in FILES}


def _parse(name: str, text: str, model: type[M], problems: list[str]) -> M | None:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problems.append(f"{name}: not valid YAML: {exc}")
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            problems.append(f"{name}: {where}: {err['msg']}")
        return None


def read_guidance(directory: Path | None = None) -> tuple[Guidance | None, list[str]]:
    """Read and check the guidance; returns it (or None) and the list of problems found.

    ``directory`` reads the files from elsewhere (used by tests to check broken copies).
    """
    problems: list[str] = []
    texts = _read_texts(directory)
    parsed = {name: _parse(name, texts[name], model, problems) for name, model in FILES.items()}
    if any(p is None for p in parsed.values()):
        return None, problems
    guidance = Guidance(
        sources=parsed["sources.yaml"],  # type: ignore[arg-type]
        questions=parsed["questions.yaml"],  # type: ignore[arg-type]
        rules=parsed["rules.yaml"],  # type: ignore[arg-type]
        dispositions=parsed["dispositions.yaml"],  # type: ignore[arg-type]
        causes=parsed["causes.yaml"],  # type: ignore[arg-type]
        medicines=parsed["medicines.yaml"],  # type: ignore[arg-type]
        advice=parsed["advice.yaml"],  # type: ignore[arg-type]
        disagreements=parsed["disagreements.yaml"],  # type: ignore[arg-type]
    )
    problems += list(_check(guidance))
    return (None if problems else guidance), problems


def _dupes(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]


def _check(g: Guidance) -> Iterator[str]:
    yield from _check_sources(g)
    yield from _check_questions(g)
    yield from _check_items(g)
    yield from _check_medicines(g)


def _check_sources(g: Guidance) -> Iterator[str]:
    for d in _dupes(s.id for s in g.source_list):
        yield f"sources.yaml: source id '{d}' is used twice"
    for s in g.source_list:
        for d in _dupes(sec.id for sec in s.sections):
            yield f"sources.yaml: source '{s.id}' has section '{d}' twice"
    for where, ref in _all_citations(g):
        src = g.sources.get(ref.id)
        if src is None:
            yield f"{where}: cites unknown source '{ref.id}'"
        elif ref.section not in {sec.id for sec in src.sections}:
            yield f"{where}: cites unknown section '{ref.section}' of '{ref.id}'"
    for dis in g.disagreement_list:
        if dis.follows not in g.sources:
            yield f"disagreements.yaml: '{dis.id}' follows unknown source '{dis.follows}'"


def _all_citations(g: Guidance) -> Iterator[tuple[str, SourceRef]]:
    groups: list[tuple[str, Iterable[Any]]] = [
        ("questions.yaml: question", g.questions),
        ("rules.yaml: threshold", g.threshold_list),
        ("rules.yaml: rule", g.rules),
        ("dispositions.yaml: disposition", g.disposition_list),
        ("causes.yaml: cause", g.causes),
        ("medicines.yaml: medicine", g.medicines),
        ("advice.yaml: advice", g.advice),
    ]
    for label, items in groups:
        for item in items:
            ident = getattr(item, "id", None) or getattr(item, "key", None) or getattr(item, "generic", "")
            for ref in item.sources:
                yield f"{label} '{ident}'", ref
    for d in g.disagreement_list:
        for pos in d.positions:
            yield f"disagreements.yaml: '{d.id}'", pos.source


def _check_questions(g: Guidance) -> Iterator[str]:
    keys = [q.key for q in g.questions]
    for d in _dupes(keys):
        yield f"questions.yaml: key '{d}' is asked twice"
    for key, kind in contract.ANSWER_TYPES.items():
        q = g.question_map.get(key)
        if q is None:
            yield f"questions.yaml: no question for the contract key '{key}'"
            continue
        if q.type != kind:
            yield f"questions.yaml: '{key}' must be of type {kind}, not {q.type}"
        missing = set(contract.ANSWER_VALUES.get(key, ())) - {o.value for o in q.options}
        if missing:
            yield f"questions.yaml: '{key}' lacks the contract values {sorted(missing)}"
    for q in g.questions:
        for d in _dupes(o.value for o in q.options):
            yield f"questions.yaml: '{q.key}' has option '{d}' twice"
        if q.ask_when is not None:
            earlier = set(keys[: keys.index(q.key)])
            for leaf in leaves(q.ask_when):
                if leaf.key not in earlier:
                    yield f"questions.yaml: '{q.key}' depends on '{leaf.key}', which is not asked before it"
            yield from _check_condition(g, f"questions.yaml: ask_when of '{q.key}'", q.ask_when)


def _check_items(g: Guidance) -> Iterator[str]:
    for d in _dupes(t.id for t in g.threshold_list):
        yield f"rules.yaml: threshold '{d}' defined twice"
    for d in _dupes(r.id for r in g.rules):
        yield f"rules.yaml: rule '{d}' defined twice"
    for d in _dupes(c.id for c in g.causes):
        yield f"causes.yaml: cause '{d}' defined twice"
    for d in _dupes(a.id for a in g.advice):
        yield f"advice.yaml: advice '{d}' defined twice"
    if sorted(d.id for d in g.disposition_list) != sorted(contract.DISPOSITIONS):
        yield f"dispositions.yaml: must describe each of {list(contract.DISPOSITIONS)} once"
    fallbacks = [r for r in g.rules if r.fallback]
    if len(fallbacks) != 1 or fallbacks[0].disposition != "self_care":
        yield "rules.yaml: there must be exactly one fallback rule, and it must give self_care"
    if [c.id for c in g.causes if c.kind == "fallback"] != ["idiopathic"]:
        yield "causes.yaml: 'idiopathic' must be the one fallback cause"
    for cid in set(contract.CAUSE_IDS) - {c.id for c in g.causes}:
        yield f"causes.yaml: no cause for the contract cause id '{cid}'"
    used_thresholds: set[str] = set()
    conditions: list[tuple[str, Condition]] = [
        *((f"rules.yaml: rule '{r.id}'", r.when) for r in g.rules if r.when is not None),
        *((f"causes.yaml: cause '{c.id}'", c.when) for c in g.causes if c.when is not None),
        *((f"advice.yaml: advice '{a.id}'", a.when) for a in g.advice if a.when is not None),
    ]
    for label, cond in conditions:
        yield from _check_condition(g, label, cond)
        if not _satisfiable(g, cond):
            yield f"{label}: its condition can never be true"
    for cond in [c for _, c in conditions] + [q.ask_when for q in g.questions if q.ask_when]:
        for leaf in leaves(cond):
            for op in ("gt", "ge", "lt", "le"):
                b = getattr(leaf, op)
                if isinstance(b, ThresholdRef):
                    used_thresholds.add(b.threshold)
    for t in g.threshold_list:
        if t.id not in used_thresholds:
            yield f"rules.yaml: threshold '{t.id}' is never used"
    for q in g.questions:
        if q.ask_when is not None and not _satisfiable(g, q.ask_when):
            yield f"questions.yaml: '{q.key}' can never be asked (its ask_when is never true)"


def _check_condition(g: Guidance, label: str, cond: Condition) -> Iterator[str]:
    for leaf in leaves(cond):
        q = g.question_map.get(leaf.key)
        if q is None:
            yield f"{label}: refers to '{leaf.key}', which is not a question"
            continue
        yield from (f"{label}: {msg}" for msg in _check_leaf(g, q, leaf))


def _check_leaf(g: Guidance, q: Question, leaf: Leaf) -> Iterator[str]:
    op, values = leaf.operator, {o.value for o in q.options}
    if op == "is_":
        if q.type == "boolean" and not isinstance(leaf.is_, bool):
            yield f"'{q.key}' is yes/no, so 'is' needs true or false"
        elif q.type == "choice" and leaf.is_ not in values:
            yield f"'{q.key}' has no option '{leaf.is_}'"
        elif q.type not in ("boolean", "choice"):
            yield f"'is' does not apply to '{q.key}' ({q.type})"
    elif op in ("gt", "ge", "lt", "le"):
        if q.type not in ("integer", "number"):
            yield f"'{op}' does not apply to '{q.key}' ({q.type})"
            return
        bound = getattr(leaf, op)
        if isinstance(bound, ThresholdRef) and bound.threshold not in g.thresholds:
            yield f"unknown threshold '{bound.threshold}'"
            return
        n = bound_value(bound, g.thresholds)
        if q.min is not None and q.max is not None and not q.min <= n <= q.max:
            yield f"compares '{q.key}' with {n}, outside its range {q.min}-{q.max}"
    elif op in ("any_of", "at_least"):
        if q.type not in ("choice", "multi_choice"):
            yield f"'{op}' does not apply to '{q.key}' ({q.type})"
            return
        listed = leaf.any_of if op == "any_of" else leaf.of
        for v in sorted(set(listed or ()) - values):
            yield f"'{q.key}' has no option '{v}'"
        if op == "at_least" and (leaf.at_least or 0) > len(listed or ()):
            yield f"asks for {leaf.at_least} of only {len(listed or ())} options"
    elif op == "listed_medicine" and q.type != "text_list":
        yield f"'listed_medicine' applies to the medicines list, not '{q.key}'"


def candidate_values(g: Guidance, q: Question) -> list[Any]:
    """Answers worth trying for ``q`` when asking "could this change anything?"

    Numbers are tried on both sides of every constant the guidance compares them with.
    """
    if q.type == "boolean":
        return [True, False]
    if q.type == "choice":
        return [o.value for o in q.options]
    if q.type == "multi_choice":
        values = [o.value for o in q.options]
        return [[], *([v] for v in values), values]
    if q.type == "text_list":
        return [[], *([m.generic] for m in g.medicines)]
    lo, hi = q.min or 0.0, q.max or 0.0
    points = {lo, hi}
    for n in g.constants_for(q.key):
        points.update({n - 1, n, n + 1})
    kind = int if q.type == "integer" else float
    return sorted(kind(p) for p in points if lo <= p <= hi)


def _satisfiable(g: Guidance, cond: Condition) -> bool:
    keys = sorted({leaf.key for leaf in leaves(cond)})
    refs = [getattr(leaf, op) for leaf in leaves(cond) for op in ("gt", "ge", "lt", "le")]
    if any(k not in g.question_map for k in keys) or any(
        isinstance(r, ThresholdRef) and r.threshold not in g.thresholds for r in refs
    ):
        return True  # a broken reference, reported elsewhere
    test = compile_condition(cond, g.thresholds)
    pools = [candidate_values(g, g.question_map[k]) for k in keys]
    for combo in itertools.islice(itertools.product(*pools), 20_000):
        answers = dict(zip(keys, combo, strict=True))
        meds = tuple(m for m in answers.get("medicines", ()) if isinstance(m, str))
        if test(Facts(answers, meds)).value is True:
            return True
    return False


def _check_medicines(g: Guidance) -> Iterator[str]:
    matcher = MedicineMatcher.from_guidance(g)
    owner: dict[tuple[str, ...], str] = {}
    for m in g.medicines:
        for name in m.names:
            toks = matcher.name_tokens(name)
            if not toks:
                yield f"medicines.yaml: '{name}' ({m.generic}) is only ignored words"
            elif owner.setdefault(toks, m.generic) != m.generic:
                yield f"medicines.yaml: '{name}' names both {owner[toks]} and {m.generic}"
