"""Clinical interop routes: FHIR R4B (questionnaire, ``$assess``, the diary) and CDS Hooks 2.0.

FHIR answers are ``application/fhir+json``; errors are ``OperationOutcome`` resources (400 for a
body that is not a valid resource, 422 for one we cannot assess, 404 for what does not exist).
CDS Hooks errors are plain JSON with a ``detail``, as the rest of the API.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from crampcheck import cds, fhir

router = APIRouter(tags=["interop"])
MAX_BODY = 512 * 1024

_FHIR_CONTENT: dict[str, Any] = {fhir.FHIR_JSON: {"schema": {"type": "object"}}}
_FHIR: dict[str, Any] = {"content": _FHIR_CONTENT}
_OUTCOME: dict[str, Any] = {"content": _FHIR_CONTENT, "description": "An OperationOutcome"}


def _fhir_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    # FHIR answers, errors included, are application/fhir+json (errors are OperationOutcomes).
    responses: dict[int | str, dict[str, Any]] = {200: _FHIR, **{code: _OUTCOME for code in codes}}
    if 422 in codes:  # a bad query parameter is refused by FastAPI itself, in plain JSON
        responses[422] = {**_OUTCOME, "content": {**_FHIR_CONTENT, "application/json": {}}}
    return responses


def _json_body_doc(media_type: str, resource: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    if resource:
        schema = {
            "type": "object",
            "required": ["resourceType"],
            "properties": {"resourceType": {"type": "string", "enum": [resource, "Parameters"]}},
        }
    return {"requestBody": {"required": True, "content": {media_type: {"schema": schema}}}}


def fhir_response(resource: dict[str, Any], status_code: int = 200) -> Response:
    return Response(
        json.dumps(resource, ensure_ascii=False),
        status_code=status_code,
        media_type=fhir.FHIR_JSON,
    )


def _outcome(status: int, code: str, diagnostics: str) -> Response:
    return fhir_response(fhir.operation_outcome([(code, diagnostics, None)]), status)


class TooLarge(Exception):
    pass


async def _json_body(request: Request) -> object:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise TooLarge(f"the body is larger than {MAX_BODY // 1024} KB")
    return json.loads(body or b"null")


@router.get(
    "/fhir/metadata", summary="FHIR CapabilityStatement", response_class=Response, responses=_fhir_responses()
)
def fhir_metadata(request: Request) -> Response:
    return fhir_response(fhir.capability_statement(str(request.base_url).rstrip("/") + "/fhir"))


@router.get(
    "/fhir/Questionnaire/leg-cramps",
    summary="The questionnaire as a FHIR R4B Questionnaire",
    response_class=Response,
    responses=_fhir_responses(),
)
def fhir_questionnaire() -> Response:
    return fhir_response(fhir.questionnaire())


def _from_parameters(data: object) -> object:
    # FHIR operations may also receive their input wrapped in a Parameters resource.
    if isinstance(data, dict) and data.get("resourceType") == "Parameters":
        for param in data.get("parameter") or []:
            if isinstance(param, dict) and isinstance(param.get("resource"), dict):
                return param["resource"]
    return data


@router.post(
    "/fhir/QuestionnaireResponse/$assess",
    summary="Assess a FHIR QuestionnaireResponse; returns a RiskAssessment",
    response_class=Response,
    responses=_fhir_responses(400, 413, 422),
    openapi_extra=_json_body_doc(fhir.FHIR_JSON, "QuestionnaireResponse"),
)
async def fhir_assess(request: Request) -> Response:
    try:
        data = _from_parameters(await _json_body(request))
    except TooLarge as exc:
        return _outcome(413, "too-costly", str(exc))
    except ValueError as exc:
        return _outcome(400, "structure", f"the body is not JSON: {exc}")
    try:
        result = await run_in_threadpool(fhir.assess_response, data)
    except fhir.FhirError as exc:
        return fhir_response(exc.outcome(), exc.status)
    return fhir_response(result)


@router.get(
    "/fhir/Patient/{patient_id}/Observation",
    summary="The diary as a FHIR Bundle of Observations",
    response_class=Response,
    responses={**_fhir_responses(400, 401, 404, 422), 503: {"description": "The database cannot be reached"}},
)
async def fhir_observations(
    request: Request,
    patient_id: str,
    date: Annotated[list[str] | None, Query(description="e.g. ge2026-01-01 (repeatable)")] = None,
    count: Annotated[int | None, Query(alias="_count", ge=1, le=100_000)] = None,
) -> Response:
    repo = getattr(request.app.state, "repo", None)
    if repo is None:
        return _outcome(404, "not-found", "this server keeps no diary")
    from crampcheck.web.diary import person_for

    person = await run_in_threadpool(person_for, request)
    if person is None:
        return _outcome(
            401, "login", "sign in, or send a personal API token as 'Authorization: Bearer <token>'"
        )
    # "me" is the caller; another id is only the caller's own: never reveal whether others exist.
    if patient_id not in ("me", str(person)):
        return _outcome(404, "not-found", f"Patient/{patient_id} is not known")
    try:
        since, until = fhir.date_bounds(date or [])
    except fhir.FhirError as exc:
        return fhir_response(exc.outcome(), exc.status)
    episodes = await run_in_threadpool(repo.list_episodes, person, since, until, count, False)
    bundle = fhir.observation_bundle(
        (ep.to_json() for ep in episodes),
        f"Patient/{patient_id}",
        str(request.base_url).rstrip("/") + "/fhir",
    )
    return fhir_response(bundle)


@router.get("/cds-services", summary="CDS Hooks 2.0 discovery")
def cds_discovery() -> JSONResponse:
    return JSONResponse(cds.discovery())


@router.post(
    f"/cds-services/{cds.SERVICE_ID}",
    summary="CDS Hooks patient-view service: leg-cramp causes",
    responses={
        400: {"description": "The body is not a CDS Hooks request"},
        413: {"description": "The request body is too large"},
        412: {"description": "The prefetched data the service needs is missing"},
    },
    openapi_extra=_json_body_doc("application/json"),
)
async def cds_leg_cramps(request: Request) -> JSONResponse:
    try:
        body = await _json_body(request)
    except TooLarge as exc:
        return JSONResponse({"detail": str(exc)}, status_code=413)
    except ValueError as exc:
        return JSONResponse({"detail": f"the body is not JSON: {exc}"}, status_code=400)
    try:
        result = await run_in_threadpool(cds.call, body, str(request.base_url))
    except cds.CdsError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)
    return JSONResponse(result)
