"""The GP visit report: what the doctor will ask, from the diary and the latest assessment.

:func:`build_report` is pure (episodes, profile and dates in; a :class:`Report` out);
:func:`report_for` reads them from the database; :func:`report_html` and :func:`report_pdf`
render one A4 document (WeasyPrint, which needs the Pango library). Dates are in the person's
own time zone: the UTC offset of their latest diary entry. The charts are the diary's own SVG
charts (:mod:`crampcheck.charts`). Every clinical word comes from the guidance.

>>> import datetime as dt
>>> r = build_report([], {"age": 70}, first_episode=None, today=dt.date(2026, 3, 1))
>>> r.has_diary, r.disposition.id, r.period_start.isoformat()
(False, 'self_care', '2025-12-08')
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crampcheck.answers import AnswersError, validate_answers
from crampcheck.diary import Episode
from crampcheck.engine import Assessment, CauseItem, default_engine
from crampcheck.guidance import load_guidance

if TYPE_CHECKING:
    from crampcheck.charts import Chart
    from crampcheck.diary_summary import DiarySummary
    from crampcheck.guidance.model import DispositionInfo
    from crampcheck.storage import Repository

DEFAULT_WEEKS = 12
"""The default period: long enough to show a pattern, and one page of charts whatever the diary's
length (a two-year diary costs the same to render as a short one)."""
MAX_DAYS = 366
MAX_PAGES = 2
MAX_DENSITY = 2


@dataclass(frozen=True)
class Medicine:
    text: str
    """As the person wrote it."""
    linked: tuple[str, ...]
    """Generic names of medicines the guidance links to cramps, if any."""


@dataclass(frozen=True)
class Report:
    """Everything the report shows; templates only lay it out."""

    today: dt.date
    tz: dt.tzinfo
    period_start: dt.date
    period_end: dt.date
    has_diary: bool
    """The person has any diary entries at all (in or outside the period)."""
    first_recorded: dt.date | None
    episodes: int
    per_week: float | None
    night_share: float | None
    median_minutes: float | None
    longest_minutes: float | None
    woke_count: int
    weekly_chart: Chart | None
    time_chart: Chart | None
    helped: list[tuple[str, int]]
    answers: dict[str, Any]
    """The answers the assessment used (profile, updated by the diary)."""
    weeks_since_first: float | None
    other_symptoms: list[str]
    conditions: list[str]
    medicines: list[Medicine]
    disposition: DispositionInfo
    assessment: Assessment
    causes: list[CauseItem] = field(default_factory=list)

    @property
    def tz_name(self) -> str:
        return offset_name(self.tz)

    @property
    def discussable(self) -> list[str]:
        """The possible causes other than "no clear cause", as a question can name them."""
        return [c.medicine or f"“{c.title}”" for c in self.causes if c.id != "idiopathic"]

    @property
    def linked_medicines(self) -> list[str]:
        return [g for m in self.medicines for g in m.linked]


def offset_name(tz: dt.tzinfo) -> str:
    """A fixed-offset time zone as people read it.

    >>> offset_name(dt.UTC), offset_name(dt.timezone(dt.timedelta(hours=-5, minutes=-30)))
    ('UTC', 'UTC-05:30')
    """
    offset = dt.datetime.now(tz).utcoffset() or dt.timedelta(0)
    if not offset:
        return "UTC"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{'+' if offset > dt.timedelta(0) else '-'}{minutes // 60:02d}:{minutes % 60:02d}"


def person_tz(latest: Episode | None) -> dt.tzinfo:
    """The person's time zone: the offset of their latest entry (UTC without a diary)."""
    if latest is None or latest.started_at.tzinfo is None:
        return dt.UTC
    offset = latest.started_at.utcoffset() or dt.timedelta(0)
    return dt.timezone(offset)


def period(
    today: dt.date, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The report's first and last day: ``DEFAULT_WEEKS`` up to today unless given.

    >>> period(dt.date(2026, 3, 1))
    (datetime.date(2025, 12, 8), datetime.date(2026, 3, 1))
    """
    end = date_to or today
    start = date_from or end - dt.timedelta(days=DEFAULT_WEEKS * 7 - 1)
    if start > end:
        raise ValueError("the start date is after the end date")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValueError(f"a report covers at most {MAX_DAYS} days")
    return start, end


def _labels(key: str, values: Sequence[str]) -> list[str]:
    q = load_guidance().question_map[key]
    return [(q.option(v).label if q.option(v) else v) for v in values]  # type: ignore[union-attr]


def _profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return validate_answers(dict(profile))
    except AnswersError as exc:
        return validate_answers({k: v for k, v in profile.items() if k not in exc.problems})


def build_report(
    episodes: Sequence[Episode],
    profile: Mapping[str, Any],
    *,
    first_episode: Episode | None,
    today: dt.date | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    tz: dt.tzinfo = dt.UTC,
) -> Report:
    """The report for ``episodes`` (those in the period) and the person's ``profile``.

    ``first_episode`` is their earliest entry ever (for "since when"); ``tz`` their time zone.
    """
    from crampcheck.charts import time_of_day_chart, weekly_chart
    from crampcheck.diary_summary import summarize

    today = today or dt.datetime.now(tz).date()
    start, end = period(today, date_from, date_to)
    profile = _profile(profile)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    days = (end - start).days + 1
    has_diary = first_episode is not None
    summary: DiarySummary | None = None
    if has_diary:
        summary = summarize(episodes, profile, days=days, now=until)
        assessment, answers = summary.assessment, {**profile, **summary.answers}
    else:
        assessment, answers = default_engine().assess(profile), profile
    window = [e for e in episodes if summary is not None and summary.since <= e.started_at <= until]
    helped = Counter(h for e in window for h in e.helped)
    g = load_guidance()
    matcher = default_engine().matcher
    return Report(
        today=today,
        tz=tz,
        period_start=start,
        period_end=end,
        has_diary=has_diary,
        first_recorded=first_episode.started_at.astimezone(tz).date() if first_episode else None,
        episodes=len(window),
        per_week=summary.per_week if summary else None,
        night_share=summary.night_share if summary else None,
        median_minutes=summary.median_duration_minutes if summary else None,
        longest_minutes=summary.longest_duration_minutes if summary else None,
        woke_count=sum(1 for e in window if e.woke_from_sleep),
        weekly_chart=weekly_chart(summary) if summary and window else None,
        time_chart=time_of_day_chart(summary) if summary and window else None,
        helped=sorted(helped.items(), key=lambda kv: (-kv[1], kv[0])),
        answers=answers,
        weeks_since_first=profile.get("weeks_since_first_cramp"),
        other_symptoms=_labels("leg_symptoms", profile.get("leg_symptoms", []))
        + _labels("general_symptoms", profile.get("general_symptoms", [])),
        conditions=_labels("conditions", profile.get("conditions", [])),
        medicines=[Medicine(t, matcher.match(t)) for t in profile.get("medicines", [])],
        disposition=g.dispositions[assessment.disposition],
        assessment=assessment,
        causes=list(assessment.causes),
    )


def report_for(
    repo: Repository,
    person: int,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """The report for ``person``, read from the diary database (only their own rows)."""
    latest = repo.list_episodes(person, limit=1)
    first = repo.list_episodes(person, limit=1, newest_first=False)
    tz = person_tz(latest[0] if latest else None)
    today = (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()
    start, end = period(today, date_from, date_to)
    since = dt.datetime.combine(start, dt.time(), tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    # Within the period the rows are bounded by its length, not by the diary's.
    episodes = repo.list_episodes(person, since=since, until=until, limit=None, newest_first=False)
    return build_report(
        [e for e in episodes if e.started_at < until],
        repo.get_profile(person),
        first_episode=first[0] if first else None,
        today=today,
        date_from=start,
        date_to=end,
        tz=tz,
    )


# --- rendering -----------------------------------------------------------------------------------


def report_context(report: Report, density: int = 0) -> dict[str, Any]:
    """What the report templates get; ``density`` 1 and 2 fit long records on two pages."""
    from crampcheck.charts import bar_chart_svg

    return {
        "report": report,
        "density": density,
        "weekly_svg": bar_chart_svg(report.weekly_chart) if report.weekly_chart else None,
        "time_svg": bar_chart_svg(report.time_chart) if report.time_chart else None,
        "guidance": load_guidance(),
    }


def report_html(report: Report, density: int = 0) -> str:
    """The printable report as one HTML document (what the PDF is made from)."""
    from crampcheck.web.templating import environment

    return environment().get_template("report/print.html").render(report_context(report, density))


def report_pdf(report: Report) -> bytes:
    """The report as an A4 PDF of at most two pages.

    A long record (many medicines, conditions and causes) is laid out more densely until it fits;
    only such records pay for a second layout.
    """
    from weasyprint import HTML

    for density in range(MAX_DENSITY + 1):
        document = HTML(string=report_html(report, density)).render()
        if len(document.pages) <= MAX_PAGES or density == MAX_DENSITY:
            pdf: bytes = document.write_pdf()
            return pdf
    raise AssertionError("unreachable")  # pragma: no cover
