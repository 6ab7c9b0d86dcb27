"""The GP visit report: the PDF's text read back with pypdf holds the key facts, on at most two
A4 pages, in the person's time zone; a person without a diary gets a useful report too."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from crampcheck.cli import app as cli_app
from crampcheck.config import Settings
from crampcheck.diary import Episode, EpisodeIn
from crampcheck.guidance import load_guidance
from crampcheck.report import build_report, period, report_for, report_pdf
from crampcheck.storage import open_repository
from crampcheck.web.app import create_app

TZ = dt.timezone(dt.timedelta(hours=-5))
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=TZ)
A4 = (595.0, 842.0)


def episode(i: int, at: dt.datetime, **extra: Any) -> Episode:
    fields: dict[str, Any] = {"duration_minutes": 3, "location": "calf", **extra}
    return Episode(id=i, started_at=at, created_at=NOW, updated_at=NOW, **fields)


def nightly(days: int, end: dt.datetime = NOW) -> list[Episode]:
    """One 3-minute cramp at 02:30 local time each night, woken, eased by stretching."""
    night = end.replace(hour=2, minute=30)
    return [
        episode(i, night - dt.timedelta(days=i), woke_from_sleep=True, helped=["stretching"])
        for i in range(days - 1, -1, -1)
    ]


PROFILE = {
    "age": 64,
    "medicines": ["Naproxen 250mg tablets", "Ramipril 5 mg"],
    "conditions": ["type_2_diabetes"],
    "leg_symptoms": ["numbness"],
    "weeks_since_first_cramp": 10,
}


def pdf_text(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), reader


def test_report_pdf_holds_the_key_facts() -> None:
    eps = nightly(40)
    report = build_report(eps, PROFILE, first_episode=eps[0], today=NOW.date(), tz=TZ)
    text, reader = pdf_text(report_pdf(report))
    g = load_guidance()
    assert 1 <= len(reader.pages) <= 2
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=1)
    first = eps[0].started_at.date()
    assert f"First cramp in the diary: {first.day} {first:%B %Y}" in text
    assert "Started about 10 weeks before the last check" in text
    assert "40 cramps logged in this period: 3.3 a week" in text  # 40 in 12 weeks
    assert "100% at night" in text and "woke from sleep 40 times" in text
    assert "Usually 3 minutes (median); the longest 3 minutes" in text
    assert "Stretching (40)" in text
    assert "UTC-05:00" in text
    assert "Naproxen 250mg tablets (linked to leg cramps: naproxen)" in text
    assert "Ramipril 5 mg." in text and "Ramipril 5 mg (linked" not in text
    assert g.question_map["conditions"].option("type_2_diabetes").label in text  # type: ignore[union-attr]
    assert g.question_map["leg_symptoms"].option("numbness").label in text  # type: ignore[union-attr]
    assert "Cramps per week" in text and "Time of day the cramps started" in text
    assert f"What the check suggests: {report.disposition.label}" in text
    assert report.disposition.id == "gp"
    for reason in report.assessment.reasons:
        assert " ".join(reason.text.split())[:60] in text
    assert "Possible causes to discuss" in text and "Questions I may want to ask" in text
    assert "naproxen be playing a part in my cramps" in text or "naproxen" in text.split("Questions")[1]


def test_no_diary_gets_a_useful_report_that_says_so() -> None:
    report = build_report([], {"age": 40, "timing": ["night"]}, first_episode=None, today=NOW.date())
    text, reader = pdf_text(report_pdf(report))
    assert len(reader.pages) <= 2
    assert "No cramp diary has been kept in crampcheck yet" in text
    assert "Night (from the check)" in text
    assert f"What the check suggests: {report.disposition.label}" in text
    assert "Questions I may want to ask" in text
    assert not report.has_diary and report.weekly_chart is None


def test_a_diary_quiet_in_the_period_says_so() -> None:
    old = [episode(1, NOW - dt.timedelta(days=300))]
    report = build_report([], {}, first_episode=old[0], today=NOW.date(), tz=TZ)
    text, _ = pdf_text(report_pdf(report))
    assert "No cramps were logged in this period" in text


def test_the_longest_record_still_fits_two_pages() -> None:
    g = load_guidance()
    names = [n for m in g.medicines for n in m.names]
    profile = {
        "age": 35,
        "pregnant": True,
        "medicines": [f"{n} 60 mg tablets once a day" for n in names][:30],
        "conditions": [o.value for o in g.question_map["conditions"].options],
        "leg_symptoms": [o.value for o in g.question_map["leg_symptoms"].options],
        "general_symptoms": [o.value for o in g.question_map["general_symptoms"].options],
        "exposures": [o.value for o in g.question_map["exposures"].options],
        "recent_strenuous_exercise": True,
        "low_fluid_intake": True,
        "alcohol_units_per_week": 60,
    }
    eps = [
        episode(
            i,
            NOW - dt.timedelta(hours=7 * i),
            duration_minutes=1 + i % 45,
            exercise="after",
            helped=["stretching", "walking", "massage", "heat"],
        )  # fmt: skip
        for i in range(288, 0, -1)
    ]
    report = build_report(eps, profile, first_episode=eps[0], today=NOW.date(), tz=TZ)
    text, reader = pdf_text(report_pdf(report))
    assert len(reader.pages) <= 2
    assert "Possible causes to discuss" in text and "Questions I may want to ask" in text


def test_dates_are_in_the_persons_time_zone() -> None:
    # 03:30 UTC on 1 March is still 28 February in New York (UTC-05:00).
    late = episode(1, dt.datetime(2026, 3, 1, 3, 30, tzinfo=dt.UTC).astimezone(TZ))
    report = build_report([late], {}, first_episode=late, today=NOW.date(), tz=TZ)
    assert report.first_recorded == dt.date(2026, 2, 28)
    assert report.time_chart is not None
    night = [b for b in report.time_chart.bars if b.value]
    assert [b.full_label for b in night] == ["21:00 to 23:59"]


def test_period_defaults_and_limits() -> None:
    assert period(dt.date(2026, 3, 1)) == (dt.date(2025, 12, 8), dt.date(2026, 3, 1))
    assert period(dt.date(2026, 3, 1), dt.date(2026, 2, 1), dt.date(2026, 2, 10))[0] == dt.date(2026, 2, 1)
    with pytest.raises(ValueError, match="after"):
        period(dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 1))
    with pytest.raises(ValueError, match="at most"):
        period(dt.date(2026, 3, 1), dt.date(2020, 1, 1), dt.date(2026, 3, 1))


def _ins(at: dt.datetime, **extra: Any) -> EpisodeIn:
    data: dict[str, Any] = {"started_at": at, "duration_minutes": 2, "location": "foot", **extra}
    return EpisodeIn.model_construct(leg=None, severity=None, woke_from_sleep=None, exercise=None,
                                     helped=[], note="", **data)  # fmt: skip


def test_report_for_reads_only_the_period_and_the_person(tmp_path: Path) -> None:
    repo = open_repository(f"sqlite:///{tmp_path / 'r.db'}")
    me = repo.local_person_id()
    other = repo.create_account("someone@example.org", "x")
    now = dt.datetime.now(TZ).replace(microsecond=0)
    repo.add_episodes(me, [_ins(now - dt.timedelta(days=d)) for d in (1, 2, 3, 200)])
    repo.add_episodes(other, [_ins(now - dt.timedelta(days=d)) for d in range(1, 30)])
    repo.set_profile(me, {"medicines": ["Evista"]})
    report = report_for(repo, me, now=now)
    assert report.episodes == 3
    assert report.first_recorded == (now - dt.timedelta(days=200)).date()
    assert report.tz_name == "UTC-05:00"
    assert report.linked_medicines == ["raloxifene"]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.from_env(database_url=f"sqlite:///{tmp_path / 't.db'}")
    with TestClient(create_app(settings)) as c:
        yield c


def test_report_page_has_a_download_button_and_the_pdf_downloads(client: TestClient) -> None:
    client.post("/api/v1/episodes", json={"started_at": "2026-01-10T02:00:00+00:00", "duration_minutes": 4,
                                          "location": "calf"})  # fmt: skip
    page = client.get("/report?from=2026-01-01&to=2026-01-31")
    assert page.status_code == 200
    assert 'href="/api/v1/report.pdf?from=2026-01-01&amp;to=2026-01-31"' in page.text
    assert "Download the report (PDF)" in page.text
    assert page.text.count("<svg") == 2
    r = client.get("/api/v1/report.pdf?from=2026-01-01&to=2026-01-31")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert "attachment" in r.headers["content-disposition"]
    text, _ = pdf_text(r.content)
    assert "1 cramp logged in this period" in text


@pytest.mark.parametrize(
    "query", ["from=2026-02-01&to=2026-01-01", "from=yesterday", "from=2020-01-01&to=2026-01-01"]
)
def test_bad_periods_are_422(client: TestClient, query: str) -> None:
    assert client.get(f"/api/v1/report.pdf?{query}").status_code == 422
    assert client.get(f"/report?{query}").status_code == 422


def test_cli_writes_the_pdf(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    db = f"sqlite:///{tmp_path / 'c.db'}"
    result = CliRunner().invoke(cli_app, ["report", "--pdf", str(out), "--database-url", db])
    assert result.exit_code == 0, result.output
    text, _ = pdf_text(out.read_bytes())
    assert "No cramp diary has been kept" in text
    bad = CliRunner().invoke(
        cli_app, ["report", "--pdf", str(out), "--from", "2026-13-01", "--database-url", db]
    )
    assert bad.exit_code == 2
