"""Schemathesis over every operation of ``/openapi.json``, in-process; shared by
tests/test_api_fuzz.py (bounded) and bench/fuzz.py (longer).

:func:`fuzz` generates schema-valid (positive) and schema-breaking (negative) requests for each
operation and checks each answer with Schemathesis's checks: no 5xx, and the status code,
content type, headers and body are the ones the schema documents.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from crampcheck import accounts
from crampcheck.config import Settings
from crampcheck.diary import validate_episode
from crampcheck.web.app import create_app

BEYOND_THE_SCHEMA = {
    # Operations with rules JSON Schema cannot state: a schema-valid request may still get the
    # documented 4xx. Every other operation must accept whatever its schema allows.
    "POST /api/v1/episodes": "a start more than a day in the future",
    "PATCH /api/v1/episodes/{episode_id}": "a start more than a day in the future",
    "POST /api/v1/episodes/import": "each CSV row is checked like an episode",
    "GET /api/v1/report.pdf": "'from' after 'to', or a period too long",
    "POST /fhir/QuestionnaireResponse/$assess": "the FHIR resource's own rules",
    "GET /fhir/Patient/{patient_id}/Observation": "FHIR date search prefixes",
    "POST /cds-services/leg-cramps": "the CDS Hooks request's own rules",
}


@dataclass
class FuzzTarget:
    app: FastAPI
    headers: dict[str, str]


@dataclass
class FuzzReport:
    operations: int = 0
    examples: int = 0
    failures: dict[str, str] = field(default_factory=dict)


def fuzz_target(folder: Path, multi_user: bool) -> FuzzTarget:
    """The app on a fresh SQLite in ``folder``; in multi-user mode, with a person's bearer token."""
    settings = Settings(
        database_url=f"sqlite:///{folder / 'fuzz.db'}",
        secret_key=secrets.token_urlsafe(32),
        multi_user=multi_user,
    )
    app = create_app(settings)
    headers: dict[str, str] = {}
    repo = app.state.repo
    if multi_user:
        person = accounts.register(repo, "fuzz@example.org", "correct horse battery")
        headers["Authorization"] = f"Bearer {accounts.new_api_token(repo, person, 'fuzz')}"
    else:
        person = repo.local_person_id()
    # A few episodes with small ids, so generated ids also reach existing ones (not only 404s).
    episode = {"started_at": "2026-01-05T03:00:00+00:00", "duration_minutes": 2, "location": "calf"}
    repo.add_episodes(person, [validate_episode(episode)] * 5)
    return FuzzTarget(app, headers)


def fuzz(target: FuzzTarget, examples: int, seed: int | None = 0) -> FuzzReport:
    """Run every operation; a failure is kept per operation and mode, not raised."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", target.app)
    report = FuzzReport()
    for result in schema.get_all_operations():
        operation = result.ok()
        report.operations += 1
        excluded = [positive_data_acceptance] if operation.label in BEYOND_THE_SCHEMA else []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            calls = [0]
            try:
                _check(operation, mode, target, examples, seed, excluded, calls)
            except Unsatisfiable:
                pass  # nothing in the operation can be made invalid (no parameters, no body)
            except BaseException as exc:  # every operation is tried; failures are reported together
                if isinstance(exc, KeyboardInterrupt | SystemExit):
                    raise
                report.failures[f"{operation.label} ({mode.value})"] = str(exc)[:3000]
            report.examples += calls[0]
    return report


def _check(
    operation: Any,
    mode: GenerationMode,
    target: FuzzTarget,
    examples: int,
    seed: int | None,
    excluded: list[Any],
    calls: list[int],
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: schemathesis.Case) -> None:
        calls[0] += 1
        case.call_and_validate(headers=target.headers, excluded_checks=excluded)

    check()
