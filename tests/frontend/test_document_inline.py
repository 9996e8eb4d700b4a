"""The document model's inline pass (`markdown/document.py`): runs without markup skip
markdown-it's inline tokenizer and must come out exactly as it would have made them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from skc.compiler.frontend.markdown import document

_REFERENCE = MarkdownIt("commonmark").enable("table")  # markdown-it's own inline rule, every run tokenized


def _inline_children(md: MarkdownIt, text: str) -> list[list[tuple[str, str]]]:
    return [[(c.type, c.content) for c in t.children or []] for t in md.parse(text, {}) if t.type == "inline"]


# Every ASCII character that is no markup trigger, a few that are, and some non-ASCII text.
_CHARS = st.sampled_from([*" abcXYZ019.,:;-+=#$%^~|/'\"(){}?@", "\n", "*", "_", "`", "[", "]", "!", "<", "&", "\\",
                          "é", "–", "\u00a0", "  ", "&amp;", "&#35;", "\\*", "  \n"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_CHARS, max_size=40).map("".join), st.sampled_from(["{}", "# {}", "- {}", "| a | {} |\n|---|---|\n| {} | b |"]))
def test_plain_runs_come_out_as_markdown_it_makes_them(text: str, shape: str) -> None:
    doc = shape.format(text, text)
    assert _inline_children(document._MD, doc) == _inline_children(_REFERENCE, doc)


def test_corpus_inline_tokens_unchanged(corpus: Path) -> None:
    files = sorted(corpus.rglob("*.md"))[::5]
    assert len(files) > 100
    for f in files:
        text = document.decode(f.read_bytes())
        if text is not None:
            assert _inline_children(document._MD, text) == _inline_children(_REFERENCE, text), f
