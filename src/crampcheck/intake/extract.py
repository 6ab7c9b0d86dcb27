"""From a processed narrative to answers: which mentions count, for whom, and as yes or no.

A mention counts unless ConText found it negated, uncertain, hypothetical or in the past, or it is
about someone other than the person the narrative describes. Negated options are kept apart
(``denied``) so that nothing negated is ever reported as present.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from crampcheck.guidance import Guidance
from crampcheck.intake.amounts import from_tokens
from crampcheck.intake.pipeline import SPANS, Pipeline
from crampcheck.intake.quantities import CLAUSE_BREAKS, Found, Mention, read_amounts

UNCERTAIN_KEYS = frozenset(
    {
        "general_symptoms",
        "leg_symptoms",
        "conditions",
        "exposures",
        "pregnant",
        "medicine",
        "new_medicine_before_cramps",
        "recent_strenuous_exercise",
    }
)
PAST_KEYS = frozenset({"conditions", "medicine", "pregnant", "new_medicine_before_cramps"})
_KINDS = {"conditions": "condition", "medicine": "medicine", "pregnant": "pregnant"}


@dataclass
class Reading:
    """Answers with the character ranges that support each, and what was said not to apply."""

    values: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    denied: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    subject: str = "self"

    def add(self, key: str, value: Any, start: int, end: int) -> None:
        if isinstance(value, str) and key != "which_leg":
            items = self.values.setdefault(key, [])
            if value not in items:
                items.append(value)
        else:
            self.values[key] = value
        if (start, end) not in self.evidence[key]:
            self.evidence[key].append((start, end))


@dataclass(frozen=True)
class _Span:
    key: str
    value: str
    start: int
    end: int
    tok_start: int
    tok_end: int
    mods: frozenset[str]


def _mods(span: Any, key: str) -> frozenset[str]:
    cats = set()
    for m in span._.modifiers:
        if m.direction == "BACKWARD" and m.category == "NEGATED_EXISTENCE" and key not in _BACK_NEGATABLE:
            continue  # "it went away": the cramp went, not "this afternoon"
        ms, me = m.modifier_span
        inside = span.start <= ms and me <= span.end
        if inside and {span.doc[k].norm_ for k in range(ms, me)} <= span._.crampcheck_literal:
            continue  # the trigger is part of the phrase itself ("not drinking enough")
        cats.add(m.category)
    return frozenset(cats)


_FINDINGS = frozenset({"general_symptoms", "leg_symptoms", "conditions", "exposures", "pregnant"})
_BACK_NEGATABLE = _FINDINGS | {"medicine"}
_LIST_GLUE = frozenset({",", "or", "nor", "and", "/", "&", "even", "any"})


def _spans(doc: Any) -> list[_Span]:
    out = []
    for s in doc.spans[SPANS]:
        key, _, value = s.label_.partition("=")
        out.append(_Span(key, value, s.start_char, s.end_char, s.start, s.end, _mods(s, key)))
    return _carry_negation(doc, out)


def _carry_negation(doc: Any, spans: list[_Span]) -> list[_Span]:
    """A comma ends a negation's scope, except inside a list: in "no swelling, redness or
    warmth" every item is negated."""
    out = list(spans)
    for i, s in enumerate(out):
        if s.key == "cue" or "NEGATED_EXISTENCE" in s.mods:
            continue
        group = _FINDINGS if s.key in _FINDINGS else {s.key}
        before = [p for p in out[:i] if p.key in group and p.tok_end <= s.tok_start]
        if not before or "NEGATED_EXISTENCE" not in before[-1].mods:
            continue
        gap = {doc[k].lower_ for k in range(before[-1].tok_end, s.tok_start)}
        if gap and gap <= _LIST_GLUE:
            out[i] = _Span(
                s.key, s.value, s.start, s.end, s.tok_start, s.tok_end, s.mods | {"NEGATED_EXISTENCE"}
            )
    return out


def _subject(spans: list[_Span]) -> str:
    about = [s for s in spans if s.key == "cue" and s.value == "cramp"]
    about = about or [s for s in spans if s.key == "cramp_location"]
    if not about:
        return "self"
    others = [s for s in about if s.mods & {"FAMILY", "THIRD_PERSON"}]
    return "other" if len(others) == len(about) else "self"


def _counts(s: _Span, subject: str) -> bool:
    key = "medicine" if s.key == "medicine" else s.key
    if subject == "self" and "FAMILY" in s.mods:
        return False
    if key in UNCERTAIN_KEYS and s.mods & {"POSSIBLE_EXISTENCE", "HYPOTHETICAL"}:
        return False
    return not (key in PAST_KEYS and "HISTORICAL" in s.mods)


def read(pipeline: Pipeline, guidance: Guidance, doc: Any) -> Reading:
    """Answers found in ``doc`` (a document from ``pipeline``)."""
    spans = _spans(doc)
    r = Reading(subject=_subject(spans))
    booleans: dict[str, list[tuple[bool, _Span]]] = defaultdict(list)
    legs = [s for s in spans if s.key == "cue" and s.value == "leg" or s.key == "cramp_location"]
    medicines: dict[str, _Span] = {}
    for s in spans:
        if s.key == "cue" or not _counts(s, r.subject):
            continue
        negated = "NEGATED_EXISTENCE" in s.mods
        q = guidance.question_map.get(s.key)
        if s.key == "medicine":
            if not negated:
                medicines.setdefault(doc[s.tok_start : s.tok_end].text.lower(), s)
        elif q is not None and q.type == "boolean":
            booleans[s.key].append(((s.value == "yes") != negated, s))
        elif negated:
            if s.value not in r.denied[s.key]:
                r.denied[s.key].append(s.value)
        elif s.key == "which_leg" and s.value in ("left", "right"):
            if any(
                0 <= leg.tok_start - s.tok_end <= 3 or 0 <= s.tok_start - leg.tok_end <= 2 for leg in legs
            ):
                r.add("which_leg_seen", s.value, s.start, s.end)
        elif s.key == "timing" and _about_something_else(doc, s, spans):
            continue
        elif q is not None:
            r.add(s.key, s.value, s.start, s.end)
    _legs(r)
    _medicines(r, doc, medicines, spans)
    for key, votes in booleans.items():
        if len({v for v, _ in votes}) == 1:
            for value, s in votes:
                r.add(key, value, s.start, s.end)
    _amounts(r, pipeline, doc, spans)
    for key, values in list(r.denied.items()):
        r.denied[key] = [v for v in values if v not in r.values.get(key, [])]
    return r


def _about_something_else(doc: Any, s: _Span, spans: list[_Span]) -> bool:
    """A time said of drinking or of an activity, in a clause without a cramp ("two pints most
    nights", "I run every morning"), is not when the cramps come."""
    lo, hi = s.tok_start, s.tok_end
    sent = doc[lo].sent
    while lo > sent.start and doc[lo - 1].lower_ not in CLAUSE_BREAKS:
        lo -= 1
    while hi < sent.end and doc[hi].lower_ not in CLAUSE_BREAKS:
        hi += 1
    exercise = [t for t in spans if t.key == "timing" and t.value in ("during_exercise", "after_exercise")]
    inside = [
        c.value
        for c in spans
        if c.key == "cue"
        and lo <= c.tok_start
        and c.tok_end <= hi
        # an activity already read as "during/after exercise" is that answer, not another topic
        and not any(t.tok_start <= c.tok_start and c.tok_end <= t.tok_end for t in exercise)
    ]
    others = ("alcohol", "activity") if s.value in ("night", "day") else ("alcohol",)
    return "cramp" not in inside and any(v in others for v in inside)


def _legs(r: Reading) -> None:
    seen = r.values.pop("which_leg_seen", [])
    spots = r.evidence.pop("which_leg_seen", [])
    if "which_leg" in r.values:
        return
    if "left" in seen and "right" in seen:
        r.values["which_leg"] = "both"
    elif seen:
        r.values["which_leg"] = seen[0]
    if seen:
        r.evidence["which_leg"] += spots


def _medicines(r: Reading, doc: Any, medicines: dict[str, _Span], spans: list[_Span]) -> None:
    for s in medicines.values():
        end = s.tok_end
        if end < len(doc) and _DOSE.match(doc[end].lower_):
            end += 1
        elif end + 1 < len(doc) and doc[end].like_num and doc[end + 1].lower_ in _STRENGTH:
            end += 2
        text = doc[s.tok_start : end].text
        r.add("medicines", text, s.start, doc[end - 1].idx + len(doc[end - 1].text))
    if "new_medicine_before_cramps" in r.values:
        return
    window = 7
    things = [s for s in spans if s.key == "medicine" or s.key == "cue" and s.value == "medicine_noun"]
    for start in (s for s in spans if s.key == "cue" and s.value == "start" and _counts(s, r.subject)):
        hit = next((t for t in things if 0 <= t.tok_start - start.tok_end <= window), None)
        if hit is None and start.tok_end < len(doc) and doc[start.tok_end].lower_ in _PRONOUNS:
            sent = doc[start.tok_start].sent
            hit = next(
                (t for t in things if t.key == "medicine" and sent.start <= t.tok_start < start.tok_start),
                None,
            )
        if hit is not None and "NEGATED_EXISTENCE" not in hit.mods and _counts(hit, r.subject):
            r.add("new_medicine_before_cramps", True, start.start, hit.end)
            return


_PRONOUNS = frozenset({"it", "them", "these", "those", "this", "that"})
_STRENGTH = frozenset({"mg", "mcg", "g", "ml", "microgram", "micrograms", "%", "iu", "units"})
_DOSE = re.compile(r"^\d+(?:\.\d+)?(?:mg|mcg|g|ml|%|iu)$")


def _amounts(r: Reading, pipeline: Pipeline, doc: Any, spans: list[_Span]) -> None:
    sent_of = {}
    for n, sent in enumerate(doc.sents):
        for tok in sent:
            sent_of[tok.i] = n
    words = from_tokens([(t.text, t.idx, sent_of.get(t.i, 0)) for t in doc])
    mentions = [
        Mention(s.start, s.end, _KINDS.get(s.key, s.value if s.key == "cue" else s.key)) for s in spans
    ]
    found = read_amounts(pipeline.vocab, words, mentions)
    by_key: dict[str, list[Found]] = defaultdict(list)
    for f in found:
        by_key[f.key].append(f)
    other = r.subject == "other"
    ages = [f for f in by_key["age"] if f.about_other == other] or (by_key["age"] if other else [])
    if ages:
        _put(r, ages[0])
    for key in ("cramps_per_week", "weeks_since_first_cramp"):
        options = by_key[key]
        if options:
            _put(r, next((f for f in options if f.in_cramp_clause), options[0]))
    if by_key["longest_cramp_minutes"]:
        _put(r, max(by_key["longest_cramp_minutes"], key=lambda f: f.value))
    drinks = [f for f in by_key["alcohol_units_per_week"] if f.about_other == other]
    if drinks:
        total = round(sum(f.value for f in drinks), 1)
        for f in drinks:
            r.add("alcohol_units_per_week", total, f.start, f.end)
    else:
        _no_alcohol(r, pipeline, doc, spans)


def _put(r: Reading, f: Found) -> None:
    r.add(f.key, f.value, f.start, f.end)


def _no_alcohol(r: Reading, pipeline: Pipeline, doc: Any, spans: list[_Span]) -> None:
    fluids = set(pipeline.vocab.cues.fluid_words)
    for s in spans:
        if s.key != "cue" or s.value != "no_alcohol" or not _counts(s, r.subject):
            continue
        after = doc[s.tok_end].lower_ if s.tok_end < len(doc) else ""
        if after in fluids:
            continue
        if s.mods & {"POSSIBLE_EXISTENCE", "HYPOTHETICAL"}:
            continue
        r.add("alcohol_units_per_week", 0.0, s.start, s.end)
        return
