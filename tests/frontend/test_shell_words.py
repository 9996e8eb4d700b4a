"""`common.shell_words.split_words` gives exactly `shlex`'s words (posix, punctuation_chars,
whitespace_split), and raises where `shlex` raises: over generated text rich in quotes,
escapes, comments and operators, and over every command line of the corpus."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skc.compiler.frontend.common.shell_text import (
    CLOSERS,
    KEYWORDS,
    _compound_depth,
    logical_lines,
    words_of,
)
from skc.compiler.frontend.common.shell_words import split_words
from skc.compiler.frontend.markdown.document import parse_document


def _shlex(text: str) -> tuple[str, ...] | str:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return tuple(lexer)
    except ValueError:
        return "ValueError"


def _split(text: str) -> tuple[str, ...] | str:
    try:
        return split_words(text)
    except ValueError:
        return "ValueError"


_PIECES = st.sampled_from([" ", "\t", "\n", "\r", "a", "bc", "$x", "-f", "=", ".", "~", "*", ";", "|", "&", "(", ")",
                           "<", ">", "'", '"', "\\", "#", "\\\n", "''", '""', "é", "\x0b", "`"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=16).map("".join))
def test_split_words_is_shlex_on_generated_text(text: str) -> None:
    assert _split(text) == _shlex(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_split_words_is_shlex_on_any_text(text: str) -> None:
    assert _split(text) == _shlex(text)


@pytest.mark.parametrize(("text", "words"), [
    ("kubectl get pods -n x | grep -v Running", ("kubectl", "get", "pods", "-n", "x", "|", "grep", "-v", "Running")),
    ("a 2>&1 || b;;c", ("a", "2", ">&", "1", "||", "b", ";;", "c")),
    ("echo 'it''s' \"a \\\"b\\\" \\$c\" d\\ e", ("echo", "its", 'a "b" \\$c', "d e")),
    ("a#b c\nd # e\nf", ("a", "d", "f")),  # `#` starts a comment inside a word too
    ("x '' y", ("x", "", "y")),
])
def test_split_words_examples(text: str, words: tuple[str, ...]) -> None:
    assert split_words(text) == words == _shlex(text)


@pytest.mark.parametrize("text", ["echo 'open", 'echo "open', "trailing \\", 'a "b\\'])
def test_split_words_raises_where_shlex_raises(text: str) -> None:
    assert _shlex(text) == "ValueError"
    with pytest.raises(ValueError, match=r"No (?:closing quotation|escaped character)"):
        split_words(text)


def test_split_words_is_shlex_on_corpus_command_lines(corpus: Path) -> None:
    """Every logical line of every code block of the corpus runbooks, and each line alone."""
    texts: set[str] = set()
    for path in sorted((corpus / "runbooks").rglob("*.md")):
        doc = parse_document(path.read_text(encoding="utf-8", errors="replace"), str(path))
        for sec in doc.root.walk():
            stack = list(sec.blocks)
            while stack:
                b = stack.pop()
                stack.extend(b.children)
                if b.kind == "code":
                    texts.update(cmd for cmd, _, _ in logical_lines(b.code, console=False))
                    texts.update(b.code.split("\n"))
                texts.update(s.text for s in b.spans)
    assert len(texts) > 5000
    differ = [t for t in texts if _split(t) != _shlex(t)]
    assert differ == []


def _depth_by_words(line: str) -> int:
    depth, prev = 0, ";"
    for w in words_of(line):
        if prev in (";", "&&", "||", "|", "do", "then", "else", "(", "{", "!"):
            depth += (w in KEYWORDS) - (w in CLOSERS)
        prev = w
    return depth


_SHELL_PIECES = st.sampled_from([" ", ";", "|", "&&", "for", "fi", "done", "if", "case", "esac", "do", "x", "'", '"',
                                 "\\", "#", "f'o'r", "(", "é", "\xa0", "while"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_SHELL_PIECES, max_size=12).map("".join))
def test_compound_depth_screen_changes_no_answer(line: str) -> None:
    """The keyword screen of `_compound_depth` only skips lines whose words hold no keyword."""
    assert _compound_depth(line) == _depth_by_words(line)
