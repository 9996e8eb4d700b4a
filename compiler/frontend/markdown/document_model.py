"""The document model both markdown builders produce, and the location rules they share.

`Document`, `Section`, `Block` and `Span` are what the front ends read (`document.py`
re-exports them). The two builders (markdown-it's token stream in `document.py`, cmark's
node tree in `cmark_document.py`) must give equal values for every file, so what is not
a parser's answer is computed here, once: the column of a block's first word
(`column_of`), where each inline code span sits (`code_spans`), a heading's step number
(`step_number`) and how headings nest into sections (`SectionStack`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from skc.ir.location import Diagnostic

_STEP_HEADING = re.compile(r"(?:step\s+(\d{1,3})(?!\.\d)\b|(\d{1,3})\s*[).:\-–—](?:\s|\Z))", re.IGNORECASE)


@dataclass
class Span:
    """An inline code span: its text and where its first character is."""

    text: str
    line: int
    col: int


@dataclass
class Block:
    """One block of the body: para, list (its `children` are items), item, code, table or html."""

    kind: str
    line: int
    col: int
    text: str = ""
    spans: list[Span] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)
    ordered: bool = False
    number: int | None = None
    lang: str = ""
    code: str = ""
    rows: list[list[str]] = field(default_factory=list)
    row_spans: list[list[Span]] = field(default_factory=list)
    link: bool = False  # the text is only links (a table-of-contents entry, a "see also")

    def line_of(self, offset: int) -> int:
        """The document line of character `offset` of `text`."""
        return self.line + self.text.count("\n", 0, max(0, offset))


@dataclass
class Section:
    """A heading and what follows it up to the next heading of the same or a higher level."""

    title: str
    level: int
    line: int
    col: int
    number: int | None = None
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def walk(self) -> list[Section]:
        """This section and every section under it, depth first."""
        out: list[Section] = []
        stack = [self]
        while stack:
            s = stack.pop()
            out.append(s)
            stack += reversed(s.sections)
        return out


@dataclass
class Document:
    """A parsed markdown file: front matter text (or None), its first line, and the body tree."""

    path: str
    lines: list[str]
    front_matter: str | None
    front_matter_line: int
    root: Section
    title: str = ""
    front_matter_error: str = ""
    body_start: int = 0  # index in `lines` of the first line after the front matter
    diagnostics: list[Diagnostic] = field(default_factory=list)  # SKC148 text kept literal, SKC128 too long


def column_of(lines: list[str], line: int, text: str) -> int:
    """Column of `text`'s first word on `line` (its indentation + 1 when the word is not there)."""
    if not 0 < line <= len(lines):
        return 1
    source = lines[line - 1]
    words = text.split(None, 1)
    if words:
        head = words[0].strip("`*_")[:20]
        pos = source.find(head) if head else -1
        if pos >= 0:
            return pos + 1
    return len(source) - len(source.lstrip()) + 1


def code_spans(lines: list[str], raw: str, codes: list[str], line: int) -> list[Span]:
    """Where each code span of a paragraph starting on `line` is: found in order in `raw` (the
    paragraph's source, one line per line) for its line, then on that file line for its column."""
    spans: list[Span] = []
    cursor = 0
    at, counted = line, 0  # lines counted incrementally and columns searched onwards: linear in the paragraph
    col_from: dict[int, int] = {}
    for code in codes:
        pos = raw.find(code, cursor)
        if pos < 0:
            pos = raw.find(code.split(" ")[0], cursor) if code.strip() else -1
        if pos < 0:
            spans.append(Span(code, line, 1))
            continue
        cursor = pos + len(code)
        at += raw.count("\n", counted, pos)
        counted = pos
        source = lines[at - 1] if 0 < at <= len(lines) else ""
        col = source.find(code, col_from.get(at, 0)) if code else -1
        if col < 0 and code:
            col = source.find(code)
        if col >= 0:
            col_from[at] = col + len(code)
        spans.append(Span(code, at, col + 1 if col >= 0 else 1))
    return spans


def words_outside_links(content: str) -> bool:
    """Whether a text piece outside any link holds a word (not only separators)."""
    return bool(content.strip(" -:|,."))


class SectionStack:
    """Nests headings into sections as they come: a heading closes every open section of its
    level or deeper, then opens its own."""

    def __init__(self, root: Section) -> None:
        self.stack = [root]

    @property
    def current(self) -> Section:
        return self.stack[-1]

    def heading(self, text: str, level: int, line: int, lines: list[str]) -> None:
        title = " ".join(text.split())
        m = _STEP_HEADING.match(title)
        section = Section(title, level, line, column_of(lines, line, title), int(m.group(1) or m.group(2)) if m else None)
        while self.stack[-1].level >= level:
            self.stack.pop()
        self.stack[-1].sections.append(section)
        self.stack.append(section)
