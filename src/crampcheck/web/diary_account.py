"""Account pages for multi-user mode: register, sign in and out, API tokens, download all my data,
delete my account (and everything in it). In personal mode these pages do not exist (404)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from crampcheck import accounts
from crampcheck.storage import NotFound
from crampcheck.web.diary import SESSION_COOKIE, person_for, repo_of
from crampcheck.web.templating import render

router = APIRouter(prefix="/account", include_in_schema=False)


def _multi_user(request: Request) -> None:
    if not request.app.state.multi_user:
        raise HTTPException(404, detail="Not found")


def _safe_next(raw: str | None) -> str:
    # Only paths on this site: never an open redirect to another host.
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/diary"


def _signed_in(request: Request, person: int, target: str) -> Response:
    token = accounts.new_session(repo_of(request), person)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=accounts.SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
    )
    return response


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/register")
def register_page(request: Request) -> Response:
    _multi_user(request)
    return render(request, "diary/account_register.html", {"values": {}, "errors": {}})


@router.post("/register")
async def register_submit(request: Request) -> Response:
    _multi_user(request)
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    try:
        person = accounts.register(repo_of(request), email, password)
    except accounts.AccountError as exc:
        return render(
            request,
            "diary/account_register.html",
            {"values": {"email": email}, "errors": exc.problems},
            status_code=422,
        )
    return _signed_in(request, person, "/diary")


@router.get("/sign-in")
def sign_in_page(request: Request) -> Response:
    _multi_user(request)
    return render(
        request,
        "diary/account_sign_in.html",
        {"values": {}, "errors": {}, "next": _safe_next(request.query_params.get("next"))},
    )


@router.post("/sign-in")
async def sign_in_submit(request: Request) -> Response:
    _multi_user(request)
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    ctx = {"values": {"email": email}, "next": target}
    try:
        person = accounts.authenticate(repo_of(request), email, password, ip=_client_ip(request))
    except accounts.TooManyAttempts as exc:
        errors = {"email": "Too many attempts to sign in. Wait 15 minutes, then try again"}
        return render(
            request,
            "diary/account_sign_in.html",
            {**ctx, "errors": errors},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if person is None:
        errors = {"email": "The e-mail address or the password is not right"}
        return render(request, "diary/account_sign_in.html", {**ctx, "errors": errors}, status_code=401)
    return _signed_in(request, person, target)


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    _multi_user(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(repo_of(request), token)
    response = RedirectResponse("/account/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _person_or_redirect(request: Request) -> int | Response:
    _multi_user(request)
    person = person_for(request)
    if person is None:
        return RedirectResponse(f"/account/sign-in?next={request.url.path}", status_code=303)
    return person


@router.get("")
def account_page(request: Request) -> Response:
    person = _person_or_redirect(request)
    if isinstance(person, Response):
        return person
    repo = repo_of(request)
    return render(
        request,
        "diary/account.html",
        {"email": repo.person_email(person), "tokens": repo.list_api_tokens(person), "new_token": None},
    )


@router.post("/tokens")
async def create_token(request: Request) -> Response:
    person = _person_or_redirect(request)
    if isinstance(person, Response):
        return person
    form = await request.form()
    repo = repo_of(request)
    token = accounts.new_api_token(repo, person, str(form.get("name", "")))
    # Shown once, on this response only; it is never stored in a form the server can read back.
    return render(
        request,
        "diary/account.html",
        {"email": repo.person_email(person), "tokens": repo.list_api_tokens(person), "new_token": token},
    )


@router.post("/tokens/{token_id}/delete")
def delete_token(request: Request, token_id: int) -> Response:
    person = _person_or_redirect(request)
    if isinstance(person, Response):
        return person
    try:
        repo_of(request).delete_api_token(person, token_id)
    except NotFound:
        raise HTTPException(404, detail="No such token") from None
    return RedirectResponse("/account", status_code=303)


@router.get("/delete")
def delete_page(request: Request) -> Response:
    person = _person_or_redirect(request)
    if isinstance(person, Response):
        return person
    return render(request, "diary/account_delete.html", {"email": repo_of(request).person_email(person)})


@router.post("/delete")
def delete_submit(request: Request) -> Response:
    person = _person_or_redirect(request)
    if isinstance(person, Response):
        return person
    accounts.delete_account(repo_of(request), person)
    response = render(request, "diary/account_deleted.html", {})
    response.delete_cookie(SESSION_COOKIE)
    return response
