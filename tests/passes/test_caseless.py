"""`Caseless.found` answers what a `re.IGNORECASE` search answers, for the patterns skc uses it
with (cap-bind's prompt keywords, the skill section titles) on ASCII and non-ASCII text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skc.compiler.caseless import Caseless
from skc.compiler.frontend.skill.classify import TITLE_KINDS
from skc.compiler.passes.cap_bind import KEYWORD_NEEDS

PATTERNS = [rf"\b(?:{p})\b" for p, _, _ in KEYWORD_NEEDS] + [c.folded.pattern for c, _ in TITLE_KINDS]
WORDS = ["Python", "SQL", "query", "Summarise", "ROOT CAUSE", "node.js", "Examples", "When to use", "Steps",
         "percentage", "ſum", "\u212aubernetes", "Overview", "do not", "Don't", "option 2", "İndex", "ı", "—"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=8).map(" ".join))
def test_found_is_an_ignorecase_search(text: str) -> None:
    for pattern in PATTERNS:
        assert Caseless(pattern).found(text) == bool(re.search(pattern, text, re.IGNORECASE)), (pattern, text)


def test_an_upper_case_letter_in_the_pattern_is_refused() -> None:
    with pytest.raises(ValueError, match="lower case"):
        Caseless(r"\bPython\b")
    Caseless(r"\S+\b")  # escapes are not letters to match
