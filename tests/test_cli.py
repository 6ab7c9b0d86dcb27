"""The core CLI: ``crampcheck assess`` (both ways), ``guidance check|show`` and ``--version``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crampcheck import __version__
from crampcheck.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "vignettes.json"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real console entry point, as a person or another program would run it."""
    return subprocess.run(
        [sys.executable, "-m", "crampcheck", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "100"},
    )


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_assess_json_from_stdin() -> None:
    answers = {"longest_cramp_minutes": 15, "eases_with_movement": False, "age": 40}
    p = run("assess", "--answers", "-", "--format", "json", stdin=json.dumps(answers))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["disposition"] == "urgent"
    assert out["reasons"][0]["sources"][0] == {"id": "nhs-inform", "section": "when-to-get-help"}
    assert out["guidance_version"]
    assert {"disposition", "reasons", "causes", "advice", "guidance_version"} <= set(out)


def test_assess_json_from_file(tmp_path: Path) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"medicines": ["Raloxifene 60 mg"], "new_medicine_before_cramps": True}))
    result = runner.invoke(app, ["assess", "--answers", str(path), "--format", "json"])
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["disposition"] == "pharmacist"
    assert {"id": "medicine", "medicine": "raloxifene"}.items() <= out["causes"][0].items()


def test_assess_text_shows_what_to_do_reasons_causes_and_sources() -> None:
    result = runner.invoke(
        app, ["assess", "--answers", "-"], input=json.dumps({"cramps_per_week": 5, "age": 70})
    )
    assert result.exit_code == 0
    text = result.stdout
    for expected in [
        "Book an appointment with a GP",
        "Why",
        "NHS inform",
        "Getting older",
        "The calf stretch",
        "1.",
    ]:
        assert expected in text


@pytest.mark.parametrize(
    ("stdin", "keys"),
    [
        ('{"age": "old", "no_such_key": 1}', ["age", "no_such_key"]),
        ('{"age": 300}', ["age"]),
        ('{"longest_cramp_minutes": 10000}', ["longest_cramp_minutes"]),
        ('{"cramps_per_week": -2}', ["cramps_per_week"]),
        ('{"timing": ["dawn"], "pregnant": "yes"}', ["timing", "pregnant"]),
        ("not json at all", ["answers"]),
        ("[1, 2]", ["answers"]),
    ],
)
def test_bad_answers_exit_2_with_one_message_per_key(stdin: str, keys: list[str]) -> None:
    p = run("assess", "--answers", "-", "--format", "json", stdin=stdin)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert sorted(line.split(": ")[1] for line in lines) == sorted(keys)
    assert all(line.startswith("error: ") for line in lines)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    p = run("assess", "--answers", str(tmp_path / "nope.json"))
    assert p.returncode == 2
    assert "cannot read answers" in p.stderr and "Traceback" not in p.stderr


def test_every_example_vignette_through_the_cli() -> None:
    if not EXAMPLES.exists():
        pytest.skip("shared/examples not beside the checkout")
    for case in json.loads(EXAMPLES.read_text())["cases"]:
        result = runner.invoke(
            app, ["assess", "--answers", "-", "--format", "json"], input=json.dumps(case["answers"])
        )
        assert result.exit_code == 0
        assert json.loads(result.stdout)["disposition"] in case["expect"]["disposition"], case["id"]


def test_interactive_assessment_asks_red_flags_first_and_stops_at_an_emergency() -> None:
    # general_symptoms: 2 = chest pain -> emergency at once, no further questions.
    p = run("assess", stdin="2\n")
    assert p.returncode == 0, p.stderr
    assert "Alongside the leg cramps" in p.stdout
    assert "Call 999" in p.stdout
    assert "Have you noticed any of these in your legs" not in p.stdout


def test_interactive_assessment_with_dont_know_and_a_bad_reply() -> None:
    replies = [
        "0",  # general symptoms: none
        "0",  # leg symptoms: none
        "d",  # longest cramp: don't know
        "maybe",  # eases with movement: not understood, asked again
        "y",  # eases: yes
        "0",  # exposures: none
        "d",  # cramps per week
        "n",  # sleep
        "n",  # quality of life
        "",  # medicines: none
        "n",  # new medicine
        "72",  # age
        "0",  # conditions: none
        "n",
        "n",
        "3",  # alcohol units
        "1",  # location: calf
        "3",  # both legs
        "1",  # night
        "30",  # weeks
    ]
    p = run("assess", stdin="\n".join(replies) + "\n")
    assert p.returncode == 0, p.stderr
    assert "please type y, n or d" in p.stdout
    assert "You can look after this yourself" in p.stdout
    assert "Getting older" in p.stdout
    assert "Are you pregnant" not in p.stdout  # not asked at 72


def test_guidance_check_and_show() -> None:
    check = runner.invoke(app, ["guidance", "check"])
    assert check.exit_code == 0 and "no problems" in check.stdout
    show = runner.invoke(app, ["guidance", "show"])
    assert show.exit_code == 0
    assert "Where the sources disagree" in show.stdout and "calf" in show.stdout


def test_guidance_check_fails_on_a_broken_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    from crampcheck.guidance import loader

    real = loader.read_guidance
    monkeypatch.setattr(
        loader, "read_guidance", lambda directory=None: (None, ["rules.yaml: broken", "x: also"])
    )
    import crampcheck.guidance as pkg

    monkeypatch.setattr(pkg, "read_guidance", loader.read_guidance)
    from crampcheck.guidance import codes

    monkeypatch.setattr(codes, "read_codes", lambda path=None: (None, ["codes.yaml: bad code"]))
    result = runner.invoke(app, ["guidance", "check"])
    assert result.exit_code == 1
    assert "rules.yaml: broken" in result.stderr and "x: also" in result.stderr
    assert "codes.yaml: bad code" in result.stderr
    assert real is not None


def test_assess_imports_no_web_pdf_database_or_nlp_code() -> None:
    code = (
        "import sys, io, json\n"
        "sys.stdin = io.StringIO(json.dumps({'age': 50}))\n"
        "from crampcheck.cli import app\n"
        "try:\n"
        "    app(['assess', '--answers', '-', '--format', 'json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ['fastapi', 'starlette', 'uvicorn', 'sqlalchemy', 'alembic', 'psycopg', 'weasyprint',\n"
        "         'spacy', 'medspacy', 'fhir', 'jinja2', 'icalendar', 'argon2']\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "LOADED []" in p.stdout, p.stdout
