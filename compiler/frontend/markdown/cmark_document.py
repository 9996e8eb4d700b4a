"""The native builder: cmark-gfm's node tree (`cmark_binding`) built into the same sections
and blocks as markdown-it's token stream gives (`document._Builder`), about 3x faster.

`build_sections(body, body_lines, lines, root, inline_of)` fills `root` and returns "", or
returns why it cannot (the library is not there, or the document holds a construct the two
parsers read differently, see `cmark_differences`) and leaves `root` to the markdown-it builder.

What is not cmark's answer is computed as the markdown-it builder computes it (columns of
first words, code span locations: `document_model`). Where cmark-gfm's answer is off, it is
corrected in place: the newline it adds to a block ending the file without one, the indent it
keeps after a lazy line's break, a last line of spaces (markdown-it drops it), the lines of a
paragraph a table interrupts (lost) and of that table (`interrupted`). Where the two
read a paragraph's inline content differently (an unmatched backtick, a code span across an
indented line, `<!`, a trailing tab, an image label with markup, an autolink with `%xx`) and
markdown-it's source of that paragraph is known exactly (outside block quotes; the list
items' indent removed as markdown-it removes it), markdown-it reads just that paragraph again
(`inline_of`; one with `[` only when the document has no link reference definitions); a
table row likewise (`cells_again`). Everything else falls back whole. The inline content
itself is read by `cmark_inline`.

`bench/document_compare.py` prints the files where the two builders differ (none of the
corpus's 1,552) and how often and why the fallback is taken (16 files).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it.rules_block.table import escapedSplit

from skc.compiler.frontend.markdown import cmark_differences as differences
from skc.compiler.frontend.markdown.cmark_binding import (
    BLOCK_QUOTE,
    CMARK,
    CODE_BLOCK,
    HEADING,
    HTML_BLOCK,
    LIST,
    ORDERED_LIST,
    PARAGRAPH,
    THEMATIC_BREAK,
    UNAVAILABLE,
    Cmark,
)
from skc.compiler.frontend.markdown.cmark_differences import MAX_DEPTH, Fallback
from skc.compiler.frontend.markdown.cmark_inline import inline_text
from skc.compiler.frontend.markdown.document_model import (
    Block,
    Section,
    SectionStack,
    Span,
    code_spans,
    column_of,
)

_MARKER = re.compile(r"([-+*]|\d{1,9}[.)])( *)")  # a list item's marker and the spaces after it

InlineReader = Callable[[str], tuple[str, list[str], bool]]  # source -> text, code spans, only links


def build_sections(body: str, body_lines: list[str], lines: list[str], root: Section, inline_of: InlineReader) -> str:
    """Fill `root` from cmark's tree of `body` (split: `body_lines`; same line numbers as the file's
    `lines`); '' when done, else why not (then `root` is left empty for the markdown-it builder).
    `inline_of` reads one top-level paragraph's source as markdown-it would (see `_Builder.para`)."""
    if CMARK is None:
        return UNAVAILABLE
    if body_lines[-1] and not body_lines[-1].strip(" \t"):  # markdown-it drops a last line of spaces
        body, body_lines = body[: -len(body_lines[-1])], [*body_lines[:-1], ""]
    doc = CMARK.parse(body)
    try:
        builder = _Builder(CMARK, lines, body_lines, inline_of)
        builder.definitions = differences.definitions(body)
        builder.build(doc, SectionStack(root))
        differences.delimiter_rows(body, body_lines, builder.tables, builder.verbatim)
    except Fallback as why:
        root.blocks.clear()
        root.sections.clear()
        return str(why)
    finally:
        CMARK.node_free(doc)
    return ""


class _Builder:
    """Walks cmark's node tree once, building what `document._Builder` builds from tokens."""

    def __init__(self, cm: Cmark, lines: list[str], body_lines: list[str], inline_of: InlineReader) -> None:
        self.cm = cm
        self.inline_of = inline_of
        self.reread = 0  # paragraphs read again by `inline_of`
        self.definitions = True  # whether the document may hold link reference definitions
        self.lines = lines
        self.body_lines = body_lines
        self.quotes = 0  # block quotes around the node being built
        self.quote_base = 0  # the text column of the list items around the outermost of them
        self.indents: list[int | None] = []  # content columns of the list items around it
        self.moved: dict[int, tuple[int, int, int]] = {}  # right first and last lines, column of a node
        self.tables: list[tuple[int, int]] = []  # first and last lines of each table
        self.verbatim: list[tuple[int, int]] = []  # ... of each code and HTML block

    def build(self, doc: int, sections: SectionStack) -> None:
        cm = self.cm
        for node in self.cm.children(doc):
            if cm.type(node) == HEADING:
                line = self.heading_lines(node)
                below = self.body_lines[line:cm.end_line(node) - 1]  # a setext heading's other lines
                if any(s[:1] in (" ", "\t") for s in below) and "`" in "".join(below):
                    raise Fallback(f"line {line}: a code span across an indented heading line")
                text = inline_text(self.cm, node, [], [0, False], 0)
                sections.heading(text, cm.heading_level(node), line, self.lines)
            else:
                sections.current.blocks.extend(self.block(node, 0))

    def block(self, node: int, depth: int) -> list[Block]:
        """The blocks of one node (several for a block quote, none for a rule or a nested heading)."""
        cm = self.cm
        kind = cm.type(node)
        if depth >= MAX_DEPTH:
            raise Fallback(f"nesting over {MAX_DEPTH} levels")
        if kind == PARAGRAPH:
            return [self.para(node, depth)]
        if kind == CODE_BLOCK:
            return [self.code(node, depth)]
        if kind == LIST:
            return [self.list_(node, depth)]
        if kind == cm.table:
            return [self.table(node)]
        if kind == HTML_BLOCK:
            line = cm.start_line(node)
            differences.lazy_html(self.body_lines, line)
            self.verbatim.append((line, max(line, cm.end_line(node))))
            return [Block("html", cm.start_line(node), 1, code=self.at_end(line, (cm.literal(node) or b"").decode()))]
        if kind == BLOCK_QUOTE:
            if not self.quotes:  # the indent of the list items around the outermost quote
                self.quote_base = self.indents[-1] or 0 if self.indents else 0
            self.quotes += 1
            try:
                return [b for child in self.cm.children(node) for b in self.block(child, depth + 1)]
            finally:
                self.quotes -= 1
        if kind == HEADING:  # markdown-it's builder keeps headings at the top only
            self.heading_lines(node)
            return []
        if kind == THEMATIC_BREAK:
            return []
        raise Fallback(f"cmark node type {kind:#x}")

    def heading_lines(self, node: int) -> int:
        """A heading's line, once its lines are known to be a heading's for markdown-it too."""
        cm = self.cm
        line = cm.start_line(node)
        head = self.head(line, cm.start_column(node))
        differences.reference_start(head, line)
        differences.html_start(head, self.body_lines[line:cm.end_line(node) - 1], line)
        return line

    def interrupted(self, node: int) -> None:
        """The lines of a paragraph a table interrupts, and the table's: cmark-gfm gives the
        paragraph none and the table the paragraph's first; the table's rows are one a line,
        its body rows' lines are right, and the delimiter row follows the header's."""
        cm = self.cm
        table = cm.next(node)
        if not table or cm.type(table) != cm.table:
            raise Fallback("a paragraph without lines")
        rows = cm.children(table)
        start = cm.start_line(rows[1]) - 2 if len(rows) > 1 else cm.end_line(table) - 1
        first = cm.start_line(table)
        header = self.body_lines[start - 1] if 0 < start <= len(self.body_lines) else ""
        indent = (self.indents[-1] if self.indents else 0) if not self.quotes else None  # a lazy header:
        if indent is None or len(header) - len(header.lstrip(" ")) < indent or not 0 < first < start \
                or start >= len(self.body_lines) or "|" not in header \
                or not differences.delimiter_row(self.body_lines[start]):  # no table for markdown-it
            raise Fallback(f"line {first}: a table interrupting a paragraph")
        self.moved[node] = (first, start - 1, cm.start_column(table))
        self.moved[table] = (start, cm.end_line(table), 1)

    def para(self, node: int, depth: int) -> Block:
        cm = self.cm
        line = cm.start_line(node)
        if not line:  # cmark-gfm loses its lines when a table interrupts it: found again from the table's
            self.interrupted(node)
            line, end, col = self.moved[node]
        else:
            end, col = cm.end_line(node), cm.start_column(node)
        head = self.head(line, col)
        differences.reference_start(head, line)
        differences.html_start(head, self.body_lines[line:end], line)
        if not self.quotes:  # a quoted paragraph's lines start with its markers: the check below is its own
            differences.lazy_indented_start(self.body_lines[line:end], col, line)
        if self.quotes:
            base = self.quote_base
            if any("\t" in s[:base + 4] or s[base:base + 4] == "    " for s in self.body_lines[line:end]):
                raise Fallback(f"line {line}: a quoted paragraph with an indented line")  # markdown-it: code
        codes: list[str] = []
        links = [0, False]  # links seen, words outside them
        try:
            text = inline_text(self.cm, node, codes, links, depth)
            if text[:1].isspace() or text[-1:].isspace():  # markdown-it strips all of `str.isspace`, cmark " \t"
                raise Fallback(f"line {line}: a paragraph with a Unicode space at an end")
            if any(s[-1:] in (" ", "\t") and s.rstrip(" ")[-1:] in ("\t", "\\") for s in self.body_lines[line - 1:end]):
                raise Fallback(f"line {line}: a line ending in a tab or a backslash and spaces")  # read differently
            spans = self.spans(head, line, end, codes) if codes else []
            link = links[0] > 0 and not links[1]
        except Fallback:
            # Where the paragraph's source is markdown-it's, markdown-it can read just this
            # paragraph again, unless a link in it may use the document's definitions.
            raw = self.source(head, line, end)
            if raw is None or ("[" in raw and self.definitions):
                raise
            text, codes, link = self.inline_of(raw)
            spans = code_spans(self.lines, raw, codes, line)
            self.reread += 1
        return Block("para", line, column_of(self.lines, line, text), text=text, spans=spans, link=link)

    def spans(self, head: str, line: int, end: int, codes: list[str]) -> list[Span]:
        """Where a paragraph's code spans are (see `code_spans`), from its source as markdown-it has it."""
        raw = self.source(head, line, end)
        if raw is None:
            if any(c[:1].isspace() or c[-1:].isspace() for c in codes):
                raise Fallback(f"line {line}: a code span with spaces at an end in a quote")
            indented = any(s[:1] in " \t" for s in self.body_lines[line:end])
            raw = "\n".join([head, *(s.lstrip() for s in self.body_lines[line:end])]).strip()
        else:  # a line indented more than its list item's text, or less (a lazy line)
            indent = self.indents[-1] or 0 if self.indents else 0
            indented = any(0 < len(s) - len(s.lstrip(" \t")) != indent for s in self.body_lines[line:end])
        if indented:  # a code span across such a line keeps the indent in one parser, not the other
            raise Fallback(f"line {line}: code spans and an indented continuation line")
        return code_spans(self.lines, raw, codes, line)

    def source(self, head: str, line: int, end: int) -> str | None:
        """A paragraph's source as markdown-it has it: from its first character (`head`), its
        continuation lines without the indent of the list items it is in (None in a block quote,
        or when tabs make the indent uncertain)."""
        if self.quotes:
            return None
        rest = self.body_lines[line:end]
        if not self.indents or not rest:
            return "\n".join([head, *rest]).strip()
        indent = self.indents[-1]
        if indent is None or any(s[:1] == "\t" or "\t" in s[: len(s) - len(s.lstrip())] for s in rest):
            return None
        return "\n".join([head, *(s[min(indent, len(s) - len(s.lstrip(" "))):] for s in rest)]).strip()

    def head(self, line: int, col: int) -> str:
        """Body line `line` from byte column `col` (cmark counts columns in UTF-8 bytes)."""
        source = self.body_lines[line - 1] if line <= len(self.body_lines) else ""
        return source[col - 1:] if source.isascii() else source.encode()[col - 1:].decode(errors="replace")

    def code(self, node: int, depth: int) -> Block:
        cm = self.cm
        line, end = cm.start_line(node), cm.end_line(node)
        self.verbatim.append((line, end))
        source = self.lines[line - 1] if line <= len(self.lines) else ""
        col = len(source) - len(source.lstrip()) + 1 if line <= len(self.lines) else 1
        if (depth or col > 1) and any("\t" in s[: len(s) - len(s.lstrip())] for s in self.body_lines[line - 1:end]):
            raise Fallback(f"line {line}: an indented code block with tabs in its indent")
        code = (cm.literal(node) or b"").decode()
        if cm.fence(node) is None:
            if line > 1 and self.body_lines[line - 2].lstrip(" \t")[:1] == ">":
                raise Fallback(f"line {line}: indented code right after a block quote")  # markdown-it: lazy
            return Block("code", line, col, code=code)
        fence = self.body_lines[line - 1] if line <= len(self.body_lines) else ""
        if "\\" in fence or "&" in fence:
            raise Fallback(f"line {line}: a fence line with an escape or entity")
        code = self.at_end(line + 1, code)  # an open fence's text may end the file
        info = (cm.fence_info(node) or b"").decode()
        return Block("code", line + 1, col, lang=info.strip().split(" ")[0].lower(), code=code)

    def at_end(self, first: int, literal: str) -> str:
        """A block's text as markdown-it keeps it: without the newline cmark adds to the file's
        last line when the file does not end with one. `first` is the line of the text's first
        line; its last is counted from there (cmark's end line can run past it)."""
        if self.body_lines[-1] and first + literal.count("\n") - 1 >= len(self.body_lines) and literal.endswith("\n"):
            return literal[:-1]
        return literal

    def list_(self, node: int, depth: int) -> Block:
        cm = self.cm
        ordered = cm.list_type(node) == ORDERED_LIST
        items: list[Block] = []
        line = cm.start_line(node)
        if any("\t" in s and not s.strip() for s in self.body_lines[line - 1:cm.end_line(node)]):
            raise Fallback(f"line {line}: a list with a blank line of tabs")  # cmark counts it as indent
        for child in self.cm.children(node):
            line = cm.start_line(child)
            grand_children = self.cm.children(child)
            differences.marker_then_blank(self.body_lines, line)
            if not grand_children:
                differences.emptied_item(self.body_lines, line)
            self.indents.append(self.content_column(line, cm.start_column(child)))
            try:
                inner = [b for grand in grand_children for b in self.block(grand, depth + 2)]
            finally:
                self.indents.pop()
            if inner and inner[0].kind == "para" and inner[0].line == line:
                item = inner[0]
                item.kind, item.children = "item", inner[1:]
            else:
                item = Block("item", line, column_of(self.lines, line, ""), children=inner)
            item.ordered, item.number = ordered, cm.item_index(child) if ordered else None
            items.append(item)
        return Block("list", line, items[0].col if items else 1, children=items, ordered=ordered)

    def content_column(self, line: int, col: int) -> int | None:
        """The column (0-based) where the text of the list item marked at `line`, byte column `col`
        starts: markdown-it strips up to that many spaces from its continuation lines (None: tabs)."""
        source = self.body_lines[line - 1]
        at = col - 1 if source.isascii() else len(source.encode()[: col - 1].decode(errors="replace"))
        m = _MARKER.match(source, at)
        if m is None or "\t" in source[: m.end() + 1]:
            return None
        spaces = len(m.group(2))
        return m.end(1) + (spaces if 0 < spaces <= 4 and m.end() < len(source) else 1)

    def table(self, node: int) -> Block:
        cm = self.cm
        start, end, _ = self.moved.get(node) or (cm.start_line(node), cm.end_line(node), 1)
        header, delimiter = self.body_lines[start - 1], self.body_lines[start].lstrip(" \t>")
        if "|" not in header or delimiter[:1] not in ("|", ":", "-"):
            raise Fallback(f"line {start}: a table markdown-it may not read as one")
        self.tables.append((start, end))
        rows: list[list[str]] = []
        spans: list[list[Span]] = []
        for row in self.cm.children(node):
            line = cm.start_line(row) if rows else start
            rows.append([])
            spans.append([])
            source = self.body_lines[line - 1] if line <= len(self.body_lines) else ""
            try:
                cells = [self.cell(cell) for cell in self.cm.children(row)]
            except Fallback:
                cells = self.cells_again(source, len(self.cm.children(row)))
            for text, codes in cells:
                rows[-1].append(" ".join(text.split()))
                if codes:
                    spans[-1].extend(code_spans(self.lines, source, codes, line))
        return Block("table", start, 1, rows=rows, row_spans=spans)

    def cell(self, node: int) -> tuple[str, list[str]]:
        codes: list[str] = []
        return inline_text(self.cm, node, codes, [0, False], 0), codes

    def cells_again(self, source: str, count: int) -> list[tuple[str, list[str]]]:
        """A table row's cells read by markdown-it from the row's line (split on `|` as its table
        rule does), when cmark's read differs (a `|` in a code span leaves an unmatched backtick)."""
        if self.quotes or (self.definitions and "[" in source):
            raise Fallback("a table row markdown-it reads differently")
        columns = escapedSplit(source.strip())
        if columns and columns[0] == "":
            columns.pop(0)
        if columns and columns[-1] == "":
            columns.pop()
        self.reread += 1
        return [self.inline_of(columns[i].strip())[:2] if i < len(columns) else ("", []) for i in range(count)]
