"""The intake's own vocabulary (numbers, time words, everyday cues, ConText rules), validated.

Clinical words come from the guidance (``lay_terms`` in questions.yaml, medicines.yaml); the
YAML files in ``intake/data`` hold only the everyday words needed to read a narrative.

A lay term is a phrase with two small extensions: ``a|b`` offers alternatives for one word, and
``...`` (up to four words) or ``~`` (up to twenty) lets other words come between, within one
sentence. Words are compared after :func:`norm` (lower case, simple plural stripped).

>>> compile_term("wake|woke ... me")[0][0]
{'NORM': {'IN': ['wake', 'woke']}}
>>> norm("Calves")
'calve'
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

GAPS = {"...": 4, "~": 20}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Numbers(_Strict):
    words: dict[str, float]
    vague: dict[str, float]
    articles: list[str]
    fractions: dict[str, float]
    range_joiners: list[str]
    approximators: list[str]


class Unit(_Strict):
    minutes: float
    words: list[str]


class TimeWords(_Strict):
    units: dict[str, Unit]
    cramp_length_units: list[str]
    history_units: list[str]
    per_week: dict[str, float]
    period_words: dict[str, list[str]]
    rate_words: list[str]
    event_words: list[str]
    frequency_phrases: dict[str, float]
    ago_words: list[str]
    not_history_after: list[str]
    not_length_after: list[str]
    not_history_before: list[str]
    onset_words: list[str]
    relative_onsets: dict[str, float]


class Cues(_Strict):
    cramp_words: list[str]
    leg_words: list[str]
    activities: list[str]
    drink_units: dict[str, float]
    small_bottle_after: list[str]
    small_bottle_units: float
    needs_alcohol_word: list[str]
    alcohol_words: list[str]
    no_alcohol: list[str]
    fluid_words: list[str]
    start_phrases: list[str]
    start_window: int = Field(ge=1, le=20)
    medicine_nouns: list[str]
    blockers: list[str]
    relatives: list[str]
    third_person: list[str]
    first_person: list[str]
    norm_aliases: dict[str, str]
    negation_words: list[str]


Category = Literal[
    "NEGATED_EXISTENCE",
    "POSSIBLE_EXISTENCE",
    "HYPOTHETICAL",
    "HISTORICAL",
    "FAMILY",
    "THIRD_PERSON",
    "COMMA",
    "TERMINATE",
]


class ContextRuleGroup(_Strict):
    phrases: list[str] = Field(min_length=1)
    category: Category
    direction: Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE"]
    max_scope: int | None = None
    terminated_by: list[Category] = Field(default_factory=list)


class ContextRules(_Strict):
    rules: list[ContextRuleGroup]


class Vocabulary(_Strict):
    numbers: Numbers
    time: TimeWords
    cues: Cues
    context: ContextRules


def _read(name: str) -> Any:
    return yaml.safe_load((resources.files("crampcheck.intake") / "data" / name).read_text(encoding="utf-8"))


@cache
def load_vocabulary() -> Vocabulary:
    """The intake vocabulary shipped in the package (read once; invalid files raise)."""
    return Vocabulary(
        numbers=Numbers.model_validate(_read("numbers.yaml")),
        time=TimeWords.model_validate(_read("time.yaml")),
        cues=Cues.model_validate(_read("cues.yaml")),
        context=ContextRules.model_validate(_read("context.yaml")),
    )


def norm(word: str) -> str:
    """How words are compared: lower case, curly apostrophes straightened, plural "s" dropped."""
    w = word.lower().replace("\u2019", "'")
    if len(w) > 4 and w.endswith(("ches", "shes", "xes", "sses")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "'s", "us", "is")):
        return w[:-1]
    return w


def words(phrase: str) -> list[str]:
    """A phrase split the way the tokenizer splits it (cached blank English tokenizer)."""
    return [t.text for t in _tokenizer()(phrase)]


@cache
def _tokenizer() -> Any:
    from crampcheck.intake.pipeline import blank_english

    return blank_english().tokenizer


def compile_term(term: str) -> list[list[dict[str, Any]]]:
    """A lay term as spaCy Matcher token patterns on normalised words (one per spelling of any
    alternative that the tokenizer splits, such as "I'd")."""
    patterns: list[list[dict[str, Any]]] = [[]]
    for chunk in term.split():
        if chunk in GAPS:
            # A short gap stays within a clause; a long one only within the sentence.
            gap: dict[str, Any] = {"IS_SENT_START": False, "OP": f"{{0,{GAPS[chunk]}}}"}
            if chunk == "...":
                gap["IS_PUNCT"] = False
            patterns = [p + [gap] for p in patterns]
            continue
        split = [words(a) for a in chunk.split("|")]
        if len(split) > 1 and all(len(w) == 1 for w in split):
            slot = {"NORM": {"IN": [norm(w[0]) for w in split]}}
            patterns = [p + [slot] for p in patterns]
        else:
            patterns = [p + [{"NORM": norm(w)} for w in alt] for p in patterns for alt in split]
    return patterns


def literal_words(term: str) -> frozenset[str]:
    """The words a term names itself (a negation among them is part of its meaning)."""
    return frozenset(norm(w) for chunk in term.split() for alt in chunk.split("|") for w in words(alt))
