"""Recognise the medicines the guidance links to cramps, as people write them.

Matching ignores case, punctuation, strengths and dosage-form words, and compares whole words,
so "EVISTA 60mg tablets" is raloxifene while "ferrous sulfate" matches nothing.

>>> from crampcheck.guidance import load_guidance
>>> matcher = MedicineMatcher.from_guidance(load_guidance())
>>> matcher.match("Evista 60 mg tablets")
('raloxifene',)
>>> matcher.match("paracetamol")
()
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crampcheck.guidance import Guidance

_WORD = re.compile(r"[a-z0-9]+(?:[.,/][0-9]+)*%?")


def _stem(token: str) -> str:
    # Plurals ("tablets", "pills", "estrogens") must not hide a name; applied to both sides.
    if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def tokens(text: str, ignore: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Lower-case words of ``text`` without numbers, strengths or ignored words.

    >>> tokens("Naproxen 250mg Tablets", frozenset({"tablet"}))
    ('naproxen',)
    """
    out = []
    for raw in _WORD.findall(text.lower()):
        if any(ch.isdigit() for ch in raw):
            continue  # a strength such as 60, 250mg, 0.03/0.15
        word = _stem(raw)
        if word not in ignore:
            out.append(word)
    return tuple(out)


class MedicineMatcher:
    """Finds listed medicines in free-form medicine names."""

    def __init__(self, names: Iterable[tuple[str, str]], ignore_words: Iterable[str]) -> None:
        """``names`` are (name people write, generic name) pairs."""
        self._ignore = frozenset(tok for w in ignore_words for tok in tokens(w))
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name, generic in names:
            toks = tokens(name, self._ignore)
            if toks:
                self._by_first.setdefault(toks[0], []).append((toks, generic))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_guidance(cls, guidance: Guidance) -> MedicineMatcher:
        pairs = [(name, m.generic) for m in guidance.medicines for name in m.names]
        return cls(pairs, guidance.medicine_ignore_words)

    def name_tokens(self, name: str) -> tuple[str, ...]:
        """How a name is compared (used by the guidance check)."""
        return tokens(name, self._ignore)

    def match(self, text: str) -> tuple[str, ...]:
        """Generic names of the listed medicines named in ``text``, in order, without repeats."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        toks = tokens(text, self._ignore)
        found: list[str] = []
        for i, tok in enumerate(toks):
            for name, generic in self._by_first.get(tok, ()):
                if toks[i : i + len(name)] == name and generic not in found:
                    found.append(generic)
                    break
        result = tuple(found)
        if len(self._cache) < 10_000:  # bounded: answers come from the public
            self._cache[text] = result
        return result

    def match_all(self, texts: Iterable[str]) -> tuple[str, ...]:
        """Generic names named in any of ``texts``, without repeats."""
        found: list[str] = []
        for text in texts:
            for generic in self.match(text):
                if generic not in found:
                    found.append(generic)
        return tuple(found)
