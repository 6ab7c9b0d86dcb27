"""Pydantic models for the guidance files (structure only; cross-references are checked in
:mod:`crampcheck.guidance.loader`).

Every model forbids unknown keys, so a typo in a YAML file is an error, not a silently ignored
field.

>>> SourceRef(id="nhs-inform", section="symptoms").id
'nhs-inform'
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

Disposition = Literal["emergency", "urgent", "gp", "pharmacist", "self_care"]
QuestionType = Literal["integer", "number", "boolean", "choice", "multi_choice", "text_list"]
Stage = Literal["emergency", "urgent", "gp", "pharmacist", "causes", "context"]
NonEmpty = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceRef(Strict):
    """A citation: a source id and one of its sections."""

    id: NonEmpty
    section: NonEmpty


Cited = Annotated[list[SourceRef], Field(min_length=1)]


class Section(Strict):
    id: NonEmpty
    title: NonEmpty


class Source(Strict):
    id: NonEmpty
    short: NonEmpty
    """How the source is named in a citation, e.g. 'NHS inform'."""
    title: NonEmpty
    publisher: NonEmpty
    url: str | None
    sections: Annotated[list[Section], Field(min_length=1)]


class SourcesFile(Strict):
    version: NonEmpty
    sources: list[Source]


# --- conditions ----------------------------------------------------------------------------------


class ThresholdRef(Strict):
    threshold: NonEmpty


Bound = float | ThresholdRef
_LEAF_OPS = ("is_", "gt", "ge", "lt", "le", "any_of", "at_least", "listed_medicine")


class Leaf(Strict):
    """One test on one answer. Exactly one operator is set.

    ``if_unknown: assume`` makes an unknown answer count as satisfying the test (the safer
    reading), but a rule still needs some other known-true part before it fires.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    key: NonEmpty
    is_: bool | str | None = Field(default=None, alias="is")
    gt: Bound | None = None
    ge: Bound | None = None
    lt: Bound | None = None
    le: Bound | None = None
    any_of: list[str] | None = None
    at_least: int | None = Field(default=None, ge=1)
    of: list[str] | None = None
    listed_medicine: Literal[True] | None = None
    if_unknown: Literal["assume"] | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Leaf:
        set_ops = [op for op in _LEAF_OPS if getattr(self, op) is not None]
        if len(set_ops) != 1:
            raise ValueError(f"a test needs exactly one operator, got {set_ops or 'none'}")
        if (self.at_least is None) != (self.of is None):
            raise ValueError("'at_least' and 'of' go together")
        return self

    @property
    def operator(self) -> str:
        return next(op for op in _LEAF_OPS if getattr(self, op) is not None)


class AllOf(Strict):
    all: Annotated[list[Condition], Field(min_length=1)]


class AnyOf(Strict):
    any: Annotated[list[Condition], Field(min_length=1)]


def _condition_kind(value: object) -> str:
    if isinstance(value, dict):
        return "all" if "all" in value else "any" if "any" in value else "leaf"
    return "all" if isinstance(value, AllOf) else "any" if isinstance(value, AnyOf) else "leaf"


# A tagged union: a broken condition gets one clear error instead of one per union member.
Condition = Annotated[
    Annotated[AllOf, Tag("all")] | Annotated[AnyOf, Tag("any")] | Annotated[Leaf, Tag("leaf")],
    Discriminator(_condition_kind),
]


def leaves(condition: Condition) -> list[Leaf]:
    """All the tests in a condition, depth first."""
    if isinstance(condition, Leaf):
        return [condition]
    children = condition.all if isinstance(condition, AllOf) else condition.any
    return [leaf for child in children for leaf in leaves(child)]


# --- questions -----------------------------------------------------------------------------------


class Option(Strict):
    value: NonEmpty
    label: NonEmpty
    lay_terms: list[str] = Field(default_factory=list)
    """Words people use for this option (UK and US): read by the free-text intake."""


class Question(Strict):
    key: NonEmpty
    type: QuestionType
    stage: Stage
    text: NonEmpty
    help: str | None = None
    options: list[Option] = Field(default_factory=list)
    none_label: str | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    max_items: int | None = None
    max_length: int | None = None
    ask_when: Condition | None = None
    lay_terms_yes: list[str] = Field(default_factory=list)
    lay_terms_no: list[str] = Field(default_factory=list)
    sources: Cited

    @model_validator(mode="after")
    def _shape(self) -> Question:
        has_options = self.type in ("choice", "multi_choice")
        if has_options != bool(self.options):
            raise ValueError(f"a {self.type} question {'needs' if has_options else 'takes no'} options")
        numeric = self.type in ("integer", "number")
        if numeric and (self.min is None or self.max is None):
            raise ValueError("a numeric question needs min and max")
        if not numeric and (self.min is not None or self.max is not None):
            raise ValueError("only numeric questions take min and max")
        if self.type == "text_list" and (self.max_items is None or self.max_length is None):
            raise ValueError("a text_list question needs max_items and max_length")
        return self

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


class QuestionsFile(Strict):
    questions: list[Question]


# --- rules, thresholds, dispositions -------------------------------------------------------------


class Threshold(Strict):
    id: NonEmpty
    value: float
    unit: NonEmpty
    rationale: NonEmpty
    sources: Cited


class Rule(Strict):
    id: NonEmpty
    disposition: Disposition
    when: Condition | None = None
    fallback: bool = False
    reason: NonEmpty
    sources: Cited

    @model_validator(mode="after")
    def _when_or_fallback(self) -> Rule:
        if (self.when is not None) != self.fallback:
            return self
        raise ValueError("a rule has either 'when' or 'fallback: true', not both or neither")


class RulesFile(Strict):
    thresholds: list[Threshold]
    rules: list[Rule]


class DispositionInfo(Strict):
    id: Disposition
    label: NonEmpty
    care_card: Literal["immediate", "urgent", "non-urgent"]
    summary: NonEmpty
    what_to_do: Annotated[list[NonEmpty], Field(min_length=1)]
    sources: Cited


class DispositionsFile(Strict):
    dispositions: list[DispositionInfo]


# --- causes, medicines, advice, disagreements ----------------------------------------------------


class Cause(Strict):
    id: NonEmpty
    kind: Literal["secondary", "idiopathic", "fallback"]
    title: NonEmpty
    when: Condition | None = None
    text: NonEmpty
    per_medicine: bool = False
    medicine_text: str | None = None
    sources: Cited

    @model_validator(mode="after")
    def _shape(self) -> Cause:
        if (self.kind == "fallback") != (self.when is None):
            raise ValueError("only the fallback cause has no 'when'")
        if self.per_medicine and (self.medicine_text is None or "{medicine}" not in self.medicine_text):
            raise ValueError("'per_medicine' needs a 'medicine_text' containing {medicine}")
        return self


class CausesFile(Strict):
    causes: list[Cause]


class Medicine(Strict):
    generic: NonEmpty
    other_names: list[str]
    brands_uk: list[str]
    brands_us: list[str]
    note: NonEmpty
    sources: Cited

    @property
    def names(self) -> list[str]:
        return [self.generic, *self.other_names, *self.brands_uk, *self.brands_us]


class MedicinesFile(Strict):
    ignore_words: list[str]
    strength_pattern_note: str
    medicines: list[Medicine]


class AdviceItem(Strict):
    id: NonEmpty
    kind: Literal["stretch", "relief", "prevention", "pregnancy", "medicine", "worse"]
    title: NonEmpty
    text: NonEmpty
    steps: list[NonEmpty] = Field(default_factory=list)
    when: Condition | None = None
    sources: Cited


class AdviceFile(Strict):
    advice: list[AdviceItem]


class Position(Strict):
    source: SourceRef
    says: NonEmpty


class Disagreement(Strict):
    id: NonEmpty
    topic: NonEmpty
    positions: Annotated[list[Position], Field(min_length=2)]
    follows: NonEmpty
    decision: NonEmpty
    why: NonEmpty


class DisagreementsFile(Strict):
    disagreements: list[Disagreement]
