"""One English-comparison table: every phrase a recogniser matches has a predicate in it."""

from __future__ import annotations

import re

import pytest

from skc.compiler.compare import COMPARISONS, comparison
from skc.compiler.frontend.markdown import predicates
from skc.compiler.passes import cap_bind


def alternatives(pattern: re.Pattern[str], group: str | int) -> list[str]:
    """The literal words of the first `(...|...)` alternation of `group` in `pattern`."""
    text = pattern.pattern
    start = text.index(f"(?P<{group}>") + len(f"(?P<{group}>") if isinstance(group, str) else text.index("(") + 1
    depth, end = 1, start
    while depth:
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        end += 1
    return [w.replace("\\s+", " ").rstrip("?").replace("s?", "s") for w in text[start:end - 1].split("|")]


@pytest.mark.parametrize(("pattern", "group"), [(predicates._NUMERIC, "op"), (cap_bind._THRESHOLD, 1)])
def test_every_phrase_a_recogniser_matches_is_in_the_table(pattern: re.Pattern[str], group: str | int) -> None:
    phrases = alternatives(pattern, group)
    assert len(phrases) > 10
    for phrase in phrases:
        m = pattern.search(f"x {phrase} 5")
        assert m is not None, phrase
        assert comparison(m.group(group)) in {"gt", "ge", "lt", "le", "eq"}, phrase


def test_phrases_normalise_and_unknown_ones_are_none() -> None:
    assert comparison("Greater   THAN") == "gt"
    assert comparison("fewer than") == "lt" == COMPARISONS["below"]
    assert comparison("roughly") is None
