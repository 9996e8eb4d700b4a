"""Case-insensitive tests of a pattern, fast for ASCII text.

`re.IGNORECASE` makes `re` compare every character through Unicode case folding: a
search of a keyword alternation over a prompt was about nine times slower than the same
search, case-sensitive, over the prompt in lower case. For ASCII text the two agree
(lowering changes only `A-Z`, and word boundaries stay where they were), so

    Caseless(r"\\bsummari[sz]e\\b").found(text)

searches `text.lower()` with a case-sensitive pattern when `text` is ASCII, and `text`
with the `re.IGNORECASE` pattern otherwise (`ſ` or the Kelvin sign fold to `s` and `k`).
It answers only whether the pattern occurs: the positions and groups of a match in the
lowered text are not the text's. The pattern must hold no upper-case letter outside an
escape (`\\S`, `\\B`, ...), which the lowered text could never match.
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\.", re.DOTALL)


class Caseless:
    """A pattern tested case-insensitively (see the module docstring)."""

    __slots__ = ("folded", "lower")

    def __init__(self, pattern: str) -> None:
        if any(c.isupper() for c in _ESCAPE.sub("", pattern)):
            raise ValueError(f"a caseless pattern is written in lower case: {pattern!r}")
        self.folded = re.compile(pattern, re.IGNORECASE)
        self.lower = re.compile(pattern)

    def found(self, text: str) -> bool:
        """Whether the pattern occurs in `text`, ignoring case."""
        if text.isascii():
            return self.lower.search(text.lower()) is not None
        return self.folded.search(text) is not None
