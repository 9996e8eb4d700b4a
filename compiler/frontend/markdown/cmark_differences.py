"""Where cmark-gfm 0.29 and markdown-it read the same markdown differently, found cheaply.

The native builder (`cmark_document`) must give the `Document` markdown-it gives. cmark-gfm
implements CommonMark 0.29 with GFM tables, markdown-it-py CommonMark 0.31 with its own
table rule, and each has quirks; every difference met on the corpus or by the property test
(`tests/frontend/test_document_native.py`) is either corrected in the builder or detected
here from the source lines, deterministically. A detection raises `Fallback` (its message
says why and where): the builder then reads that paragraph or table row again with
markdown-it alone where that is exact, or hands the whole document to markdown-it.
"""

from __future__ import annotations

import re

from markdown_it.rules_block.html_block import HTML_SEQUENCES

MAX_DEPTH = 16  # markdown-it drops blocks nested past `maxNesting` (20): fall back well before it

# A line markdown-it may read as a table's delimiter row (container markers before it); the
# same after a newline, which the regex engine finds fast (a `^` is tried at every character).
_DELIMITER_ROW = re.compile(r"^[ \t>]*[|:-][|:\- \t]*$", re.MULTILINE)
_DELIMITER_ROW_AFTER = re.compile(r"\n([ \t>]*[|:-][|:\- \t]*)$", re.MULTILINE)
# A line that may hold (the end of) a link reference definition's label: `[` first (after
# container markers) or no unescaped `[` before the `]:`; then the rest of the line.
_DEFINITION = re.compile(r"(?:[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+[ \t>]*)*\[[^\n]*?|(?:\\.|[^\[\n\\])*?)\]:[ \t]*([^\n]*)")
# The start of a link reference definition: a label closed by `]:` or not closed on its first line.
_REFERENCE_START = re.compile(r"\[(?:[^\\\]]|\\.)*(?:\]:|\\?\Z)")
_MARKER_ONLY = re.compile(r"(?:^|[ \t>])(?:[-+*]|\d{1,9}[.)])[ \t]*$")  # a list item's line without text


# The starts markdown-it ends a list item's paragraph at, on a lazy line indented as code
# (found by trying every block start): ATX heading, block quote, fence, thematic break.
_BLOCK_START = re.compile(r"#|>|`{3}|~{3}|([-*_])[ \t]*(?:\1[ \t]*){2,}$")


def delimiter_row(line: str) -> bool:
    """Whether a line may be a table's delimiter row (after container markers)."""
    return "-" in line and _DELIMITER_ROW.fullmatch(line) is not None


class Fallback(Exception):
    """The document holds a construct the two parsers read differently (the reason is the message)."""


def definitions(body: str) -> bool:
    """Whether the document may hold link reference definitions (every one holds `]:`), falling
    back when one's destination is not on its line, or the line holds `(`, `)` or `<`: cmark-gfm
    0.29 and markdown-it accept different destinations there."""
    found = False
    at = body.find("]:")
    while at >= 0:  # only the lines with a `]:` (few) go through the regular expression
        start, end = body.rfind("\n", 0, at) + 1, body.find("\n", at)
        end = len(body) if end < 0 else end
        if m := _DEFINITION.match(body, start, end):
            found = True
            rest = m.group(1)
            if not rest.strip(" \t") or any(c in rest for c in "()<"):
                raise Fallback(f"line {body.count(chr(10), 0, start) + 1}: "
                               "a link reference definition cmark may read differently")
        at = body.find("]:", end)
    return found


def reference_start(head: str, line: int) -> None:
    """Fall back when a paragraph or setext heading may start with link reference definitions:
    cmark counts their lines in the block's, markdown-it does not."""
    if head[:1] == "[" and _REFERENCE_START.match(head):
        raise Fallback(f"line {line}: a block that may start with a link reference definition")


def html_start(head: str, rest: list[str], line: int) -> None:
    """Fall back when markdown-it would start an HTML block on a line of one of cmark's paragraphs
    (CommonMark 0.31 knows more starts than 0.29: `<textarea`, `<!` and a lower-case letter)."""
    if head[:1] == "<" and any(start.search(head) for start, _end, _ in HTML_SEQUENCES):
        raise Fallback(f"line {line}: a paragraph markdown-it reads as HTML")
    for s in rest:
        first = s.lstrip(" \t>")
        if first[:1] == "<" and any(start.search(first) for start, _end, interrupts in HTML_SEQUENCES if interrupts):
            raise Fallback(f"line {line}: a paragraph markdown-it reads as HTML")


def lazy_html(body_lines: list[str], line: int) -> None:
    """Fall back on an HTML block right after a text line (maybe a list's lazy line) when it
    cannot interrupt a paragraph (CommonMark's kind 7): cmark-gfm 0.29 still ends the list
    there, markdown-it continues the paragraph (`<textarea` is kind 1 only since 0.30)."""
    if line < 2 or not body_lines[line - 2].strip(" \t>"):
        return
    first = body_lines[line - 1].lstrip(" \t>")
    if first[:9].lower() == "<textarea" or not any(
            start.search(first) for start, _end, interrupts in HTML_SEQUENCES if interrupts):
        raise Fallback(f"line {line}: HTML after a text line that only cmark-gfm 0.29 ends")


def lazy_indented_start(rest: list[str], col: int, line: int) -> None:
    """Fall back when a line after a list item paragraph's first is indented 4 columns or more
    yet less than the paragraph, and starts a block (`1.   a` then `    # x`): markdown-it tests
    the start against the item's indent and ends the paragraph there (the line is then indented
    code), cmark-gfm reads a lazy continuation line. Tabs in such an indent count too."""
    if col < 6:
        return  # a paragraph at column 5 or less leaves no indent of 4+ that is lazy
    for k, s in enumerate(rest, start=line + 1):
        text = s.lstrip(" \t")
        indent = len(s) - len(text)
        if indent < col - 1 and (indent >= 4 or "\t" in s[:indent]) and _BLOCK_START.match(text):
            raise Fallback(f"line {k}: a lazy line indented as code that starts a block")


def marker_then_blank(body_lines: list[str], line: int) -> None:
    """Fall back when a list item's line holds only its marker and the next line is spaces, or
    the next two are blank: cmark nests what follows in the item, or keeps the list going."""
    if line >= len(body_lines) or body_lines[line].strip() or not _MARKER_ONLY.search(body_lines[line - 1]):
        return
    if body_lines[line] != "" or (line + 1 < len(body_lines) and not body_lines[line + 1].strip()):
        raise Fallback(f"line {line}: a list item of a marker alone, then a blank line")


def emptied_item(body_lines: list[str], line: int) -> None:
    """Fall back on a list item left empty though its line has text (a link reference definition):
    cmark ends it as an empty item, markdown-it keeps what follows in it."""
    if not _MARKER_ONLY.search(body_lines[line - 1]):
        raise Fallback(f"line {line}: a list item that holds only a link reference definition")


def delimiter_rows(body: str, body_lines: list[str], tables: list[tuple[int, int]],
                   verbatim: list[tuple[int, int]]) -> None:
    """Fall back unless every line markdown-it may read as a table's delimiter row (dashes,
    colons and pipes under a line with a pipe) is in a table cmark found, or in code or HTML
    (their first and last lines) after its first line: markdown-it tries a table first."""
    counted, line = 0, 1
    first = _DELIMITER_ROW.match(body)
    rows = [(0, first.group())] if first else []
    rows += [(m.start(1), m.group(1)) for m in _DELIMITER_ROW_AFTER.finditer(body)]
    for start, row in rows:
        if "-" not in row:
            continue
        line += body.count("\n", counted, start)
        counted = start
        if line < 2 or "|" not in body_lines[line - 2]:
            continue
        if not any(start <= line <= end for start, end in tables) \
                and not any(start < line - 1 and line <= end for start, end in verbatim):
            raise Fallback(f"line {line}: a delimiter row cmark does not read as a table's")
