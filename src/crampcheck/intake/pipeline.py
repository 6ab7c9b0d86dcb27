"""The spaCy pipeline: a blank English tokenizer, rule matchers built from the guidance's lay
terms, and medspaCy's ConText for negation, uncertainty, history and other people.

Nothing is downloaded: the pipeline is built from what spaCy and medspaCy ship. It is built
once per process (:func:`get_pipeline`) and reused.

>>> nlp = get_pipeline()
>>> doc = nlp("No swelling in my left calf.")
>>> [(s.label_, s._.is_negated) for s in doc.spans["intake"] if s.label_.startswith("leg_")]
[('leg_symptoms=swelling', True)]
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from crampcheck.guidance import Guidance, load_guidance
from crampcheck.intake.spelling import Speller
from crampcheck.intake.vocab import Vocabulary, compile_term, literal_words, load_vocabulary, norm

SPANS = "intake"
"""The span group holding every match; ConText reads it (spans there may overlap)."""


@cache
def blank_english() -> Any:
    """``spacy.blank("en")``, importing spaCy without its known import-time warning.

    spaCy 3.7's CLI module imports ``click.parser.split_arg_string``, which Click 8.2 marks as
    deprecated; the warning is about spaCy's CLI, which crampcheck never uses, so it is
    silenced for that import only.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"Importing 'parser\.split_arg_string'", category=DeprecationWarning
        )
        import medspacy.context  # noqa: F401  (imports spaCy; must happen under the filter)
        import spacy

    return spacy.blank("en")


@dataclass(frozen=True)
class Rule:
    """What a matcher pattern stands for: ``key=value`` (or ``cue=...``) and its own words."""

    label: str
    term: str
    literal: frozenset[str]


def guidance_terms(g: Guidance) -> Iterator[tuple[str, str]]:
    """(label, lay term) pairs for every option and yes/no question in the guidance."""
    for q in g.questions:
        for o in q.options:
            for t in o.lay_terms:
                yield f"{q.key}={o.value}", t
        for t in q.lay_terms_yes:
            yield f"{q.key}=yes", t
        for t in q.lay_terms_no:
            yield f"{q.key}=no", t
    for m in g.medicines:
        for name in m.names:
            yield f"medicine={m.generic}", name.replace("|", " ").replace("~", " ")


def cue_terms(v: Vocabulary) -> Iterator[tuple[str, str]]:
    c = v.cues
    groups = {
        "cramp": c.cramp_words,
        "leg": c.leg_words,
        "activity": c.activities,
        "alcohol": [*c.alcohol_words, *c.drink_units],
        "no_alcohol": c.no_alcohol,
        "start": c.start_phrases,
        "medicine_noun": c.medicine_nouns,
        "block": c.blockers,
        "relative": c.relatives,
        "third_person": c.third_person,
        "first_person": c.first_person,
    }
    for name, terms in groups.items():
        for t in terms:
            yield f"cue={name}", t


class Pipeline:
    """The loaded pipeline and the rules behind each match id."""

    def __init__(self, guidance: Guidance, vocab: Vocabulary) -> None:
        self.nlp = blank_english()
        from medspacy.context import ConText, ConTextRule
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.tokens import Doc, Span

        self.vocab = vocab
        self.nlp.add_pipe("sentencizer")
        self.rules: dict[int, Rule] = {}
        # Plain phrases go to the PhraseMatcher (fast); only patterns with gaps need the Matcher.
        self.matcher = Matcher(self.nlp.vocab)
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="NORM")
        known: set[str] = set()
        for label, term in [*guidance_terms(guidance), *cue_terms(vocab)]:
            patterns = compile_term(term)
            key = f"{label}|{term}"
            flat = _as_phrases(patterns)
            if flat is None:
                self.matcher.add(key, patterns)
            else:
                docs = []
                for phrase in flat:
                    doc = Doc(self.nlp.vocab, words=phrase)
                    for tok, word in zip(doc, phrase, strict=True):
                        tok.norm_ = word
                    docs.append(doc)
                self.phrases.add(key, docs)
            self.rules[self.nlp.vocab.strings[key]] = Rule(label, term, literal_words(term))
            known.update(w for pattern in patterns for tok in pattern for w in _pattern_words(tok))
        self.speller = Speller(known, vocab.cues.norm_aliases)
        if not Span.has_extension("crampcheck_literal"):
            Span.set_extension("crampcheck_literal", default=frozenset())
        self.context = ConText(
            self.nlp,
            rules=None,
            input_span_type="group",
            span_group_name=SPANS,
            prune_on_modifier_overlap=True,
        )
        for group in vocab.context.rules:
            for trigger in group.phrases:
                self.context.add(
                    ConTextRule(
                        trigger,
                        group.category,
                        direction=group.direction,
                        max_scope=group.max_scope,
                        terminated_by=set(group.terminated_by) or None,
                    )
                )
        # One token-pattern rule, so ConText's token matcher is never empty (spaCy warns W036
        # on every document otherwise).
        self.context.add(
            ConTextRule("semicolon", "TERMINATE", pattern=[{"TEXT": ";"}], direction="TERMINATE", max_scope=1)
        )

    def __call__(self, text: str) -> Any:
        doc = self.nlp(text)
        for tok in doc:
            tok.norm_ = norm(self.speller.correct(tok.lower_))
        spans = self._targets(doc)
        doc.spans[SPANS] = spans
        return self.context(doc)

    def _targets(self, doc: Any) -> list[Any]:
        from spacy.tokens import Span

        found: list[Any] = []
        blocks: list[tuple[int, int]] = []
        for match_id, start, end in [*self.matcher(doc), *self.phrases(doc)]:
            rule = self.rules[match_id]
            if rule.label == "cue=block":
                blocks.append((start, end))
                continue
            span = Span(doc, start, end, label=rule.label)
            span._.crampcheck_literal = rule.literal
            found.append(span)
        found = [s for s in found if not any(_blocked(s, b) for b in blocks)]
        return _prune(found)


def _as_phrases(patterns: list[list[dict[str, Any]]]) -> list[list[str]] | None:
    """The word sequences a gap-free pattern stands for, or None if it has gaps."""
    out: list[list[str]] = []
    for pattern in patterns:
        seqs: list[list[str]] = [[]]
        for tok in pattern:
            if "OP" in tok:
                return None
            seqs = [seq + [w] for seq in seqs for w in _pattern_words(tok)]
            if len(seqs) > 256:
                return None
        out += seqs
    return out


def _pattern_words(tok: dict[str, Any]) -> list[str]:
    value = tok.get("NORM")
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return list(value.get("IN", []))
    return []


def _blocked(span: Any, block: tuple[int, int]) -> bool:
    """A match is blocked by a phrase it overlaps but does not cover: "red" by "red wine",
    "couldn't walk" by "walk it off" (which itself still counts for its own question)."""
    overlaps = span.start < block[1] and block[0] < span.end
    covers = span.start <= block[0] and block[1] <= span.end
    return overlaps and not covers


def _prune(spans: list[Any]) -> list[Any]:
    """Among overlapping matches for the same key, keep the longest ("no new medicines" beats
    "new medicines"; "type 2 diabetes" beats "diabetes")."""
    spans.sort(key=lambda s: (-(s.end - s.start), s.start))
    kept: list[Any] = []
    for s in spans:
        key = _key(s)
        if any(k.start < s.end and s.start < k.end and _key(k) == key for k in kept):
            continue
        kept.append(s)
    kept.sort(key=lambda s: (s.start, s.end))
    return kept


def _key(span: Any) -> str:
    """What overlapping matches compete for: a yes/no question or a single choice as a whole
    ("no new medicines" over "new medicines"), each option of a list on its own ("swollen and
    warm" does not hide "swollen")."""
    label: str = span.label_
    key, _, value = label.partition("=")
    return key if value in ("yes", "no") or key == "which_leg" else label


@cache
def get_pipeline() -> Pipeline:
    """The pipeline for the package's guidance, built on first use and kept for the process."""
    return Pipeline(load_guidance(), load_vocabulary())
