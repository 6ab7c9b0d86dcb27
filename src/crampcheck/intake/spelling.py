"""Forgiving spelling: a word one slip away from a vocabulary word is read as that word.

Only longer words are corrected, and only to a vocabulary word with the same first letter
(people rarely get the first letter wrong, and this keeps "lights" from becoming "nights").

>>> s = Speller({"numbness", "thyroid", "swelling"}, {})
>>> s.correct("thyriod"), s.correct("numbnes"), s.correct("lights")
('thyroid', 'numbness', 'lights')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

MIN_LENGTH = 6
"""Shorter words are too close to too many others to correct safely."""


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), stopping early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


class Speller:
    """Corrects words against a fixed vocabulary; results are cached."""

    def __init__(self, vocabulary: Iterable[str], aliases: Mapping[str, str]) -> None:
        self._known = {w for w in vocabulary if w}
        self._by_first: dict[str, list[str]] = {}
        for w in sorted(self._known):
            if len(w) >= MIN_LENGTH - 1 and w.isalpha():
                self._by_first.setdefault(w[0], []).append(w)
        self._aliases = dict(aliases)
        self._cache: dict[str, str] = {}

    def correct(self, word: str) -> str:
        """``word`` or the vocabulary word it was most likely meant to be."""
        if word in self._aliases:
            return self._aliases[word]
        if len(word) < MIN_LENGTH or not word.isalpha() or word in self._known:
            return word
        hit = self._cache.get(word)
        if hit is None:
            hit = self._lookup(word)
            if len(self._cache) < 50_000:
                self._cache[word] = hit
        return hit

    def _lookup(self, word: str) -> str:
        if word.endswith("s") and word[:-1] in self._known:
            return word
        limit = 2 if len(word) >= 9 else 1
        best, best_d = word, limit + 1
        for cand in self._by_first.get(word[0], ()):
            d = _distance(word, cand, limit)
            if d < best_d:
                best, best_d = cand, d
        return best
