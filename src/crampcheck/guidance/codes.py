"""Clinical codes (SNOMED CT, ICD-10, LOINC) for the FHIR and CDS Hooks interfaces.

The codes live in ``data/codes.yaml`` as cited content. :func:`read_codes` validates the file
and checks it against the contract: every condition id is a contract condition and an option of
the ``conditions`` question, every citation names a source of the file, no code is listed twice.

>>> codes, problems = read_codes()
>>> problems
[]
>>> codes.condition_for("http://hl7.org/fhir/sid/icd-10-cm", "E11.9")
'type_2_diabetes'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from crampcheck import contract

NonEmpty = Annotated[str, Field(min_length=1)]
_SNOMED_ID = re.compile(r"^[1-9][0-9]{5,17}$")
_ICD10 = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CodeSource(_Strict):
    id: NonEmpty
    title: NonEmpty
    url: NonEmpty


class Cite(_Strict):
    """Where a reader can confirm one code."""

    source: NonEmpty
    address: NonEmpty


class Code(_Strict):
    code: NonEmpty
    display: NonEmpty
    cite: Cite
    checked: NonEmpty
    """How the code was checked before use."""


class Systems(_Strict):
    snomed: NonEmpty
    loinc: NonEmpty
    icd10: Annotated[list[NonEmpty], Field(min_length=1)]


class ConditionCodes(_Strict):
    id: NonEmpty
    snomed: list[Code]
    icd10: list[Code]


class ObservationCodes(_Strict):
    finding: Code
    severity: Code
    laterality: Code
    body_sites: dict[str, Code]
    sides: dict[str, Code]


class CardTexts(_Strict):
    """Wording of the CDS Hooks cards; ``{names}`` (and ``{count}`` in ``more``) are filled in."""

    medicines_summary: NonEmpty
    conditions_summary: NonEmpty
    more: NonEmpty
    detail_intro: NonEmpty
    link_label: NonEmpty

    @model_validator(mode="after")
    def _placeholders(self) -> CardTexts:
        for name in ("medicines_summary", "conditions_summary", "more"):
            if "{names}" not in getattr(self, name):
                raise ValueError(f"{name} needs a {{names}} placeholder")
        if "{count}" not in self.more:
            raise ValueError("more needs a {count} placeholder")
        return self


class Codes(_Strict):
    """The whole codes file."""

    version: NonEmpty
    sources: Annotated[list[CodeSource], Field(min_length=1)]
    systems: Systems
    conditions: list[ConditionCodes]
    observation: ObservationCodes
    cards: CardTexts
    _snomed: dict[str, str] = PrivateAttr(default_factory=dict)
    _icd10: list[tuple[str, str]] = PrivateAttr(default_factory=list)

    def condition_for(self, system: str | None, code: str | None) -> str | None:
        """The contract condition id a coded diagnosis stands for, or None.

        SNOMED CT codes match exactly (no terminology server, so no subsumption); ICD-10 codes
        match by prefix, so a category covers its subcategories, with or without the dot.
        """
        if not system or not code:
            return None
        if system == self.systems.snomed:
            return self._snomed.get(code.strip())
        if system in self.systems.icd10:
            plain = code.strip().upper().replace(".", "")
            return next((cid for prefix, cid in self._icd10 if plain.startswith(prefix)), None)
        return None

    def model_post_init(self, context: object, /) -> None:
        self._snomed = {c.code: cond.id for cond in self.conditions for c in cond.snomed}
        # Longest prefix first, so a specific subcategory wins over its category.
        pairs = [(c.code.upper().replace(".", ""), cond.id) for cond in self.conditions for c in cond.icd10]
        self._icd10 = sorted(pairs, key=lambda p: -len(p[0]))


def _all_codes(codes: Codes) -> Iterator[tuple[str, str, Code]]:
    for cond in codes.conditions:
        for c in cond.snomed:
            yield f"conditions.{cond.id}.snomed", "snomed", c
        for c in cond.icd10:
            yield f"conditions.{cond.id}.icd10", "icd10", c
    obs = codes.observation
    yield "observation.finding", "snomed", obs.finding
    yield "observation.severity", "loinc", obs.severity
    yield "observation.laterality", "snomed", obs.laterality
    for key, c in obs.body_sites.items():
        yield f"observation.body_sites.{key}", "snomed", c
    for key, c in obs.sides.items():
        yield f"observation.sides.{key}", "snomed", c


def _check(codes: Codes, condition_options: set[str]) -> Iterator[str]:
    source_ids = {s.id for s in codes.sources}
    ids = [c.id for c in codes.conditions]
    for cid in sorted({i for i in ids if ids.count(i) > 1}):
        yield f"codes.yaml: condition '{cid}' is listed twice"
    for cid in ids:
        if cid not in contract.CONDITION_IDS:
            yield f"codes.yaml: '{cid}' is not a contract condition id"
        elif cid not in condition_options:
            yield f"codes.yaml: '{cid}' is not an option of the 'conditions' question"
    for cid in contract.CONDITION_IDS:
        if cid not in ids:
            yield f"codes.yaml: no entry for the contract condition '{cid}' (empty lists if none)"
    seen: dict[tuple[str, str], str] = {}
    for where, kind, c in _all_codes(codes):
        if c.cite.source not in source_ids:
            yield f"codes.yaml: {where} {c.code} cites unknown source '{c.cite.source}'"
        if kind == "snomed" and not _SNOMED_ID.match(c.code):
            yield f"codes.yaml: {where} '{c.code}' is not a SNOMED CT identifier"
        if kind == "icd10" and not _ICD10.match(c.code):
            yield f"codes.yaml: {where} '{c.code}' is not an ICD-10 code"
        if where.startswith("conditions."):
            other = seen.setdefault((kind, c.code), where)
            if other != where:
                yield f"codes.yaml: {kind} {c.code} is listed under both {other} and {where}"
    obs = codes.observation
    for key in obs.body_sites:
        if key not in contract.ANSWER_VALUES["cramp_location"]:
            yield f"codes.yaml: observation.body_sites '{key}' is not a cramp location"
    for key in obs.sides:
        if key not in contract.ANSWER_VALUES["which_leg"]:
            yield f"codes.yaml: observation.sides '{key}' is not a leg"


def _condition_options() -> set[str]:
    from crampcheck.guidance import load_guidance

    question = load_guidance().question_map.get("conditions")
    return {o.value for o in question.options} if question else set()


def read_codes(path: Path | None = None) -> tuple[Codes | None, list[str]]:
    """Read and check ``codes.yaml``; returns the codes (or None) and every problem found.

    ``path`` reads another copy of the file (tests use it to check broken ones).
    """
    if path is None:
        text = (resources.files("crampcheck.guidance") / "data" / "codes.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return None, [f"codes.yaml: not valid YAML: {exc}"]
    try:
        codes = Codes.model_validate(raw)
    except ValidationError as exc:
        return None, [f"codes.yaml: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    problems = list(_check(codes, _condition_options()))
    return (None if problems else codes), problems


@cache
def load_codes() -> Codes:
    """The package's codes, loaded once; raises ``ValueError`` listing the problems."""
    codes, problems = read_codes()
    if codes is None:
        raise ValueError("codes.yaml has problems:\n" + "\n".join(problems))
    return codes
