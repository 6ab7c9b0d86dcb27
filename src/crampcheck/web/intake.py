"""Web pages: "Describe it in your own words".

The person writes what happens; the intake (:mod:`crampcheck.intake`) reads it into answers.
Nothing is assumed silently: each answer found is shown as its question, pre-filled, with the
words it was read from, and the person confirms or changes it, one question at a time. Then the
normal question flow asks whatever is still needed. A red flag in the text (the engine reaches
an emergency or urgent disposition) is acted on at once: the result is shown straight away.

The text itself travels only in form posts (never in a URL or a cookie) and is read again on
each step, so no unconfirmed answer is stored anywhere.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crampcheck.engine import Assessment, default_engine
from crampcheck.intake import IntakeResult
from crampcheck.web import question_form
from crampcheck.web.flow import FlowState, StateTooLarge, clear_state, load_state, store_state
from crampcheck.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_TEXT = 2000
"""Longest description read (characters); a few sentences is plenty."""
RED_FLAGS = ("emergency", "urgent")
TEXT_FIELD = "description"


def _read(text: str) -> IntakeResult:
    from crampcheck.intake import parse  # spaCy loads on first use (in parse), not with the app

    return parse(text)


@router.get("/describe")
def describe_page(request: Request) -> Response:
    """The form: describe your leg cramps in your own words."""
    return _describe(request, "", None)


def _describe(request: Request, text: str, error: str | None, nothing_found: bool = False) -> Response:
    return render(
        request,
        "intake/describe.html",
        {
            "text": text,
            "error": error,
            "nothing_found": nothing_found,
            "max_text": MAX_TEXT,
            "field": TEXT_FIELD,
            "emergency": default_engine().guidance.dispositions["emergency"],
        },
        status_code=400 if error else 200,
    )


@router.post("/describe")
async def describe(request: Request) -> Response:
    """Read the description: act on a red flag at once, else confirm each answer found."""
    async with request.form() as form:
        text = str(form.get(TEXT_FIELD, "")).strip()
    if not text:
        return _describe(request, "", "Describe your leg cramps, or answer the questions instead")
    if len(text) > MAX_TEXT:
        return _describe(request, text, f"Use {MAX_TEXT} characters or fewer")
    result = _read(text)
    if not result.answers:
        return _describe(request, text, None, nothing_found=True)
    engine = default_engine()
    assessment = engine.assess(result.answers)
    if assessment.disposition in RED_FLAGS:
        return _red_flag(request, result, assessment)
    response = _confirm_page(request, text, result, FlowState(), None, None)
    clear_state(response)
    return response


def _red_flag(request: Request, result: IntakeResult, assessment: Assessment) -> Response:
    from crampcheck.web.pages import result_context

    state = FlowState()
    for key, value in result.answers.items():
        state.answer(key, value)
    context = result_context(assessment)
    context["read_from"] = _evidence_rows(result, list(result.answers))
    response = render(request, "intake/red_flag.html", context)
    try:
        store_state(response, state)
    except StateTooLarge:
        pass  # the result is shown either way; only "change your answers" would need the cookie
    return response


def _pending(result: IntakeResult, state: FlowState) -> list[str]:
    g = default_engine().guidance
    return [q.key for q in g.questions if q.key in result.answers and q.key not in state.order]


def _evidence_rows(result: IntakeResult, keys: list[str]) -> list[dict[str, Any]]:
    g = default_engine().guidance
    rows = []
    for key in keys:
        q = g.question_map[key]
        rows.append(
            {
                "question": q.text,
                "answer": question_form.summary_text(q, result.answers[key], False),
                "words": [e.text for e in result.evidence.get(key, [])],
            }
        )
    return rows


def _confirm_page(
    request: Request,
    text: str,
    result: IntakeResult,
    state: FlowState,
    raw: list[str] | None,
    error: str | None,
) -> Response:
    pending = _pending(result, state)
    if not pending:
        response: Response = RedirectResponse("/check/next", status_code=303)
        store_state(response, state)
        return response
    g = default_engine().guidance
    q = g.question_map[pending[0]]
    shown = raw if raw is not None else question_form.shown(q, result.answers[q.key], False)
    macro, params = question_form.macro_params(q, shown, error)
    total = len(result.answers)
    denied = [opt.label for v in result.denied.get(q.key, []) if (opt := q.option(v)) is not None]
    return render(
        request,
        "intake/confirm.html",
        {
            "question": q,
            "macro": macro,
            "params": params,
            "errors": {question_form.FIELD: error} if error else {},
            "words": [e.text for e in result.evidence.get(q.key, [])],
            "denied": denied,
            "about_someone_else": result.about_someone_else,
            "step": total - len(pending) + 1,
            "total": total,
            "text": text,
            "field": TEXT_FIELD,
            "dont_know_button": q.type in ("integer", "number", "text_list"),
            "dont_know_label": question_form.DONT_KNOW_LABEL,
        },
        status_code=400 if error else 200,
    )


@router.post("/describe/confirm")
async def confirm(request: Request) -> Response:
    """Keep (or change) one answer read from the text, then show the next one."""
    async with request.form() as form:
        text = str(form.get(TEXT_FIELD, "")).strip()[:MAX_TEXT]
        key = str(form.get("key", ""))
        g = default_engine().guidance
        q = g.question_map.get(key)
        posted = question_form.parse(q, form) if q is not None else None
    if not text or q is None or posted is None:
        return RedirectResponse("/describe", status_code=303)
    result = _read(text)
    state = load_state(request)
    if posted.error is not None:
        return _confirm_page(request, text, result, state, posted.raw, posted.error)
    if posted.declined or posted.value is None:
        state.decline(key)
    else:
        state.answer(key, posted.value)
    if state.answers and default_engine().assess(state.answers).disposition == "emergency":
        # A changed answer can make it an emergency: the flow shows that result at once.
        response: Response = RedirectResponse("/check/result", status_code=303)
        store_state(response, state)
        return response
    response = _confirm_page(request, text, result, state, None, None)
    store_state(response, state)
    return response
