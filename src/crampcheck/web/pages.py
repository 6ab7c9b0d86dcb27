"""The patient pages: start, one question per page, check your answers, result, about.

Every step is a plain form: POST, then a redirect (303) to the next page, so it all works with
JavaScript turned off. The answers live in the encrypted flow cookie (:mod:`crampcheck.web.flow`),
never in a URL. The engine decides the order (:meth:`crampcheck.engine.Engine.next_questions`)
and the result is shown the moment an emergency is reached.
"""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crampcheck import contract
from crampcheck.answers import AnswersError, validate_answers
from crampcheck.engine import Assessment, Engine, default_engine
from crampcheck.guidance.model import Question
from crampcheck.web import question_form
from crampcheck.web.assets import asset_store
from crampcheck.web.flow import FlowState, StateTooLarge, load_state, store_state
from crampcheck.web.templating import render

router = APIRouter(include_in_schema=False)

CARE_CARD_VARIANT = {"immediate": "emergency", "urgent": "urgent", "non-urgent": "non-urgent"}
"""The guidance's care card kinds, as NHS.UK frontend 10 names the card variants."""


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _engine() -> Engine:
    return default_engine()


def next_url(state: FlowState) -> str:
    """Where a person goes next: the result at once for an emergency, else the next question,
    else check your answers."""
    engine = _engine()
    if state.answers and engine.assess(state.answers).disposition == contract.DISPOSITIONS[0]:
        return "/check/result"
    pending = engine.next_questions(state.answers, state.declined)
    if pending:
        return f"/check/questions/{pending[0].key}"
    return "/check/answers"


def cite(refs: list[Any]) -> list[dict[str, Any]]:
    """Sources as the templates show them: source title, section title, address (may be None)."""
    g = _engine().guidance
    out = []
    for ref in refs:
        source = g.sources[ref.id]
        out.append(
            {
                "title": source.title,
                "publisher": source.publisher,
                "section": g.section_title(ref.id, ref.section),
                "url": source.url,
            }
        )
    return out


@router.api_route("/static/{path:path}", methods=["GET", "HEAD"])
def static_file(request: Request, path: str) -> Response:
    """Static files; content-hashed URLs are cached for a year."""
    return asset_store().response(request, path)


@router.get("/")
def start(request: Request) -> Response:
    """The start page: what this is, who it is for and what it is not."""
    g = _engine().guidance
    state = load_state(request)
    return render(
        request,
        "check/start.html",
        {"emergency": g.dispositions[contract.DISPOSITIONS[0]], "in_progress": not state.empty},
    )


@router.post("/check/start")
def begin(request: Request) -> Response:
    """Start a new assessment (forgets any earlier answers)."""
    state = FlowState()
    response = _see_other(next_url(state))
    store_state(response, state)
    return response


@router.get("/check/next")
def go_next(request: Request) -> Response:
    """Send the person to wherever their assessment has got to."""
    return _see_other(next_url(load_state(request)))


def _question(key: str) -> Question | None:
    return _engine().guidance.question_map.get(key)


def _question_page(
    request: Request, q: Question, state: FlowState, raw: list[str], error: str | None, change: bool
) -> Response:
    macro, params = question_form.macro_params(q, raw, error)
    previous = state.previous(q.key)
    back = "/check/answers" if change else (f"/check/questions/{previous}" if previous else "/")
    action = f"/check/questions/{q.key}" + ("?change=1" if change else "")
    return render(
        request,
        "check/question.html",
        {
            "question": q,
            "macro": macro,
            "params": params,
            "errors": {question_form.FIELD: error} if error else {},
            "back_href": back,
            "action": action,
            "dont_know_button": q.type in ("integer", "number", "text_list"),
            "dont_know_label": question_form.DONT_KNOW_LABEL,
        },
    )


@router.get("/check/questions/{key}")
def question(request: Request, key: str, change: bool = False) -> Response:
    """One question, with the current answer filled in."""
    q = _question(key)
    if q is None:
        return render(request, "errors/not_found.html", status_code=404)
    state = load_state(request)
    raw = question_form.shown(q, state.answers.get(key), key in state.declined)
    return _question_page(request, q, state, raw, None, change)


@router.post("/check/questions/{key}")
async def answer(request: Request, key: str, change: bool = False) -> Response:
    """Save one answer (or "I don't know") and go on."""
    q = _question(key)
    if q is None:
        return render(request, "errors/not_found.html", status_code=404)
    async with request.form() as form:
        posted = question_form.parse(q, form)
    state = load_state(request)
    if posted.error is not None:
        return _question_page(request, q, state, posted.raw, posted.error, change)
    if posted.declined or posted.value is None:
        state.decline(key)
    else:
        try:  # the form parser already checks; the contract's own validator has the last word
            checked = validate_answers({key: posted.value})
        except AnswersError as exc:
            message = "Check your answer: " + next(iter(exc.problems.values()))
            return _question_page(request, q, state, posted.raw, message, change)
        state.answer(key, checked[key])
    target = next_url(state)
    response = _see_other(target)
    try:
        store_state(response, state)
    except StateTooLarge:
        return _question_page(
            request, q, load_state(request), posted.raw, "This is too long. Shorten it", change
        )
    return response


@router.get("/check/answers")
def check_answers(request: Request) -> Response:
    """Check your answers, with a change link for each."""
    state = load_state(request)
    target = next_url(state)
    # After an emergency result the person may still want to correct a mis-tap.
    if state.empty or target.startswith("/check/questions/"):
        return _see_other(target)
    g = _engine().guidance
    rows = []
    for key in [q.key for q in g.questions if q.key in state.order]:
        q = g.question_map[key]
        rows.append(
            {
                "key": key,
                "question": q.text,
                "answer": question_form.summary_text(q, state.answers.get(key), key in state.declined),
            }
        )
    return render(
        request, "check/answers.html", {"rows": rows, "back_href": f"/check/questions/{state.order[-1]}"}
    )


async def _notify(request: Request, answers: dict[str, Any]) -> None:
    hook = getattr(request.app.state, "on_assessment", None)
    if hook is None:
        return
    outcome = hook(request, answers)
    if inspect.isawaitable(outcome):
        await outcome


def result_context(assessment: Assessment) -> dict[str, Any]:
    """What the result page shows, with every citation resolved to titles and addresses."""
    g = _engine().guidance
    info = g.dispositions[assessment.disposition]
    advice: list[dict[str, Any]] = [{"item": a, "sources": cite(a.sources)} for a in assessment.advice]
    return {
        "assessment": assessment,
        "info": info,
        "card_variant": CARE_CARD_VARIANT[info.care_card],
        "reasons": [
            {
                "item": r,
                "sources": cite(r.sources),
                "assumed": [g.question_map[k].text for k in r.assumed if k in g.question_map],
            }
            for r in assessment.reasons
        ],
        "causes": [{"item": c, "sources": cite(c.sources)} for c in assessment.causes],
        "stretches": [a for a in advice if a["item"].kind == "stretch"],
        "self_care": [a for a in advice if a["item"].kind not in ("stretch", "worse")],
        "worse": [a for a in advice if a["item"].kind == "worse"],
        "emergency": assessment.disposition == contract.DISPOSITIONS[0],
    }


@router.get("/check/result")
async def result(request: Request) -> Response:
    """The result: care card, what to do now, why, possible causes, self-care."""
    state = load_state(request)
    if state.empty:
        return _see_other("/")
    target = next_url(state)
    if target.startswith("/check/questions/"):
        return _see_other(target)
    assessment = _engine().assess(state.answers)
    await _notify(request, dict(state.answers))
    return render(request, "check/result.html", result_context(assessment))


@router.get("/about")
def about(request: Request) -> Response:
    """About the guidance: sources, their disagreements and how they are resolved, the version."""
    g = _engine().guidance
    disagreements = [
        {
            "item": d,
            "positions": [{"says": p.says, "source": cite([p.source])[0]} for p in d.positions],
            "follows": g.sources[d.follows].title if d.follows in g.sources else d.follows,
        }
        for d in g.disagreement_list
    ]
    return render(
        request,
        "about.html",
        {"sources": g.source_list, "disagreements": disagreements, "version": g.version},
    )
