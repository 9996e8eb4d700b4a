"""Inline content from cmark-gfm's node tree: the plain text of a paragraph, heading or table
cell as markdown-it's builder gives it (code spans in backticks, collected; links counted).

`inline_text(cm, node, codes, links, depth)` raises `Fallback` where the two parsers read the
inline content differently (an unmatched backtick, `<!` in text, an autolink with `%xx` or
punycode, an image label with markup, nesting deeper than `MAX_DEPTH`); the native builder
(`cmark_document`) then reads that paragraph again with markdown-it, or the whole document.
"""

from __future__ import annotations

from typing import Any

from skc.compiler.frontend.markdown.cmark_binding import (
    CODE,
    EMPH,
    HTML_INLINE,
    IMAGE,
    LINEBREAK,
    LINK,
    SOFTBREAK,
    STRONG,
    TEXT,
    Cmark,
)
from skc.compiler.frontend.markdown.cmark_differences import MAX_DEPTH, Fallback


def inline_text(cm: Cmark, node: int, codes: list[str], links: list[Any], depth: int) -> str:
    """The plain text of an inline container (code spans in backticks, appended to `codes`);
    `links` counts links and notes a word outside them (`document.link_only`)."""
    out: list[bytes] = []
    _inline_into(cm, out, node, codes, links, depth, False)
    return b"".join(out).decode()

def _inline_into(cm: Cmark, out: list[bytes], node: int, codes: list[str], links: list[Any], depth: int,
                 in_link: bool) -> None:
    """`inline_text`'s walk, on UTF-8 bytes (decoded once per block)."""
    next_, type_, literal = cm.next, cm.type, cm.literal
    child = cm.first_child(node)
    after_break = False
    while child:
        kind = type_(child)
        if kind == TEXT or kind == CODE:
            content = literal(child)
            if after_break and kind == TEXT:  # a line's indent, kept by cmark after a lazy line's break
                content = content.lstrip(b" \t")
            if kind == CODE:
                codes.append(content.decode())
                out += (b"`", content, b"`")
            elif b"`" in content:  # an unmatched backtick run: markdown-it pairs the rest differently
                raise Fallback(f"line {cm.start_line(node)}: an unmatched backtick")
            elif b"<!" in content:  # CommonMark 0.31 reads more declarations and comments as HTML
                raise Fallback(f"line {cm.start_line(node)}: `<!` in text")
            else:
                out.append(content)
            if not in_link and not links[1] and content.strip(b" -:|,."):  # `words_outside_links`
                links[1] = True
        elif kind == SOFTBREAK or kind == LINEBREAK:
            out.append(b"\n")
            after_break = True
            child = next_(child)
            continue
        elif kind == EMPH or kind == STRONG or kind == LINK:
            if depth >= MAX_DEPTH:
                raise Fallback(f"inline nesting over {MAX_DEPTH} levels")
            if kind == LINK:
                _autolink(cm, child)
                links[0] += 1
            _inline_into(cm, out, child, codes, links, depth + 1, in_link or kind == LINK)
        elif kind == IMAGE:
            out.append(_image_label(cm, child).encode())
        elif kind != HTML_INLINE:
            raise Fallback(f"cmark inline node type {kind:#x}")
        after_break = False
        child = next_(child)

def _autolink(cm: Cmark, node: int) -> None:
    """An autolink's text as markdown-it writes it (it decodes `%xx` and punycode) or a fallback."""
    child = cm.first_child(node)
    if not child or cm.next(child) or cm.type(child) != TEXT:
        return
    text = cm.literal(child).decode()
    if ("%" in text or "xn--" in text.lower()) and (cm.url(node) or b"").decode() in (text, "mailto:" + text):
        raise Fallback(f"line {cm.start_line(node)}: an autolink with %-escapes or punycode")

def _image_label(cm: Cmark, node: int) -> str:
    """An image's label as written (markdown-it keeps its source), when it is plain text on one line."""
    parts = []
    for child in cm.children(node):
        content = cm.literal(child).decode() if cm.type(child) == TEXT else None
        if content is None or cm.start_line(child) != cm.end_line(child) \
                or cm.end_column(child) - cm.start_column(child) + 1 != len(content.encode()):
            raise Fallback(f"line {cm.start_line(node)}: an image label with markup")
        parts.append(content)
    return "".join(parts)
