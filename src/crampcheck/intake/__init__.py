"""Free-text intake: a person's own description of their cramps, read into contract answers.

The words come from the guidance (each option's ``lay_terms``, each yes/no question's
``lay_terms_yes`` / ``lay_terms_no``, the medicines' generic and brand names) and from the
everyday vocabulary in ``intake/data``. Negation, uncertainty, the past and other people are
judged by medspaCy's ConText. Every answer comes with the words it was read from, so the
person can confirm or change it; nothing here is a diagnosis.

>>> result = parse("I'm 58 with an underactive thyroid. Foot cramps most nights. No numbness.")
>>> result.answers["age"], result.answers["conditions"], result.answers["cramps_per_week"]
(58, ['hypothyroidism'], 5.0)
>>> result.denied
{'leg_symptoms': ['numbness']}
>>> result.evidence["age"][0].text
'58'
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from crampcheck.answers import Answers, AnswersError, validate_answers
from crampcheck.guidance import load_guidance

__all__ = ["Evidence", "IntakeResult", "parse", "warm_up"]


class Evidence(BaseModel):
    """Where in the text an answer was read: character offsets and the words themselves."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    text: str


class IntakeResult(BaseModel):
    """What was understood: contract answers, their evidence, and what the person denied."""

    model_config = ConfigDict(frozen=True)

    text: str
    answers: Answers
    evidence: dict[str, list[Evidence]]
    denied: dict[str, list[str]]
    about_someone_else: bool


def warm_up() -> None:
    """Build the pipeline now (it is otherwise built on the first :func:`parse`)."""
    from crampcheck.intake.pipeline import get_pipeline

    get_pipeline()


def parse(text: str) -> IntakeResult:
    """Read a narrative into answers (contract section 1), validated against the guidance."""
    from crampcheck.intake.extract import read
    from crampcheck.intake.pipeline import get_pipeline

    guidance = load_guidance()
    pipeline = get_pipeline()
    reading = read(pipeline, guidance, pipeline(text))
    answers: Answers = {}
    for key, value in reading.values.items():
        try:
            answers.update(validate_answers({key: _typed(guidance.question_map[key].type, value)}, guidance))
        except AnswersError:
            continue  # an amount outside the question's range is left for the person to give
    evidence = {
        key: [Evidence(start=s, end=e, text=text[s:e]) for s, e in spots]
        for key, spots in reading.evidence.items()
        if key in answers
    }
    denied = {k: v for k, v in reading.denied.items() if v}
    return IntakeResult(
        text=text,
        answers=answers,
        evidence=evidence,
        denied=denied,
        about_someone_else=reading.subject == "other",
    )


def _typed(kind: str, value: object) -> object:
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
