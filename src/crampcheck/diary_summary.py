"""What a diary says: counts, shares, the chart series, factors, and the diary-driven assessment.

The diary turns the last weeks into the answer keys ``cramps_per_week``, ``timing``,
``longest_cramp_minutes``, ``disturbs_sleep`` and (when the longest cramp says so)
``eases_with_movement``; merged over the person's profile they go through the engine, which alone
decides the disposition.

>>> import datetime as dt
>>> from crampcheck.diary import Episode
>>> now = dt.datetime(2026, 1, 29, 12, tzinfo=dt.UTC)
>>> eps = [Episode(id=i, started_at=now - dt.timedelta(days=i, hours=9), duration_minutes=2,
...                location="calf", woke_from_sleep=True, created_at=now, updated_at=now)
...        for i in range(1, 13)]
>>> s = summarize(eps, {}, days=28, now=now)
>>> s.episodes, s.per_week, s.disposition
(12, 3.0, 'gp')
>>> s.answers["timing"], s.answers["disturbs_sleep"]
(['night'], True)
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from crampcheck.answers import AnswersError, validate_answers
from crampcheck.engine import Assessment, default_engine

NIGHT_STARTS, NIGHT_ENDS = 22, 6
"""Local hours counted as night (a cramp that woke someone is night whatever the clock says)."""
MIN_PER_GROUP = 3
"""A factor is compared only with at least this many cramps with it and without it."""
TIME_BANDS = [(h, h + 3) for h in range(0, 24, 3)]
DURATION_BANDS: list[tuple[float, float | None, str]] = [
    (0, 1, "under 1 minute"),
    (1, 2, "1 to 2 minutes"),
    (2, 5, "2 to 5 minutes"),
    (5, 10, "5 to 10 minutes"),
    (10, 30, "10 to 30 minutes"),
    (30, None, "30 minutes or more"),
]
MOVEMENT = {"stretching", "walking"}


class EpisodeLike(Protocol):
    """What a summary reads of an episode: a stored :class:`~crampcheck.diary.Episode`, or the
    lighter rows of :meth:`~crampcheck.storage.Repository.episode_facts`."""

    @property
    def started_at(self) -> dt.datetime: ...
    @property
    def duration_minutes(self) -> float: ...
    @property
    def woke_from_sleep(self) -> bool | None: ...
    @property
    def exercise(self) -> str | None: ...
    @property
    def helped(self) -> Sequence[str]: ...


def is_night(ep: EpisodeLike) -> bool:
    """Whether a cramp counts as a night cramp (on the person's own clock)."""
    hour = ep.started_at.hour
    return bool(ep.woke_from_sleep) or hour >= NIGHT_STARTS or hour < NIGHT_ENDS


@dataclass(frozen=True)
class Factor:
    """Cramp frequency with and without one flag, or why it cannot be compared yet."""

    id: str
    label: str
    with_count: int
    without_count: int
    with_per_week: float | None
    without_per_week: float | None
    enough_data: bool
    message: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class DiarySummary:
    """A person's diary over ``days`` up to ``until``."""

    days: int
    since: dt.datetime
    until: dt.datetime
    episodes: int
    per_week: float
    night_share: float | None
    median_duration_minutes: float | None
    longest_duration_minutes: float | None
    answers: dict[str, Any]
    assessment: Assessment
    weekly: list[tuple[dt.date, int]] = field(default_factory=list)
    time_of_day: list[tuple[str, int]] = field(default_factory=list)
    durations: list[tuple[str, int]] = field(default_factory=list)
    factors: list[Factor] = field(default_factory=list)
    profile_disposition: str | None = None
    """What the person's last assessment alone reached (None without one)."""

    @property
    def changed_by_diary(self) -> bool:
        """Whether the diary moved the advice away from the last assessment's."""
        return self.profile_disposition is not None and self.profile_disposition != self.disposition

    @property
    def disposition(self) -> str:
        return self.assessment.disposition

    def to_json(self) -> dict[str, Any]:
        """The API form (contract section 3, plus chart series and factors)."""
        a = self.assessment
        return {
            "days": self.days,
            "from": self.since.isoformat(),
            "to": self.until.isoformat(),
            "episodes": self.episodes,
            "per_week": self.per_week,
            "night_share": self.night_share,
            "median_duration_minutes": self.median_duration_minutes,
            "longest_duration_minutes": self.longest_duration_minutes,
            "disposition": a.disposition,
            "disposition_label": a.disposition_label,
            "reasons": [r.model_dump() for r in a.reasons],
            "profile_disposition": self.profile_disposition,
            "changed_by_diary": self.changed_by_diary,
            "diary_answers": self.answers,
            "weekly": [{"week_starting": d.isoformat(), "episodes": n} for d, n in self.weekly],
            "time_of_day": [{"band": label, "episodes": n} for label, n in self.time_of_day],
            "durations": [{"band": label, "episodes": n} for label, n in self.durations],
            "factors": [f.to_json() for f in self.factors],
            "guidance_version": a.guidance_version,
        }


def diary_answers(eps: Sequence[EpisodeLike], days: int) -> dict[str, Any]:
    """The answer keys the diary can give for ``days`` of episodes (contract section 1 names)."""
    out: dict[str, Any] = {"cramps_per_week": round(len(eps) * 7 / days, 1)}
    if not eps:
        return out
    timing: set[str] = set()
    for ep in eps:
        timing.add("night" if is_night(ep) else "day")
        if ep.exercise == "during":
            timing.add("during_exercise")
        elif ep.exercise == "after":
            timing.add("after_exercise")
    out["timing"] = [t for t in ("night", "day", "during_exercise", "after_exercise") if t in timing]
    longest = max(eps, key=lambda e: e.duration_minutes)
    out["longest_cramp_minutes"] = longest.duration_minutes
    woke = [e.woke_from_sleep for e in eps if e.woke_from_sleep is not None]
    if woke:
        out["disturbs_sleep"] = any(woke)
    # Whether the longest cramp eased with movement is what the engine's rules ask about.
    if MOVEMENT & set(longest.helped):
        out["eases_with_movement"] = True
    elif "nothing" in longest.helped:
        out["eases_with_movement"] = False
    return out


def merged_answers(profile: Mapping[str, Any], diary: Mapping[str, Any]) -> dict[str, Any]:
    """Diary answers over the profile; profile keys that no longer validate are dropped."""
    merged = {**profile, **diary}
    try:
        return validate_answers(merged)
    except AnswersError as exc:
        return validate_answers({k: v for k, v in merged.items() if k not in exc.problems})


def _weekly(eps: Sequence[EpisodeLike], since: dt.datetime, days: int) -> list[tuple[dt.date, int]]:
    weeks = max(1, -(-days // 7))
    counts = [0] * weeks
    for ep in eps:
        i = min(weeks - 1, max(0, (ep.started_at - since).days // 7))
        counts[i] += 1
    return [((since + dt.timedelta(days=7 * i)).date(), n) for i, n in enumerate(counts)]


def _time_of_day(eps: Sequence[EpisodeLike]) -> list[tuple[str, int]]:
    return [
        (f"{a:02d}:00 to {b - 1:02d}:59", sum(1 for e in eps if a <= e.started_at.hour < b))
        for a, b in TIME_BANDS
    ]


def _durations(eps: Sequence[EpisodeLike]) -> list[tuple[str, int]]:
    return [
        (label, sum(1 for e in eps if lo <= e.duration_minutes and (hi is None or e.duration_minutes < hi)))
        for lo, hi, label in DURATION_BANDS
    ]


def _factor(id_: str, label: str, eps: Sequence[EpisodeLike], test: Any, weeks: float) -> Factor:
    known = [test(e) for e in eps]
    with_n = sum(1 for k in known if k is True)
    without_n = sum(1 for k in known if k is False)
    enough = with_n >= MIN_PER_GROUP and without_n >= MIN_PER_GROUP
    if enough:
        w, wo = round(with_n / weeks, 1), round(without_n / weeks, 1)
        message = f"{w} cramps a week {label.lower()}, {wo} a week without."
        return Factor(id_, label, with_n, without_n, w, wo, True, message)
    message = (
        f"Not enough data yet: comparing needs at least {MIN_PER_GROUP} cramps {label.lower()} "
        f"and {MIN_PER_GROUP} without (you have {with_n} and {without_n})."
    )
    return Factor(id_, label, with_n, without_n, None, None, False, message)


def factors(eps: Sequence[EpisodeLike], days: int) -> list[Factor]:
    """How often cramps come with and without each recorded flag."""
    weeks = days / 7
    return [
        _factor("woke_from_sleep", "That woke you from sleep", eps, lambda e: e.woke_from_sleep, weeks),
        _factor(
            "after_exercise",
            "After exercise",
            eps,
            lambda e: None if e.exercise is None else e.exercise == "after",
            weeks,
        ),
        _factor(
            "during_exercise",
            "During exercise",
            eps,
            lambda e: None if e.exercise is None else e.exercise == "during",
            weeks,
        ),
    ]


def summarize(
    eps: Sequence[EpisodeLike], profile: Mapping[str, Any], *, days: int = 28, now: dt.datetime | None = None
) -> DiarySummary:
    """Summarise the episodes that started in the ``days`` before ``now`` and reassess."""
    until = now or dt.datetime.now(dt.UTC)
    since = until - dt.timedelta(days=days)
    window = [e for e in eps if since <= e.started_at <= until]
    durations = [e.duration_minutes for e in window]
    answers = diary_answers(window, days)
    engine = default_engine()
    assessment = engine.assess(merged_answers(profile, answers))
    before = engine.assess(merged_answers(profile, {})).disposition if profile else None
    return DiarySummary(
        days=days,
        since=since,
        until=until,
        episodes=len(window),
        per_week=answers["cramps_per_week"],
        night_share=round(sum(map(is_night, window)) / len(window), 3) if window else None,
        median_duration_minutes=statistics.median(durations) if durations else None,
        longest_duration_minutes=max(durations) if durations else None,
        answers=answers,
        assessment=assessment,
        weekly=_weekly(window, since, days),
        time_of_day=_time_of_day(window),
        durations=_durations(window),
        factors=factors(window, days),
        profile_disposition=before,
    )
