"""The loaded guidance: every file's content with the look-ups the engine and the shells need.

>>> from crampcheck.guidance import load_guidance
>>> g = load_guidance()
>>> g.question_map["age"].type
'integer'
"""

from __future__ import annotations

from functools import cached_property

from crampcheck.guidance.model import (
    AdviceFile,
    AdviceItem,
    Cause,
    CausesFile,
    Disagreement,
    DisagreementsFile,
    DispositionInfo,
    DispositionsFile,
    Medicine,
    MedicinesFile,
    Question,
    QuestionsFile,
    Rule,
    RulesFile,
    Source,
    SourcesFile,
    Threshold,
    leaves,
)


class Guidance:
    """All the guidance content, validated. Build it with :func:`crampcheck.guidance.load_guidance`."""

    def __init__(
        self,
        *,
        sources: SourcesFile,
        questions: QuestionsFile,
        rules: RulesFile,
        dispositions: DispositionsFile,
        causes: CausesFile,
        medicines: MedicinesFile,
        advice: AdviceFile,
        disagreements: DisagreementsFile,
    ) -> None:
        self.version: str = sources.version
        self.source_list: list[Source] = sources.sources
        self.questions: list[Question] = questions.questions
        self.threshold_list: list[Threshold] = rules.thresholds
        self.rules: list[Rule] = rules.rules
        self.disposition_list: list[DispositionInfo] = dispositions.dispositions
        self.causes: list[Cause] = causes.causes
        self.medicines: list[Medicine] = medicines.medicines
        self.medicine_ignore_words: list[str] = medicines.ignore_words
        self.advice: list[AdviceItem] = advice.advice
        self.disagreement_list: list[Disagreement] = disagreements.disagreements

    @cached_property
    def sources(self) -> dict[str, Source]:
        return {s.id: s for s in self.source_list}

    @cached_property
    def question_map(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions}

    @cached_property
    def thresholds(self) -> dict[str, float]:
        return {t.id: t.value for t in self.threshold_list}

    @cached_property
    def dispositions(self) -> dict[str, DispositionInfo]:
        return {d.id: d for d in self.disposition_list}

    def section_title(self, source_id: str, section_id: str) -> str:
        """The human title of a cited section."""
        return next(s.title for s in self.sources[source_id].sections if s.id == section_id)

    def constants_for(self, key: str) -> set[float]:
        """Every number the guidance compares the answer ``key`` with."""
        conds = [r.when for r in self.rules] + [c.when for c in self.causes]
        conds += [a.when for a in self.advice] + [q.ask_when for q in self.questions]
        out: set[float] = set()
        for cond in conds:
            if cond is None:
                continue
            for leaf in leaves(cond):
                if leaf.key != key:
                    continue
                for op in ("gt", "ge", "lt", "le"):
                    bound = getattr(leaf, op)
                    if isinstance(bound, float | int):
                        out.add(bound)
                    elif bound is not None and bound.threshold in self.thresholds:
                        out.add(self.thresholds[bound.threshold])
        return out
