"""Loading and checking the guidance: the shipped copy is clean; broken copies are caught."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
import yaml

from crampcheck import contract
from crampcheck.guidance import GuidanceError, load_guidance, read_guidance
from crampcheck.guidance.document import guidance_markdown
from crampcheck.guidance.loader import FILES

SOURCES = Path(__file__).resolve().parents[2] / "shared" / "sources"


def test_shipped_guidance_is_clean() -> None:
    guidance, problems = read_guidance()
    assert problems == []
    assert guidance is not None


def test_every_contract_key_value_and_cause_is_covered() -> None:
    g = load_guidance()
    for key, kind in contract.ANSWER_TYPES.items():
        assert g.question_map[key].type == kind
    for key, values in contract.ANSWER_VALUES.items():
        assert set(values) <= {o.value for o in g.question_map[key].options}
    assert set(contract.CAUSE_IDS) <= {c.id for c in g.causes}


def test_sources_required_by_the_issue_exist() -> None:
    assert {"nhs-inform", "vein-clinic", "nhs-dvt"} <= set(load_guidance().sources)


def test_every_when_to_get_help_statement_has_a_rule() -> None:
    g = load_guidance()
    cited = {(c.id, c.section) for r in g.rules for c in r.sources}
    assert ("nhs-inform", "when-to-get-help") in cited
    assert ("vein-clinic", "when-to-seek-attention") in cited
    assert ("nhs-dvt", "immediate-action") in cited
    assert ("nhs-dvt", "urgent-advice") in cited
    # Each option the sources name in "when to get help" drives some rule.
    keys = {
        (leaf.key, value)
        for r in g.rules
        if r.when
        for leaf in __import__("crampcheck.guidance.model", fromlist=["leaves"]).leaves(r.when)
        for value in (leaf.any_of or leaf.of or [leaf.is_])
    }
    for pair in [
        ("leg_symptoms", "numbness"),
        ("leg_symptoms", "swelling"),
        ("leg_symptoms", "redness"),
        ("leg_symptoms", "tingling"),
        ("leg_symptoms", "muscle_shrinking"),
        ("leg_symptoms", "muscle_weakness"),
        ("leg_symptoms", "walking_difficulty"),
        ("leg_symptoms", "cannot_bear_weight"),
        ("exposures", "lead"),
        ("exposures", "mercury"),
        ("exposures", "dirt_in_wound"),
        ("disturbs_sleep", True),
        ("affects_quality_of_life", True),
        ("eases_with_movement", False),
        ("general_symptoms", "shortness_of_breath"),
        ("general_symptoms", "chest_pain"),
    ]:
        assert pair in keys, pair


def test_every_threshold_has_a_rationale_and_source() -> None:
    for t in load_guidance().threshold_list:
        assert len(t.rationale) > 40 and t.sources


def test_no_sentence_is_copied_from_the_sources() -> None:
    if not SOURCES.exists():
        pytest.skip("shared/sources not beside the checkout")
    text = " ".join(p.read_text(encoding="utf-8").lower() for p in SOURCES.glob("*.txt"))
    words = text.split()
    source_8grams = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    root = resources.files("crampcheck.guidance") / "data"
    for name in FILES:
        ours = " ".join(
            str(s) for s in _strings(yaml.safe_load((root / name).read_text(encoding="utf-8")))
        ).lower()
        ours_words = ours.split()
        copied = [
            " ".join(ours_words[i : i + 8])
            for i in range(len(ours_words) - 7)
            if " ".join(ours_words[i : i + 8]) in source_8grams
        ]
        assert copied == [], f"{name} copies source text: {copied[:3]}"


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() if k not in ("url", "title") for s in _strings(v)]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def test_guidance_document_has_every_part() -> None:
    text = guidance_markdown(load_guidance())
    for heading in [
        "## Sources",
        "## Questions",
        "## Thresholds",
        "## Rules",
        "## Possible causes",
        "## Medicines",
        "## Advice",
        "## Where the sources disagree",
    ]:
        assert heading in text
    assert "14 units" in text and "calf" in text


# --- broken copies ---------------------------------------------------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = resources.files("crampcheck.guidance") / "data"
    for name in FILES:
        (tmp_path / name).write_text((root / name).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def edit(path: Path, change: Callable[[dict], None]) -> None:  # type: ignore[type-arg]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def rule(data: dict, rule_id: str) -> dict:  # type: ignore[type-arg]
    return next(r for r in data["rules"] if r["id"] == rule_id)


BREAKAGES: dict[str, tuple[str, Callable[[dict], None], str]] = {  # type: ignore[type-arg]
    "unknown key": ("rules.yaml", lambda d: d["rules"][0].update(colour="red"), "Extra inputs"),
    "unknown source": (
        "causes.yaml",
        lambda d: d["causes"][0]["sources"].append({"id": "blog", "section": "x"}),
        "unknown source 'blog'",
    ),
    "unknown section": (
        "advice.yaml",
        lambda d: d["advice"][0]["sources"].append({"id": "nhs-inform", "section": "nope"}),
        "unknown section 'nope'",
    ),
    "no source": ("advice.yaml", lambda d: d["advice"][0].update(sources=[]), "at least 1 item"),
    "unknown question": (
        "rules.yaml",
        lambda d: rule(d, "frequent-cramps")["when"].update(key="height"),
        "not a question",
    ),
    "unknown value": (
        "causes.yaml",
        lambda d: d["causes"][-2]["when"].update(any_of=["bad_knees"]),
        "no option 'bad_knees'",
    ),
    "unknown threshold": (
        "causes.yaml",
        lambda d: d["causes"][3]["when"].update(ge={"threshold": "elderly"}),
        "unknown threshold 'elderly'",
    ),
    "out of range": (
        "rules.yaml",
        lambda d: rule(d, "frequent-cramps")["when"].update(ge=500),
        "outside its range",
    ),
    "missing contract key": ("questions.yaml", lambda d: d["questions"].pop(), "weeks_since_first_cramp"),
    "never asked": (
        "questions.yaml",
        lambda d: d["questions"][3].update(
            ask_when={
                "all": [
                    {"key": "longest_cramp_minutes", "gt": 100},
                    {"key": "longest_cramp_minutes", "lt": 50},
                ]
            }
        ),
        "can never be asked",
    ),
    "asked before its condition": (
        "questions.yaml",
        lambda d: d["questions"][0].update(ask_when={"key": "age", "ge": 10}),
        "not asked before it",
    ),
    "duplicate rule": ("rules.yaml", lambda d: d["rules"].append(d["rules"][0]), "defined twice"),
    "two operators": (
        "rules.yaml",
        lambda d: d["rules"][0]["when"]["all"][0].update(**{"is": "x"}),
        "exactly one operator",
    ),
    "medicine name clash": (
        "medicines.yaml",
        lambda d: d["medicines"][0]["brands_uk"].append("Evista"),
        "names both",
    ),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_broken_copy_is_reported(copy: Path, name: str) -> None:
    file, change, expected = BREAKAGES[name]
    edit(copy / file, change)
    guidance, problems = read_guidance(copy)
    assert guidance is None
    assert any(expected in p for p in problems), problems


def test_all_problems_are_reported_at_once(copy: Path) -> None:
    edit(copy / "causes.yaml", BREAKAGES["unknown source"][1])
    edit(copy / "advice.yaml", BREAKAGES["unknown section"][1])
    _, problems = read_guidance(copy)
    assert len(problems) >= 2


def test_load_guidance_raises_with_every_problem(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(copy / "causes.yaml", BREAKAGES["unknown source"][1])
    _, problems = read_guidance(copy)
    err = GuidanceError(problems)
    assert "blog" in str(err)
    shutil.rmtree(copy)
