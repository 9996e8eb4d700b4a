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
a table reads like the `if`/`elif` ladder it replaces. Most sentences of a document
match no row of most tables, so each table first rejects such text cheaply
(`Rules.screen`, see `literals`): one search of the lower-cased text for the words
its rows cannot match without; only the rows whose words are there are tried.
Tables combine with `+` (rows of the left table first).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from skc.compiler.frontend.markdown.literals import Screen

T = TypeVar("T")


@dataclass(frozen=True)
class Rule(Generic[T]):
    """One row: where `pattern` matches (searched, or matched at the start when the table
    is anchored), `build(match)` says what the text means (None: not this row after all)."""

    pattern: re.Pattern[str]
    build: Callable[[re.Match[str]], T | None]


class Rules(Generic[T]):
    """An ordered table of rules with a screen to reject non-matching text fast."""

    def __init__(self, *rules: Rule[T], anchored: bool = False) -> None:
        self.rules = rules
        self.anchored = anchored
        self.screen = Screen([r.pattern for r in rules], anchored)

    def __add__(self, other: Rules[T]) -> Rules[T]:
        return Rules(*self.rules, *other.rules, anchored=self.anchored)

    def could_match(self, text: str) -> bool:
        """Whether some row's pattern matches `text`."""
        return self.screen.could_match(text)

    def matches(self, text: str) -> Iterator[tuple[re.Match[str], Rule[T]]]:
        """(match, rule) for each row whose pattern matches `text`, in table order."""
        for i, m in self.screen.matching(text):
            yield m, self.rules[i]

    def first(self, text: str, accept: Callable[[re.Match[str]], bool] | None = None) -> T | None:
        """What the first matching row (whose match `accept` takes, when given) builds, or None."""
        for m, rule in self.matches(text):
            if accept is not None and not accept(m):
                continue
            value = rule.build(m)
            if value is not None:
                return value
        return None
