"""The diary API (contract section 3) and the wiring for the diary pages and accounts.

``setup(app, settings)`` opens the database (migrating it to the latest schema) and puts the
:class:`~crampcheck.storage.Repository` on ``app.state.repo``. Each request's person comes from
:func:`person_for`: the one local person in personal mode; in multi-user mode a personal API token
(``Authorization: Bearer``) or the session cookie.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as DatabaseTimeout
from starlette.concurrency import run_in_threadpool

from crampcheck import accounts
from crampcheck.answers import AnswersError, validate_answers
from crampcheck.config import Settings
from crampcheck.diary import EpisodeError, EpisodeIn, apply_patch, parse_episode_json
from crampcheck.diary_io import all_my_data, episodes_to_csv
from crampcheck.diary_summary import DiarySummary, summarize
from crampcheck.storage import NotFound, Repository, open_repository
from crampcheck.storage.repository import MAX_LIST
from crampcheck.web.api import error_responses

log = logging.getLogger(__name__)
SESSION_COOKIE = "crampcheck_session"
MAX_BODY = 64 * 1024

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["diary"])


def setup(app: FastAPI, settings: Settings) -> None:
    """Open the database (migrations run to head) and register the diary's hooks."""
    repo = open_repository(settings.database_url)
    app.state.repo = repo
    app.state.multi_user = settings.multi_user
    app.state.on_assessment = on_assessment
    if not settings.multi_user:
        app.state.local_person_id = repo.local_person_id()


def repo_of(request: Request) -> Repository:
    repo: Repository = request.app.state.repo
    return repo


def person_for(request: Request) -> int | None:
    """The person making ``request``, or None (multi-user mode, not signed in)."""
    state = request.app.state
    if not getattr(state, "multi_user", False):
        return int(state.local_person_id)
    repo = repo_of(request)
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return accounts.person_for_bearer(repo, auth[7:].strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    return accounts.session_person(repo, cookie) if cookie else None


def api_person(request: Request) -> int:
    person = person_for(request)
    if person is None:
        raise HTTPException(
            401,
            detail="Sign in, or send a personal API token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return person


async def on_assessment(request: Request, answers: dict[str, Any]) -> None:
    """Keep the answers of a finished assessment as the person's profile (for reassessment)."""
    try:
        clean = validate_answers(answers)
    except AnswersError:
        return
    try:
        person = await run_in_threadpool(person_for, request)
        if person is not None:
            await run_in_threadpool(repo_of(request).set_profile, person, clean)
    except (OperationalError, InterfaceError, DatabaseTimeout) as exc:
        # The result matters more than keeping it: with the database down, still show the result.
        log.warning("result shown but not kept (database unavailable): %s", type(exc).__name__)


def problems_response(problems: dict[str, str]) -> JSONResponse:
    """422 in the app's shape: ``errors`` (one message per field) and FastAPI-style ``detail``."""
    detail = [{"loc": ["body", k], "msg": m, "type": "value_error"} for k, m in problems.items()]
    return JSONResponse({"errors": problems, "detail": detail}, status_code=422)


async def _body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(413, detail="The request body is too large")
    return body


def person_summary(repo: Repository, person: int, days: int, now: dt.datetime | None = None) -> DiarySummary:
    """A person's diary summary over ``days`` (only their own rows are read)."""
    until = now or dt.datetime.now(dt.UTC)
    eps = repo.episode_facts(person, until - dt.timedelta(days=days), until)
    return summarize(eps, repo.get_profile(person), days=days, now=until)


def _parse_time(name: str, raw: str | None, end_of_day: bool = False) -> dt.datetime | None:
    if raw is None or raw == "":
        return None
    try:
        if len(raw) == 10:
            day = dt.date.fromisoformat(raw)
            t = dt.time.max if end_of_day else dt.time.min
            return dt.datetime.combine(day, t, tzinfo=dt.UTC)
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise EpisodeError({name: "must be a date (2026-01-05) or a date and time with an offset"}) from None
    if value.tzinfo is None:
        raise EpisodeError({name: "needs a time zone offset, such as +00:00"})
    return value


# Every diary route needs the database (503 while it is down) and, in multi-user mode, a person.
_READ = error_responses(401, 422, 503)
_ONE = error_responses(401, 404, 422, 503)
_WRITE = error_responses(401, 413, 422, 503)
_CHANGE = error_responses(401, 404, 413, 422, 503)
# A date (2026-01-05) or a date and time with its offset (empty: not given); the schema says so.
_WHEN = {
    "anyOf": [
        {"type": "string", "format": "date"},
        {"type": "string", "format": "date-time"},
        {"type": "string", "maxLength": 0},
    ]
}


def _episode_schema() -> dict[str, Any]:
    schema = EpisodeIn.model_json_schema()
    for name in ("note", "helped"):  # null is taken as "not recorded" for these too
        prop = schema["properties"][name]
        schema["properties"][name] = {
            "anyOf": [{k: v for k, v in prop.items() if k != "title"}, {"type": "null"}]
        }
        schema["properties"][name]["title"] = prop.get("title", name)
    return schema


_EPISODE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _episode_schema()}},
    }
}
# A change names only the fields it changes.
_PATCH_SCHEMA = {k: v for k, v in _episode_schema().items() if k != "required"}
_PATCH_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": _PATCH_SCHEMA}}}}


@api.post(
    "/episodes",
    status_code=201,
    summary="Record a cramp episode",
    openapi_extra=_EPISODE_BODY,
    responses=_WRITE,
)
async def create_episode(request: Request) -> Response:
    """Store one episode. 201 with the stored episode and its ``id``; 422 with a message per bad
    field and nothing stored."""
    person = await run_in_threadpool(api_person, request)
    try:
        ep = parse_episode_json(await _body(request))
    except EpisodeError as exc:
        return problems_response(exc.problems)
    stored = await run_in_threadpool(repo_of(request).add_episode, person, ep)
    return JSONResponse(
        stored.to_json(), status_code=201, headers={"Location": f"/api/v1/episodes/{stored.id}"}
    )


MAX_CSV = 5 * 1024 * 1024

_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}, "example": "started_at,duration_minutes,location\n"}
        },
    }
}


def csv_problems_response(bad: list[tuple[int, dict[str, str]]]) -> JSONResponse:
    """422 for a CSV import: ``errors`` keyed ``line N: field``, and ``lines`` grouped by line."""
    errors = {
        f"line {line}: {field}": message for line, problems in bad for field, message in problems.items()
    }
    detail = [
        {"loc": ["body", line, field], "msg": m, "type": "value_error"}
        for line, p in bad
        for field, m in p.items()
    ]
    lines = [{"line": line, "errors": problems} for line, problems in bad]
    return JSONResponse({"errors": errors, "detail": detail, "lines": lines}, status_code=422)


def import_csv_text(repo: Repository, person: int, text: str, skip_bad: bool) -> Response:
    """Check every row; store all good rows in one transaction, or none if any is bad (unless
    ``skip_bad``)."""
    from crampcheck.diary_io import parse_csv

    result = parse_csv(text)
    if result.bad and (not skip_bad or any(line == 1 for line, _ in result.bad)):  # a bad header: no rows
        return csv_problems_response(result.bad)
    stored = repo.add_episodes(person, [ep for _, ep in result.good])
    skipped = [{"line": line, "errors": problems} for line, problems in result.bad]
    return JSONResponse({"imported": len(stored), "skipped": skipped}, status_code=201)


@api.post(
    "/episodes/import",
    status_code=201,
    summary="Import episodes from CSV",
    openapi_extra=_CSV_BODY,
    responses=_WRITE,
)
async def import_episodes(request: Request, skip_bad: Annotated[bool, Query()] = False) -> Response:
    """A CSV with a header row (as exported). Every row is checked: with any bad row nothing is
    stored and the answer is 422 naming each bad line and field, unless ``skip_bad=true``."""
    person = await run_in_threadpool(api_person, request)
    body = await request.body()
    if len(body) > MAX_CSV:
        raise HTTPException(413, detail="The file is too large (at most 5 MB)")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return csv_problems_response([(1, {"file": "is not UTF-8 text"})])
    return await run_in_threadpool(import_csv_text, repo_of(request), person, text, skip_bad)


@api.get("/episodes", summary="List your episodes, newest first", responses=_READ)
def list_episodes(
    request: Request,
    from_: Annotated[
        str | None, Query(alias="from", description="ISO date or date-time", json_schema_extra=_WHEN)
    ] = None,
    to: Annotated[
        str | None,
        Query(description="ISO date or date-time (a date includes that day)", json_schema_extra=_WHEN),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 500,
) -> Response:
    """``{"episodes": [...]}`` newest first; without ``from``/``to``, all (up to ``limit``)."""
    person = api_person(request)
    try:
        since, until = _parse_time("from", from_), _parse_time("to", to, end_of_day=True)
    except EpisodeError as exc:
        return problems_response(exc.problems)
    eps = repo_of(request).list_episodes(person, since=since, until=until, limit=limit)
    return JSONResponse({"episodes": [e.to_json() for e in eps]})


@api.get("/episodes/{episode_id}", summary="One of your episodes", responses=_ONE)
def get_episode(request: Request, episode_id: int) -> Response:
    person = api_person(request)
    try:
        return JSONResponse(repo_of(request).get_episode(person, episode_id).to_json())
    except NotFound:
        raise HTTPException(404, detail="No such episode") from None


@api.patch(
    "/episodes/{episode_id}",
    summary="Change one of your episodes",
    openapi_extra=_PATCH_BODY,
    responses=_CHANGE,
)
async def patch_episode(request: Request, episode_id: int) -> Response:
    """Change the fields given (``null`` clears an optional field); 404 for anyone else's id."""
    person = await run_in_threadpool(api_person, request)
    repo = repo_of(request)
    try:
        current = await run_in_threadpool(repo.get_episode, person, episode_id)
    except NotFound:
        raise HTTPException(404, detail="No such episode") from None
    try:
        patch = json.loads(await _body(request))
        changed = apply_patch(current, patch)
    except ValueError:  # bad JSON, bad UTF-8, or an integer too long to convert
        return problems_response({"episode": "is not valid JSON"})
    except EpisodeError as exc:
        return problems_response(exc.problems)
    try:
        stored = await run_in_threadpool(repo.update_episode, person, episode_id, changed)
    except NotFound:
        raise HTTPException(404, detail="No such episode") from None
    return JSONResponse(stored.to_json())


@api.delete("/episodes/{episode_id}", status_code=204, summary="Delete one of your episodes", responses=_ONE)
def delete_episode(request: Request, episode_id: int) -> Response:
    person = api_person(request)
    try:
        repo_of(request).delete_episode(person, episode_id)
    except NotFound:
        raise HTTPException(404, detail="No such episode") from None
    return Response(status_code=204)


@api.get("/diary/summary", summary="Diary summary and the diary-driven disposition", responses=_READ)
def diary_summary(request: Request, days: Annotated[int, Query(ge=1, le=3650)] = 28) -> Response:
    """Counts over the last ``days``, the chart series, factors, and the disposition the engine
    reaches from the diary merged over the person's latest assessment answers."""
    person = api_person(request)
    return JSONResponse(person_summary(repo_of(request), person, days).to_json())


@api.get("/export.json", summary="Download all my data (JSON)", responses=_READ)
def export_json(request: Request) -> Response:
    person = api_person(request)
    repo = repo_of(request)
    data = all_my_data(
        repo.person_email(person), repo.get_profile(person), repo.list_episodes(person, limit=None)
    )
    return JSONResponse(
        data,
        headers={
            "Content-Disposition": 'attachment; filename="crampcheck-data.json"',
            "Cache-Control": "no-store",
        },
    )


@api.get(
    "/export.csv",
    summary="Download my diary (CSV)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **_READ},
)
def export_csv(request: Request) -> Response:
    person = api_person(request)
    text = episodes_to_csv(repo_of(request).list_episodes(person, limit=None, newest_first=False))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="crampcheck-diary.csv"',
            "Cache-Control": "no-store",
        },
    )


router.include_router(api)


def _include_pages() -> None:
    # The pages import this module for person_for and friends, so they join the router last.
    from crampcheck.web import diary_account, diary_pages

    router.include_router(diary_pages.router)
    router.include_router(diary_account.router)


_include_pages()
