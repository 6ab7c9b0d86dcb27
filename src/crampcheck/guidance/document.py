"""The whole guidance as one readable Markdown document (``crampcheck guidance show``).

>>> from crampcheck.guidance import load_guidance
>>> text = guidance_markdown(load_guidance())
>>> text.splitlines()[0]
'# crampcheck guidance 1.0.0'
"""

from __future__ import annotations

from crampcheck.guidance.guidance import Guidance
from crampcheck.guidance.model import AllOf, AnyOf, Condition, Leaf, SourceRef, ThresholdRef


def _cite(g: Guidance, refs: list[SourceRef]) -> str:
    return "; ".join(f"{g.sources[r.id].short}, {g.section_title(r.id, r.section)}" for r in refs)


def _bound(b: float | ThresholdRef | None) -> str:
    if isinstance(b, ThresholdRef):
        return f"{b.threshold}"
    return f"{b:g}" if b is not None else ""


def describe_condition(cond: Condition) -> str:
    """A condition in words.

    >>> describe_condition(Leaf(key="age", ge=60))
    'age ≥ 60'
    """
    if isinstance(cond, AllOf):
        return " and ".join(
            f"({describe_condition(c)})" if not isinstance(c, Leaf) else describe_condition(c)
            for c in cond.all
        )
    if isinstance(cond, AnyOf):
        return " or ".join(
            f"({describe_condition(c)})" if not isinstance(c, Leaf) else describe_condition(c)
            for c in cond.any
        )
    op = cond.operator
    assumed = " (assumed if not known)" if cond.if_unknown else ""
    if op == "is_":
        text = f"{cond.key} is {str(cond.is_).lower() if isinstance(cond.is_, bool) else cond.is_}"
    elif op in ("gt", "ge", "lt", "le"):
        sym = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤"}[op]
        text = f"{cond.key} {sym} {_bound(getattr(cond, op))}"
    elif op == "any_of":
        text = f"{cond.key} includes any of {', '.join(cond.any_of or ())}"
    elif op == "at_least":
        text = f"{cond.key} includes at least {cond.at_least} of {', '.join(cond.of or ())}"
    else:
        text = f"{cond.key} names a medicine linked to cramps"
    return text + assumed


def guidance_markdown(g: Guidance) -> str:
    """Every part of the guidance, with its sources, as Markdown."""
    out: list[str] = [f"# crampcheck guidance {g.version}", ""]
    out += ["## Sources", ""]
    for s in g.source_list:
        out.append(
            f"- **{s.short}** (`{s.id}`): {s.title}, {s.publisher}. {s.url or 'Address not recorded.'}"
        )
        out += [f"  - `{sec.id}`: {sec.title}" for sec in s.sections]
    out += ["", "## Dispositions (most urgent first)", ""]
    for d in g.disposition_list:
        out.append(f"- **{d.id}**: {d.label}. {d.summary} ({_cite(g, d.sources)})")
        out += [f"  - {step}" for step in d.what_to_do]
    out += ["", "## Questions, in the order they are asked", ""]
    for n, q in enumerate(g.questions, start=1):
        extra = f" Asked when {describe_condition(q.ask_when)}." if q.ask_when else ""
        out.append(f"{n}. **{q.text}** `{q.key}` ({q.type}, stage {q.stage}).{extra} ({_cite(g, q.sources)})")
        if q.options:
            out.append("   Options: " + "; ".join(f"{o.label} (`{o.value}`)" for o in q.options))
        if q.min is not None:
            out.append(f"   Range {q.min:g} to {q.max:g} {q.unit or ''}".rstrip())
    out += ["", "## Thresholds", ""]
    for t in g.threshold_list:
        out.append(f"- **{t.id}** = {t.value:g} {t.unit}. {t.rationale} ({_cite(g, t.sources)})")
    out += ["", "## Rules", ""]
    for r in g.rules:
        when = "when no other rule fires" if r.fallback or r.when is None else describe_condition(r.when)
        out.append(f"- **{r.disposition}** `{r.id}`: {when}. {r.reason} ({_cite(g, r.sources)})")
    out += ["", "## Possible causes", ""]
    for c in g.causes:
        when = "when no secondary cause fits" if c.when is None else describe_condition(c.when)
        out.append(f"- **{c.title}** `{c.id}` ({c.kind}): {when}. {c.text} ({_cite(g, c.sources)})")
    out += ["", "## Medicines linked to cramps", ""]
    for m in g.medicines:
        names = ", ".join(m.other_names + sorted(set(m.brands_uk + m.brands_us)))
        out.append(f"- **{m.generic}**: {m.note} Also written as: {names}. ({_cite(g, m.sources)})")
    out += ["", "## Advice", ""]
    for a in g.advice:
        when = f" Given when {describe_condition(a.when)}." if a.when else ""
        out.append(f"- **{a.title}** ({a.kind}): {a.text}{when} ({_cite(g, a.sources)})")
        out += [f"  {n}. {step}" for n, step in enumerate(a.steps, start=1)]
    out += ["", "## Where the sources disagree", ""]
    for dis in g.disagreement_list:
        out.append(f"### {dis.topic}")
        out += [
            f"- {g.sources[p.source.id].short} ({g.section_title(p.source.id, p.source.section)}): {p.says}"
            for p in dis.positions
        ]
        out += [f"- **crampcheck follows {g.sources[dis.follows].short}.** {dis.decision} Why: {dis.why}", ""]
    return "\n".join(out) + "\n"
