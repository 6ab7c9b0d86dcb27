"""Property tests for the two ways text comes in besides JSON: CSV import and free-text intake.

- Any text given as a CSV gives good rows and bad rows (line, field → message), never an
  exception; any valid episodes exported to CSV import back unchanged.
- Any text given to the intake gives an :class:`IntakeResult` whose answers are valid contract
  answers and whose evidence points at the text itself, never an exception.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any, get_args

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampcheck.answers import validate_answers
from crampcheck.diary import (
    FIELDS,
    MAX_DURATION_MINUTES,
    NOTE_MAX,
    Episode,
    EpisodeIn,
    Exercise,
    Helped,
    Leg,
    Location,
)
from crampcheck.diary_io import CSV_COLUMNS, episodes_to_csv, parse_csv
from crampcheck.intake import IntakeResult, parse

NOW = dt.datetime.now(dt.UTC)


def check_csv_result(text: str) -> None:
    result = parse_csv(text)
    for line, ep in result.good:
        assert isinstance(line, int) and line >= 2 and isinstance(ep, EpisodeIn)
    for line, problems in result.bad:
        assert isinstance(line, int) and line >= 1 and problems
        assert all(isinstance(k, str) and isinstance(m, str) and m for k, m in problems.items())


@settings(max_examples=300)
@given(st.text())
def test_any_text_as_csv_never_raises(text: str) -> None:
    check_csv_result(text)


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["calf", "foot", "left", "true", "no", "3", "-1", "1e309", "nan", "stretching;heat"]),
    st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat()),
)


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from([*CSV_COLUMNS, "extra", "Started_At "]), min_size=1, max_size=8),
    st.lists(st.lists(CELL, max_size=10), max_size=6),
)
def test_csv_shaped_input_never_raises(header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    check_csv_result(out.getvalue())


def _offsets() -> st.SearchStrategy[dt.tzinfo]:
    return st.integers(-12 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))


NOTE = st.text(max_size=200).map(str.strip).filter(lambda s: len(s) <= NOTE_MAX)

EPISODE = st.builds(
    EpisodeIn,
    started_at=st.datetimes(
        min_value=dt.datetime(1970, 1, 2), max_value=NOW.replace(tzinfo=None), timezones=_offsets()
    ),
    duration_minutes=st.floats(min_value=0, max_value=MAX_DURATION_MINUTES, exclude_min=True),
    location=st.sampled_from(get_args(Location)),
    leg=st.none() | st.sampled_from(get_args(Leg)),
    severity=st.none() | st.integers(0, 10),
    woke_from_sleep=st.none() | st.booleans(),
    exercise=st.none() | st.sampled_from(get_args(Exercise)),
    helped=st.lists(st.sampled_from(get_args(Helped)), unique=True),
    note=NOTE,
)


@settings(max_examples=150)
@given(st.lists(EPISODE, max_size=8))
def test_export_then_import_gives_the_same_episodes(eps: list[EpisodeIn]) -> None:
    stored = [
        Episode(**ep.model_dump(), id=i + 1, created_at=NOW, updated_at=NOW) for i, ep in enumerate(eps)
    ]
    result = parse_csv(episodes_to_csv(stored))
    assert result.bad == []
    back = [ep for _, ep in result.good]
    assert [e.model_dump(include=set(FIELDS)) for e in back] == [
        e.model_dump(include=set(FIELDS)) for e in eps
    ]


def _contract_checks(text: str, result: IntakeResult) -> None:
    assert result.text == text
    assert validate_answers(dict(result.answers)) == result.answers
    for key, spots in result.evidence.items():
        assert key in result.answers or key in result.denied
        for spot in spots:
            assert 0 <= spot.start <= spot.end <= len(text) and text[spot.start : spot.end] == spot.text


WORDS = (
    "I'm 58 67 years old my left right both calf calves foot feet thigh cramp cramps cramping "
    "at night during after exercise running pregnant weeks not no never swelling red warm "
    "numb tingling Evista naproxen 60mg drink little water beer units a week twice every "
    "minutes hours for since started mother dad's stretching helps didn't help diabetes "
    "kidney liver , . ! ? ' - 0 1 10 100 1000000"
).split()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)))
def test_intake_never_raises_and_gives_contract_answers(text: str) -> None:
    _contract_checks(text, parse(text))


def test_intake_survives_odd_text() -> None:
    odd: list[Any] = ["", " ", "\x00", "\u202e", "🦵" * 500, "9" * 400, "cramp " * 300, "\n\n\t"]
    for text in odd:
        _contract_checks(text, parse(text))


def test_start_times_far_in_the_past_or_future_are_refused_not_crashed() -> None:
    """Found by fuzzing: year 1 at +14:00 has no UTC time, and was a 500 when stored."""
    import pytest

    from crampcheck.diary import EpisodeError, validate_episode

    for start in ("0001-01-01T00:00:00+14:00", "1899-12-31T23:59:00Z", "9999-12-31T23:00:00-05:00"):
        with pytest.raises(EpisodeError) as caught:
            validate_episode({"started_at": start, "duration_minutes": 3, "location": "calf"})
        assert set(caught.value.problems) == {"started_at"}
