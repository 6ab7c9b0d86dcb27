"""FHIR R4B views of crampcheck: the questionnaire, assessments and the diary.

Everything here is generated from the guidance (``questions.yaml``, ``dispositions.yaml``) and the
cited codes (``codes.yaml``); nothing clinical is written in this module. Resources are plain
JSON-ready dicts; the tests validate each kind with ``fhir.resources.R4B``.

>>> q = questionnaire()
>>> q["resourceType"], q["version"] == load_guidance().version
('Questionnaire', True)
>>> [i["linkId"] for i in q["item"]][:2]
['general_symptoms', 'leg_symptoms']
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from crampcheck.guidance import Guidance, load_guidance
from crampcheck.guidance.condition import bound_value
from crampcheck.guidance.model import AllOf, Condition, Leaf, Question

CANONICAL = "https://crampcheck.example/fhir"
"""Base of our canonical URLs. ``.example`` is reserved (RFC 2606): replace it once the project
has a domain of its own; nothing resolves these URLs, they only name things."""
QUESTIONNAIRE_ID = "leg-cramps"
QUESTIONNAIRE_URL = f"{CANONICAL}/Questionnaire/{QUESTIONNAIRE_ID}"
DISPOSITION_SYSTEM = f"{CANONICAL}/CodeSystem/disposition"
DIARY_SYSTEM = f"{CANONICAL}/CodeSystem/diary"
NONE_CODE = "none"
"""Answer code for "none of these" on multiple-choice questions (a known empty list)."""
FHIR_JSON = "application/fhir+json"

_EXT = "http://hl7.org/fhir/StructureDefinition/"
_ITEM_TYPE = {
    "integer": "integer",
    "number": "decimal",
    "boolean": "boolean",
    "choice": "choice",
    "multi_choice": "choice",
    "text_list": "string",
}
_ANSWER_KEY = {
    "integer": "answerInteger",
    "number": "answerDecimal",
    "boolean": "answerBoolean",
    "choice": "answerCoding",
    "multi_choice": "answerCoding",
    "text_list": "answerString",
}


def option_system(key: str) -> str:
    """The code system of the answer options of question ``key``.

    >>> option_system("timing")
    'https://crampcheck.example/fhir/CodeSystem/timing'
    """
    return f"{CANONICAL}/CodeSystem/{key}"


def option_coding(key: str, value: str, display: str | None = None) -> dict[str, str]:
    coding = {"system": option_system(key), "code": value}
    if display:
        coding["display"] = display
    return coding


def capability_statement(base_url: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """What this FHIR endpoint offers (``GET /fhir/metadata``), for clients that ask first."""
    from crampcheck import __version__

    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": (now or dt.datetime.now(dt.UTC)).date().isoformat(),
        "kind": "instance",
        "software": {"name": "crampcheck", "version": __version__},
        "implementation": {"description": "crampcheck leg-cramp guidance", "url": base_url},
        "fhirVersion": "4.3.0",
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {"type": "Questionnaire", "interaction": [{"code": "read"}]},
                    {
                        "type": "QuestionnaireResponse",
                        "operation": [
                            {"name": "assess", "definition": f"{CANONICAL}/OperationDefinition/assess"}
                        ],
                    },
                    {"type": "Observation", "interaction": [{"code": "search-type"}]},
                ],
            }
        ],
    }


# --- Questionnaire -------------------------------------------------------------------------------


def questionnaire(guidance: Guidance | None = None) -> dict[str, Any]:
    """The guidance's questions as an R4B ``Questionnaire`` (SDC style: units, limits, help)."""
    g = guidance or load_guidance()
    return copy.deepcopy(_questionnaire(g))  # callers may change their copy


@cache
def _questionnaire(g: Guidance) -> dict[str, Any]:
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": QUESTIONNAIRE_URL,
        "version": g.version,
        "name": "LegCramps",
        "title": "Leg cramps",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "crampcheck",
        "item": [_item(q, g) for q in g.questions],
    }


def _item(q: Question, g: Guidance) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": q.key, "text": q.text, "type": _ITEM_TYPE[q.type], "required": False}
    ext: list[dict[str, Any]] = []
    if q.type in ("multi_choice", "text_list"):
        item["repeats"] = True
    if q.options:
        item["answerOption"] = [{"valueCoding": option_coding(q.key, o.value, o.label)} for o in q.options]
        if q.type == "multi_choice" and q.none_label and not q.option(NONE_CODE):
            item["answerOption"].append(
                {
                    "valueCoding": option_coding(q.key, NONE_CODE, q.none_label),
                    "extension": [{"url": _EXT + "questionnaire-optionExclusive", "valueBoolean": True}],
                }
            )
    if q.min is not None and q.max is not None:
        kind = "valueInteger" if q.type == "integer" else "valueDecimal"
        cast = int if q.type == "integer" else float
        ext += [{"url": _EXT + "minValue", kind: cast(q.min)}, {"url": _EXT + "maxValue", kind: cast(q.max)}]
    if q.unit:
        ext.append({"url": _EXT + "questionnaire-unit", "valueCoding": {"display": q.unit}})
    if q.type == "text_list":
        item["maxLength"] = q.max_length
        ext.append({"url": _EXT + "questionnaire-maxOccurs", "valueInteger": q.max_items})
    if ext:
        item["extension"] = ext
    if q.ask_when is not None:
        when, behaviour = enable_when(q.ask_when, g)
        if when:
            item["enableWhen"] = when
            if len(when) > 1:
                item["enableBehavior"] = behaviour
    if q.help:
        item["item"] = [
            {
                "linkId": f"{q.key}.help",
                "type": "display",
                "text": q.help,
                "extension": [
                    {
                        "url": _EXT + "questionnaire-itemControl",
                        "valueCodeableConcept": {
                            "coding": [
                                {"system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help"}
                            ]
                        },
                    }
                ],
            }
        ]
    return item


# --- enableWhen from ask_when --------------------------------------------------------------------
#
# The guidance asks a question unless its ``ask_when`` is known to be false: an unanswered earlier
# question means "ask". FHIR reads an unanswered question as not matching, except for
# ``exists = false``. So each test becomes "(not answered) or (test)". FHIR enableWhen is a flat
# all/any list; when the exact rule is not flat (e.g. an age range), the answered case is
# expressed exactly and the item stays hidden while the earlier question is blank.

Atom = tuple[str, str, dict[str, Any]]
"""(question linkId, operator, {"answerX": value})."""
Expr = tuple[str, list[Any]]
"""("and" | "or", children), children being Atoms or Exprs."""


def enable_when(condition: Condition, g: Guidance) -> tuple[list[dict[str, Any]], str]:
    """The ``enableWhen`` list and ``enableBehavior`` for an ``ask_when``; ``[]`` when FHIR cannot
    express it (the item is then always enabled, the safe side)."""
    for unknown_asks in (True, False):
        expr = _expr(condition, g, unknown_asks)
        flat = _flatten(expr) if expr is not None else None
        if flat is not None:
            op, atoms = flat
            when = [{"question": key, "operator": oper, **answer} for key, oper, answer in atoms]
            return when, "all" if op == "and" else "any"
    return [], "all"


def _expr(cond: Condition, g: Guidance, unknown_asks: bool) -> Expr | Atom | None:
    if isinstance(cond, Leaf):
        test = _leaf(cond, g)
        if test is None or not unknown_asks:
            return test
        return ("or", [(cond.key, "exists", {"answerBoolean": False}), test])
    parts = [_expr(c, g, unknown_asks) for c in (cond.all if isinstance(cond, AllOf) else cond.any)]
    if any(p is None for p in parts):
        return None
    return ("and" if isinstance(cond, AllOf) else "or", parts)


def _leaf(leaf: Leaf, g: Guidance) -> Expr | Atom | None:
    q = g.question_map[leaf.key]
    answer_key = _ANSWER_KEY[q.type]
    op = leaf.operator
    if op == "is_":
        value = leaf.is_
        if isinstance(value, bool):
            return (leaf.key, "=", {"answerBoolean": value})
        return (leaf.key, "=", {answer_key: option_coding(leaf.key, str(value))})
    if op in ("gt", "ge", "lt", "le"):
        n = bound_value(getattr(leaf, op), g.thresholds)
        oper = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op]
        if q.type != "integer":
            return (leaf.key, oper, {"answerDecimal": float(n)})
        # Whole-number answers: age > 12.5 is age > 12, age >= 12.5 is age >= 13.
        whole = math.floor(n) if op in ("gt", "le") else math.ceil(n)
        return (leaf.key, oper, {"answerInteger": int(whole)})
    values = leaf.any_of if op == "any_of" else (leaf.of if op == "at_least" and leaf.at_least == 1 else None)
    if values is None:
        return None  # "at least 2 of", listed medicines: not expressible in enableWhen
    return ("or", [(leaf.key, "=", {answer_key: option_coding(leaf.key, v)}) for v in values])


def _flatten(expr: Expr | Atom) -> tuple[str, list[Atom]] | None:
    if len(expr) == 3:
        return "and", [expr]
    op, children = expr
    atoms: list[Atom] = []
    for child in children:
        flat = _flatten(child)
        if flat is None:
            return None
        child_op, child_atoms = flat
        if child_op != op and len(child_atoms) > 1:
            return None
        atoms += [a for a in child_atoms if a not in atoms]
    return op, atoms


# --- QuestionnaireResponse -> answers ------------------------------------------------------------


class FhirError(Exception):
    """A resource we cannot use: ``status`` is 400 (malformed) or 422 (unusable content)."""

    def __init__(self, status: int, issues: list[tuple[str, str, str | None]]) -> None:
        self.status = status
        self.issues = issues
        """(issue type code, diagnostics, FHIRPath expression or None)."""
        super().__init__("; ".join(d for _, d, _ in issues))

    def outcome(self) -> dict[str, Any]:
        return operation_outcome(self.issues)


def operation_outcome(
    issues: Iterable[tuple[str, str, str | None]], severity: str = "error"
) -> dict[str, Any]:
    """An ``OperationOutcome`` with one issue per (code, diagnostics, expression)."""
    out = []
    for code, diagnostics, expression in issues:
        issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
        if expression:
            issue["expression"] = [expression]
        out.append(issue)
    return {"resourceType": "OperationOutcome", "issue": out}


_QR_STATUS = ("in-progress", "completed", "amended", "entered-in-error", "stopped")


def check_response(data: object) -> Mapping[str, Any]:
    """Structural checks of a posted QuestionnaireResponse; raises :class:`FhirError` (400)."""
    if not isinstance(data, Mapping) or data.get("resourceType") != "QuestionnaireResponse":
        raise FhirError(400, [("structure", "the body must be a FHIR QuestionnaireResponse", None)])
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
    from pydantic import ValidationError

    try:
        QuestionnaireResponse.model_validate(dict(data))
    except ValidationError as exc:
        raise FhirError(
            400,
            [
                ("structure", e["msg"], "QuestionnaireResponse." + ".".join(map(str, e["loc"])))
                for e in exc.errors()
            ],
        ) from None
    if data.get("status") not in _QR_STATUS:
        raise FhirError(400, [("code-invalid", f"status must be one of {', '.join(_QR_STATUS)}", "status")])
    return data


def _is_ours(canonical: str) -> bool:
    url = canonical.split("|", 1)[0].rstrip("/")
    return url == QUESTIONNAIRE_URL or url.endswith(f"Questionnaire/{QUESTIONNAIRE_ID}")


def answers_from_response(data: Mapping[str, Any], guidance: Guidance | None = None) -> dict[str, Any]:
    """Contract answers from a checked QuestionnaireResponse; raises :class:`FhirError` (422)."""
    from crampcheck.answers import AnswersError, validate_answers

    g = guidance or load_guidance()
    ref = data.get("questionnaire")
    if ref and not _is_ours(str(ref)):
        raise FhirError(
            422, [("not-supported", f"this service assesses {QUESTIONNAIRE_URL} only", "questionnaire")]
        )
    raw: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for item in _walk(data.get("item") or []):
        key = item.get("linkId", "")
        q = g.question_map.get(key)
        if q is None:
            problems[key] = "is not a question of this questionnaire"
        elif key in raw:
            problems[key] = "is answered twice"
        else:
            try:
                value = _answer_value(q, item.get("answer") or [])
            except ValueError as exc:
                problems[key] = str(exc)
                continue
            if value is not None:
                raw[key] = value
    try:
        answers = validate_answers(raw, g)
    except AnswersError as exc:
        problems.update(exc.problems)
        answers = {}
    if problems:
        raise FhirError(
            422,
            [
                ("value", f"{k}: {m}", f"QuestionnaireResponse.item.where(linkId='{k}')")
                for k, m in problems.items()
            ],
        )
    return answers


def _walk(items: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    # Answers may sit in groups or under other answers; display items carry none.
    for item in items:
        if item.get("answer"):
            yield item
        yield from _walk(item.get("item") or [])
        for answer in item.get("answer") or []:
            yield from _walk(answer.get("item") or [])


def _answer_value(q: Question, answers: list[Mapping[str, Any]]) -> Any:
    values = [_one(q, a) for a in answers]
    if q.type in ("multi_choice", "text_list"):
        return [v for v in values if v != NONE_CODE or q.type == "text_list"]
    if len(values) > 1:
        raise ValueError("takes one answer")
    return values[0] if values else None


def _one(q: Question, answer: Mapping[str, Any]) -> Any:
    if q.type == "boolean" and "valueBoolean" in answer:
        return answer["valueBoolean"]
    if q.type == "integer":
        n = answer.get("valueInteger", answer.get("valueDecimal"))
        if isinstance(n, int | float) and not isinstance(n, bool) and float(n).is_integer():
            return int(n)
    if q.type == "number":
        n = answer.get(
            "valueDecimal", answer.get("valueInteger", (answer.get("valueQuantity") or {}).get("value"))
        )
        if isinstance(n, int | float) and not isinstance(n, bool):
            return float(n)
    if q.type in ("choice", "multi_choice"):
        coding = answer.get("valueCoding")
        if isinstance(coding, Mapping):
            if coding.get("system") not in (None, option_system(q.key)):
                raise ValueError(f"codes must come from {option_system(q.key)}")
            return coding.get("code")
        if isinstance(answer.get("valueString"), str):
            return answer["valueString"]
    if q.type == "text_list":
        if isinstance(answer.get("valueString"), str):
            return answer["valueString"]
        coding = answer.get("valueCoding") or {}
        if isinstance(coding.get("display"), str):
            return coding["display"]
    expected = {"integer": "valueInteger", "number": "valueDecimal", "boolean": "valueBoolean"}
    raise ValueError(f"expects {expected.get(q.type, 'valueCoding')} answers")


# --- RiskAssessment ------------------------------------------------------------------------------


def risk_assessment(
    assessment: Any, response: Mapping[str, Any], now: dt.datetime | None = None
) -> dict[str, Any]:
    """A ``RiskAssessment`` for an :class:`crampcheck.engine.Assessment` of ``response``.

    The prediction's qualitative risk is the disposition; the basis is the response (referenced
    when it has an id, contained otherwise); each reason is a note.
    """
    when = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    ra: dict[str, Any] = {"resourceType": "RiskAssessment", "status": "final"}
    if response.get("id"):
        basis = {"reference": f"QuestionnaireResponse/{response['id']}"}
    else:
        ra["contained"] = [{**response, "id": "response"}]
        basis = {"reference": "#response"}
    ra.update(
        {
            "subject": response.get("subject") or {"display": "The person who answered the questionnaire"},
            "occurrenceDateTime": when,
            "method": {"text": f"crampcheck guidance {assessment.guidance_version}"},
            "basis": [basis],
            "prediction": [
                {
                    "qualitativeRisk": {
                        "coding": [
                            {
                                "system": DISPOSITION_SYSTEM,
                                "code": assessment.disposition,
                                "display": assessment.disposition_label,
                            }
                        ],
                        "text": assessment.disposition_label,
                    },
                    "rationale": " ".join(r.text for r in assessment.reasons),
                }
            ],
            "mitigation": " ".join(assessment.what_to_do),
            "note": [{"text": r.text} for r in assessment.reasons],
        }
    )
    if response.get("encounter"):
        ra["encounter"] = response["encounter"]
    return ra


def assess_response(data: object, now: dt.datetime | None = None) -> dict[str, Any]:
    """``$assess``: a QuestionnaireResponse in, a RiskAssessment out; raises :class:`FhirError`."""
    from crampcheck.engine import default_engine

    response = check_response(data)
    answers = answers_from_response(response)
    return risk_assessment(default_engine().assess(answers), response, now)


# --- diary -> Observations -----------------------------------------------------------------------


def observation(episode: Mapping[str, Any], patient: str) -> dict[str, Any]:
    """One diary episode (contract shape) as an ``Observation`` of a leg cramp."""
    from crampcheck.guidance.codes import load_codes

    codes = load_codes()
    sct, oc = codes.systems.snomed, codes.observation
    start = _when(episode["started_at"])
    end = start + dt.timedelta(minutes=float(episode.get("duration_minutes") or 0))
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"episode-{episode['id']}",
        "status": "final",
        "code": {"coding": [{"system": sct, "code": oc.finding.code, "display": oc.finding.display}]},
        "subject": {"reference": patient},
        "effectivePeriod": {"start": start.isoformat(), "end": end.isoformat()},
    }
    site = oc.body_sites.get(str(episode.get("location")))
    if site is not None:
        obs["bodySite"] = {"coding": [{"system": sct, "code": site.code, "display": site.display}]}
    components: list[dict[str, Any]] = []
    if episode.get("severity") is not None:
        loinc = {"system": codes.systems.loinc, "code": oc.severity.code, "display": oc.severity.display}
        components.append({"code": {"coding": [loinc]}, "valueInteger": int(episode["severity"])})
    side = oc.sides.get(str(episode.get("leg")))
    if side is not None:
        lat = {"system": sct, "code": oc.laterality.code, "display": oc.laterality.display}
        value = {"coding": [{"system": sct, "code": side.code, "display": side.display}]}
        components.append({"code": {"coding": [lat]}, "valueCodeableConcept": value})
    if episode.get("woke_from_sleep") is not None:
        components.append(
            {"code": _diary("woke_from_sleep"), "valueBoolean": bool(episode["woke_from_sleep"])}
        )
    if episode.get("exercise"):
        components.append({"code": _diary("exercise"), "valueString": str(episode["exercise"])})
    for helped in episode.get("helped") or []:
        components.append({"code": _diary("helped"), "valueString": str(helped)})
    if components:
        obs["component"] = components
    if episode.get("note"):
        obs["note"] = [{"text": str(episode["note"])}]
    return obs


def _diary(field: str) -> dict[str, Any]:
    return {"coding": [{"system": DIARY_SYSTEM, "code": field}]}


def _when(value: Any) -> dt.datetime:
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if stamp.tzinfo is None:
        raise ValueError("episode times must carry a UTC offset")
    return stamp


_DATE_PREFIXES = ("eq", "ge", "le", "gt", "lt")


def date_bounds(values: Iterable[str]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The ``date`` search parameters of an Observation search as (since, until), both inclusive.

    A date without a time is a whole day in UTC; raises :class:`FhirError` (400) for bad values.

    >>> date_bounds(["ge2026-01-01", "lt2026-02-01"])[1].isoformat()
    '2026-01-31T23:59:59.999999+00:00'
    """
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    for raw in values:
        prefix, text = (raw[:2], raw[2:]) if raw[:2] in _DATE_PREFIXES else ("eq", raw)
        try:
            if len(text) == 10:
                start = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=dt.UTC)
                end = start + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
            else:
                start = end = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                if start.tzinfo is None:
                    raise ValueError("no offset")
        except ValueError:
            raise FhirError(
                400, [("value", f"date={raw}: use a prefix (ge, le, gt, lt, eq) and YYYY-MM-DD", "date")]
            ) from None
        low = {"eq": start, "ge": start, "gt": end + dt.timedelta(microseconds=1)}.get(prefix)
        high = {"eq": end, "le": end, "lt": start - dt.timedelta(microseconds=1)}.get(prefix)
        since = low if low is not None and (since is None or low > since) else since
        until = high if high is not None and (until is None or high < until) else until
    return since, until


def observation_bundle(
    episodes: Iterable[Mapping[str, Any]], patient: str, base_url: str | None = None
) -> dict[str, Any]:
    """The diary as a ``searchset`` Bundle of Observations (times keep the person's offset).

    >>> b = observation_bundle([], "Patient/me")
    >>> b["type"], b["total"]
    ('searchset', 0)
    """
    entries = []
    for episode in episodes:
        obs = observation(episode, patient)
        entry: dict[str, Any] = {"resource": obs, "search": {"mode": "match"}}
        if base_url:
            entry["fullUrl"] = f"{base_url.rstrip('/')}/Observation/{obs['id']}"
        entries.append(entry)
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}
