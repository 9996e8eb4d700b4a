"""Searches that only look at the end of a text answer as the whole-text regexes they replace:
`snippets.ends_naming` ("use `x`", "the `x` command") and `commands.ends_running` ("run
`x`", "via `x`"), over generated text and the boundary cases (`\\b` before the window)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skc.compiler.frontend.common.commands import _RUNS_IT, ends_running
from skc.compiler.frontend.markdown.snippets import _NAMED_AFTER, ends_naming

_PIECES = st.sampled_from(["run", "running", "execute", "executing", "via", "using", "with", "exec", "command",
                           "type", "invoke", "the", "a", "an", "use", "of", "by", "x", "xx", "_", "é", "1", " ", "  ",
                           "\t", "\n", "\xa0", "\u2003", ".", ":", "`", "-", "(", "RUN", "The", "\u017f", "\u212a"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=10).map("".join))
def test_tail_searches_answer_as_the_regexes(text: str) -> None:
    assert ends_naming(text) == (_NAMED_AFTER.search(text) is not None)
    assert ends_running(text) == (_RUNS_IT.search(text) is not None)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_tail_searches_answer_as_the_regexes_on_any_text(text: str) -> None:
    assert ends_naming(text) == (_NAMED_AFTER.search(text) is not None)
    assert ends_running(text) == (_RUNS_IT.search(text) is not None)


@pytest.mark.parametrize("text", ["xxxxxxxxxxxexecuting", "xxxxxusing", "you can use", "with  \t", "xrun:", "run",
                                  "to run ", "executing the", "", "  ", "a" * 50 + " via ..."])
def test_tail_search_boundaries(text: str) -> None:
    assert ends_naming(text) == (_NAMED_AFTER.search(text) is not None)
    assert ends_running(text) == (_RUNS_IT.search(text) is not None)
