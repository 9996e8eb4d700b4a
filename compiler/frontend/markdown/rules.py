"""Recognisers as data: ordered tables of `(pattern, builder)` rows walked by one matcher.

A front-end idiom is one row: a compiled regular expression and a builder that turns
its match into what the idiom means (a step number, an exit status, a parallel hint,
an llm kind), or None to let the next row try:

    EXITS = Rules(
        Rule(re.compile(r"\\bescalat(?:e|ion)\\b", re.I), lambda m: "escalate"),  # "escalate to ..." -> escalate
        Rule(re.compile(r"\\babort\\b", re.I), lambda m: "stop"),                  # "abort" -> stop
    )
    EXITS.first("Escalate to the on-call")  # -> "escalate"

Rows are tried in table order (the first row whose builder returns a value wins), so
a table reads like the `if`/`elif` ladder it replaces. Each table also compiles its
patterns into one alternation (`Rules.any`, each pattern under its own flags) that
rejects text no row can match with a single regex search; most sentences of a
document match no row of most tables, so this is where the front end's time goes.
Tables combine with `+` (rows of the left table first).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

_FLAGS = ((re.IGNORECASE, "i"), (re.DOTALL, "s"), (re.MULTILINE, "m"), (re.VERBOSE, "x"))


def _scoped(pattern: re.Pattern[str]) -> str:
    """`pattern`'s source under its own flags, as a group that can sit in an alternation
    (named groups become plain groups: two rows may use the same name)."""
    flags = "".join(letter for flag, letter in _FLAGS if pattern.flags & flag)
    source = re.sub(r"\(\?P<\w+>", "(", pattern.pattern)
    return f"(?{flags}:{source})" if flags else f"(?:{source})"


@dataclass(frozen=True)
class Rule(Generic[T]):
    """One row: where `pattern` matches (searched, or matched at the start when the table
    is anchored), `build(match)` says what the text means (None: not this row after all)."""

    pattern: re.Pattern[str]
    build: Callable[[re.Match[str]], T | None]


class Rules(Generic[T]):
    """An ordered table of rules with one combined pattern to reject non-matching text fast."""

    def __init__(self, *rules: Rule[T], anchored: bool = False) -> None:
        self.rules = rules
        self.anchored = anchored
        self.any = re.compile("|".join(_scoped(r.pattern) for r in rules)) if rules else re.compile(r"(?!)")

    def __add__(self, other: Rules[T]) -> Rules[T]:
        return Rules(*self.rules, *other.rules, anchored=self.anchored)

    def could_match(self, text: str) -> bool:
        """Whether some row's pattern matches `text` (one regex search)."""
        return (self.any.match(text) if self.anchored else self.any.search(text)) is not None

    def matches(self, text: str) -> Iterator[tuple[re.Match[str], Rule[T]]]:
        """(match, rule) for each row whose pattern matches `text`, in table order."""
        if not self.could_match(text):
            return
        for rule in self.rules:
            m = rule.pattern.match(text) if self.anchored else rule.pattern.search(text)
            if m is not None:
                yield m, rule

    def first(self, text: str, accept: Callable[[re.Match[str]], bool] | None = None) -> T | None:
        """What the first matching row (whose match `accept` takes, when given) builds, or None."""
        for m, rule in self.matches(text):
            if accept is not None and not accept(m):
                continue
            value = rule.build(m)
            if value is not None:
                return value
        return None
