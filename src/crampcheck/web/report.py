"""The GP visit report: ``GET /report`` (the page, with a download button) and
``GET /api/v1/report.pdf`` (contract section 3). Both take optional ``from``/``to`` dates.

The person is found as the diary finds them (:func:`crampcheck.web.diary.person_for`): the one
local person in personal mode; a session or personal API token in multi-user mode.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from crampcheck import report as reports
from crampcheck.web.templating import render

router = APIRouter()
PDF_NAME = "crampcheck-gp-report.pdf"
# YYYY-MM-DD, or empty for "not given" (as a form sends it).
_DAY = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
FromParam = Annotated[
    str | None,
    Query(
        alias="from",
        description="First day, YYYY-MM-DD (default: 12 weeks before `to`)",
        json_schema_extra=_DAY,
    ),
]
ToParam = Annotated[
    str | None,
    Query(alias="to", description="Last day, YYYY-MM-DD (default: today)", json_schema_extra=_DAY),
]


def _day(text: str) -> dt.date:
    # Only YYYY-MM-DD, as the schema says (date.fromisoformat would also take 20260105).
    if len(text) != 10 or text[4] != "-":
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def _dates(date_from: str | None, date_to: str | None) -> tuple[dt.date | None, dt.date | None]:
    try:
        start = _day(date_from) if date_from else None
        end = _day(date_to) if date_to else None
    except ValueError:
        raise ValueError("Enter dates like 2026-01-05") from None
    if start and end:
        reports.period(end, start, end)  # raises ValueError with a plain message
    return start, end


def _report(request: Request, start: dt.date | None, end: dt.date | None, person: int) -> reports.Report:
    repo = getattr(request.app.state, "repo", None)
    if repo is None:  # an app without the diary: a report from nothing but the guidance
        return reports.build_report([], {}, first_episode=None, date_from=start, date_to=end)
    return reports.report_for(repo, person, date_from=start, date_to=end)


def _person(request: Request) -> int | None:
    if getattr(request.app.state, "repo", None) is None:
        return 0
    from crampcheck.web.diary import person_for

    return person_for(request)


@router.get("/report", summary="The GP visit report as a page", include_in_schema=False)
async def report_page(request: Request, date_from: FromParam = None, date_to: ToParam = None) -> Response:
    person = await run_in_threadpool(_person, request)
    if person is None:
        return RedirectResponse(f"/account/sign-in?next={request.url.path}", status_code=303)
    error = None
    try:
        start, end = _dates(date_from, date_to)
        report = await run_in_threadpool(_report, request, start, end, person)
    except (ValueError, OverflowError) as exc:  # bad dates, or a period reaching past year 1
        error = str(exc)
        report = await run_in_threadpool(_report, request, None, None, person)
    query = f"?from={report.period_start.isoformat()}&to={report.period_end.isoformat()}"
    ctx = {**reports.report_context(report), "pdf_url": "/api/v1/report.pdf" + query, "error": error}
    ctx["nav_current"] = "report"
    return render(request, "report/page.html", ctx, status_code=422 if error else 200)


@router.get(
    "/api/v1/report.pdf",
    summary="The GP visit report as a PDF",
    tags=["report"],
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}},
        401: {"description": "Multi-user mode: not signed in and no valid 'Authorization: Bearer' token"},
        422: {"description": "Bad dates"},
        503: {"description": "The database cannot be reached right now"},
    },
)
async def report_pdf(request: Request, date_from: FromParam = None, date_to: ToParam = None) -> Response:
    person = await run_in_threadpool(_person, request)
    if person is None:
        raise HTTPException(
            401,
            detail="Sign in, or send a personal API token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        start, end = _dates(date_from, date_to)
        report = await run_in_threadpool(_report, request, start, end, person)
    except (ValueError, OverflowError) as exc:  # bad dates, or a period backwards, too long or before year 1
        raise HTTPException(422, detail=str(exc)) from None
    pdf = await run_in_threadpool(reports.report_pdf, report)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{PDF_NAME}"', "Cache-Control": "no-store"},
    )
