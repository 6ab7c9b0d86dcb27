"""Load and faults on the service set-up of docs/deploy.md: two ``crampcheck serve`` processes
(multi-user, one shared secret key) on one PostgreSQL, driven over loopback by asyncio clients.

- 64 clients mixing ``POST /api/v1/assessments`` and ``POST /api/v1/episodes`` for 60 seconds
  (``CRAMPCHECK_LOAD_SECONDS``): no 5xx, and every acknowledged (201) episode is in the database.
- PostgreSQL stopped and restarted under load: meanwhile the database's routes answer 503 at once
  with a message (JSON for the API, a page for pages), health and assessments stay 200; the app
  recovers by itself within seconds of the database's return; nothing acknowledged is lost.

Figures are printed (``pytest -s``); only generous bounds are asserted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from fixtures_db import PostgresServer
from fixtures_server import start_server, stop_server

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

LOAD_SECONDS = float(os.environ.get("CRAMPCHECK_LOAD_SECONDS", "60"))
CLIENTS = 64
MAX_REQUESTS = 200_000
PEOPLE = 4
ANSWERS = {"age": 63, "medicines": ["Evista 60mg"], "cramps_per_week": 4, "timing": ["night"]}
FAIL_FAST_S = 3.0
"""Slowest acceptable 503 while the database is down (it should take milliseconds)."""


@dataclass
class Outcome:
    kind: str
    status: int | None  # None: no HTTP answer at all
    started: float
    seconds: float
    detail: str = ""


@dataclass
class Load:
    """Clients hammering the servers until ``stop`` is set or the time or request budget runs out."""

    bases: list[str]
    tokens: list[str]
    outcomes: list[Outcome] = field(default_factory=list)
    acked: list[tuple[int, str]] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self, clients: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            await asyncio.gather(*(self._worker(client, w, deadline) for w in range(clients)))

    async def _worker(self, client: httpx.AsyncClient, w: int, deadline: float) -> None:
        n = 0
        while not self.stop.is_set() and time.monotonic() < deadline and len(self.outcomes) < MAX_REQUESTS:
            base = self.bases[(w + n) % len(self.bases)]
            auth = {"Authorization": f"Bearer {self.tokens[w % len(self.tokens)]}"}
            note = f"c{w}-{n}"
            kind = "episode" if n % 2 else "assessment"
            started = time.monotonic()
            try:
                if kind == "episode":
                    r = await client.post(f"{base}/api/v1/episodes", json=episode(n, note), headers=auth)
                else:
                    r = await client.post(f"{base}/api/v1/assessments", json=ANSWERS)
            except httpx.HTTPError as exc:
                self.outcomes.append(Outcome(kind, None, started, time.monotonic() - started, repr(exc)))
                n += 1
                continue
            outcome = Outcome(kind, r.status_code, started, time.monotonic() - started)
            if r.status_code == 201:
                self.acked.append((r.json()["id"], note))
            elif r.status_code != 200:
                outcome.detail = f"{r.headers.get('retry-after')} {r.text[:300]}"
            self.outcomes.append(outcome)
            n += 1


def episode(n: int, note: str) -> dict[str, object]:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=n % 10_000)
    return {"started_at": start.isoformat(), "duration_minutes": 1 + n % 30, "location": "calf", "note": note}


@dataclass
class Service:
    bases: list[str]
    tokens: list[str]
    url: str


@pytest.fixture
def service_on(tmp_path: Path) -> Iterator[object]:
    """``service_on(database_url)``: people with API tokens, then two server processes."""
    procs = []

    def start(url: str) -> Service:
        from crampcheck import accounts
        from crampcheck.storage import open_repository

        repo = open_repository(url)
        try:
            people = [
                accounts.register(repo, f"p{i}@example.org", "correct horse battery") for i in range(PEOPLE)
            ]
            tokens = [accounts.new_api_token(repo, p, "load test") for p in people]
        finally:
            repo.engine.dispose()
        env = {"CRAMPCHECK_SECRET_KEY": secrets.token_urlsafe(32)}
        bases = []
        for i in range(2):
            folder = tmp_path / f"app{i}"
            folder.mkdir()
            base, proc = start_server(folder, ("--database-url", url, "--multi-user"), env)
            procs.append(proc)
            bases.append(base)
        return Service(bases, tokens, url)

    try:
        yield start
    finally:
        for proc in procs:
            stop_server(proc)


def stored_notes(url: str) -> dict[int, str]:
    from crampcheck.storage import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {int(i): str(note) for i, note in conn.execute(text("SELECT id, note FROM episodes"))}
    finally:
        engine.dispose()


def assert_nothing_lost(load: Load, url: str) -> None:
    stored = stored_notes(url)
    lost = [(i, note) for i, note in load.acked if stored.get(i) != note]
    assert lost == [], f"{len(lost)} acknowledged episodes missing, e.g. {lost[:5]}"


def describe(outcomes: list[Outcome], seconds: float) -> str:
    parts = [f"{len(outcomes)} requests in {seconds:.1f} s ({len(outcomes) / seconds:.0f}/s)"]
    for kind in ("assessment", "episode"):
        ms = sorted(o.seconds * 1000 for o in outcomes if o.kind == kind)
        if len(ms) >= 2:
            q = statistics.quantiles(ms, n=100)
            parts.append(f"{kind}: {len(ms)}, p50 {q[49]:.0f} ms, p99 {q[98]:.0f} ms")
    return "; ".join(parts)


def test_two_processes_on_one_postgres_under_load(service_on: object, postgres_url: str) -> None:
    service = service_on(postgres_url)  # type: ignore[operator]
    load = Load(service.bases, service.tokens)
    started = time.monotonic()
    asyncio.run(load.run(CLIENTS, LOAD_SECONDS))
    elapsed = time.monotonic() - started
    print(f"\nload, {CLIENTS} clients, 2 processes: {describe(load.outcomes, elapsed)}")
    failures = [o for o in load.outcomes if o.status not in (200, 201)]
    assert failures == [], f"{len(failures)} failed requests, e.g. {failures[:3]}"
    assert len(load.acked) > 100, "hardly any episodes were written"
    assert_nothing_lost(load, service.url)


async def _outage(load: Load, db: PostgresServer, bases: list[str], token: str) -> dict[str, float]:
    """Stop and restart PostgreSQL under load; probe every kind of request while it is down."""
    figures: dict[str, float] = {}
    auth = {"Authorization": f"Bearer {token}"}
    runner = asyncio.create_task(load.run(16, 120))
    await asyncio.sleep(3)
    await asyncio.to_thread(db.pause)
    down_at = time.monotonic()
    figures["down_at"] = down_at
    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.sleep(1)  # let the load run into the outage too
        for base in bases:
            t = time.monotonic()
            r = await client.post(f"{base}/api/v1/episodes", json=episode(0, "during"), headers=auth)
            figures["probe_503_s"] = max(figures.get("probe_503_s", 0.0), time.monotonic() - t)
            assert r.status_code == 503, r.text
            assert r.headers["retry-after"].isdigit() and "database" in r.json()["detail"]
            assert r.headers["x-content-type-options"] == "nosniff"
            r = await client.get(f"{base}/api/v1/episodes", headers=auth)
            assert r.status_code == 503 and r.headers["content-type"].startswith("application/json")
            page = await client.get(
                f"{base}/diary", headers={"Accept": "text/html", "Cookie": "crampcheck_session=whoever"}
            )
            assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
            assert "not available right now" in page.text and "content-security-policy" in page.headers
            assert (await client.get(f"{base}/api/v1/health")).status_code == 200
            assert (await client.post(f"{base}/api/v1/assessments", json=ANSWERS)).status_code == 200
        await asyncio.sleep(max(0.0, down_at + 5 - time.monotonic()))
        await asyncio.to_thread(db.resume)
        up_at = time.monotonic()
        figures["up_at"] = up_at
        for i, base in enumerate(bases):
            for _ in range(300):  # at most 30 s
                r = await client.post(f"{base}/api/v1/episodes", json=episode(0, "after"), headers=auth)
                if r.status_code == 201:
                    break
                await asyncio.sleep(0.1)
            figures[f"recovered_{i}_s"] = time.monotonic() - up_at
    await asyncio.sleep(4)
    load.stop.set()
    await runner
    return figures


def test_postgres_outage_fails_fast_and_recovers(
    service_on: object, private_postgres: PostgresServer
) -> None:
    service = service_on(private_postgres.new_database())  # type: ignore[operator]
    load = Load(service.bases, service.tokens)
    figures = asyncio.run(_outage(load, private_postgres, service.bases, service.tokens[0]))
    down, up = figures["down_at"], figures["up_at"]
    recovered = max(figures["recovered_0_s"], figures["recovered_1_s"])
    during = [o for o in load.outcomes if o.status == 503]
    slowest = max([o.seconds for o in during], default=0.0)
    print(
        f"\noutage {up - down:.1f} s: {len(during)} answered 503, slowest {slowest * 1000:.0f} ms; "
        f"recovered {recovered:.2f} s after PostgreSQL accepted connections again; "
        f"{describe(load.outcomes, time.monotonic() - load.outcomes[0].started)}"
    )
    bad = [o for o in load.outcomes if o.status not in (200, 201, 503)]
    assert bad == [], f"{len(bad)} requests neither succeeded nor answered 503, e.g. {bad[:3]}"
    assert all(o.kind == "episode" for o in during), "requests not needing the database failed"
    assert during, "the load never met the outage"
    assert all("database" in o.detail and o.detail[0].isdigit() for o in during)  # Retry-After, message
    assert slowest < FAIL_FAST_S and figures["probe_503_s"] < FAIL_FAST_S
    assert recovered < 5, f"took {recovered:.1f} s to recover after the database returned"
    late = [o for o in load.outcomes if o.started > up + recovered and o.status != 201 and o.status != 200]
    assert late == [], f"failures after recovery: {late[:3]}"
    assert_nothing_lost(load, service.url)
