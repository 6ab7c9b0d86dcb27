"""codes.yaml: the shipped copy is clean, cites its sources, and broken copies are caught."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from crampcheck import contract
from crampcheck.guidance.codes import load_codes, read_codes

ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"


def _shipped() -> dict[str, Any]:
    text = (resources.files("crampcheck.guidance") / "data" / "codes.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def test_shipped_codes_are_clean() -> None:
    codes, problems = read_codes()
    assert problems == []
    assert codes is not None
    assert [c.id for c in codes.conditions] == list(contract.CONDITION_IDS)


def test_every_code_cites_an_address_of_a_listed_source() -> None:
    codes = load_codes()
    urls = {s.id: s.url for s in codes.sources}
    cited = [c for cond in codes.conditions for c in (*cond.snomed, *cond.icd10)]
    cited += [codes.observation.finding, codes.observation.severity, codes.observation.laterality]
    cited += [*codes.observation.body_sites.values(), *codes.observation.sides.values()]
    for code in cited:
        host = urls[code.cite.source].split("/")[2]
        assert host in code.cite.address, code.code
        assert code.code in code.cite.address, code.code
        assert code.checked.strip()


def test_the_diary_finding_is_the_one_checked_in_the_notes() -> None:
    assert load_codes().observation.finding.code == "449918009"


@pytest.mark.parametrize(
    ("system", "code", "expected"),
    [
        (SNOMED, "44054006", "type_2_diabetes"),
        (SNOMED, " 49049000 ", "parkinsons_disease"),
        (SNOMED, "73211009", None),  # diabetes mellitus, not type 2: no subsumption guesses
        (ICD10, "E11", "type_2_diabetes"),
        (ICD10_CM, "E11.65", "type_2_diabetes"),
        (ICD10, "e119", "type_2_diabetes"),
        (ICD10, "E1", None),
        (ICD10, "E10.9", None),
        (ICD10_CM, "G20.A1", "parkinsons_disease"),
        (ICD10, "K74.6", "liver_disease"),
        (ICD10, "K75.0", None),
        (ICD10, "F10.0", None),  # acute intoxication is not misuse
        (ICD10, "F10.20", "alcohol_misuse"),
        (ICD10, "I87.2", "venous_insufficiency"),
        ("http://example.org/local", "E11", None),
        (None, "E11", None),
        (ICD10, None, None),
    ],
)
def test_condition_for(system: str | None, code: str | None, expected: str | None) -> None:
    assert load_codes().condition_for(system, code) == expected


Breaker = Callable[[dict[str, Any]], None]


def _cond(data: dict[str, Any], cid: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(c for c in data["conditions"] if c["id"] == cid)
    return entry


BROKEN: list[tuple[str, Breaker, str]] = [
    ("unknown condition", lambda d: _cond(d, "sarcoidosis").update(id="gout"), "'gout' is not a contract"),
    ("missing condition", lambda d: d["conditions"].pop(), "no entry for the contract condition"),
    (
        "unknown source",
        lambda d: _cond(d, "sarcoidosis")["icd10"][0]["cite"].update(source="x"),
        "unknown source",
    ),
    ("bad snomed", lambda d: _cond(d, "sarcoidosis")["snomed"][0].update(code="D86"), "not a SNOMED CT"),
    ("bad icd10", lambda d: _cond(d, "sarcoidosis")["icd10"][0].update(code="31541009"), "not an ICD-10"),
    (
        "code twice",
        lambda d: _cond(d, "hypothyroidism")["icd10"].append(_cond(d, "sarcoidosis")["icd10"][0]),
        "listed under both",
    ),
    ("no citation", lambda d: _cond(d, "sarcoidosis")["icd10"][0].pop("cite"), "cite"),
    ("extra key", lambda d: _cond(d, "sarcoidosis").update(notes="x"), "Extra inputs are not permitted"),
    (
        "bad body site",
        lambda d: d["observation"]["body_sites"].update(arm=d["observation"]["finding"]),
        "arm",
    ),
    ("card placeholder", lambda d: d["cards"].update(more="and more"), "placeholder"),
]


@pytest.mark.parametrize(("name", "breaker", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_copies_are_caught(tmp_path: Path, name: str, breaker: Breaker, message: str) -> None:
    data = _shipped()
    breaker(data)
    path = tmp_path / "codes.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    codes, problems = read_codes(path)
    assert codes is None
    assert any(message in p for p in problems), problems


def test_not_yaml_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "codes.yaml"
    path.write_text("conditions: [", encoding="utf-8")
    codes, problems = read_codes(path)
    assert codes is None and problems and "not valid YAML" in problems[0]


@pytest.mark.parametrize(
    "name", ["crampcheck.guidance.codes", "crampcheck.fhir", "crampcheck.cds", "crampcheck.report"]
)
def test_docstring_examples(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
