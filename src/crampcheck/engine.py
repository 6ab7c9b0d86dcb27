"""The assessment engine: answers in, disposition with reasons, causes and advice out.

Pure functions over the guidance; no clinical fact lives here. The most urgent rule that fires
wins and every rule that fired is a reason, most urgent first.

>>> result = assess({"longest_cramp_minutes": 15, "eases_with_movement": False})
>>> result.disposition
'urgent'
>>> [r.id for r in result.reasons]
['long-cramp-not-eased-by-moving']
>>> [q.key for q in next_questions({"general_symptoms": ["chest_pain"]})]
[]
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crampcheck import contract
from crampcheck.answers import validate_answers
from crampcheck.guidance import Guidance, load_guidance
from crampcheck.guidance.condition import Facts, Test, compile_condition
from crampcheck.guidance.loader import candidate_values
from crampcheck.guidance.model import Question, SourceRef
from crampcheck.medicines import MedicineMatcher


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(_Out):
    """A source id and section, as in the guidance's sources.yaml."""

    id: str
    section: str


class Reason(_Out):
    """Why the disposition was reached: one rule that fired."""

    id: str
    text: str
    disposition: str
    sources: list[Citation]
    assumed: list[str] = Field(
        default_factory=list,
        description="Answer keys that were not known and were read the safer way for this rule.",
    )


class CauseItem(_Out):
    """A possible cause to discuss with a professional (never a diagnosis)."""

    id: str
    title: str
    text: str
    sources: list[Citation]
    medicine: str | None = Field(default=None, description="Generic name, when a listed medicine matched.")


class AdviceOut(_Out):
    """Self-care advice, with numbered steps where it is an exercise."""

    id: str
    kind: str
    title: str
    text: str
    steps: list[str] = Field(default_factory=list)
    sources: list[Citation]


class Assessment(_Out):
    """The result of an assessment (contract section 2, with added fields)."""

    disposition: str
    disposition_label: str
    care_card: str
    what_to_do: list[str]
    reasons: list[Reason]
    causes: list[CauseItem]
    advice: list[AdviceOut]
    guidance_version: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; ``medicine`` appears only on causes that name one."""
        data = self.model_dump()
        for cause in data["causes"]:
            if cause["medicine"] is None:
                del cause["medicine"]
        return data


def _cite(refs: list[SourceRef]) -> list[Citation]:
    return [Citation(id=r.id, section=r.section) for r in refs]


class Engine:
    """Compiled guidance. Build once; :meth:`assess` is then cheap and has no side effects."""

    def __init__(self, guidance: Guidance) -> None:
        self.guidance = guidance
        g, th = guidance, guidance.thresholds
        self.matcher = MedicineMatcher.from_guidance(g)
        rank = {d: i for i, d in enumerate(contract.DISPOSITIONS)}
        ordered = sorted((r for r in g.rules if not r.fallback), key=lambda r: rank[r.disposition])
        self._rules: list[tuple[Test, Reason]] = [
            (
                compile_condition(r.when, th),
                Reason(id=r.id, text=r.reason, disposition=r.disposition, sources=_cite(r.sources)),
            )
            for r in ordered
            if r.when is not None
        ]
        fallback = next(r for r in g.rules if r.fallback)
        self._fallback = Reason(
            id=fallback.id,
            text=fallback.reason,
            disposition=fallback.disposition,
            sources=_cite(fallback.sources),
        )
        self._causes = [
            (compile_condition(c.when, th) if c.when is not None else None, c)
            for c in g.causes
            if c.kind != "fallback"
        ]
        idio = next(c for c in g.causes if c.kind == "fallback")
        self._idiopathic = CauseItem(
            id=idio.id, title=idio.title, text=idio.text, sources=_cite(idio.sources)
        )
        self._cause_items = {
            c.id: CauseItem(id=c.id, title=c.title, text=c.text, sources=_cite(c.sources)) for c in g.causes
        }
        self._advice = [
            (
                compile_condition(a.when, th) if a.when is not None else None,
                AdviceOut(
                    id=a.id, kind=a.kind, title=a.title, text=a.text, steps=a.steps, sources=_cite(a.sources)
                ),
            )
            for a in g.advice
        ]
        self._dispositions = g.dispositions

    def facts(self, answers: Mapping[str, Any]) -> Facts:
        meds = answers.get("medicines")
        return Facts(answers, self.matcher.match_all(meds) if meds else ())

    def assess(self, answers: Mapping[str, Any]) -> Assessment:
        """Assess answers that are already valid (see :func:`crampcheck.answers.validate_answers`)."""
        facts = self.facts(answers)
        reasons: list[Reason] = []
        for test, reason in self._rules:
            v = test(facts)
            if v.value is True and v.anchored:
                if v.assumed:
                    reason = reason.model_copy(update={"assumed": list(dict.fromkeys(v.assumed))})
                reasons.append(reason)
        if not reasons:
            reasons.append(self._fallback)
        info = self._dispositions[reasons[0].disposition]
        return Assessment.model_construct(
            disposition=info.id,
            disposition_label=info.label,
            care_card=info.care_card,
            what_to_do=info.what_to_do,
            reasons=reasons,
            causes=self._find_causes(facts),
            advice=[item for test, item in self._advice if test is None or _holds(test, facts)],
            guidance_version=self.guidance.version,
        )

    def _find_causes(self, facts: Facts) -> list[CauseItem]:
        causes: list[CauseItem] = []
        secondary = False
        for test, cause in self._causes:
            if test is None or not _holds(test, facts):
                continue
            secondary = secondary or cause.kind == "secondary"
            if cause.per_medicine and facts.medicines and cause.medicine_text:
                causes += [
                    self._cause_items[cause.id].model_copy(
                        update={
                            "medicine": name,
                            "text": cause.medicine_text.format(medicine=name.capitalize()),
                        }
                    )
                    for name in facts.medicines
                ]
            else:
                causes.append(self._cause_items[cause.id])
        if not secondary:
            causes.append(self._idiopathic)
        return causes

    def outcome(self, answers: Mapping[str, Any]) -> tuple[str, frozenset[str]]:
        """What a new answer could change: the disposition and the possible causes."""
        a = self.assess(answers)
        return a.disposition, frozenset(c.id for c in a.causes)

    def is_relevant(self, question: Question, answers: Mapping[str, Any]) -> bool:
        """Whether asking ``question`` now could change the outcome."""
        if question.ask_when is not None:
            verdict = compile_condition(question.ask_when, self.guidance.thresholds)(self.facts(answers))
            if verdict.value is False:
                return False
        if question.stage == "context":
            return True  # asked for the record: what the doctor will ask, and the GP report
        before = self.outcome(answers)
        for value in candidate_values(self.guidance, question):
            if self.outcome({**answers, question.key: value}) != before:
                return True
        return False

    def next_questions(self, answers: Mapping[str, Any], declined: Collection[str] = ()) -> list[Question]:
        """The questions still worth asking, most dangerous first.

        Empty once an emergency is reached (the person must be told at once) or when nothing
        left could change the disposition or the possible causes. ``declined`` holds keys the
        person answered "don't know" to: they are not asked again.
        """
        if self.assess(answers).disposition == contract.DISPOSITIONS[0]:
            return []
        return [
            q
            for q in self.guidance.questions
            if q.key not in answers and q.key not in declined and self.is_relevant(q, answers)
        ]


def _holds(test: Test, facts: Facts) -> bool:
    v = test(facts)
    return v.value is True and v.anchored


@cache
def default_engine() -> Engine:
    """The engine for the package's guidance, built once per process."""
    return Engine(load_guidance())


def assess(answers: Mapping[str, Any]) -> Assessment:
    """Validate ``answers`` (contract section 1) and assess them.

    Raises :class:`crampcheck.answers.AnswersError` naming every bad key.
    """
    return default_engine().assess(validate_answers(dict(answers)))


def next_questions(answers: Mapping[str, Any], declined: Collection[str] = ()) -> list[Question]:
    """The adaptive order: questions still worth asking for ``answers``, most dangerous first."""
    return default_engine().next_questions(validate_answers(dict(answers)), declined)
