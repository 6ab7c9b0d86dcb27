"""Amounts in a narrative: how long the longest cramp lasted, how often cramps come, how long
they have been going on, age and alcohol.

Each amount is judged by the words around it: "two hours of tennis" is not a cramp's length,
"I run three times a week" is not how often cramps come, "28 weeks pregnant" is not how long
they have been going on.

>>> from crampcheck.intake.vocab import load_vocabulary
>>> from crampcheck.intake.amounts import split_words
>>> found = read_amounts(load_vocabulary(), split_words("I'm 58, cramps 3-4 nights a week for 2 months"), [])
>>> [(f.key, f.value) for f in found]
[('age', 58), ('cramps_per_week', 3.5), ('weeks_since_first_cramp', 8.7)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from crampcheck.intake.amounts import Reader, Word
from crampcheck.intake.vocab import Vocabulary, norm

CLAUSE_BREAKS = frozenset(
    {",", ";", ".", "!", "?", ":", "(", ")", "and", "but", "then", "so", "because", "-"}
)
_NOT_AGE_AFTER = frozenset(
    {
        "%",
        "kg",
        "kgs",
        "stone",
        "st",
        "lb",
        "lbs",
        "pounds",
        "kilos",
        "cm",
        "ft",
        "foot",
        "feet",
        "inches",
        "x",
        "times",
    }
)
_TIED_TO_CRAMPS = frozenset(
    {"been", "them", "they", "it", "these", "this", "started", "began", "start", "since", "ago", "on"}
)
_SELF = frozenset({"i'm", "im", "i"})
_OTHER = frozenset({"he's", "she's", "he", "she", "hes", "shes"})


@dataclass(frozen=True)
class Found:
    """An amount for an answer key, where it was said, and whether it is about someone else."""

    key: str
    value: float
    start: int
    end: int
    about_other: bool = False
    in_cramp_clause: bool = False


class Mention(NamedTuple):
    """A matched phrase's character range and kind ("cramp", "activity", "condition", ...)."""

    start: int
    end: int
    kind: str


_PHRASE_INDEX: dict[int, dict[str, list[tuple[tuple[str, ...], float]]]] = {}


@dataclass(frozen=True)
class _Tables:
    """Look-ups derived from the vocabulary, built once per vocabulary."""

    activities: frozenset[str]
    cramps: frozenset[str]
    relatives: frozenset[str]
    drinks: frozenset[str]
    short: dict[str, float]
    long: dict[str, float]
    period: dict[str, float]


_TABLES: dict[int, _Tables] = {}


def _tables(vocab: Vocabulary) -> _Tables:
    found = _TABLES.get(id(vocab))
    if found is not None:
        return found
    cues, t = vocab.cues, vocab.time
    period = {w: t.per_week[name] for name, u in t.units.items() if name in t.per_week for w in u.words}
    for name, ws in t.period_words.items():
        period.update({w: t.per_week[name] for w in ws})
    made = _Tables(
        activities=frozenset(norm(a) for a in cues.activities),
        cramps=frozenset(norm(a) for a in cues.cramp_words),
        relatives=frozenset(norm(a) for a in cues.relatives),
        drinks=frozenset(
            [w for w in cues.drink_units if w not in cues.needs_alcohol_word] + list(cues.alcohol_words)
        ),
        short={w: t.units[name].minutes for name in t.cramp_length_units for w in t.units[name].words},
        long={w: t.units[name].minutes / 10080 for name in t.history_units for w in t.units[name].words},
        period=period,
    )
    _TABLES[id(vocab)] = made
    return made


class _Scan:
    def __init__(self, vocab: Vocabulary, words: list[Word], mentions: list[Mention]) -> None:
        self.v = vocab
        self.norms = [norm(w.text) for w in words]
        self.r = Reader(vocab, words)
        self.w = words
        self.clause: list[int] = []
        c = 0
        for word in words:
            if word.text in CLAUSE_BREAKS:
                c += 1
            self.clause.append(c + 1000 * word.sent)
        tables = _tables(vocab)
        self.short, self.long, self.period = tables.short, tables.long, tables.period
        self.kinds: list[set[str]] = []
        for word, n in zip(words, self.norms, strict=True):
            kinds = {kind for m_start, m_end, kind in mentions if word.start < m_end and m_start < word.end}
            if n in tables.relatives:
                kinds.add("relative")
            if n in tables.activities:
                kinds.add("activity")
            if n in tables.cramps:
                kinds.add("cramp")
            if word.text in tables.drinks:
                kinds.add("drink")
            self.kinds.append(kinds)

    def phrases(self, table: dict[str, float]) -> dict[str, list[tuple[tuple[str, ...], float]]]:
        """``table``'s phrases indexed by their first normalised word (built once per table)."""
        index = _PHRASE_INDEX.get(id(table))
        if index is None:
            index = {}
            for phrase, value in table.items():
                parts = tuple(norm(p) for p in phrase.split())
                index.setdefault(parts[0], []).append((parts, value))
            _PHRASE_INDEX[id(table)] = index
        return index

    def clause_has(self, i: int, kind: str) -> bool:
        c = self.clause[i]
        return any(kind in self.kinds[j] for j in range(len(self.w)) if self.clause[j] == c)

    def near(self, start: int, end: int, kind: str, before: int, after: int) -> bool:
        """``kind`` within the window around [start, end), in the same clause."""
        lo, hi = max(0, start - before), min(len(self.w), end + after)
        c = self.clause[start]
        return any(kind in self.kinds[j] and self.clause[j] == c for j in range(lo, hi))

    def found(self, key: str, value: float, i: int, end: int, other: bool = False) -> Found:
        cramp = self.clause_has(i, "cramp")
        return Found(key, value, self.w[i].start, self.w[max(i, end - 1)].end, other, cramp)


def read_amounts(vocab: Vocabulary, words: list[Word], mentions: list[Mention]) -> list[Found]:
    """Every amount found, in text order (callers choose among several for one key)."""
    s = _Scan(vocab, words, mentions)
    out: list[Found] = []
    i = 0
    while i < len(words):
        got = _age(s, i) or _frequency(s, i) or _length(s, i) or _history(s, i)
        if got:
            out.append(got[0])
            i = got[1]
        else:
            i += 1
    out += _alcohol(s)
    return out


def _phrase(s: _Scan, i: int, phrases: dict[str, float]) -> tuple[float, int] | None:
    best: tuple[float, int] | None = None
    for parts, value in s.phrases(phrases).get(s.norms[i] if i < len(s.norms) else "", ()):
        if tuple(s.norms[i : i + len(parts)]) == parts and (best is None or i + len(parts) > best[1]):
            best = (value, i + len(parts))
    return best


def _rate(s: _Scan, j: int) -> tuple[float, int] | None:
    """A period after a count: "a week", "per night", "each month", "in a fortnight"."""
    r, t = s.r, s.v.time
    k = j
    while r.at(k) in t.rate_words and k < j + 3:
        k += 1
    if k > j and r.at(k) in s.period:
        return s.period[r.at(k)], k + 1
    if r.at(j) in ("last", "past", "this") or (r.at(j) in ("in", "over") and r.at(j + 1) in ("the", "a")):
        k = j + 1 if r.at(j) in ("last", "past", "this") else j + 2
        if r.at(k) in ("last", "past"):
            k += 1
        span = s.long.get(r.at(k))
        if span and r.at(k) not in ("day", "days"):
            return 1 / span, k + 1
    return None


def _frequency(s: _Scan, i: int) -> tuple[Found, int] | None:
    if s.near(i, i + 1, "activity", 4, 0) or s.near(i, i + 1, "drink", 4, 0):
        if not s.clause_has(i, "cramp"):
            return None
    if (s.clause_has(i, "drink") or s.clause_has(i, "medicine")) and not s.clause_has(i, "cramp"):
        return None
    fixed = _phrase(s, i, s.v.time.frequency_phrases)
    if fixed:
        return s.found("cramps_per_week", fixed[0], i, fixed[1]), fixed[1]
    r = s.r
    if r.at(i) in ("every", "each"):
        n = r.number(i + 1)
        j = n.end if n else i + 1
        if n and r.at(j) in s.period:
            return s.found("cramps_per_week", round(s.period[r.at(j)] / max(n.mid, 0.1), 2), i, j + 1), j + 1
        return None
    j0 = r.skip_approx(i)
    n = r.number(j0)
    if n is None:
        return None
    j = n.end
    if r.at(j) in s.v.time.event_words and r.at(j) not in s.period:
        j += 1
    elif r.at(j) in s.period and r.at(j + 1) not in s.v.time.rate_words:
        return None
    elif r.at(j) in s.period:
        j += 1
    elif r.at(j - 1) not in ("once", "twice", "thrice") and r.at(j) not in ("a", "per", "each", "every"):
        return None
    rate = _rate(s, j)
    if rate is None:
        return None
    return s.found("cramps_per_week", round(n.mid * rate[0], 2), i, rate[1]), rate[1]


def _length(s: _Scan, i: int) -> tuple[Found, int] | None:
    r = s.r
    if r.at(i - 1) in ("every", "each", "within", "after", "in"):
        return None
    d = r.duration(i, s.short)
    if d is None or r.at(d.end) in s.v.time.not_length_after:
        return None
    if s.near(i, d.end, "activity", 3, 2):
        return None
    return s.found("longest_cramp_minutes", round(d.high, 2), i, d.end), d.end


def _history(s: _Scan, i: int) -> tuple[Found, int] | None:
    r, t = s.r, s.v.time
    if r.at(i - 1) in t.onset_words or r.at(i - 2) in ("since", "started", "began"):
        rel = _phrase(s, i, t.relative_onsets)
        if rel:
            return s.found("weeks_since_first_cramp", rel[0], i, rel[1]), rel[1]
    if r.at(i) in ("past", "last") and r.at(i - 1) == "the" and r.at(i + 1) in s.long:
        d = r.duration(i + 1, s.long)
        if d is None:
            unit = s.long[r.at(i + 1)]
            half = r.at(i + 2) == "and" and r.at(i + 4) == "half"
            return s.found("weeks_since_first_cramp", round(unit * (1.5 if half else 1), 2), i, i + 2), i + 2
    if (
        r.at(i - 1) in t.not_history_before
        or r.at(i - 1) in t.event_words
        or r.at(i - 1) in s.v.cues.drink_units
    ):
        return None
    d = r.duration(i, s.long)
    if d is None or r.at(d.end) in t.not_history_after or _rate(s, d.end - 1) is not None:
        return None
    k = i - 1
    while r.at(k) in s.v.numbers.approximators and k > i - 4:
        k -= 1
    onset = r.at(k) in t.onset_words or f"{r.at(k - 1)} {r.at(k)}" in t.onset_words
    if not onset and r.at(d.end) not in t.ago_words and r.at(d.end) != "now":
        return None
    if r.at(d.end) in t.rate_words and r.at(d.end + 1) in s.period:
        return None
    clause = {s.r.at(k) for k in range(len(s.w)) if s.clause[k] == s.clause[i]}
    since_then = "since" in clause and r.at(d.end) in t.ago_words  # "since starting X a month ago,"
    if not s.clause_has(i, "cramp") and not since_then:
        for kind in ("condition", "medicine", "activity", "pregnant", "relative"):
            if s.clause_has(i, kind):
                return None
        # "Smoker for 40 years": with no cramp in the sentence, only "it's been", "had them",
        # "started" and the like tie the time to the cramps.
        sent = s.w[i].sent
        if not any("cramp" in s.kinds[k] for k in range(len(s.w)) if s.w[k].sent == sent):
            if not clause & _TIED_TO_CRAMPS:
                return None
    return s.found("weeks_since_first_cramp", round(d.mid, 2), i, d.end), d.end


def _age(s: _Scan, i: int) -> tuple[Found, int] | None:
    r = s.r
    t = r.at(i)
    if not t.isdigit() and t not in s.v.numbers.words:
        return None
    n = r.number(i)
    if n is None or n.low != n.high or not 1 <= n.low <= 120 or n.low != int(n.low):
        return None
    j = n.end
    after = r.at(j)
    before, before2 = r.at(i - 1), r.at(i - 2)
    aged = after in ("yo", "y/o", "yrs", "yr", "years", "year") and (
        r.at(j + 1) in ("old", "of") or (r.at(j + 1) == "-" and r.at(j + 2) == "old") or after == "yo"
    )
    if after == "-" and r.at(j + 1) in ("year", "yr") and r.at(j + 3) == "old":
        aged = True
    said = (
        before in ("aged", "age", "'m") or (before == "'s" and i >= 2) or before in ("i'm", "im", "am", "is")
    )
    said = said or (before == "(" and after == ")") or (before == "m" and before2 == "i")
    if not (aged or said) or (said and not aged and (after in r.unit_name or after in _NOT_AGE_AFTER)):
        return None
    if before == "'s" and not ("relative" in s.kinds[i - 2] or before2 in ("he", "she", "who", "dad", "mum")):
        return None
    if (
        before == "is"
        and before2 not in _OTHER
        and not any("relative" in s.kinds[k] for k in range(max(0, i - 4), i))
    ):
        return None
    other = _about_other(s, i)
    end = j
    if aged:
        while end < len(s.w) and r.at(end) in (
            "yo",
            "y/o",
            "yrs",
            "yr",
            "years",
            "year",
            "-",
            "old",
            "of",
            "age",
        ):
            end += 1
    return s.found("age", int(n.low), i, end, other), max(end, j)


def _about_other(s: _Scan, i: int) -> bool:
    """Whether the amount at ``i`` is said of someone else ("my 80-year-old mother", "he's 63")."""
    for j in range(i + 1, min(len(s.w), i + 6)):
        if s.r.at(j) in CLAUSE_BREAKS - {"-"}:
            break
        if "relative" in s.kinds[j]:
            return True
    for j in range(i - 1, max(-1, i - 7), -1):
        word = s.r.at(j)
        if word in _SELF or word in ("my", "me") and "relative" not in s.kinds[j + 1]:
            return False
        if word in _OTHER or "relative" in s.kinds[j] or word in ("his", "her"):
            return True
    return False


def _alcohol(s: _Scan) -> list[Found]:
    """Drinks with a rate ("two pints most nights", "a bottle of wine at the weekend")."""
    out: list[Found] = []
    i = 0
    while i < len(s.w):
        got = _drink(s, i)
        if got is None:
            i += 1
            continue
        out.append(got[0])
        i = got[1]
    return out


def _drink(s: _Scan, i: int) -> tuple[Found, int] | None:
    r, cues = s.r, s.v.cues
    n = r.number(i, article=True)
    if n is None:
        return None
    j = n.end
    while r.at(j) in ("large", "small", "big", "of", "red", "white", "strong"):
        j += 1
    unit_word = r.at(j)
    units = cues.drink_units.get(unit_word)
    if units is None:
        return None
    k = j + 1
    if r.at(k) == "of" and r.at(k + 1) in ("alcohol", "booze"):
        k += 2
    sent = s.w[i].sent
    near = {r.at(x) for x in range(max(0, i - 4), min(len(s.w), k + 4)) if s.w[x].sent == sent}
    if unit_word in cues.needs_alcohol_word and not near & set(cues.alcohol_words):
        return None
    if {r.at(x) for x in range(j + 1, k + 3)} & {
        "water",
        "squash",
        "juice",
        "tea",
        "coffee",
        "milk",
        "fluid",
        "fluids",
    }:
        return None  # "a glass of water", "two pints of squash"
    if unit_word in ("bottle", "bottles") and near & set(cues.small_bottle_after):
        units = cues.small_bottle_units
    while k < len(s.w) and r.at(k) not in CLAUSE_BREAKS and k < j + 8:
        fixed = _phrase(s, k, s.v.time.frequency_phrases)
        rate = (fixed[0], fixed[1]) if fixed else _rate(s, k)
        if rate is None and r.at(k) in ("weekend", "weekends"):
            rate = (1.0, k + 1)
        if rate:
            value = round(n.mid * units * rate[0], 1)
            return s.found("alcohol_units_per_week", value, i, rate[1], _about_other(s, i)), rate[1]
        k += 1
    return None
