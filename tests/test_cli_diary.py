"""CLI diary commands: log, diary, export, import (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crampcheck.cli import app
from crampcheck.cli.diary import sparkline
from crampcheck.storage import open_repository

runner = CliRunner()


def cli(database_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--database-url", database_url])
    return result.exit_code, result.stdout, result.stderr


def test_log_then_diary(database_url: str) -> None:
    code, out, _ = cli(database_url, "log", "-d", "3", "-l", "calf", "--woke", "--helped", "heat", "-s", "6")
    assert code == 0 and "Logged cramp" in out
    code, out, _ = cli(database_url, "log", "-d", "12", "-l", "foot", "--when", "2026-01-05T03:10:00+02:00")
    assert code == 0
    code, out, _ = cli(database_url, "diary", "--weeks", "4")
    assert code == 0
    assert "calf" in out and "6/10" in out and "heat" in out
    assert "Cramps a week" in out and any(c in out for c in "▁▂▃▄▅▆▇█")
    assert "What to do:" in out


def test_log_refuses_bad_input_and_writes_nothing(database_url: str) -> None:
    code, _, err = cli(database_url, "log", "-d", "0", "-l", "arm", "-s", "11")
    assert code == 2
    assert "duration_minutes" in err and "location" in err and "severity" in err
    code, _, err = cli(database_url, "log", "-d", "2", "-l", "calf", "--when", "someday")
    assert code == 2 and "--when" in err
    repo = open_repository(database_url)
    assert repo.count_episodes(repo.local_person_id()) == 0
    repo.engine.dispose()


def test_export_import_round_trip(database_url: str, tmp_path: Path) -> None:
    for minutes in ("1", "2.5", "4"):
        cli(
            database_url,
            "log",
            "-d",
            minutes,
            "-l",
            "thigh",
            "--note",
            'says "ouch", twice',
            "--helped",
            "walking",
        )
    out_file = tmp_path / "diary.csv"
    code, _, _ = cli(database_url, "export", "-o", str(out_file))
    assert code == 0 and out_file.read_text().count("\n") == 4
    code, out, _ = cli(database_url, "export", "--format", "json")
    data = json.loads(out)
    assert len(data["episodes"]) == 3 and data["episodes"][0]["note"] == 'says "ouch", twice'
    other = f"sqlite:///{tmp_path / 'other.db'}"
    code, out, _ = cli(other, "import", str(out_file))
    assert code == 0 and "Imported 3" in out
    code, again, _ = cli(other, "export", "--format", "json")
    imported = json.loads(again)["episodes"]
    keep = ("started_at", "duration_minutes", "location", "note", "helped")
    assert [{k: e[k] for k in keep} for e in imported] == [{k: e[k] for k in keep} for e in data["episodes"]]


BAD_CSV = """started_at,duration_minutes,location,severity,helped
2026-01-05T03:10:00+00:00,3,calf,4,heat;walking
2026-01-06T03:10:00+00:00,0,calf,,
2026-01-07T03:10:00,3,calf,,
2026-01-08T03:10:00+00:00,3,arm,12,
2026-01-09T03:10:00+00:00,5,foot,,
"""


def test_import_reports_bad_lines_and_imports_nothing(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV)
    code, _, err = cli(database_url, "import", str(path))
    assert code == 1
    assert "line 3: duration_minutes" in err and "line 4: started_at" in err
    assert "line 5: location" in err and "severity" in err and "line 2" not in err and "line 6" not in err
    assert "Nothing imported" in err
    repo = open_repository(database_url)
    assert repo.count_episodes(repo.local_person_id()) == 0
    code, out, _ = cli(database_url, "import", str(path), "--skip-bad")
    assert code == 0 and "Imported 2" in out and "skipped 3" in out
    assert repo.count_episodes(repo.local_person_id()) == 2
    repo.engine.dispose()


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("when,how_long\n1,2\n", "is not a known column"),
        ("started_at,duration_minutes\n2026-01-05T03:10:00+00:00,3\n", "location column is missing"),
        ("started_at,duration_minutes,location\n2026-01-05T03:10:00+00:00,3\n", "line 2: row has 2 cells"),
    ],
)
def test_import_refuses_malformed_csv(text: str, needle: str, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(text)
    code, _, err = cli(f"sqlite:///{tmp_path / 'x.db'}", "import", str(path))
    assert code == 1 and needle in err


def test_sparkline() -> None:
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([0, 1, 4]) == "▁▃█"
    assert sparkline([]) == ""


def test_assess_does_not_load_the_database() -> None:
    code = (
        "import sys, crampcheck.cli; "
        "print(any(m.startswith(('sqlalchemy', 'crampcheck.storage')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"
