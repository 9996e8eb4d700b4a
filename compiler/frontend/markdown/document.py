"""Markdown for the front ends: a document as a tree of sections and located blocks.

`parse_document(text, path)` splits off YAML front matter (`---` ... `---`), parses
the body with markdown-it-py (CommonMark plus tables) and returns a `Document`:
a root `Section` holding the blocks before the first heading and one child
`Section` per heading (nested by level). Blocks are paragraphs, lists of items
(each with its nested blocks), fenced or indented code, tables and HTML. Every block and
every inline code span carries the 1-based line and column where it starts in the
original file (front matter lines included; code wrapped in custom tags, `<pre>` or
`<details>` is unwrapped first, see `wrappers`), so steps, ops and diagnostics can
point at the exact source line.

Block text is plain text: emphasis and links are reduced to their words, inline
code keeps its backticks, and soft line breaks stay newlines so that a sentence's
line can be found again (`Block.line_of`).

Codes reported here (used by both markdown front ends):

    SKC116  front matter is not valid YAML or is not closed (error for skills)
    SKC128  not a text document (binary data, not UTF-8, too large)
    SKC148  a paragraph too long or too dense in markup to parse (kept as literal text)

Hostile-input limits (issue 12: no input under 1 MB may take over 2 s): markdown-it's
inline tokenizer is superlinear in the number of `[` and backticks of a paragraph, so a
paragraph (or table cell, heading) over `MAX_INLINE_CHARS` characters, or with more than
`MAX_INLINE_BRACKETS` `[` or `MAX_INLINE_BACKTICKS` backticks, is not tokenized: its text
is kept whole as literal text and a located SKC148 warning says so. The real skills and
runbooks of the corpus stay far below (at most 3.4 KB, 13 `[` and 84 backticks).
Every line can become a step, so a document over `MAX_LINES` lines (the corpus's
longest has 1,302) is refused whole with a located SKC128 error, before markdown-it.

Why markdown-it-py (measured for issue 15 over the 1,552 markdown files of the corpus,
CPU time, one core): markdown-it-py parses them in 1.54 s and its inline pass runs once
(`_bounded_inline` replaces the core rule, it does not repeat it); none of its rules can
go (emphasis, entities, escapes, autolinks, inline HTML, reference definitions all change
the text the front end reads). markdown-it-pyrs (markdown-it.rs) builds the same trees in
0.18 s, but its source maps are not usable here: block spans inside loose list items are
several lines off, inline spans shift after multi-byte characters, and code blocks that end
the file differ by a newline. Rebuilding the token stream from its tree (kept out of the
tree) still gave a different `Document` for 13 of the 1,552 files, so every step location
would be at risk; it is not used. A parser that gives exact lines (cmark's) would need a
second builder checked file by file against this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from skc.compiler.frontend.markdown.wrappers import unwrap
from skc.ir.location import Diagnostic, Location

MAX_BYTES = 4_000_000
MAX_INLINE_CHARS = 50_000
MAX_INLINE_BRACKETS = 1_000
MAX_INLINE_BACKTICKS = 2_000
MAX_LINES = 10_000


def _too_dense(content: str) -> str:
    """Why an inline run is too costly to tokenize ('' when it is not)."""
    if len(content) > MAX_INLINE_CHARS:
        return f"{len(content)} characters (over {MAX_INLINE_CHARS})"
    if (n := content.count("[")) > MAX_INLINE_BRACKETS:
        return f"{n} '[' (over {MAX_INLINE_BRACKETS})"
    if (n := content.count("`")) > MAX_INLINE_BACKTICKS:
        return f"{n} backticks (over {MAX_INLINE_BACKTICKS})"
    return ""


# The characters that start an inline construct of the rules enabled here (line break, escape,
# code span, emphasis, link, image, autolink and inline HTML, entity): a run without any is one
# text token, so it is not tokenized (half the runs of the corpus: titles, cells, plain sentences).
_MARKUP = re.compile(r"[\n\\`*_\[\]!<&]")


def _bounded_inline(state: StateCore) -> None:
    """markdown-it's core `inline` rule with the limits above: a run over them becomes one
    literal text token, and a warning (line, reason) is kept in `env["too_dense"]`; a run
    without markup is one text token too (see `_MARKUP`)."""
    for token in state.tokens:
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        if why := _too_dense(token.content):
            token.children.append(Token("text", "", 0, content=token.content))
            state.env.setdefault("too_dense", []).append(((token.map or [0])[0] + 1, why))
            continue
        if token.content and _MARKUP.search(token.content) is None:
            token.children.append(Token("text", "", 0, content=token.content))  # what the inline parser gives
            continue
        state.md.inline.parse(token.content, state.md, state.env, token.children)


_MD = MarkdownIt("commonmark").enable("table")
_MD.core.ruler.at("inline", _bounded_inline)
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
        out = [self]
        for s in self.sections:
            out.extend(s.walk())
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


def decode(data: bytes) -> str | None:
    """The text of a document, or None when it is binary or not UTF-8."""
    if b"\x00" in data[:65536] or len(data) > MAX_BYTES:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff")


def split_front_matter(lines: list[str]) -> tuple[str | None, int, str]:
    """(front matter text, number of lines it occupies with its fences, error)."""
    if not lines or lines[0].strip() != "---":
        return None, 0, ""
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), i + 1, ""
    return None, 0, "front matter starts with '---' on line 1 but is never closed"


def parse_document(text: str, path: str) -> Document:
    """Front matter plus the section tree of `text` (never raises on any string)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) > MAX_LINES:  # refused whole: parsing and lowering cost grows with every line
        return Document(path, lines, None, 1, Section("", 0, 1, 1), diagnostics=[Diagnostic(
            "SKC128", Location(path, MAX_LINES + 1, 1), f"the document has {len(lines)} lines (at most {MAX_LINES})",
            "split it into several documents, or move data into files it refers to")])
    fm, fm_len, fm_error = split_front_matter(lines)
    rest = lines[fm_len:]
    if any(line.lstrip().startswith("<") for line in rest):
        rest = unwrap(rest)
    body = "\n" * fm_len + "\n".join(rest)  # keep line numbers of the file
    root = Section("", 0, 1, 1)
    env: dict[str, list[tuple[int, str]]] = {}
    tokens = _MD.parse(body, env)
    _Builder(lines, tokens).build(root)
    diagnostics = [Diagnostic("SKC148", Location(path, line, 1),
                           f"this paragraph has {why}: it is kept as literal text, not parsed as markdown",
                           "split it into smaller paragraphs, or put it in a code block", "warning")
                for line, why in env.get("too_dense", [])]
    title = ""
    h1 = [s for s in root.sections if s.level == 1]
    if len(h1) == 1 and root.sections and root.sections[0] is h1[0]:
        title = h1[0].title
    return Document(path, lines, fm, 1, root, title, fm_error, fm_len, diagnostics)


class _Builder:
    """Walks the flat token stream once, building sections and nested blocks."""

    def __init__(self, lines: list[str], tokens: list[Token]) -> None:
        self.lines = lines
        self.tokens = tokens
        self.i = 0

    def build(self, root: Section) -> None:
        stack = [root]
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]
            if tok.type == "heading_open":
                level = int(tok.tag[1:]) if tok.tag[1:].isdigit() else 1
                inline = self.tokens[self.i + 1]
                line = (tok.map or [0])[0] + 1
                title = " ".join(render(inline).split())
                m = _STEP_HEADING.match(title)
                section = Section(title, level, line, self._col(line, title), int(m.group(1) or m.group(2)) if m else None)
                while stack[-1].level >= level:
                    stack.pop()
                stack[-1].sections.append(section)
                stack.append(section)
                self.i += 3
                continue
            blocks = self.block()
            stack[-1].blocks.extend(blocks)

    def block(self) -> list[Block]:
        """The block(s) starting at the current token; advances past them."""
        tok = self.tokens[self.i]
        kind = tok.type
        line = (tok.map or [0])[0] + 1
        if kind == "paragraph_open":
            inline = self.tokens[self.i + 1]
            self.i += 3
            return [self.para(inline, "para")]
        if kind in ("fence", "code_block"):
            self.i += 1
            lang = (tok.info or "").strip().split(" ")[0].lower() if kind == "fence" else ""
            col = len(self.lines[line - 1]) - len(self.lines[line - 1].lstrip()) + 1 if line <= len(self.lines) else 1
            first = line + 1 if kind == "fence" else line
            return [Block("code", first, col, lang=lang, code=tok.content)]
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self.list_(kind == "ordered_list_open")
        if kind == "table_open":
            return [self.table()]
        if kind == "html_block":
            self.i += 1
            return [Block("html", line, 1, code=tok.content)]
        if kind == "blockquote_open":
            self.i += 1
            out: list[Block] = []
            while self.i < len(self.tokens) and self.tokens[self.i].type != "blockquote_close":
                out.extend(self.block())
            self.i += 1
            return out
        self.i += 1  # hr, closing tokens of constructs we flatten
        return []

    def list_(self, ordered: bool) -> list[Block]:
        close = "ordered_list_close" if ordered else "bullet_list_close"
        start = self.tokens[self.i]
        line = (start.map or [0])[0] + 1
        self.i += 1
        items: list[Block] = []
        while self.i < len(self.tokens) and self.tokens[self.i].type != close:
            tok = self.tokens[self.i]
            if tok.type != "list_item_open":
                self.i += 1
                continue
            self.i += 1
            number = int(tok.info) if ordered and tok.info.isdigit() else None
            inner: list[Block] = []
            while self.i < len(self.tokens) and self.tokens[self.i].type != "list_item_close":
                inner.extend(self.block())
            self.i += 1
            line = (tok.map or [0])[0] + 1
            if inner and inner[0].kind == "para" and inner[0].line == line:
                item = inner[0]
                item.kind, item.children = "item", inner[1:]
            else:
                item = Block("item", line, self._col(line, ""), children=inner)
            item.ordered, item.number = ordered, number
            items.append(item)
        self.i += 1
        return [Block("list", line, items[0].col if items else 1, children=items, ordered=ordered)]

    def table(self) -> Block:
        first = self.tokens[self.i]
        line = (first.map or [0])[0] + 1
        rows: list[list[str]] = []
        spans: list[list[Span]] = []
        while self.i < len(self.tokens) and self.tokens[self.i].type != "table_close":
            tok = self.tokens[self.i]
            if tok.type == "tr_open":
                rows.append([])
                spans.append([])
            elif tok.type == "inline" and rows:
                cell = self.para(tok, "para")
                rows[-1].append(" ".join(cell.text.split()))
                spans[-1].extend(cell.spans)
            self.i += 1
        self.i += 1
        return Block("table", line, 1, rows=rows, row_spans=spans)

    def para(self, inline: Token, kind: str) -> Block:
        line = (inline.map or [0])[0] + 1
        text, codes = render_with_codes(inline)
        spans: list[Span] = []
        raw = inline.content
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
            source = self.lines[at - 1] if 0 < at <= len(self.lines) else ""
            col = source.find(code, col_from.get(at, 0)) if code else -1
            if col < 0 and code:
                col = source.find(code)
            if col >= 0:
                col_from[at] = col + len(code)
            spans.append(Span(code, at, col + 1 if col >= 0 else 1))
        return Block(kind, line, self._col(line, text), text=text, spans=spans, link=link_only(inline))

    def _col(self, line: int, text: str) -> int:
        """Column of `text`'s first word on `line` (1 when it cannot be found)."""
        if not 0 < line <= len(self.lines):
            return 1
        source = self.lines[line - 1]
        words = text.split()
        if words:
            head = words[0].strip("`*_")[:20]
            pos = source.find(head) if head else -1
            if pos >= 0:
                return pos + 1
        return len(source) - len(source.lstrip()) + 1


def render(inline: Token) -> str:
    return render_with_codes(inline)[0]


def link_only(inline: Token) -> bool:
    """Whether all the words of an inline token are link text (a table-of-contents entry)."""
    depth, words_outside, links = 0, False, 0
    for child in inline.children or []:
        if child.type == "link_open":
            depth += 1
            links += 1
        elif child.type == "link_close":
            depth -= 1
        elif child.type in ("text", "code_inline") and child.content.strip(" -:|,.") and depth == 0:
            words_outside = True
    return links > 0 and not words_outside


def render_with_codes(inline: Token) -> tuple[str, list[str]]:
    """Plain text of an inline token (code spans kept in backticks) and its code spans."""
    out: list[str] = []
    codes: list[str] = []
    for child in inline.children or []:
        t = child.type
        if t == "text":
            out.append(child.content)
        elif t == "code_inline":
            codes.append(child.content)
            out.append(f"`{child.content}`")
        elif t in ("softbreak", "hardbreak"):
            out.append("\n")
        elif t == "image":
            out.append(child.content or "")
    return "".join(out), codes
