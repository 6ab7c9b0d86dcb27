"""Numbers, durations and rates in words or digits: "three or four", "12mins", "half an hour",
"a minute or two", "2-3 times a week".

Works on a flat list of :class:`Word` (the tokenizer's tokens, with glued forms such as "12mins"
or "58yo" split), so the callers can look at the words around each amount.

>>> from crampcheck.intake.vocab import load_vocabulary
>>> r = Reader(load_vocabulary(), split_words("three or four nights a week"))
>>> r.number(0)
Amount(low=3.0, high=4.0, end=3)
>>> r.duration(0, {"minute": 1.0})  # "nights" is not a unit here
>>> Reader(load_vocabulary(), split_words("half an hour")).duration(0, {"hour": 60.0})
Amount(low=30.0, high=30.0, end=3)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from crampcheck.intake.vocab import Vocabulary

_GLUED = re.compile(r"^(\d+(?:\.\d+)?)([a-z]+)$|^([a-z]+)(\d+(?:\.\d+)?)$")
_RANGE = re.compile(r"^(\d+(?:\.\d+)?)[-–/](\d+(?:\.\d+)?)$")
_DIGITS = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class Word:
    """One word: lower-case text, its character offsets and its sentence number."""

    text: str
    start: int
    end: int
    sent: int


class Amount(NamedTuple):
    low: float
    high: float
    end: int

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2


def split_words(text: str) -> list[Word]:
    """Words of ``text`` (whitespace and punctuation split), glued number-unit pairs split."""
    pattern = r"\d+(?:\.\d+)?[-–/]\d+(?:\.\d+)?|[\w'’&]+|[^\w\s]"
    return [w for m in re.finditer(pattern, text.lower()) for w in _split(m.group(0), m.start(), 0)]


def from_tokens(tokens: list[tuple[str, int, int]]) -> list[Word]:
    """Words from (text, character offset, sentence number) tokens, glued pairs split."""
    return [w for text, start, sent in tokens for w in _split(text.lower(), start, sent)]


def _split(tok: str, start: int, sent: int) -> list[Word]:
    tok = tok.replace("’", "'")
    m = _GLUED.match(tok)
    if m and m.group(1):
        n = m.group(1)
        return [
            Word(n, start, start + len(n), sent),
            Word(m.group(2), start + len(n), start + len(tok), sent),
        ]
    if m and m.group(3):
        a = m.group(3)
        return [
            Word(a, start, start + len(a), sent),
            Word(m.group(4), start + len(a), start + len(tok), sent),
        ]
    return [Word(tok, start, start + len(tok), sent)]


_UNIT_NAMES: dict[int, dict[str, str]] = {}


def _unit_names(vocab: Vocabulary) -> dict[str, str]:
    names = _UNIT_NAMES.get(id(vocab))
    if names is None:
        names = {word: name for name, u in vocab.time.units.items() for word in u.words}
        _UNIT_NAMES[id(vocab)] = names
    return names


class Reader:
    """Reads amounts at positions of a word list."""

    def __init__(self, vocab: Vocabulary, words: list[Word]) -> None:
        self.v = vocab
        self.w = words
        self.unit_name = _unit_names(vocab)

    def at(self, i: int) -> str:
        return self.w[i].text if 0 <= i < len(self.w) else ""

    def _single(self, i: int, article: bool) -> Amount | None:
        n = self.v.numbers
        t = self.at(i)
        if _DIGITS.match(t):
            return Amount(float(t), float(t), i + 1)
        m = _RANGE.match(t)
        if m:
            a, b = float(m.group(1)), float(m.group(2))
            if "/" in t and a < b and not self._is_counted(i + 1):
                return Amount(a / b, a / b, i + 1)
            return Amount(min(a, b), max(a, b), i + 1)
        if t in n.fractions:
            return Amount(n.fractions[t], n.fractions[t], i + 1)
        if t in n.words:
            value = n.words[t]
            j = i + 1
            if 20 <= value < 100 and value % 10 == 0:
                k = j + 1 if self.at(j) == "-" else j
                unit = n.words.get(self.at(k))
                if unit is not None and unit < 10:
                    value, j = value + unit, k + 1
            return Amount(value, value, j)
        j = i + 1 if t in n.articles and t in ("a", "an") else i
        vague = self.at(j)
        if vague in n.vague:
            k = j + 1
            if self.at(k) == "of":
                k += 1
            return Amount(n.vague[vague], n.vague[vague], k)
        if article and t in n.articles:
            return Amount(1.0, 1.0, i + 1)
        return None

    def _is_counted(self, i: int) -> bool:
        return self.at(i) in self.v.time.event_words or self.at(i) in self.unit_name

    def number(self, i: int, article: bool = False) -> Amount | None:
        """A number or a range of two ("three or four", "2-3", "5 to 10") starting at ``i``."""
        first = self._single(i, article)
        if first is None:
            return None
        j = first.end
        if self.at(j) in self.v.numbers.range_joiners:
            second = self._single(j + 1, article=False)
            if (
                second is not None
                and second.low >= first.low
                and not (self.at(j) == "and" and first.low >= 1)
            ):
                return Amount(first.low, second.high, second.end)
        return first

    def skip_approx(self, i: int) -> int:
        while self.at(i) in self.v.numbers.approximators:
            i += 1
        return i

    def duration(self, i: int, units: dict[str, float]) -> Amount | None:
        """A length of time starting at ``i``, in the units' scale ("half an hour" = 30 minutes)."""
        t = self.at(i)
        if t == "half" and self.at(i + 1) in ("a", "an") and self.at(i + 2) in units:
            value = 0.5 * units[self.at(i + 2)]
            return Amount(value, value, i + 3)
        if t in ("a", "an") and self.at(i + 1) == "quarter" and self.at(i + 2) == "of":
            inner = self.duration(i + 3, units)
            return Amount(inner.low / 4, inner.high / 4, inner.end) if inner else None
        amount = self.number(i, article=True)
        if amount is None or self.at(amount.end) not in units:
            return None
        scale = units[self.at(amount.end)]
        j = amount.end + 1
        low, high = amount.low * scale, amount.high * scale
        if self.at(j) == "and" and self.at(j + 1) in ("a", "an") and self.at(j + 2) == "half":
            low, high, j = low + scale / 2, high + scale / 2, j + 3
        elif self.at(j) == "or":
            more = self._single(j + 1, article=False)
            if more is not None and more.low * scale > high and self.at(more.end) not in units:
                high, j = more.high * scale, more.end
        return Amount(low, high, j)
