"""The free-text intake: one behaviour per test, then the labelled narratives as a whole.

The pipeline is built once per process (a few seconds), so these tests share it.
"""

from __future__ import annotations

import doctest
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from crampcheck.intake import parse
from crampcheck.intake.evaluate import evaluate
from crampcheck.intake.pipeline import get_pipeline

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "intake.json"


def answers(text: str) -> dict[str, Any]:
    return parse(text).answers


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("I'm 58 and my calves cramp", "age", 58),
        ("Im 67, cramps in my feet", "age", 67),
        ("a 45-year-old with foot cramps", "age", 45),
        ("hi, 19 yo, calf cramps", "age", 19),
        ("Dad's 77 and his legs cramp most days", "age", 77),
        ("I'm 31 weeks pregnant with calf cramps", "pregnant", True),
        ("Not pregnant, just calf cramps", "pregnant", False),
        ("My left calf cramps", "which_leg", "left"),
        ("cramp in the right thigh", "which_leg", "right"),
        ("both calves cramp", "which_leg", "both"),
        ("My left calf cramps and now my right one too", "which_leg", "both"),
        ("cramp lasted about 12 minutes", "longest_cramp_minutes", 12.0),
        ("cramp for half an hour", "longest_cramp_minutes", 30.0),
        ("lasted 12mins", "longest_cramp_minutes", 12.0),
        ("cramps three or four nights a week", "cramps_per_week", 3.5),
        ("cramps twice a week", "cramps_per_week", 2.0),
        ("cramps every night", "cramps_per_week", 7.0),
        ("foot cramps most nights", "cramps_per_week", 5.0),
        ("calf cramps every other night", "cramps_per_week", 3.5),
        ("cramps 2-3 times a week", "cramps_per_week", 2.5),
        ("cramps for about 6 weeks now", "weeks_since_first_cramp", 6.0),
        ("the cramps started 3 months ago", "weeks_since_first_cramp", 13.04),
        ("calf cramps for the past year", "weeks_since_first_cramp", 52.0),
        ("Since starting Evista a month ago, my calves cramp", "weeks_since_first_cramp", 4.35),
        ("My calf cramps and walking it off helps", "eases_with_movement", True),
        ("walking about didn't help at all", "eases_with_movement", False),
        ("they wake me up", "disturbs_sleep", True),
        ("it's ruining my life", "affects_quality_of_life", True),
        ("since the new tablets my foot cramps", "new_medicine_before_cramps", True),
        ("since I started Premarin my calves cramp", "new_medicine_before_cramps", True),
        ("ran a marathon on Sunday, cramps since", "recent_strenuous_exercise", True),
        ("without drinking much", "low_fluid_intake", True),
        ("I drink plenty of water", "low_fluid_intake", False),
        ("I drink about 14 units a week", "alcohol_units_per_week", 14.0),
        ("two pints a night", "alcohol_units_per_week", 28.0),
        ("a couple of glasses of wine a night", "alcohol_units_per_week", 28.0),
        ("two pints most nights and a bottle of wine at the weekend", "alcohol_units_per_week", 30.0),
        ("I don't drink alcohol", "alcohol_units_per_week", 0.0),
    ],
)
def test_reads_each_answer(text: str, key: str, value: Any) -> None:
    got = answers(text)
    assert key in got, f"{key} not read from {text!r}: {got}"
    assert got[key] == pytest.approx(value, abs=0.05) if isinstance(value, float) else got[key] == value


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("charley horse in my calf", "cramp_location", "calf"),
        ("cramps in my toes", "cramp_location", "foot"),
        ("hamstring cramps", "cramp_location", "thigh"),
        ("cramps at night", "timing", "night"),
        ("cramped this morning", "timing", "day"),
        ("cramp while running", "timing", "during_exercise"),
        ("cramps after the gym", "timing", "after_exercise"),
        ("pins and needles in my feet", "leg_symptoms", "tingling"),
        ("my calf is swollen", "leg_symptoms", "swelling"),
        ("I feel dizzy", "general_symptoms", "dizziness"),
        ("I have an underactive thyroid", "conditions", "hypothyroidism"),
        ("I'm hypothyroid", "conditions", "hypothyroidism"),
        ("I have cirrhosis", "conditions", "liver_disease"),
        ("I've had diarrhea for a week", "conditions", "diarrhoea"),
        ("I've had diarrhoea for a week", "conditions", "diarrhoea"),
        ("I was stripping lead paint", "exposures", "lead"),
        ("got soil in a cut on my hand", "exposures", "dirt_in_wound"),
    ],
)
def test_reads_each_option(text: str, key: str, value: str) -> None:
    assert value in answers(text).get(key, []), answers(text)


def test_medicines_are_kept_as_written() -> None:
    got = answers("I take Evista 60mg and the pill")
    assert got["medicines"] == ["Evista 60mg", "the pill"]


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("No numbness.", "leg_symptoms", "numbness"),
        ("no swelling or redness", "leg_symptoms", "redness"),
        ("No swelling, redness or warmth in my calf", "leg_symptoms", "warm_skin"),
        ("I don't have diabetes, numbness or tingling", "leg_symptoms", "tingling"),
        ("Not breathless, no chest pain", "general_symptoms", "chest_pain"),
        ("Never had diabetes", "conditions", "type_2_diabetes"),
        ("i think i might have diabetes?", "conditions", "type_2_diabetes"),
        ("used to have chemo years ago", "conditions", "cancer_treatment"),
        ("I'm not diabetic", "conditions", "type_2_diabetes"),
        ("I haven't noticed any swelling or redness", "leg_symptoms", "redness"),
        ("Neither numb nor tingly", "leg_symptoms", "tingling"),
        ("Swelling - no. Redness - no.", "leg_symptoms", "redness"),
        ("not really any swelling", "leg_symptoms", "swelling"),
        ("The swelling has gone down now", "leg_symptoms", "swelling"),
        ("I have no breathlessness, chest pain or dizziness", "general_symptoms", "dizziness"),
        ("nothing like numbness or weakness", "leg_symptoms", "muscle_weakness"),
        ("My mum has diabetes", "conditions", "type_2_diabetes"),
    ],
)
def test_negated_or_uncertain_findings_are_not_reported(text: str, key: str, value: str) -> None:
    result = parse(text)
    assert value not in result.answers.get(key, [])


def test_denied_values_are_listed_for_display() -> None:
    result = parse("No swelling, redness or warmth, but my left calf cramps at night")
    assert result.denied["leg_symptoms"] == ["swelling", "redness", "warm_skin"]
    assert result.answers["which_leg"] == "left" and result.answers["timing"] == ["night"]


def test_a_comma_ends_a_negation_outside_a_list() -> None:
    got = answers("no swelling, both feet cramp at night")
    assert got == {"which_leg": "both", "cramp_location": ["foot"], "timing": ["night"]}


def test_other_peoples_conditions_are_not_the_persons() -> None:
    got = answers("My dad has Parkinson's but I'm the one with cramps, right calf. I'm 40.")
    assert "conditions" not in got
    assert got["age"] == 40


def test_a_relatives_age_is_not_the_persons() -> None:
    got = answers("My 80-year-old mother has diabetes. I'm 50 and my calves cramp at night.")
    assert got["age"] == 50
    assert "conditions" not in got


def test_a_narrative_about_a_relative_reports_the_relative() -> None:
    result = parse("Dad's 77 and has kidney failure; his legs cramp most days.")
    assert result.about_someone_else
    assert result.answers["age"] == 77
    assert result.answers["conditions"] == ["kidney_failure"]


def test_misspellings() -> None:
    got = answers("my hypothyriod and numbnes, cramps in my calfs at nite, pregnent")
    assert got["conditions"] == ["hypothyroidism"]
    assert got["leg_symptoms"] == ["numbness"]
    assert got["cramp_location"] == ["calf"] and got["timing"] == ["night"]
    assert got["pregnant"] is True


def test_amounts_said_of_something_else_are_ignored() -> None:
    got = answers("Played two hours of tennis, I run three times a week, 28 weeks pregnant")
    assert "longest_cramp_minutes" not in got
    assert "cramps_per_week" not in got
    assert "weeks_since_first_cramp" not in got


def test_how_long_something_else_has_gone_on_is_not_the_cramps() -> None:
    got = answers("Smoker for 40 years. I've been on Premarin for two years, the cramps started 3 weeks ago.")
    assert got["weeks_since_first_cramp"] == 3.0


def test_suggestive_words_are_not_enough() -> None:
    assert "exposures" not in answers("Sanded down the old paint and now my thighs cramp")
    assert "leg_symptoms" not in answers("A glass of red wine and a warm bath help")


def test_evidence_points_at_the_words() -> None:
    text = "My left thigh cramped for about 12 minutes this morning"
    result = parse(text)
    assert [e.text for e in result.evidence["which_leg"]] == ["left"]
    assert [e.text for e in result.evidence["longest_cramp_minutes"]] == ["12 minutes"]
    for spots in result.evidence.values():
        for e in spots:
            assert text[e.start : e.end] == e.text


def test_empty_and_unrelated_text() -> None:
    assert answers("") == {}
    assert answers("The weather is lovely today.") == {}


def test_pipeline_is_built_once() -> None:
    assert get_pipeline() is get_pipeline()


def test_docstring_examples() -> None:
    for name in (
        "intake",
        "intake.amounts",
        "intake.quantities",
        "intake.vocab",
        "intake.spelling",
        "intake.pipeline",
        "intake.evaluate",
    ):
        module = importlib.import_module(f"crampcheck.{name}")
        assert doctest.testmod(module).failed == 0, name


def _cases(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["narratives"]
    return cases


def test_labelled_narratives() -> None:
    cases = _cases("narratives.yaml")
    assert len(cases) >= 80
    report = evaluate(cases)
    assert report.negation_errors == []
    assert report.precision >= 0.9, report.extras
    assert report.recall >= 0.9, report.misses


def test_held_out_narratives() -> None:
    report = evaluate(_cases("narratives_heldout.yaml"))
    assert report.negation_errors == []
    assert report.precision >= 0.85, report.extras
    assert report.recall >= 0.85, report.misses


def _examples() -> list[dict[str, Any]]:
    if not EXAMPLES.exists():
        return []
    cases: list[dict[str, Any]] = json.loads(EXAMPLES.read_text(encoding="utf-8"))["cases"]
    return cases


@pytest.mark.parametrize("case", _examples(), ids=lambda c: str(c["id"]))
def test_shared_examples(case: dict[str, Any]) -> None:
    got = answers(case["text"])
    tol = case.get("tol", {})
    for key, want in case["expect"].items():
        if isinstance(want, list):
            assert set(want) <= {str(v).lower() for v in got.get(key, [])}, (key, got)
        elif isinstance(want, bool | str):
            assert got.get(key) == want, (key, got)
        else:
            assert abs(got[key] - want) <= tol.get(key, 0.05), (key, got)
    for key, values in case.get("absent", {}).items():
        assert not set(values) & set(got.get(key, [])), (key, got)


def test_cli_json_prints_the_answers_only() -> None:
    from crampcheck.cli import app

    result = CliRunner().invoke(
        app, ["intake", "No swelling. My left calf cramps at night.", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"which_leg": "left", "cramp_location": ["calf"], "timing": ["night"]}


def test_cli_text_shows_the_words_it_read() -> None:
    from crampcheck.cli import app

    result = CliRunner().invoke(app, ["intake", "My left calf cramps. No swelling."])
    assert result.exit_code == 0, result.output
    assert '(from "left")' in result.output
    assert "swelling" in result.output


def test_spacy_loads_only_when_text_is_read() -> None:
    import subprocess
    import sys

    code = "import sys, crampcheck.cli, crampcheck.web.app, crampcheck.intake; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
