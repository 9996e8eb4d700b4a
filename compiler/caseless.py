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
escape (`\\S`, `\\B`, ...), which the lowered text could never match (`can_lower`).

`Lowered(re.compile(p, re.IGNORECASE))` answers the same way with the match itself: its
case-sensitive twin finds a hit in the lowered text, and the pattern is matched in the
text at that place (the recogniser tables of `frontend/markdown` use it).
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\.", re.DOTALL)
_SCOPED_FLAGS = re.compile(r"\(\?[aiLmsux-]")
_GROUP_NAME = re.compile(r"\(\?P(?:<\w+>|=\w+\))")  # `(?P<name>`, `(?P=name)`: no letters to match


class Caseless:
    """A pattern tested case-insensitively (see the module docstring)."""

    __slots__ = ("folded", "lower")

    def __init__(self, pattern: str) -> None:
        self.folded = re.compile(pattern, re.IGNORECASE)
        if not can_lower(self.folded):
            raise ValueError(f"a caseless pattern is written in lower case (ASCII, no scoped flags or "
                             f"numbered escapes): {pattern!r}")
        self.lower = re.compile(pattern)

    def found(self, text: str) -> bool:
        """Whether the pattern occurs in `text`, ignoring case."""
        if text.isascii():
            return self.lower.search(text.lower()) is not None
        return self.folded.search(text) is not None


def lowered(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """`pattern` without `re.IGNORECASE`, for its searches of lower-cased ASCII text (None:
    not such a pattern, see `can_lower`)."""
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE) if can_lower(pattern) else None


def can_lower(pattern: re.Pattern[str]) -> bool:
    """Whether `pattern` finds on ASCII text, ignoring case, what its case-sensitive twin finds
    at the same places in the text lower-cased: lower-casing changes only `A-Z`, which the
    pattern, written in lower case, matches either way, and `\\w`, `\\b`, `\\s` see the same
    characters (a case-sensitive search skips `re`'s per-character case folding: 2-6x faster
    on corpus sentences). The pattern must be ASCII, with no upper-case letter outside an
    escape (`\\S`, `\\B`) or a group name, no escape naming a character by number and no
    scoped flags."""
    text = pattern.pattern
    if not pattern.flags & re.IGNORECASE or not text.isascii() or _SCOPED_FLAGS.search(text):
        return False
    bare = _GROUP_NAME.sub("", _ESCAPE.sub("", text))
    return not any(c.isupper() for c in bare) and re.search(r"\\[xuUN0-7]", text) is None


class Lowered:
    """An `re.IGNORECASE` pattern whose `search` and `match` answer as its own, faster: on
    ASCII text its `lowered` twin first searches the lower-cased text (most texts do not
    match: one fast search); a hit is matched in `text` itself at the twin's position, the
    leftmost place the pattern matches, so the match is the one `pattern.search` returns.
    The twin is compiled when first asked for (a row no text reaches costs no compile)."""

    __slots__ = ("can", "pattern", "twin")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.can = can_lower(pattern)
        self.twin: re.Pattern[str] | None = None

    def _twin(self) -> re.Pattern[str]:
        self.twin = twin = re.compile(self.pattern.pattern, self.pattern.flags & ~re.IGNORECASE)
        return twin

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        """`pattern.search(text)`; `low`: `text.lower()` when the caller has it."""
        if not self.can or not text.isascii():
            return self.pattern.search(text)
        m = (self.twin or self._twin()).search(text.lower() if low is None else low)
        return None if m is None else self.pattern.match(text, m.start())

    def match(self, text: str, low: str | None = None) -> re.Match[str] | None:
        """`pattern.match(text)`; `low`: `text.lower()` when the caller has it."""
        if not self.can or not text.isascii():
            return self.pattern.match(text)
        twin = self.twin or self._twin()
        return None if twin.match(text.lower() if low is None else low) is None else self.pattern.match(text)
