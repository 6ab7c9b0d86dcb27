"""The JSON API of the public contract: health, questionnaire and assessments (``/api/v1``).

Errors are JSON with one message per bad field::

    POST /api/v1/assessments  {"age": "old", "no_such_key": 1}
    422 {"errors": {"age": "must be a whole number ...", "no_such_key": "is not a known answer key"},
         "detail": [{"loc": ["body", "age"], "msg": "...", "type": "value_error"}, ...]}
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from crampcheck.answers import AnswersError, answers_model, validate_answers
from crampcheck.engine import Assessment, default_engine
from crampcheck.guidance import load_guidance

router = APIRouter(prefix="/api/v1", tags=["assessment"])

_HEALTH = b'{"status":"ok"}'


class ProblemDetail(BaseModel):
    """One problem, in FastAPI's usual shape."""

    loc: list[str | int]
    msg: str
    type: str


class Problems(BaseModel):
    """A 422 answer: ``errors`` maps each bad field to one message."""

    errors: dict[str, str] = Field(description="One message per bad field, keyed by the field name.")
    detail: list[ProblemDetail]


_ERRORS: dict[int, dict[str, Any]] = {
    400: {"description": "The body is not JSON, or not what the operation expects"},
    401: {"description": "Multi-user mode: not signed in and no valid 'Authorization: Bearer' token"},
    404: {"description": "No such item, or it belongs to someone else"},
    413: {"description": "The request body is too large"},
    422: {"model": Problems, "description": "One message per bad field"},
    503: {"description": "The database cannot be reached right now; retry after 'Retry-After' seconds"},
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error answers an operation gives, so its schema is complete."""
    return {code: _ERRORS[code] for code in codes}


def problems_body(problems: dict[str, str]) -> dict[str, Any]:
    """The JSON body of a 422 for ``problems`` (field → message)."""
    return {
        "errors": problems,
        "detail": [
            {"loc": ["body", key], "msg": msg, "type": "value_error"} for key, msg in problems.items()
        ],
    }


def validation_problems(exc: RequestValidationError) -> dict[str, Any]:
    """FastAPI's own 422 detail, plus ``errors`` with one message per field."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path", "header")]
        errors.setdefault(".".join(loc) or "body", str(err.get("msg", "is not valid")))
    return {"errors": errors, "detail": jsonable_encoder(exc.errors())}


@router.get(
    "/health",
    summary="Liveness check",
    responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
)
def health() -> Response:
    """Always ``{"status": "ok"}``; touches nothing else (the floor for benchmarks)."""
    return Response(_HEALTH, media_type="application/json")


@router.get("/questionnaire", summary="The questions, their answer options and when each is asked")
def questionnaire() -> dict[str, Any]:
    """Every question with its type, options, limits and ``ask_when`` condition.

    Questions are listed most dangerous first. A question is worth asking while it could still
    change the outcome; ``ask_when`` narrows that further (thresholds are given by id, with
    their values in ``thresholds``).
    """
    g = load_guidance()
    keep = {"key", "type", "stage", "text", "help", "options", "none_label", "unit", "min", "max"}
    keep |= {"max_items", "max_length", "ask_when", "sources"}
    questions = []
    for q in g.questions:
        item = q.model_dump(mode="json", by_alias=True, exclude_none=True, include=keep)
        for option in item.get("options", []):
            option.pop("lay_terms", None)
        questions.append(item)
    return {
        "guidance_version": g.version,
        "order": "Ask questions in this order, skipping those whose ask_when is false.",
        "thresholds": {t.id: {"value": t.value, "unit": t.unit} for t in g.threshold_list},
        "questions": questions,
    }


@router.post(
    "/assessments",
    summary="Assess answers",
    response_model=Assessment,
    responses={422: {"model": Problems, "description": "One message per bad field"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": answers_model().model_json_schema()}},
        }
    },
)
async def assess(request: Request) -> Response:
    """Answers (contract section 1) in; the assessment out: disposition, reasons with sources,
    possible causes to discuss and advice. A missing key means "not known", never "no"."""
    raw = await request.body()
    try:
        data = json.loads(raw) if raw.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return JSONResponse(problems_body({"answers": f"is not valid JSON ({exc})"}), status_code=422)
    try:
        answers = validate_answers(data)
    except AnswersError as exc:
        return JSONResponse(problems_body(exc.problems), status_code=422)
    return JSONResponse(default_engine().assess(answers).to_dict())
