"""A cheap first look for the recogniser regexes: the literal words a pattern cannot match without.

Most sentences of a document match none of a table's patterns, and Python's `re` tries a
big alternation of patterns (each with its own `\\b`, alternations and lazy repeats) at
every character: ~40 µs for one sentence against the confirmation table. But almost every
pattern names a word that any match must contain ("approval", "parallel", "escalat"):
`necessary(pattern)` reads the pattern's parse tree and returns such a set of literals
(every match contains at least one of them, ignoring case), and a `Screen` searches
the lower-cased text for any of them with one plain alternation of literals (~2 µs),
then runs only the patterns whose literals are there.

The screen never changes an answer, it only skips searches that cannot match:

- every pattern is read under `re.IGNORECASE`, so a case-sensitive literal (`CR`) is
  screened as its lower case: more text passes the screen, none is lost;
- literals are made of ASCII characters and characters without case (`⚠`); the text is
  lower-cased after mapping the four non-ASCII characters that `re.IGNORECASE` matches to
  an ASCII letter (`ſ`, `ı`, `İ`, the Kelvin sign `K`) to that letter, so a match's
  characters stay those of the literal (`tests/frontend/test_literals.py` checks the four
  against all of Unicode);
- a pattern (or a row of a table) with no necessary literal is searched as before.
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

from skc.compiler.caseless import Lowered

# Non-ASCII characters that re.IGNORECASE takes for an ASCII letter (str.lower keeps them or
# makes two characters of them): folded to that letter before lower-casing.
FOLD = str.maketrans({"\u017f": "s", "\u0131": "i", "\u0130": "i", "\u212a": "k"})
_MIN = 2  # a one-character ASCII literal passes almost any text: not worth a search


def fold(text: str) -> str:
    """`text` lower-cased as the screens read it."""
    return text.lower() if text.isascii() else text.translate(FOLD).lower()


def _plain(code: int) -> bool:
    """An ASCII character, or one without case (`⚠`): matched, ignoring case, by itself only."""
    c = chr(code)
    return code < 128 or c.lower() == c == c.upper() == c.casefold()


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective set: the longest shortest literal, then the fewest literals."""
    if not candidates:
        return None
    return max(candidates, key=lambda s: (min(map(len, s)), -len(s)))


def _literals(items: Any) -> tuple[str | None, frozenset[str] | None, list[frozenset[str]]]:
    """(the exact text every match of `items` is, or None; a set of literals every match contains, or None;
    every such set found for the parts of `items`, the one before among them)."""
    run = ""  # literal characters matched one after the other
    exact: str | None = ""
    candidates: list[frozenset[str]] = []

    def cut() -> None:
        nonlocal run
        if run:
            candidates.append(frozenset({run}))
        run = ""

    for op, av in items:
        if op is sre.LITERAL and _plain(av):
            run += chr(av).lower()
            if exact is not None:
                exact += chr(av).lower()
            continue
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # zero width: the characters on both sides are adjacent in the match
        if op is sre.SUBPATTERN or op is sre.ATOMIC_GROUP:
            inner_exact, inner, _ = _literals(av[-1] if op is sre.SUBPATTERN else av)
            if inner_exact is not None:
                run += inner_exact
                if exact is not None:
                    exact += inner_exact
                continue
            cut()
            exact = None
            if inner is not None:
                candidates.append(inner)
            continue
        cut()
        exact = None
        if op is sre.BRANCH:
            sets = [_literals(branch)[1] for branch in av[1]]
            if all(s is not None for s in sets):
                candidates.append(frozenset().union(*sets))  # type: ignore[arg-type]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            inner = _literals(av[2])[1]
            if inner is not None:
                candidates.append(inner)
    cut()
    usable = [c for c in candidates if all(c)]
    return (exact if exact else None), _best(usable), usable


def necessary(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lower-case literals at least one of which every match of `pattern` contains
    (None: none found, or only ones too short to screen with)."""
    sets = necessary_sets(pattern)
    return sets[0] if sets is not None else None


def _too_short(words: frozenset[str]) -> bool:
    return any(len(w) < _MIN and w.isascii() for w in words)


def necessary_sets(pattern: re.Pattern[str]) -> list[frozenset[str]] | None:
    """Sets of lower-case literals such that every match of `pattern` contains one literal of
    each set: `necessary(pattern)` first, then the other parts' sets (a pattern's words in
    sequence, "ask ... for approval", each name a set of their own); None as `necessary`."""
    try:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)
    except re.error:  # pragma: no cover - the pattern compiled, so it parses
        return None
    exact, first, usable = _literals(tree)
    if exact:
        first = frozenset({exact})
    if first is None or _too_short(first):
        return None
    return [first, *dict.fromkeys(w for w in usable if w != first and not _too_short(w))]


def _fewest(words: frozenset[str]) -> list[str]:
    """`words` without those that hold another one (text holding "--force" holds "force")."""
    return sorted(w for w in words if not any(v != w and v in w for v in words))


def _alternation(words: frozenset[str]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, _fewest(words))))


class Screen:
    """Which of `patterns` could match a text (never leaving out one that matches): a pattern
    with necessary literals only when the lower-cased text holds one of them, the others
    (rare) always. Text holding none of the literals costs one search of a plain alternation."""

    def __init__(self, patterns: list[re.Pattern[str]], anchored: bool = False) -> None:
        self.patterns = patterns
        self.anchored = anchored
        self.row_words = [necessary_sets(p) for p in patterns]  # every part's literals: a row needs them all
        self.words = [sets[0] if sets is not None else None for sets in self.row_words]  # `necessary`
        self.always = [i for i, words in enumerate(self.words) if words is None]
        union = frozenset().union(*(words for words in self.words if words is not None))
        self.literals = _alternation(union) if union else None
        self.row_literals = [[_alternation(words) for words in sets] if sets is not None else None
                             for sets in self.row_words]
        self.single = len(patterns) == 1
        self.lowered = [Lowered(p) for p in patterns]

    def candidates(self, text: str) -> list[int]:
        """Indices (in order) of the patterns that may match `text`."""
        if self.literals is None:
            return self.always
        return self._candidates(text.lower() if text.isascii() else text.translate(FOLD).lower())  # fold(text), inlined

    def matching(self, text: str) -> Iterator[tuple[int, re.Match[str]]]:
        """(index, match) of each pattern that matches `text` (searched, or at its start when
        anchored), in order: the screen's candidates, each searched through its `Lowered`."""
        ascii_ = text.isascii()
        low = text.lower() if ascii_ else text.translate(FOLD).lower()  # fold(text): for ASCII, the lowered text too
        rows = self.always if self.literals is None else self._candidates(low)
        for i in rows:
            lower = self.lowered[i]
            if self.anchored:
                m = lower.match(text, low) if ascii_ else lower.pattern.match(text)
            else:
                m = lower.search(text, low) if ascii_ else lower.pattern.search(text)
            if m is not None:
                yield i, m

    def _candidates(self, low: str) -> list[int]:
        if self.literals is None:
            return self.always
        if self.literals.search(low) is None:
            return self.always
        if self.single:
            return [0]
        out = []
        for i, row in enumerate(self.row_literals):
            if row is not None:
                for found in row:
                    if found.search(low) is None:
                        break
                else:
                    out.append(i)
            else:
                out.append(i)
        return out

    def lines_to_try(self, lines: list[str]) -> set[int] | None:
        """Indices of `lines` that may pass the screen (never leaving out one that does), found
        by one search of the whole text instead of one per line; None: every line may (a
        pattern without literals). Each line is folded alone and the offsets come from the
        folded lines' lengths, so a line holding a newline itself, or one whose folding changes
        its length, keeps its index; literals hold no newline, so a hit never spans two lines."""
        if self.literals is None or self.always or "\n" in self.literals.pattern:
            return None
        text = "\n".join(lines)
        if text.isascii() and text.count("\n") == len(lines) - 1:  # lower-casing keeps every offset: count lines
            found: set[int] = set()
            at = line = 0
            for m in self.literals.finditer(text.lower()):
                line += text.count("\n", at, m.start())
                at = m.start()
                found.add(line)
            return found
        low = [fold(line) for line in lines]
        ends = list(accumulate(len(line) + 1 for line in low))  # past each line's joining newline
        return {bisect_right(ends, m.start()) for m in self.literals.finditer("\n".join(low))}

    def found(self, i: int, text: str) -> re.Match[str] | None:
        """Pattern `i`'s match in `text` (searched, or at its start when anchored)."""
        return self.patterns[i].match(text) if self.anchored else self.patterns[i].search(text)

    def could_match(self, text: str) -> bool:
        """Whether one of the patterns matches `text`."""
        return next(self.matching(text), None) is not None


class Screened:
    """One pattern behind its screen: `search` and `sub_first` answer as the pattern's own would."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.screen = Screen([pattern])
        self.lowered = Lowered(pattern)

    def search(self, text: str) -> re.Match[str] | None:
        literals = self.screen.literals  # Screen.candidates for one pattern, inlined: a hot path
        if text.isascii():
            low = text.lower()
            return None if literals is not None and literals.search(low) is None else self.lowered.search(text, low)
        if literals is not None and literals.search(text.translate(FOLD).lower()) is None:
            return None
        return self.pattern.search(text)

    def sub_first(self, text: str) -> str:
        """`text` without the pattern's first match (`pattern.sub("", text, count=1)`)."""
        m = self.search(text)
        return text if m is None else text[:m.start()] + text[m.end():]
