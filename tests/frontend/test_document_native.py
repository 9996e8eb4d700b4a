"""The native document builder (`markdown/cmark_document.py`) against markdown-it's: for every
markdown file of the corpus, for random documents, and for each construct where the two
parsers differ (there the document must be built by markdown-it, and say why)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skc.compiler.frontend.markdown import cmark_binding
from skc.compiler.frontend.markdown.document import _parse, decode, parse_document


def _both(text: str) -> tuple[object, object, str]:
    native, why = _parse(text, "doc.md", True)
    return native, parse_document(text, "doc.md", native=False), why


def test_cmark_is_installed() -> None:
    assert cmark_binding.CMARK is not None, cmark_binding.UNAVAILABLE


def test_every_corpus_document_is_the_same(corpus: Path) -> None:
    files = sorted(corpus.rglob("*.md"))
    assert len(files) > 1000
    differ, fallbacks, parsed = [], 0, 0
    for f in files:
        text = decode(f.read_bytes())
        if text is None:
            continue
        native, reference, why = _both(text)
        parsed += 1
        fallbacks += bool(why)
        if native != reference:
            differ.append(str(f))
    assert differ == []
    assert fallbacks < parsed / 10, f"{fallbacks} of {parsed} documents fell back to markdown-it"


# Lines people write, and the constructs where cmark-gfm 0.29 and markdown-it (CommonMark 0.31) part.
_LINES = st.sampled_from([
    "# Title", "## Step 1: check", "Setext", "===", "---", "", "", "text with `code` and *em*", "- item",
    "  - nested `x`", "1. first", "2) second", "   3. third", "> quote", "> - quoted item", "```bash", "```", "~~~",
    "    indented code", "\tcode", "| a | b |", "|---|---|", "| `x` | y |", "<div>", "</div>", "<!-- c -->",
    "[link](http://x) and [ref]", "[ref]: http://y", "![img](i.png)", "a  ", "b\\", "**bold** _u_ __v__",
    "<http://a.b/c>", "&amp; &copy; &#35;", "  continuation", "* star", "+ plus", "10. ten", "- [ ] task",
    "text `span", "cont` end", "`` a ` b ``", "\\* escaped", "line with <b>html</b>", "    - deep",
    "      code in item", "\t- tab item", "-\tx", "> lazy", "lazy line", ">     code in quote", "> | q | r |",
    "> |---|---|", "- | a |", "  |---|", "![**b** `c`](x)", "<http://a/%20b>", "<foo@bar.com>", '[t](u "title")',
    "* * *", "1.", "-", "  ", "\t", "# heading in text #", "- # heading in item", "  ===", "é ü — `ünï`",
    "*a **b** c*", "_a_b_", "**", "`", "``", "```py {x}", "<details>", "<summary>S</summary>", "</details>",
    "<pre>", "</pre>", "| no delim |", "a | b", "--|--", ":-:|---", "10) ten", "0. zero", "  1. indented",
    "       seven", "\\", "&nbsp;x", "`&amp;`", "[a][b]", "[b]: /u 'x'", "\u00a0text", "~~~ info~", "   ```",
    "  > quote indent", ">> double",
])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_LINES, max_size=14).map("\n".join))
def test_random_documents_are_the_same(text: str) -> None:
    native, reference, _ = _both(text)
    assert native == reference


# Lines as container markers and then words (code, emphasis, links, HTML, table pieces, ...).
_PREFIX = st.sampled_from(["", "", "  ", "    ", "- ", "1. ", "> ", "  - ", "   ", "\t", "10) ", "* "])
_WORD = st.sampled_from([
    "a", "b c", "`x`", "`` y ``", "*e*", "**s**", "_u_", "[l](u)", "[r]", "![i](p)", "<b>", "</b>", "<http://x>",
    "&amp;", "\\*", "|", "| a |", "---", "===", "```", "~~~", "#", "## h", "[r]: /x", "<div>", "<!-- c -->", "é",
    "\u00a0", "  ", "\\", "`", "<!x>", "a|b", ":-:", "|--|--|", "1.", "-",
])
_LINE = st.tuples(_PREFIX, st.lists(_WORD, max_size=5).map(" ".join)).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_LINE, max_size=12).map("\n".join))
def test_random_nested_documents_are_the_same(text: str) -> None:
    native, reference, _ = _both(text)
    assert native == reference


@pytest.mark.parametrize(("text", "reason"), [
    ("[link](http://x) and [ref]\n|---|---|\n|---|---|\n", "a delimiter row cmark does not read as a table's"),
    ("> | q | r |\n| a | b |\n> |---|---|\n", "a table interrupting a paragraph"),
    ("* item\n\n\t```yaml\n\tglobal:\n\t  x: 1\n\t```\n", "tabs in its indent"),
    ("```py\\{x}\ncode\n```\n", "a fence line with an escape"),
    ("> a ``b`. c `d` (e: `f |\n> g` h\n", "an unmatched backtick"),
    ("- a\n  - [b] `gcloud x \\\n      --flag`\n\n[b]: /u\n", "code spans and an indented continuation line"),
    ("> é `ünï`\n> `\n> `\n>         seven\n", "a code span with spaces at an end"),
    ("- [a]\u00a0\n\n[a]: /u\n", "a Unicode space at an end"),
    ("> | a | b |\n> |---|---|\n> | `x|y` | z |\n", "a table row markdown-it reads differently"),
    ("[ref]: http://y\nSetext [ref]\n", "link reference definition"),
    ("[ref]: http://y\n[ref] title\n===\n", "link reference definition"),
    ("- item\n</pre>\n", "HTML after a text line"),
    (">> double\n    - deep\n", "a quoted paragraph with an indented line"),
    (">a\n    >\n", "a quoted paragraph with an indented line"),
    ("> \n    > \n", "indented code right after a block quote"),
    ("> a\t\n> b\n", "a line ending in a tab"),
    ("> \\  \n> a\n", "a backslash and spaces"),
    ("<!a\n", "a paragraph markdown-it reads as HTML"),
    ("[a]: /u(\n", "a link reference definition cmark may read differently"),
    ("`\n  b\n`\n===\n", "a code span across an indented heading line"),
    ("* <!x>\n  - \n", "a paragraph markdown-it reads as HTML"),
    ("<div> | a |\n|--|--|\n", "a delimiter row cmark does not read as a table's"),
    ("- [r]: /x\n\n\n  a\n", "a list item that holds only a link reference definition"),
    ("-\n  \n   3. third\n", "a marker alone, then a blank line"),
    ("1.\n\n\n1.\n", "a marker alone, then a blank line"),
    ("1.\n\t\n   3. third\n", "a blank line of tabs"),
    ("> <http://a/%20b>\n", "an autolink with %-escapes"),
    ("> ![**b** `c`](x)\n", "an image label with markup"),
    ("> " * 20 + "deep\n", "nesting over"),
    ("[" * 1001 + "\n", "a dense paragraph"),
    ("a\n\n" + "[" * 600 + "\n" + "[" * 401 + "\n\nb\n", "a dense paragraph"),  # 1,001 `[` in one paragraph
    ("-\t" + "\tx" * 12_500 + "\n", "a dense paragraph"),  # tabs may widen a paragraph past the limit
    ("1.   <http://x>\n    # x\n", "a lazy line indented as code that starts a block"),
    ("-    a\n    ---\n", "a lazy line indented as code that starts a block"),
    ("1.    a\n     ```\n", "a lazy line indented as code that starts a block"),
])
def test_constructs_read_differently_fall_back(text: str, reason: str) -> None:
    native, reference, why = _both(text)
    assert reason in why
    assert native == reference


def test_long_documents_of_short_paragraphs_are_built_natively() -> None:
    text = "".join(f"Step {i}: run `cmd {i}` and see [the log](l{i}).\n\n" for i in range(3_000))
    assert len(text) > 100_000  # each of these three over the limits for the whole document
    assert text.count("[") > 1_000
    assert text.count("`") > 2_000
    native, reference, why = _both(text)
    assert why == ""
    assert native == reference


@pytest.mark.parametrize("text", [
    # a paragraph or table row read again by markdown-it alone (no links, or no definitions):
    "a ``b`. c `d` (e: `f |\ng` h\n",  # an unmatched backtick: the two pair the rest differently
    "- a\n  - `gcloud x \\\n      --flag`\n",  # a code span across a line keeps its indent in markdown-it
    "- é `ünï`\n  `\n  `\n         seven\n",  # a code span of spaces, found in a line's indent
    "\u00a0text [a](b)\n",  # markdown-it strips every `str.isspace` character from a paragraph's ends
    "| a | b |\n|---|---|\n| `x|y` | z |\n",  # a `|` in a code span splits the cell in both
    "<http://a/%20b>\n",  # markdown-it decodes an autolink's text
    "a<!a>\n",  # CommonMark 0.31 reads `<!a>` as HTML, 0.29 as text
    "a\t\nb\n",  # markdown-it keeps a tab before a line break
    "\\  \na\n",  # ... and a space after a backslash
    "![**b** `c`](x)\n",  # markdown-it keeps an image's label as written
    # cmark-gfm's answers corrected in place:
    "```bash\nx\ny",  # an open fence at the end of a file without a last newline
    "<!-- c -->",  # HTML closed on its first line, at the end
    "```bash\nx\n  ",  # a last line of spaces: markdown-it drops it
    "-\n   ```\n  > quote\n# Title\n",  # an open fence in a list item: cmark's end line runs past it
    "   3. third\nb\\\n    indented\n",  # a lazy line after a hard break keeps its indent in cmark
    "```\n\t```",  # an open fence (its last line is indented too far to close it) ends the file
    "# H\nfoo\n**Label** (x):\n| a | b |\n|---|---|\n| 1 | `2` |\n",  # a table interrupts a paragraph:
    "- item\n  label `x`:\n  | a |\n  |---|\n",  # cmark-gfm loses the paragraph's lines and the table's
    "1.   a\n    b\n    - c\n",  # lazy lines indented as code that both read alike
    "- a\n\n    > [!NOTE]\n    > quoted in an item\n",  # a quote's markers are no lazy indent
])
def test_differences_handled_without_falling_back(text: str) -> None:
    native, reference, why = _both(text)
    assert why == ""
    assert native == reference
