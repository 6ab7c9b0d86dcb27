"""Diary files: CSV export and import (with a header row), and the "all my data" JSON.

Import checks every row and reports bad ones by line number (the header is line 1).

>>> text = "started_at,duration_minutes,location\\n2026-01-05T03:10:00+00:00,3,calf\\n2026-01-05,-1,arm\\n"
>>> result = parse_csv(text)
>>> len(result.good), [(line, sorted(p)) for line, p in result.bad]
(1, [(3, ['duration_minutes', 'location', 'started_at'])])
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crampcheck.diary import FIELDS, Episode, EpisodeError, EpisodeIn, validate_episode

CSV_COLUMNS = ("id", *FIELDS)
REQUIRED = ("started_at", "duration_minutes", "location")
LIST_SEPARATOR = ";"
_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@dataclass
class CsvResult:
    """Rows that passed (line number, episode) and rows that did not (line number, problems)."""

    good: list[tuple[int, EpisodeIn]] = field(default_factory=list)
    bad: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def episodes_to_csv(episodes: Iterable[Episode]) -> str:
    """CSV with a header row; ``helped`` is ``;``-separated; empty cells are "not recorded"."""
    out = io.StringIO()
    # CRLF as RFC 4180 says: with "\n" alone, a note holding a carriage return was written unquoted
    # and could not be read back.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for ep in episodes:
        data = ep.to_json()
        row = []
        for col in CSV_COLUMNS:
            value = data.get(col)
            if isinstance(value, list):
                value = LIST_SEPARATOR.join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            row.append("" if value is None else str(value))
        writer.writerow(row)
    return out.getvalue()


def _cell(name: str, raw: str) -> Any:
    raw = raw.strip()
    if raw == "":
        return [] if name == "helped" else ("" if name == "note" else None)
    if name == "helped":
        return [h.strip() for h in raw.split(LIST_SEPARATOR) if h.strip()]
    if name == "woke_from_sleep":
        return _BOOLS.get(raw.lower(), raw)
    return raw


def parse_csv(text: str) -> CsvResult:
    """Check every row of a diary CSV (an ``id`` column is allowed and ignored)."""
    result = CsvResult()
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        result.bad.append((1, {"file": "is empty: expected a header row"}))
        return result
    except csv.Error as exc:
        result.bad.append((1, {"file": f"is not valid CSV ({exc})"}))
        return result
    unknown = [h for h in header if h not in CSV_COLUMNS]
    missing = [h for h in REQUIRED if h not in header]
    if unknown or missing or len(set(header)) != len(header):
        problems = {h: "is not a known column" for h in unknown}
        problems |= {h: "column is missing from the header" for h in missing}
        if len(set(header)) != len(header):
            problems["header"] = "has a column twice"
        result.bad.append((1, problems))
        return result
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                result.bad.append((line, {"row": f"has {len(row)} cells, the header has {len(header)}"}))
                continue
            data = {h: _cell(h, v) for h, v in zip(header, row, strict=True) if h != "id"}
            try:
                result.good.append((line, validate_episode(data)))
            except EpisodeError as exc:
                result.bad.append((line, exc.problems))
    except csv.Error as exc:
        result.bad.append((reader.line_num, {"row": f"is not valid CSV ({exc})"}))
    return result


def describe_bad_rows(bad: Sequence[tuple[int, Mapping[str, str]]]) -> list[str]:
    """One line per bad row: ``line 3: duration_minutes must be ...; location must be ...``."""
    return [f"line {line}: " + "; ".join(f"{k} {m}" for k, m in problems.items()) for line, problems in bad]


def all_my_data(email: str | None, profile: Mapping[str, Any], episodes: Iterable[Episode]) -> dict[str, Any]:
    """Everything crampcheck keeps about one person, as JSON-ready data."""
    return {
        "format": "crampcheck-export/1",
        "account": {"email": email},
        "profile": dict(profile),
        "episodes": [e.to_json() for e in episodes],
    }
