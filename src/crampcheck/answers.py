"""Validate a person's answers (contract section 1) against the questions in the guidance.

The pydantic model is built from questions.yaml, so types, options and limits come from the
content. Problems are reported one per key, in words a person can act on.

>>> answers = validate_answers({"age": 52, "timing": ["night"], "pregnant": None})
>>> answers
{'age': 52, 'timing': ['night']}
>>> try:
...     validate_answers({"age": "old", "colour": "red"})
... except AnswersError as e:
...     print(e)
age: must be a whole number from 0 to 120 (years); got "old"
colour: is not a known answer key
"""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
    create_model,
)

from crampcheck.guidance import Guidance, load_guidance
from crampcheck.guidance.model import Question

Answers = dict[str, Any]
"""Validated answers: only known keys, no ``None`` values (a missing key is "not known")."""


class AnswersError(ValueError):
    """Answers that break the contract; ``problems`` maps each bad key to one message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{k}: {m}" for k, m in problems.items()))


def _num(v: float | None) -> str:
    return "" if v is None else (str(int(v)) if float(v).is_integer() else str(v))


def describe(q: Question) -> str:
    """What a valid answer to ``q`` looks like, in plain words."""
    unit = f" ({q.unit})" if q.unit else ""
    if q.type == "integer":
        return f"must be a whole number from {_num(q.min)} to {_num(q.max)}{unit}"
    if q.type == "number":
        return f"must be a number from {_num(q.min)} to {_num(q.max)}{unit}"
    if q.type == "boolean":
        return "must be true or false"
    values = ", ".join(o.value for o in q.options)
    if q.type == "choice":
        return f"must be one of: {values}"
    if q.type == "multi_choice":
        return f"must be a list of any of: {values}"
    return f"must be a list of at most {q.max_items} texts of at most {q.max_length} characters each"


def _whole_float_to_int(value: Any) -> Any:
    # JSON does not tell 16 from 16.0 (and JSON Schema counts 16.0 as an integer); 16.5 stays an error.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _field_type(q: Question) -> Any:
    if q.type == "integer":
        # Constraints before the validator, or pydantic writes them into the JSON Schema as "ge"/"le".
        return Annotated[int, Field(strict=True, ge=q.min, le=q.max), BeforeValidator(_whole_float_to_int)]
    if q.type == "number":
        return Annotated[float, Field(ge=q.min, le=q.max, allow_inf_nan=False), Field(strict=True)]
    if q.type == "boolean":
        return StrictBool
    literal = Literal[tuple(o.value for o in q.options)]  # type: ignore[valid-type]
    if q.type == "choice":
        return literal
    if q.type == "multi_choice":
        return Annotated[list[literal], Field(max_length=len(q.options))]  # type: ignore[valid-type]
    text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=q.max_length)]
    return Annotated[list[text], Field(max_length=q.max_items)]


@cache
def answers_model(guidance: Guidance | None = None) -> type[BaseModel]:
    """The pydantic model of the answers for ``guidance`` (default: the package's guidance)."""
    g = guidance or load_guidance()
    fields: dict[str, Any] = {
        q.key: (_field_type(q) | None, Field(default=None, description=f"{q.text} ({describe(q)})"))
        for q in g.questions
    }
    return create_model(
        "Answers",
        __config__=ConfigDict(extra="forbid", json_schema_extra={"description": "A person's answers."}),
        **fields,
    )


def _problems(exc: ValidationError, g: Guidance) -> dict[str, str]:
    problems: dict[str, str] = {}
    for err in exc.errors():
        if not err["loc"]:
            problems.setdefault("answers", "must be a JSON object of answer keys and values")
            continue
        key = str(err["loc"][0])
        q = g.question_map.get(key)
        if err["type"] == "extra_forbidden" or q is None:
            problems.setdefault(key, "is not a known answer key")
        elif err["type"] == "json_invalid":
            problems.setdefault("answers", f"is not valid JSON ({err['msg']})")
        else:
            problems.setdefault(key, f"{describe(q)}; got {json.dumps(err.get('input'), default=str)[:60]}")
    return problems


def validate_answers(data: object, guidance: Guidance | None = None) -> Answers:
    """Check answers from JSON-like data; raise :class:`AnswersError` naming every bad key."""
    g = guidance or load_guidance()
    if not isinstance(data, dict):
        raise AnswersError({"answers": "must be a JSON object of answer keys and values"})
    try:
        model = answers_model(guidance).model_validate(data)
    except ValidationError as exc:
        raise AnswersError(_problems(exc, g)) from None
    return {k: _dedupe(v) for k, v in model.model_dump(exclude_none=True).items()}


def parse_answers(text: str, guidance: Guidance | None = None) -> Answers:
    """Validate answers given as JSON text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnswersError({"answers": f"is not valid JSON: {exc.msg} (line {exc.lineno})"}) from None
    return validate_answers(data, guidance)


def _dedupe(value: Any) -> Any:
    if isinstance(value, list):
        return list(dict.fromkeys(value))
    return value
