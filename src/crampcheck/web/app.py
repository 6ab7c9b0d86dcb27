"""The FastAPI application: the JSON API, the patient pages and every feature's routes.

Run it with ``crampcheck serve``, or with uvicorn directly::

    uvicorn --factory crampcheck.web.app:asgi

A feature module (``crampcheck.web.diary`` and the like) provides ``router`` and may provide
``setup(app, settings)``, which is called once here (for example to open its database).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy import exc as db_errors
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from crampcheck import __version__
from crampcheck.config import Settings
from crampcheck.web import api, diary, docs, flow, intake, interop, pages, report
from crampcheck.web.assets import missing_vendor_files
from crampcheck.web.limits import BodyLimitMiddleware
from crampcheck.web.security import SecurityMiddleware
from crampcheck.web.templating import render

FEATURES = (diary, interop, report, intake)
log = logging.getLogger(__name__)

DESCRIPTION = (
    "Leg-cramp guidance as an API: send answers, get the disposition (what to do now), the reasons "
    "with their sources, possible causes to discuss and self-care advice. It gives no diagnosis. "
    "In an emergency call 999."
)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/fhir", "/cds-services", "/static/")):
        return False
    return "text/html" in request.headers.get("accept", "")


async def _http_error(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 500)
    if status == 404 and _wants_html(request):
        return render(request, "errors/not_found.html", status_code=404)
    headers = getattr(exc, "headers", None)
    return JSONResponse({"detail": getattr(exc, "detail", "Error")}, status_code=status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestValidationError):  # pragma: no cover - registered for this type only
        raise exc
    return JSONResponse(api.validation_problems(exc), status_code=422)


DATABASE_DOWN = (
    "The diary is not available right now: crampcheck cannot reach its database. "
    "Nothing was saved. Try again in a minute."
)
RETRY_AFTER_S = 5


def _connection_failure(exc: Exception) -> bool:
    if isinstance(exc, db_errors.OperationalError | db_errors.InterfaceError | db_errors.TimeoutError):
        return True
    return isinstance(exc, db_errors.DBAPIError) and exc.connection_invalidated


async def _database_error(request: Request, exc: Exception) -> Response:
    # The database being down or overloaded is the service's state, not a bug: say so at once
    # (the pool fails fast) and let clients and proxies retry, instead of a 500 or a hang.
    if not _connection_failure(exc):
        raise exc
    log.warning("database unavailable: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    headers = {"Retry-After": str(RETRY_AFTER_S), "Cache-Control": "no-store"}
    if _wants_html(request):
        return render(request, "errors/unavailable.html", status_code=503, headers=headers)
    return JSONResponse({"detail": DATABASE_DOWN}, status_code=503, headers=headers)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: from the environment)."""
    settings = settings or Settings.from_env()
    flow.configure(settings)
    # Read and hash the static files now, not on the first request.
    missing = missing_vendor_files()
    if missing:
        log.warning("NHS.UK frontend files missing (run `make static`): %s", ", ".join(missing))
    app = FastAPI(
        title="crampcheck",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.include_router(api.router)
    app.include_router(docs.router)
    app.include_router(pages.router)
    for module in FEATURES:
        app.include_router(module.router)
        setup = getattr(module, "setup", None)
        if callable(setup):
            setup(app, settings)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(db_errors.DBAPIError, _database_error)
    app.add_exception_handler(db_errors.TimeoutError, _database_error)
    # Inside SecurityMiddleware, so its 413 answers carry the security headers too.
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(SecurityMiddleware, settings=settings)
    return app


def asgi() -> FastAPI:
    """ASGI factory for uvicorn (``--factory``): the app with settings from the environment."""
    return create_app()
