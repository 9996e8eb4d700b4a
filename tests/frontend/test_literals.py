"""The literal screens of the recogniser tables (`markdown/literals.py`): they skip searches,
never change an answer."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skc.compiler.frontend.markdown import confirm, flow, prose
from skc.compiler.frontend.markdown.literals import FOLD, Screen, Screened, fold, necessary

_TABLES = {
    "jumps": flow.JUMPS.screen, "parallel": flow.PARALLEL_HINTS.screen, "exits": flow.EXITS.screen,
    "llm-kinds": prose.LLM_KINDS.screen, "requests": Screen([p for _, p in confirm.REQUESTS]),
    "leads": Screen([prose.LEADS]), "backref": Screen([prose._BACKREF]), "interprets": Screen([prose._INTERPRETS]),
}


@pytest.mark.parametrize(("pattern", "words"), [
    (re.compile(r"\bescalat(?:e|ion)\b", re.I), {"escalat"}),
    (re.compile(r"\b(?:abort|stop)\b|end of (?:the )?procedure", re.I), {"abort", "stop", "procedure"}),  # the longest literal of a branch
    (re.compile(r"\bchange\s+(?:request|issue)\b|\ban?\s+CR\b"), {"change", "cr"}),  # case-sensitive CR, screened lower-cased
    (re.compile(r"(?:first|then)[,:]?\s+"), {"first", "then"}),
    (re.compile(r"warning|\u26a0"), {"warning", "\u26a0"}),  # a character without case screens as itself
    (re.compile(r"(?:ab){2,}x"), {"ab"}),
    (re.compile(r"\d+\s*%"), None),     # one character: not worth a screen
    (re.compile(r"\w+ing\b|x"), None),  # one branch without a literal: every text may match
    (re.compile(r"(?:run)?\s+now"), {"now"}),  # an optional part names nothing a match needs
])
def test_necessary_literals(pattern: re.Pattern[str], words: set[str] | None) -> None:
    assert necessary(pattern) == (frozenset(words) if words is not None else None)


def test_fold_maps_every_character_ignore_case_takes_for_an_ascii_letter() -> None:
    """All of Unicode: a character that re.IGNORECASE matches to an ASCII letter folds to it."""
    letter = re.compile(r"[a-z]", re.I)
    for code in range(128, sys.maxunicode + 1):
        c = chr(code)
        if letter.fullmatch(c):
            assert fold(c) == next(a for a in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(a, c, re.I)), hex(code)
    assert set(FOLD) == {0x17F, 0x131, 0x130, 0x212A}


def _answers(screen: Screen, text: str) -> list[int]:
    """Which patterns really match `text` (no screen)."""
    return [i for i, p in enumerate(screen.patterns) if p.search(text)]


def _screened(screen: Screen, text: str) -> list[int]:
    return [i for i in screen.candidates(text) if screen.found(i, text)]


_WORDS = sorted({w for s in _TABLES.values() for ws in s.words if ws for w in ws}
                | {"get", "approval from", "the owner", "Step 3", "go to", "ſ", "ı", "İ", "\u212a", " ", ", ", ". ",
                   "\n", "SIGN-OFF", "With", "#releases", "in parallel", "Escalate", "don't"})


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12), st.sampled_from(sorted(_TABLES)), st.booleans())
def test_a_screen_never_hides_a_match(words: list[str], table: str, upper: bool) -> None:
    text = " ".join(words)
    text = text.upper() if upper else text
    screen = _TABLES[table]
    assert _screened(screen, text) == _answers(screen, text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*_WORDS, "\u03a3", "\u0130x"]), max_size=5).map("".join), max_size=8),
       st.sampled_from(sorted(_TABLES)))
def test_lines_to_try_leaves_out_no_line_that_matches(lines: list[str], table: str) -> None:
    """One search of the joined lines finds every line a per-line screen would let through."""
    screen = _TABLES[table]
    may = screen.lines_to_try(lines)
    for i, line in enumerate(lines):
        if _answers(screen, line):
            assert may is None or i in may, (i, line)


def test_screens_agree_with_the_patterns_on_corpus_lines(corpus: Path) -> None:
    files = sorted(corpus.rglob("*.md"))[::7]
    lines = {line for f in files for line in f.read_text(encoding="utf-8", errors="replace").split("\n") if line.strip()}
    assert len(lines) > 5000
    for name, screen in _TABLES.items():
        wrong = [line for line in lines if _screened(screen, line) != _answers(screen, line)]
        assert not wrong, (name, wrong[:3])


def test_screened_search_and_sub_first() -> None:
    leads = Screened(prose.LEADS)
    for text in ("First, then check the pods", "check the pods", "Now   restart", "know nothing"):
        assert leads.sub_first(text) == prose.LEADS.sub("", text, count=1)
        assert bool(leads.search(text)) == bool(prose.LEADS.search(text))
