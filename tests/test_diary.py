"""Episodes, validation, the diary summary, diary-driven answers and factors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampcheck.diary import Episode, EpisodeError, apply_patch, parse_episode_json, validate_episode
from crampcheck.diary_summary import diary_answers, factors, merged_answers, summarize
from crampcheck.engine import default_engine

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
OK = {"started_at": "2026-02-20T03:10:00+01:00", "duration_minutes": 3, "location": "calf"}


def episode(days_ago: float, hour: int = 3, **extra: Any) -> Episode:
    start = (NOW - dt.timedelta(days=days_ago)).replace(hour=hour, minute=0)
    data = {"started_at": start, "duration_minutes": 2, "location": "calf", **extra}
    return Episode(id=1, created_at=NOW, updated_at=NOW, **data)


def test_minimal_episode_is_valid() -> None:
    ep = validate_episode(OK)
    assert ep.started_at.utcoffset() == dt.timedelta(hours=1)
    assert ep.leg is None and ep.severity is None and ep.helped == [] and ep.note == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"started_at": "2026-02-20T03:10:00"}, "started_at"),  # no offset
        ({"started_at": "not a date"}, "started_at"),
        ({"started_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()}, "started_at"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": -1}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
        ({"duration_minutes": "nan"}, "duration_minutes"),
        ({"severity": 11}, "severity"),
        ({"severity": -1}, "severity"),
        ({"severity": 2.5}, "severity"),
        ({"location": "arm"}, "location"),
        ({"leg": "middle"}, "leg"),
        ({"exercise": "sometimes"}, "exercise"),
        ({"helped": ["prayer"]}, "helped"),
        ({"helped": "heat"}, "helped"),
        ({"note": "x" * 2001}, "note"),
        ({"woke_from_sleep": "perhaps"}, "woke_from_sleep"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_each_bad_field_is_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(EpisodeError) as err:
        validate_episode({**OK, **change})
    assert list(err.value.problems) == [field]
    assert err.value.problems[field]


def test_limits_are_inclusive_where_the_contract_says() -> None:
    validate_episode({**OK, "duration_minutes": 24 * 60, "severity": 10, "note": "x" * 2000})
    validate_episode(
        {**OK, "severity": 0, "started_at": (dt.datetime.now(dt.UTC) + dt.timedelta(hours=23)).isoformat()}
    )


def test_missing_required_fields_and_non_objects() -> None:
    with pytest.raises(EpisodeError) as err:
        validate_episode({})
    assert set(err.value.problems) == {"started_at", "duration_minutes", "location"}
    assert all(m == "is required" for m in err.value.problems.values())
    with pytest.raises(EpisodeError):
        validate_episode([1, 2])
    with pytest.raises(EpisodeError):
        parse_episode_json(b"{not json")


def test_patch_changes_and_clears_fields() -> None:
    ep = validate_episode({**OK, "severity": 5, "leg": "left"})
    changed = apply_patch(ep, {"severity": None, "duration_minutes": 7})
    assert changed.severity is None and changed.duration_minutes == 7 and changed.leg == "left"
    with pytest.raises(EpisodeError):
        apply_patch(ep, {"duration_minutes": 0})
    with pytest.raises(EpisodeError):
        apply_patch(ep, {"id": 5})


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*OK, "severity", "note", "helped", "leg"]), JSONISH))
def test_validation_never_crashes(data: dict[str, Any]) -> None:
    try:
        validate_episode(data)
    except EpisodeError as exc:
        assert exc.problems


def test_empty_diary_summary() -> None:
    s = summarize([], {}, days=28, now=NOW)
    assert s.episodes == 0 and s.per_week == 0 and s.night_share is None
    assert s.median_duration_minutes is None and s.longest_duration_minutes is None
    assert s.disposition == "self_care"
    assert all(not f.enough_data for f in s.factors)
    body = s.to_json()
    for key in ("episodes", "per_week", "night_share", "median_duration_minutes", "longest_duration_minutes"):
        assert key in body
    assert body["disposition"] == "self_care" and body["reasons"]


def test_summary_counts_only_the_window() -> None:
    eps = [episode(d) for d in (1, 2, 3, 40, 100)]
    s = summarize(eps, {}, days=28, now=NOW)
    assert s.episodes == 3 and s.per_week == 0.8
    assert sum(n for _, n in s.weekly) == 3 and len(s.weekly) == 4
    assert sum(n for _, n in s.time_of_day) == 3 and sum(n for _, n in s.durations) == 3


def test_night_uses_the_persons_own_clock() -> None:
    # 23:30 in UTC-5 is 04:30 UTC: a night cramp for them, however the server sees it.
    tz = dt.timezone(dt.timedelta(hours=-5))
    ep = Episode(
        id=1,
        started_at=dt.datetime(2026, 2, 27, 23, 30, tzinfo=tz),
        duration_minutes=1,
        location="foot",
        created_at=NOW,
        updated_at=NOW,
    )
    day = episode(3, hour=14, woke_from_sleep=False)
    s = summarize([ep, day], {}, days=28, now=NOW)
    assert s.night_share == 0.5
    assert s.answers["timing"] == ["night", "day"]


def test_frequent_cramps_reach_the_engines_gp_rule() -> None:
    rare = summarize([episode(d, hour=14, woke_from_sleep=False) for d in (1, 10)], {}, now=NOW)
    assert rare.disposition == "self_care"
    frequent = summarize([episode(d / 2, hour=14, woke_from_sleep=False) for d in range(1, 30)], {}, now=NOW)
    assert frequent.disposition == "gp"
    assert "frequent-cramps" in [r.id for r in frequent.assessment.reasons]


def test_long_cramp_that_movement_did_not_ease_is_urgent() -> None:
    eps = [episode(2, duration_minutes=15, helped=["nothing"]), episode(5)]
    s = summarize(eps, {}, now=NOW)
    assert s.answers["longest_cramp_minutes"] == 15 and s.answers["eases_with_movement"] is False
    assert s.disposition == "urgent"
    eased = summarize([episode(2, duration_minutes=15, helped=["walking"])], {}, now=NOW)
    assert eased.answers["eases_with_movement"] is True
    assert "long-cramp-not-eased-by-moving" not in [r.id for r in eased.assessment.reasons]


def test_disposition_is_exactly_the_engines_on_the_merged_answers() -> None:
    profile = {"age": 70, "conditions": ["type_2_diabetes"], "cramps_per_week": 0.1}
    eps = [episode(d, exercise="after") for d in range(1, 20)]
    s = summarize(eps, profile, now=NOW)
    merged = merged_answers(profile, diary_answers(eps, 28))
    assert merged["age"] == 70 and merged["cramps_per_week"] == s.per_week  # the diary wins
    assert s.assessment == default_engine().assess(merged)
    assert "after_exercise" in merged["timing"]


def test_stale_profile_keys_are_dropped_not_fatal() -> None:
    merged = merged_answers({"age": 70, "no_such_key": 1, "pregnant": "maybe"}, {"cramps_per_week": 1})
    assert merged == {"age": 70, "cramps_per_week": 1}


def test_disturbs_sleep_only_when_recorded() -> None:
    assert "disturbs_sleep" not in diary_answers([episode(1)], 28)
    assert diary_answers([episode(1, woke_from_sleep=False)], 28)["disturbs_sleep"] is False
    assert diary_answers([episode(1, woke_from_sleep=False), episode(2, woke_from_sleep=True)], 28)[
        "disturbs_sleep"
    ]


def test_factors_need_enough_data() -> None:
    few = factors([episode(1, exercise="after"), episode(2, exercise="none")], 28)
    after = next(f for f in few if f.id == "after_exercise")
    assert not after.enough_data and after.with_per_week is None and "Not enough data" in after.message
    eps = [episode(d, exercise="after") for d in range(1, 9)] + [
        episode(d, exercise="none") for d in range(10, 14)
    ]
    after = next(f for f in factors(eps, 28) if f.id == "after_exercise")
    assert after.enough_data and after.with_count == 8 and after.without_count == 4
    assert after.with_per_week == 2.0 and after.without_per_week == 1.0
    unknown = next(f for f in factors([episode(1)] * 10, 28) if f.id == "woke_from_sleep")
    assert unknown.with_count == 0 and unknown.without_count == 0 and not unknown.enough_data


def test_summary_says_when_the_diary_changed_the_advice() -> None:
    profile = {"age": 50}
    calm = summarize([episode(3, hour=14, woke_from_sleep=False)], profile, now=NOW)
    assert calm.profile_disposition == "self_care" and not calm.changed_by_diary
    busy = summarize([episode(d / 2, woke_from_sleep=True) for d in range(1, 20)], profile, now=NOW)
    assert busy.disposition == "gp" and busy.changed_by_diary
    assert busy.to_json()["changed_by_diary"] is True
    assert summarize([], {}, now=NOW).profile_disposition is None
