"""Diary pages: log a cramp (quick: when, how long, where), the list with edit and delete, and the
summary with the diary-driven disposition at the top, charts and factors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from crampcheck.charts import chart_figure, summary_charts
from crampcheck.diary import (
    EXERCISE,
    FIELDS,
    HELPED,
    LEGS,
    LOCATIONS,
    Episode,
    EpisodeError,
    EpisodeIn,
    validate_episode,
)
from crampcheck.guidance import load_guidance
from crampcheck.reminders import reminder_calendar
from crampcheck.storage import NotFound
from crampcheck.web.diary import person_for, person_summary, repo_of
from crampcheck.web.templating import render

router = APIRouter(include_in_schema=False)

LABELS = {
    "started_at": "When it started",
    "duration_minutes": "How long it lasted",
    "location": "Where it was",
    "leg": "Which leg",
    "severity": "How bad it was",
    "woke_from_sleep": "Whether it woke you",
    "exercise": "Exercise",
    "helped": "What helped",
    "note": "Note",
}
FIELD_IDS = {
    "started_at": "date",
    "location": "location-calf",
    "leg": "leg-left",
    "helped": "helped-stretching",
}
LIST_LIMIT = 200
CARE_VARIANT = {"immediate": "emergency", "urgent": "urgent", "non-urgent": "non-urgent"}


class SignInNeeded(Exception):
    pass


def page_person(request: Request) -> int | RedirectResponse:
    """The person, or a redirect to the sign-in page (multi-user mode, signed out)."""
    person = person_for(request)
    if person is None:
        return RedirectResponse(f"/account/sign-in?next={request.url.path}", status_code=303)
    return person


def _server_offset() -> int:
    offset = dt.datetime.now().astimezone().utcoffset() or dt.timedelta(0)
    return int(offset.total_seconds() // 60)


def _blank_form() -> dict[str, Any]:
    now = dt.datetime.now().astimezone()
    return {
        "date": now.date().isoformat(),
        "time": now.strftime("%H:%M"),
        "tz": str(_server_offset()),
        "helped": [],
    }


def _form_from_episode(ep: EpisodeIn) -> dict[str, Any]:
    offset = ep.started_at.utcoffset() or dt.timedelta(0)
    return {
        "date": ep.started_at.date().isoformat(),
        "time": ep.started_at.strftime("%H:%M"),
        "tz": str(int(offset.total_seconds() // 60)),
        "duration_minutes": f"{ep.duration_minutes:g}",
        "location": ep.location,
        "leg": ep.leg or "",
        "severity": "" if ep.severity is None else str(ep.severity),
        "woke_from_sleep": {True: "yes", False: "no", None: ""}[ep.woke_from_sleep],
        "exercise": ep.exercise or "",
        "helped": list(ep.helped),
        "note": ep.note,
    }


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(form.get(k, "") or "").strip() for k in FORM_FIELDS}
    values["helped"] = [str(v) for v in form.getlist("helped")]
    values["note"] = str(form.get("note", "") or "")
    return values


FORM_FIELDS = (
    "date",
    "time",
    "tz",
    "duration_minutes",
    "location",
    "leg",
    "severity",
    "woke_from_sleep",
    "exercise",
)


def _episode_from(values: dict[str, Any]) -> EpisodeIn:
    problems: dict[str, str] = {}
    started: str | None = None
    try:
        minutes = int(values["tz"] or _server_offset())
        tz = dt.timezone(dt.timedelta(minutes=minutes))
        when = dt.datetime.combine(
            dt.date.fromisoformat(values["date"]), dt.time.fromisoformat(values["time"])
        )
        started = when.replace(tzinfo=tz).isoformat()
    except ValueError:
        problems["started_at"] = "Enter the date and time the cramp started"
    data: dict[str, Any] = {
        "started_at": started,
        "duration_minutes": values["duration_minutes"] or None,
        "location": values["location"] or None,
        "leg": values["leg"] or None,
        "severity": values["severity"] or None,
        "woke_from_sleep": {"yes": True, "no": False}.get(values["woke_from_sleep"]),
        "exercise": values["exercise"] or None,
        "helped": values["helped"],
        "note": values["note"],
    }
    try:
        ep = validate_episode(data)
    except EpisodeError as exc:
        problems = {**exc.problems, **problems}
    for key in ("duration_minutes", "location"):
        if not values[key]:
            problems[key] = "is required"
    if problems:
        raise EpisodeError({k: _message(k, m) for k, m in problems.items() if k in FIELDS})
    return ep


PAGE_MESSAGES = {
    "started_at": "Enter the date and time the cramp started, not more than a day from now",
    "duration_minutes": "Enter how many minutes the cramp lasted, a number above 0 and up to 1440 (24 hours)",
    "location": "Select where the cramp was",
    "severity": "Enter how bad it was as a whole number from 0 to 10",
    "note": "Note must be 2,000 characters or fewer",
}
REQUIRED_MESSAGES = {
    "started_at": "Enter the date and time the cramp started",
    "duration_minutes": "Enter how many minutes the cramp lasted",
    "location": "Select where the cramp was",
}


def _message(field: str, message: str) -> str:
    if message.startswith("Enter"):
        return message
    if message == "is required":
        return REQUIRED_MESSAGES.get(field, f"{LABELS.get(field, field)} is required")
    return PAGE_MESSAGES.get(field, f"{LABELS.get(field, field)} {message}")


def _form_page(request: Request, values: dict[str, Any], errors: dict[str, str], **ctx: Any) -> Response:
    return render(
        request,
        "diary/log.html",
        {
            "nav_current": "diary",
            "values": values,
            "errors": errors,
            "error_links": [(FIELD_IDS.get(k, k.replace("_", "-")), m) for k, m in errors.items()],
            "locations": LOCATIONS,
            "legs": LEGS,
            "exercise_options": EXERCISE,
            "helped_options": HELPED,
            **ctx,
        },
        status_code=422 if errors else 200,
    )


def _own_episode(request: Request, person: int, episode_id: int) -> Episode:
    try:
        return repo_of(request).get_episode(person, episode_id)
    except NotFound:
        raise HTTPException(404, detail="No such episode") from None


@router.get("/diary")
def diary_page(request: Request) -> Response:
    person = page_person(request)
    if isinstance(person, Response):
        return person
    repo = repo_of(request)
    eps = repo.list_episodes(person, limit=LIST_LIMIT)
    return render(
        request,
        "diary/index.html",
        {
            "nav_current": "diary",
            "episodes": eps,
            "total": repo.count_episodes(person) if len(eps) == LIST_LIMIT else len(eps),
            "notice": request.query_params.get("done"),
            "imported": request.query_params.get("n", ""),
            "multi_user": request.app.state.multi_user,
        },
    )


@router.get("/diary/log")
def log_page(request: Request) -> Response:
    person = page_person(request)
    if isinstance(person, Response):
        return person
    return _form_page(request, _blank_form(), {}, action="/diary/log", editing=False)


@router.post("/diary/log")
async def log_submit(request: Request) -> Response:
    person = page_person(request)
    if isinstance(person, Response):
        return person
    values = _values(await request.form())
    try:
        ep = _episode_from(values)
    except EpisodeError as exc:
        return _form_page(request, values, exc.problems, action="/diary/log", editing=False)
    repo_of(request).add_episode(person, ep)
    return RedirectResponse("/diary?done=logged", status_code=303)


@router.get("/diary/import")
def import_page(request: Request) -> Response:
    person = page_person(request)
    if isinstance(person, Response):
        return person
    return render(request, "diary/import.html", {"nav_current": "diary", "errors": {}, "bad_lines": []})


@router.post("/diary/import")
async def import_submit(request: Request) -> Response:
    from crampcheck.diary_io import describe_bad_rows, parse_csv

    person = page_person(request)
    if isinstance(person, Response):
        return person
    async with request.form() as form:  # closes the uploaded file's temporary storage
        upload = form.get("file")
        skip_bad = form.get("skip_bad") == "yes"
        raw = await upload.read() if isinstance(upload, UploadFile) else b""
    errors: dict[str, str] = {}
    lines: list[str] = []
    if not raw:
        errors["file"] = "Select a CSV file"
    else:
        try:
            result = parse_csv(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            errors["file"] = "The selected file must be a CSV file saved as UTF-8 text"
        else:
            lines = describe_bad_rows(result.bad)
            header_bad = any(line == 1 for line, _ in result.bad)
            if result.bad and (not skip_bad or header_bad):
                errors["file"] = f"The file has {len(result.bad)} problem(s); nothing was imported"
            else:
                repo_of(request).add_episodes(person, [ep for _, ep in result.good])
                return RedirectResponse(f"/diary?done=imported&n={len(result.good)}", status_code=303)
    ctx = {"nav_current": "diary", "errors": errors, "bad_lines": lines}
    return render(request, "diary/import.html", ctx, status_code=422)


@router.get("/diary/{episode_id}/edit")
def edit_page(request: Request, episode_id: int) -> Response:
    person = page_person(request)
    if isinstance(person, Response):
        return person
    ep = _own_episode(request, person, episode_id)
    return _form_page(request, _form_from_episode(ep), {}, action=f"/diary/{episode_id}/edit", editing=True)


@router.post("/diary/{episode_id}/edit")
async def edit_submit(request: Request, episode_id: int) -> Response:
    person = page_person(request)
    if isinstance(person, Response):
        return person
    _own_episode(request, person, episode_id)
    values = _values(await request.form())
    try:
        ep = _episode_from(values)
    except EpisodeError as exc:
        return _form_page(request, values, exc.problems, action=f"/diary/{episode_id}/edit", editing=True)
    try:
        repo_of(request).update_episode(person, episode_id, ep)
    except NotFound:
        raise HTTPException(404, detail="No such episode") from None
    return RedirectResponse("/diary?done=changed", status_code=303)


@router.get("/diary/{episode_id}/delete")
def delete_page(request: Request, episode_id: int) -> Response:
    person = page_person(request)
    if isinstance(person, Response):
        return person
    ep = _own_episode(request, person, episode_id)
    return render(request, "diary/delete.html", {"nav_current": "diary", "episode": ep})


@router.post("/diary/{episode_id}/delete")
def delete_submit(request: Request, episode_id: int) -> Response:
    person = page_person(request)
    if isinstance(person, Response):
        return person
    try:
        repo_of(request).delete_episode(person, episode_id)
    except NotFound:
        raise HTTPException(404, detail="No such episode") from None
    return RedirectResponse("/diary?done=deleted", status_code=303)


@router.get("/diary/summary")
def summary_page(request: Request, days: int = 28) -> Response:
    person = page_person(request)
    if isinstance(person, Response):
        return person
    days = min(max(days, 7), 3650)
    summary = person_summary(repo_of(request), person, days)
    a = summary.assessment
    return render(
        request,
        "diary/summary.html",
        {
            "nav_current": "diary",
            "summary": summary,
            "assessment": a,
            "care_variant": CARE_VARIANT.get(a.care_card, "non-urgent"),
            "charts": [chart_figure(c) for c in summary_charts(summary)],
            "questions": load_guidance().question_map,
        },
    )


@router.get("/diary/reminder.ics")
def reminder(request: Request, time: str = "22:00") -> Response:
    """A daily bedtime calendar reminder to do the calf stretch."""
    try:
        at = dt.time.fromisoformat(time)
    except ValueError:
        at = dt.time(22, 0)
    return Response(
        reminder_calendar(at),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="crampcheck-calf-stretch.ics"'},
    )
