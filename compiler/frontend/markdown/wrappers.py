"""Wrappers around code: custom tags, `<pre>` and `<details>`, unwrapped before parsing.

Authors put code where markdown does not see a code block: between custom tags
(`<QUERY_1>` ... `</QUERY_1>`, one per step of a TSG), in `<pre>` / `<pre><code>`
HTML, or inside collapsible `<details>` sections. CommonMark reads the first as a
paragraph (a tag name cannot hold `_`) and the others as raw HTML, so the code
would vanish. `unwrap(lines)` rewrites such lines in place, one output line per
input line (every location stays true):

- a custom tag alone on its line, closed later by `</TAG>` alone on its line, becomes
  a fence: ```` ```tag-query_1 ```` ... ```` ``` ```` (its content HTML-unescaped); when the
  content already holds a fence, the tag lines just become blank;
- `<pre>` / `<pre><code ...>` ... `</code></pre>` likewise (`lang-x`/`language-x` classes
  give the fence's language);
- `<details>`, `</details>` and `<summary>...</summary>` lines become blank, so what they
  hold is parsed as markdown.

Lines inside existing fences are never touched. `TAG_PREFIX` marks the fence
language of an unwrapped tag: `blocks` reads the tag name as a hint (QUERY/SQL/KQL
name a query) and classifies the content by what it is.
"""

from __future__ import annotations

import html
import re

TAG_PREFIX = "tag-"
_KNOWN_HTML = {"a", "b", "i", "u", "p", "br", "hr", "div", "span", "code", "pre", "img", "kbd", "sup", "sub", "em",
               "strong", "ul", "ol", "li", "table", "tr", "td", "th", "details", "summary", "h1", "h2", "h3", "h4",
               "h5", "h6", "dl", "dt", "dd", "tbody", "thead", "small", "center", "blockquote", "section", "article",
               "header", "footer", "nav", "main", "figure", "figcaption", "iframe", "video", "audio", "source",
               "script", "style", "object", "picture", "svg", "font", "tt", "s", "del", "ins", "mark", "abbr", "q"}
_OPEN = re.compile(r"^\s*<([A-Za-z][A-Za-z0-9_\-]{0,40})>\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_PRE_OPEN = re.compile(r"^\s*<pre(?:\s[^>]*)?>\s*(?:<code(?:\s+class=[\"'](?:lang(?:uage)?-)?([\w+-]+)[\"'])?[^>]*>)?(.*)$",
                       re.I)
_PRE_CLOSE = re.compile(r"^(.*?)(?:</code>)?\s*</pre>\s*$", re.I)
_DETAILS = re.compile(r"^\s*(?:</?details(?:\s[^>]*)?>|<summary>.*?</summary>|</?summary>)\s*$", re.I)


def unwrap(lines: list[str]) -> list[str]:
    """`lines` with wrapped code turned into fences (same number of lines)."""
    out = list(lines)
    i, fence = 0, ""
    while i < len(out):
        line = out[i]
        m = _FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip()[len(m.group(1)):]:
                fence = ""
        elif m:
            fence = m.group(1)
        elif _DETAILS.match(line):
            out[i] = ""
        elif _custom_tag(out, i) or _pre(out, i):
            continue  # line i is now a fence (or blank): read it again
        i += 1
    return out


def _custom_tag(out: list[str], i: int) -> bool:
    """Rewrites `<TAG>` ... `</TAG>` starting at line `i`; whether it did."""
    m = _OPEN.match(out[i])
    if m is None or m.group(1).lower() in _KNOWN_HTML:
        return False
    name = m.group(1)
    close = re.compile(rf"^\s*</{re.escape(name)}>\s*$")
    end = next((j for j in range(i + 1, min(len(out), i + 2000)) if close.match(out[j])), None)
    if end is None:
        return False
    body = out[i + 1:end]
    pad = _indent(out[i])
    if any(_FENCE.match(b) for b in body):
        out[i], out[end] = "", ""
    else:
        out[i] = f"{pad}```{TAG_PREFIX}{name.lower()}"
        out[i + 1:end] = [html.unescape(b).replace("```", "\'\'\'") for b in body]
        out[end] = f"{pad}```"
    return True


def _pre(out: list[str], i: int) -> bool:
    """Rewrites a `<pre>` block starting at line `i`; whether it did."""
    m = _PRE_OPEN.match(out[i])
    if m is None:
        return False
    lang, first = (m.group(1) or "").lower(), m.group(2)
    same = _PRE_CLOSE.match(first)
    if same is not None:  # <pre>one line</pre>: inline code keeps it on its line
        text = html.unescape(re.sub(r"<[^>]+>", "", same.group(1))).strip()
        out[i] = f"`{text}`" if text and "`" not in text else ""
        return False
    end = next((j for j in range(i + 1, min(len(out), i + 2000)) if _PRE_CLOSE.match(out[j])), None)
    if end is None or first.strip() or any(_FENCE.match(b) for b in out[i + 1:end]):
        return False  # content on the tag's own line has no line of its own to keep: left as HTML
    close = _PRE_CLOSE.match(out[end])
    tail = close.group(1) if close else ""
    pad = _indent(out[i])
    out[i] = f"{pad}```{lang}"
    out[i + 1:end] = [_text(b) for b in out[i + 1:end]]
    if tail.strip() and end + 1 < len(out) and not out[end + 1].strip():
        out[end], out[end + 1] = _text(tail), f"{pad}```"  # `last</code></pre>`: the blank line after closes it
    elif tail.strip():
        out[end] = _text(tail)
        out.insert(end + 1, f"{pad}```")  # rare: shifts later lines by one, better than losing the line
    else:
        out[end] = f"{pad}```"
    return True


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def _text(line: str) -> str:
    return html.unescape(re.sub(r"</?(?:code|span|b|i|em|strong)[^>]*>", "", line))
