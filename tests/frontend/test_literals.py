"""The literal screens of the recogniser tables (`markdown/literals.py`): they skip searches,
never change an answer."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skc.compiler.caseless import Lowered, lowered
from skc.compiler.frontend.markdown import (
    choices,
    code_comments,
    confirm,
    evidence,
    flow,
    intro_checks,
    llm_kinds,
    predicates,
    prose,
    thresholds,
    trailing,
)
from skc.compiler.frontend.markdown.literals import (
    FOLD,
    Screen,
    Screened,
    fold,
    necessary,
    necessary_sets,
)
from skc.compiler.frontend.markdown.rules import Rules

_TABLES = {
    "jumps": flow.JUMPS.screen, "parallel": flow.PARALLEL_HINTS.screen, "exits": flow.EXITS.screen,
    "llm-kinds": llm_kinds.LLM_KINDS.screen, "requests": Screen([p for _, p in confirm.REQUESTS]),
    "leads": Screen([prose.LEADS]), "backref": Screen([llm_kinds._BACKREF]),
    "interprets": Screen([llm_kinds._INTERPRETS]),
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


@pytest.mark.parametrize(("pattern", "sets"), [
    (re.compile(r"\bescalat(?:e|ion)\b", re.I), [{"escalat"}]),
    (re.compile(r"\bask\s+(?:[\w-]+\s+){0,2}?for\s+(?:permission|approval)\b", re.I),
     [{"permission", "approval"}, {"ask"}, {"for"}]),  # each word of the sequence names a set a match needs
    (re.compile(r"\bwith\b|\bcheck\s+first", re.I), [{"with", "check"}]),  # branches: the union only
    (re.compile(r"\d+\s*%\s+of\s+nodes"), [{"nodes"}, {"of"}]),  # a one-character set is left out
    (re.compile(r"\d+\s*%"), None),
])
def test_necessary_sets(pattern: re.Pattern[str], sets: list[set[str]] | None) -> None:
    found = necessary_sets(pattern)
    assert (None if found is None else [set(s) for s in found]) == sets
    if found is not None:
        assert found[0] == necessary(pattern)


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


_WORDS = sorted({w for s in _TABLES.values() for sets in s.row_words if sets for ws in sets for w in ws}
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


def _every_screen() -> dict[str, Screen]:
    """Every screened table and pattern the recogniser modules define at import."""
    out: dict[str, Screen] = {}
    for module in (choices, code_comments, confirm, flow, llm_kinds, prose):
        for name, value in vars(module).items():
            if isinstance(value, Rules):
                out[f"{module.__name__}.{name}"] = value.screen
            elif isinstance(value, (Screen, Screened)):
                out[f"{module.__name__}.{name}"] = value if isinstance(value, Screen) else value.screen
    return out


def test_every_screen_agrees_with_its_patterns_on_corpus_sentences(corpus: Path) -> None:
    """The property the screens promise, for every table: on corpus sentences, the rows a screen
    lets through and that match are exactly the rows that match without it."""
    screens = _every_screen()
    assert len(screens) >= 10
    files = sorted(corpus.rglob("*.md"))[::9]
    text = "\n".join(f.read_text(encoding="utf-8", errors="replace") for f in files)
    sentences = {s for _, s in prose.sentences(text)} | {line for line in text.split("\n") if line.strip()}
    assert len(sentences) > 5000
    for name, screen in screens.items():
        anchored = screen.anchored
        for s in sentences:
            expected = [i for i, p in enumerate(screen.patterns) if (p.match(s) if anchored else p.search(s))]
            assert [i for i in screen.candidates(s) if screen.found(i, s)] == expected, (name, s)
            assert screen.could_match(s) == bool(expected), (name, s)


@pytest.mark.parametrize(("pattern", "twin"), [
    (re.compile(r"\bescalat(?:e|ion)\b\S*", re.I), True),
    (re.compile(r"\bescalat(?:e|ion)\b"), False),   # case-sensitive already
    (re.compile(r"\bCR\b", re.I), False),             # an upper-case letter: lowered text never holds it
    (re.compile(r"(?P<kw>if|when)\s+(?P=kw)", re.I), True),  # group names are no letters to match
    (re.compile(r"[A-Z]\w+", re.I), False),
    (re.compile(r"(?-i:x)y", re.I), False),            # scoped flags
    (re.compile(r"\x4b", re.I), False),                # a character named by number
    (re.compile(r"caf\u00e9", re.I), False),
    (re.compile("café", re.I), False),                 # not ASCII
])
def test_lowered_twins_only_patterns_it_can_stand_for(pattern: re.Pattern[str], twin: bool) -> None:
    assert (lowered(pattern) is not None) is twin


def _lowered_patterns() -> dict[str, re.Pattern[str]]:
    out = {name: screen.patterns[i] for name, screen in _every_screen().items()
           for i in range(len(screen.patterns)) if screen.lowered[i].can}
    out |= {"trailing": trailing._TRAILING.pattern, "hint-words": flow._HINT_WORDS.pattern,
            "conditional": flow._CONDITIONAL.pattern, "checking": confirm.CHECKING.pattern,
            "destructive": confirm.DESTRUCTIVE.pattern, "negated": confirm._NEGATED.pattern,
            "dry-run": confirm._DRY_RUN.pattern, "mention": confirm._MENTION.pattern,
            "inspects": evidence._INSPECTS.pattern, "results": evidence._RESULTS.pattern,
            "bound": thresholds._BOUND.pattern, "cue": thresholds._CUE.pattern, "intro-cue": intro_checks._CUE.pattern,
            "empty": predicates._EMPTY.pattern, "nonempty": predicates._NONEMPTY.pattern,
            "contains": predicates._CONTAINS.pattern}
    return out


def test_lowered_answers_as_the_pattern_on_corpus_sentences(corpus: Path) -> None:
    """Same match (span and groups) as the pattern's own search and match, on every corpus
    sentence, line and upper-cased line."""
    files = sorted(corpus.rglob("*.md"))[::9]
    text = "\n".join(f.read_text(encoding="utf-8", errors="replace") for f in files)
    lines = {line for line in text.split("\n") if line.strip()}
    texts = {s for _, s in prose.sentences(text)} | lines | {line.upper() for line in list(lines)[::4]}
    patterns = _lowered_patterns()
    assert len(patterns) >= 15
    for name, pattern in patterns.items():
        low = Lowered(pattern)
        for t in texts:
            for mine, theirs in ((low.search(t), pattern.search(t)), (low.match(t), pattern.match(t))):
                assert (mine and (mine.span(), mine.groups())) == (theirs and (theirs.span(), theirs.groups())), (name, t)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_WORDS, "If", "WHEN", "In Case", "Parallel", "At The Same Time", "x.", "!"]),
                max_size=12).map(" ".join), st.sampled_from(sorted(_lowered_patterns())))
def test_lowered_answers_as_the_pattern(text: str, name: str) -> None:
    pattern = _lowered_patterns()[name]
    low = Lowered(pattern)
    for mine, theirs in ((low.search(text), pattern.search(text)), (low.match(text), pattern.match(text))):
        assert (mine and (mine.span(), mine.groups())) == (theirs and (theirs.span(), theirs.groups()))
