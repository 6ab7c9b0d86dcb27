"""Cramp diary episodes: the validated input, the stored episode and its JSON form.

Validation reports one plain message per bad field (the API turns them into a 422).

>>> ep = validate_episode({"started_at": "2026-01-05T03:10:00+00:00", "duration_minutes": 4,
...                        "location": "calf"})
>>> ep.location, ep.helped
('calf', [])
>>> try:
...     validate_episode({"started_at": "yesterday", "duration_minutes": 0, "location": "arm"})
... except EpisodeError as e:
...     sorted(e.problems)
['duration_minutes', 'location', 'started_at']
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

Location = Literal["calf", "foot", "thigh"]
Leg = Literal["left", "right", "both"]
Exercise = Literal["none", "during", "after"]
Helped = Literal["stretching", "walking", "massage", "heat", "nothing"]

LOCATIONS: tuple[str, ...] = ("calf", "foot", "thigh")
LEGS: tuple[str, ...] = ("left", "right", "both")
EXERCISE: tuple[str, ...] = ("none", "during", "after")
HELPED: tuple[str, ...] = ("stretching", "walking", "massage", "heat", "nothing")
NOTE_MAX = 2000
MAX_DURATION_MINUTES = 24 * 60
FUTURE_LEEWAY = dt.timedelta(days=1)
EARLIEST_YEAR = 1900
"""Clocks and time zones differ; more than a day ahead is a typing mistake, not a cramp."""

FIELDS: tuple[str, ...] = (
    "started_at",
    "duration_minutes",
    "location",
    "leg",
    "severity",
    "woke_from_sleep",
    "exercise",
    "helped",
    "note",
)

MESSAGES: dict[str, str] = {
    "started_at": "must be a date and time with a time zone offset, e.g. 2026-01-05T03:10:00+00:00",
    "duration_minutes": f"must be a number of minutes above 0 and at most {MAX_DURATION_MINUTES} (24 hours)",
    "location": "must be one of: " + ", ".join(LOCATIONS),
    "leg": "must be one of: " + ", ".join(LEGS),
    "severity": "must be a whole number from 0 to 10",
    "woke_from_sleep": "must be true or false",
    "exercise": "must be one of: " + ", ".join(EXERCISE),
    "helped": "must be a list of: " + ", ".join(HELPED),
    "note": f"must be text of at most {NOTE_MAX:,} characters",
}


class EpisodeError(ValueError):
    """A bad episode; ``problems`` maps each bad field to one message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {m}" for k, m in problems.items()))


class EpisodeIn(BaseModel):
    """One cramp as a person records it. Only when, how long and where are required."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    started_at: AwareDatetime = Field(description="When it started, ISO 8601 with an offset.")
    duration_minutes: float = Field(gt=0, le=MAX_DURATION_MINUTES, allow_inf_nan=False)
    location: Location
    leg: Leg | None = None
    severity: int | None = Field(default=None, ge=0, le=10, description="How bad, 0 (none) to 10 (worst).")
    woke_from_sleep: bool | None = None
    exercise: Exercise | None = None
    helped: list[Helped] = Field(default_factory=list)
    note: str = Field(default="", max_length=NOTE_MAX)

    @field_validator("started_at")
    @classmethod
    def _not_in_future(cls, value: dt.datetime) -> dt.datetime:
        # Dates near year 1 or 9999 have no UTC time or break date arithmetic later (found by
        # fuzzing); no diary goes back that far.
        if value.year < EARLIEST_YEAR:
            raise ValueError(f"is before {EARLIEST_YEAR}")
        if value.year >= dt.MAXYEAR or value > dt.datetime.now(dt.UTC) + FUTURE_LEEWAY:
            raise ValueError("is more than a day in the future")
        return value

    @field_validator("helped")
    @classmethod
    def _dedupe(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class Episode(EpisodeIn):
    """A stored episode."""

    id: int
    created_at: AwareDatetime
    updated_at: AwareDatetime

    def to_json(self) -> dict[str, Any]:
        """The API form: ISO 8601 times (the start in the person's own offset)."""
        return self.model_dump(mode="json")


def _problems(exc: ValidationError) -> dict[str, str]:
    problems: dict[str, str] = {}
    for err in exc.errors():
        key = str(err["loc"][0]) if err["loc"] else "episode"
        if err["type"] == "extra_forbidden":
            problems.setdefault(key, "is not a known episode field")
        elif err["type"] == "missing":
            problems.setdefault(key, "is required")
        elif key == "started_at" and "future" in err["msg"]:
            problems.setdefault(key, "is more than a day in the future")
        elif key == "started_at" and str(EARLIEST_YEAR) in err["msg"]:
            problems.setdefault(key, f"is before {EARLIEST_YEAR}")
        else:
            problems.setdefault(key, MESSAGES.get(key, err["msg"]))
    return problems


def validate_episode(data: object, *, strict_json: bool = False) -> EpisodeIn:
    """Check an episode from JSON-like data; raise :class:`EpisodeError` naming every bad field.

    Forms and CSV give every value as text, so by default "3" is a severity of 3. ``strict_json``
    (the JSON API) holds values to their JSON types, as the API's schema says: ``false`` is not 0.
    """
    if not isinstance(data, Mapping):
        raise EpisodeError({"episode": "must be a JSON object"})
    # None for an optional field means "not recorded"; drop it so defaults apply.
    clean = {
        k: v for k, v in data.items() if v is not None or k in ("started_at", "duration_minutes", "location")
    }
    if clean.get("helped") is None:
        clean.pop("helped", None)
    if clean.get("note") is None:
        clean.pop("note", None)
    try:
        if strict_json:
            return EpisodeIn.model_validate_json(json.dumps(clean), strict=True)
        return EpisodeIn.model_validate(clean)
    except ValidationError as exc:
        raise EpisodeError(_problems(exc)) from None


def apply_patch(current: EpisodeIn, patch: object) -> EpisodeIn:
    """``current`` with the fields in ``patch`` changed (``null`` clears an optional field)."""
    if not isinstance(patch, Mapping):
        raise EpisodeError({"episode": "must be a JSON object"})
    unknown = [k for k in patch if k not in FIELDS]
    if unknown:
        raise EpisodeError({k: "is not a known episode field" for k in unknown})
    merged = current.model_dump(mode="json", include=set(FIELDS))
    merged.update(patch)
    return validate_episode(merged, strict_json=True)


def parse_episode_json(text: str | bytes) -> EpisodeIn:
    """Validate an episode given as JSON text."""
    try:
        data = json.loads(text)
    except ValueError:  # bad JSON, bad UTF-8, or an integer too long to convert
        raise EpisodeError({"episode": "is not valid JSON"}) from None
    return validate_episode(data, strict_json=True)
