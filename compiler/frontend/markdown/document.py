"""Markdown for the front ends: a document as a tree of sections and located blocks.

`parse_document(text, path)` splits off YAML front matter (`---` ... `---`), parses
the body (CommonMark plus tables) and returns a `Document` (`document_model`):
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
is kept whole as literal text and a located SKC148 warning says so (by the markdown-it
builder: a document where one paragraph may be over them, `_dense_part`, is built by it).
The real skills and runbooks of the corpus stay far below (at most 3.4 KB, 13 `[` and 84
backticks).
Every line can become a step, so a document over `MAX_LINES` lines (the corpus's
longest has 1,302) is refused whole with a located SKC128 error, before markdown-it.

Two builders, one `Document` (issue 15; CPU time on one core over the 1,552 markdown
files of the corpus, `python -m bench.document_compare`): markdown-it-py's token stream
(`_Builder` below: the reference, and the fallback) and cmark-gfm's node tree
(`cmark_document`, the default). markdown-it-py is pure Python: its parse was 60-80% of
`parse_document`, ~1.9 s of CPU a compile round over the corpus's 1,028 sources, and none
of its rules can go (emphasis, entities, escapes, autolinks, inline HTML, reference
definitions all change the text the front end reads); the inline pass already runs once
(`_bounded_inline` replaces the core rule) and skips runs without markup. cmark-gfm (C,
through ctypes, `cmark_binding`) parses the same files ~35x faster and gives exact block
lines; the builder walks its tree and computes everything else as `_Builder` does. It gives
an equal `Document` for every file of the corpus (`tests/frontend/test_document_native.py`,
also a property test over random documents): where the two parsers differ (cmark-gfm is
CommonMark 0.29, markdown-it 0.31, and each has quirks) the difference is corrected, or
found from the source and that paragraph is read again by markdown-it, or the whole
document is built by markdown-it (16 of the 1,552 files, `cmark_differences`). Over one
compile round of the corpus's 1,028 sources (A/B in alternating processes, load 1.1):
`parse_document` 1.63 s -> 0.72 s of CPU (cmark's own parse is 0.05 s of it; the rest is the
Python walk and the checks). Rejected: markdown-it-pyrs (markdown-it.rs,
0.18 s) has source maps off by lines inside loose list items and after multi-byte
characters, and still gave a different `Document` for 13 files after rebuilding its tokens.
pyromark and mistletoe were not tried (cmark-gfm's exact lines and C speed were enough).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from skc.compiler.frontend.markdown.cmark_document import build_sections
from skc.compiler.frontend.markdown.document_model import (
    Block,
    Document,
    Section,
    SectionStack,
    Span,
    code_spans,
    column_of,
    words_outside_links,
)
from skc.compiler.frontend.markdown.wrappers import unwrap
from skc.ir.location import Diagnostic, Location

MAX_BYTES = 4_000_000
MAX_INLINE_CHARS = 50_000
MAX_INLINE_BRACKETS = 1_000
MAX_INLINE_BACKTICKS = 2_000
MAX_LINES = 10_000


def _too_dense(content: str, width: int | None = None) -> str:
    """Why an inline run is too costly to tokenize ('' when it is not); `width` stands for its
    length when given (an upper bound, see `_dense_part`)."""
    width = len(content) if width is None else width
    if width > MAX_INLINE_CHARS:
        return f"{width} characters (over {MAX_INLINE_CHARS})"
    if (n := content.count("[")) > MAX_INLINE_BRACKETS:
        return f"{n} '[' (over {MAX_INLINE_BRACKETS})"
    if (n := content.count("`")) > MAX_INLINE_BACKTICKS:
        return f"{n} backticks (over {MAX_INLINE_BACKTICKS})"
    return ""


_BLANK_LINE = re.compile(r"\n[ \t]*\n")  # blank for markdown-it: spaces and tabs only


def _dense_part(body: str) -> str:
    """Why an inline run of `body` may be over the limits above ('' when none can be), for the
    native builder, which does not apply them: no run crosses a blank line, and none is longer
    than the lines it comes from but for tabs (markdown-it's `getLines` turns a partly removed
    tab of an indent into up to 3 spaces)."""
    if not _too_dense(body, len(body) + 3 * body.count("\t")):
        return ""
    for part in _BLANK_LINE.split(body):
        if why := _too_dense(part, len(part) + 3 * part.count("\t")):
            return why
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


# A line that starts with a tag (after what `line.lstrip()` strips, within the line): at a
# position, or after a newline (found fast: a `^` would be tried at every character).
_TAG_LINE = re.compile(r"[^\S\n]*<")
_TAG_LINE_AFTER = re.compile(r"\n[^\S\n]*<")
_MD = MarkdownIt("commonmark").enable("table")
_MD.core.ruler.at("inline", _bounded_inline)


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


def parse_document(text: str, path: str, *, native: bool = True) -> Document:
    """Front matter plus the section tree of `text` (never raises on any string). The tree is
    cmark's (`cmark_document`) unless `native` is false or cmark cannot give the same tree."""
    return _parse(text, path, native)[0]


def _parse(text: str, path: str, native: bool) -> tuple[Document, str]:
    """The document and why markdown-it built its tree ('' when cmark did)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) > MAX_LINES:  # refused whole: parsing and lowering cost grows with every line
        return Document(path, lines, None, 1, Section("", 0, 1, 1), diagnostics=[Diagnostic(
            "SKC128", Location(path, MAX_LINES + 1, 1), f"the document has {len(lines)} lines (at most {MAX_LINES})",
            "split it into several documents, or move data into files it refers to")]), "too long"
    fm, fm_len, fm_error = split_front_matter(lines)
    rest = lines[fm_len:]
    body_at = sum(map(len, lines[:fm_len])) + fm_len  # where the body's first line starts
    if _TAG_LINE.match(text, body_at) or _TAG_LINE_AFTER.search(text, body_at):  # a line that starts with a tag
        rest = unwrap(rest)
    body = "\n" * fm_len + "\n".join(rest)  # keep line numbers of the file
    root = Section("", 0, 1, 1)
    env: dict[str, list[tuple[int, str]]] = {}
    why = "not asked" if not native else f"a dense paragraph: {dense}" if (dense := _dense_part(body)) else \
        build_sections(body, [""] * fm_len + rest, lines, root, inline_of)
    if why:
        _Builder(lines, _MD.parse(body, env)).build(root)
    diagnostics = [Diagnostic("SKC148", Location(path, line, 1),
                           f"this paragraph has {why}: it is kept as literal text, not parsed as markdown",
                           "split it into smaller paragraphs, or put it in a code block", "warning")
                for line, why in env.get("too_dense", [])]
    title = ""
    h1 = [s for s in root.sections if s.level == 1]
    if len(h1) == 1 and root.sections and root.sections[0] is h1[0]:
        title = h1[0].title
    return Document(path, lines, fm, 1, root, title, fm_error, fm_len, diagnostics), why


class _Builder:
    """Walks the flat token stream once, building sections and nested blocks."""

    def __init__(self, lines: list[str], tokens: list[Token]) -> None:
        self.lines = lines
        self.tokens = tokens
        self.i = 0

    def build(self, root: Section) -> None:
        sections = SectionStack(root)
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]
            if tok.type == "heading_open":
                level = int(tok.tag[1:]) if tok.tag[1:].isdigit() else 1
                sections.heading(render(self.tokens[self.i + 1]), level, (tok.map or [0])[0] + 1, self.lines)
                self.i += 3
                continue
            sections.current.blocks.extend(self.block())

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
        spans = code_spans(self.lines, inline.content, codes, line)
        return Block(kind, line, self._col(line, text), text=text, spans=spans, link=link_only(inline))

    def _col(self, line: int, text: str) -> int:
        return column_of(self.lines, line, text)


def inline_of(source: str) -> tuple[str, list[str], bool]:
    """The text, code spans and links-only flag of one paragraph's source, read by markdown-it
    alone (no link reference definitions: the native builder calls this only without `[`)."""
    children: list[Token] = []
    _MD.inline.parse(source, _MD, {}, children)
    inline = Token("inline", "", 0, content=source, children=children)
    for child in children:
        if child.type == "text_special":  # what the core rule `text_join` does after the inline rule
            child.type = "text"
    text, codes = render_with_codes(inline)
    return text, codes, link_only(inline)


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
        elif child.type in ("text", "code_inline") and depth == 0 and words_outside_links(child.content):
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
