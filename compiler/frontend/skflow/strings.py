"""Strings and literals of the .skflow language: decoding what the parser read, and
rendering IR data back as .skflow text (for the printer).

Three string forms (docs/skflow.md):

    "kubectl get pods -n {{ns}}"    escapes \\" \\\\ \\n \\t \\r \\{ \\} \\uXXXX \\UXXXXXXXX
    r"version=(\\S+)"               raw: no escapes, no " inside
    \"\"\"                          long: no escapes; a newline right after the opening
    multi-line text                 quotes is dropped and the common indentation removed
    \"\"\"

In a *templated* position (commands, queries, URLs, paths, template text) `{{name}}`
inserts the value `name`; it becomes the IR placeholder `{N}`, N being the value's
operand position. Elsewhere `{{name}}` is plain text. `\\{` is a literal brace that
never starts an insertion.
"""

from __future__ import annotations

import math
import re
import struct
import textwrap
import unicodedata
from dataclasses import dataclass, field

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_INTERP = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_MARK = 0xF0000  # supplementary private-use plane: stands for insertions while dedenting
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "{": "{", "}": "}"}


@dataclass(frozen=True, slots=True)
class Interp:
    """`{{name}}` inside a string, with its own position (for errors)."""

    name: str
    line: int
    col: int
    raw: str


@dataclass(frozen=True, slots=True)
class StringError:
    message: str
    line: int
    col: int
    hint: str = ""


@dataclass(frozen=True, slots=True)
class Text:
    """A decoded string literal: text pieces and insertions, in order."""

    segments: tuple[str | Interp, ...]
    line: int = 0
    col: int = 0
    errors: tuple[StringError, ...] = field(default=(), compare=False)

    def plain(self) -> str:
        """The text read where insertions mean nothing: `{{name}}` stays as written."""
        return "".join(s if isinstance(s, str) else s.raw for s in self.segments)

    @property
    def interps(self) -> list[Interp]:
        return [s for s in self.segments if isinstance(s, Interp)]


def _position(line: int, col: int, raw: str, offset: int) -> tuple[int, int]:
    """Line and column of `raw[offset]`, `raw` starting at `line:col`."""
    before = raw[:offset]
    newlines = before.count("\n")
    if not newlines:
        return line, col + offset
    return line + newlines, offset - before.rfind("\n")


def _normalise(parts: list[str | Interp]) -> tuple[str | Interp, ...]:
    out: list[str | Interp] = []
    for p in parts:
        if isinstance(p, str):
            if not p:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += p
                continue
        out.append(p)
    return tuple(out)


def decode(token: str, line: int = 0, col: int = 0) -> Text:
    """Decodes one string token (`"..."`, `r"..."` or `\"\"\"...\"\"\"`) as written at `line:col`."""
    if token.startswith('"""'):
        return _decode_long(token, line, col)
    raw = token.startswith("r")
    start = 2 if raw else 1
    body = token[start:-1]
    parts: list[str | Interp] = []
    errors: list[StringError] = []
    buf: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and not raw:
            e = body[i + 1:i + 2]
            if e in _SIMPLE_ESCAPES:
                buf.append(_SIMPLE_ESCAPES[e])
                i += 2
                continue
            width = {"u": 4, "U": 8}.get(e)
            digits = body[i + 2:i + 2 + width] if width else ""
            if width and re.fullmatch(r"[0-9A-Fa-f]+", digits or "-") and len(digits) == width \
                    and int(digits, 16) <= 0x10FFFF:
                buf.append(chr(int(digits, 16)))
                i += 2 + width
                continue
            at = _position(line, col, token, start + i)
            errors.append(StringError(
                f"unknown escape '\\{e}' in a string", *at,
                'write r"..." for regular expressions and Windows paths, or \\\\ for a backslash'))
            buf.append(e)
            i += 2
            continue
        if c == "{":
            m = _INTERP.match(body, i)
            if m:
                parts.append("".join(buf))
                buf = []
                at = _position(line, col, token, start + i)
                parts.append(Interp(m.group(1), *at, m.group(0)))
                i = m.end()
                continue
        buf.append(c)
        i += 1
    parts.append("".join(buf))
    return Text(_normalise(parts), line, col, tuple(errors))


def _decode_long(token: str, line: int, col: int) -> Text:
    body = token[3:-3]
    offset = 3
    if body.startswith("\n"):
        body, offset = body[1:], 4
    interps: list[Interp] = []

    def mark(m: re.Match[str]) -> str:
        at = _position(line, col, token, offset + m.start())
        interps.append(Interp(m.group(1), *at, m.group(0)))
        return chr(_MARK + len(interps) - 1)

    marked = textwrap.dedent(_INTERP.sub(mark, body))
    parts: list[str | Interp] = []
    buf: list[str] = []
    for c in marked:
        k = ord(c) - _MARK
        if 0 <= k < len(interps):
            parts.append("".join(buf))
            buf = []
            parts.append(interps[k])
        else:
            buf.append(c)
    parts.append("".join(buf))
    return Text(_normalise(parts), line, col)


# ---------------------------------------------------------------- rendering


def _escape_char(c: str) -> str:
    if c == '"':
        return '\\"'
    if c == "\\":
        return "\\\\"
    if c in "\n\t\r":
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}[c]
    if c.isprintable() and unicodedata.category(c) not in ("Co", "Cs"):
        return c
    return f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}"


def _quoted(segments: tuple[str | Interp, ...], all_braces: bool) -> str:
    out = ['"']
    for s in segments:
        if isinstance(s, Interp):
            out.append("{{" + s.name + "}}")
            continue
        starts = {m.start() for m in _INTERP.finditer(s)}
        for i, c in enumerate(s):
            out.append("\\{" if c == "{" and (all_braces or i in starts) else _escape_char(c))
    out.append('"')
    return "".join(out)


def _plain_ok(text: str, forbidden: str) -> bool:
    return all((c.isprintable() or c in "\n\t") and c not in forbidden for c in text) and \
        not any(unicodedata.category(c) in ("Co", "Cs") for c in text)


def _candidates(segments: tuple[str | Interp, ...], indent: str) -> list[str]:
    text = "".join(s if isinstance(s, str) else "{{" + s.name + "}}" for s in segments)
    out: list[str] = []
    if "\n" in text and '"""' not in text and not text.endswith('"') and _plain_ok(text, "\r"):
        pad = indent + "    "
        lines = [pad + ln if ln else "" for ln in text.split("\n")]
        if not lines[-1]:
            lines[-1] = indent  # the closing quotes line up with the statement
        out.append('"""\n' + "\n".join(lines) + '"""')
    if "\\" in text and "\n" not in text and _plain_ok(text, '"\t'):
        out.append('r"' + text + '"')
    if '"' in text and "\n" not in text and '"""' not in text and not text.endswith('"') and _plain_ok(text, ""):
        out.append('"""' + text + '"""')
    out.append(_quoted(segments, all_braces=False))
    out.append(_quoted(segments, all_braces=True))
    return out


def render(segments: tuple[str | Interp, ...] | str, *, templated: bool = True, indent: str = "") -> str:
    """The most readable string literal that decodes back to exactly `segments`.

    With `templated=False` the text is compared as plain text (insertions are inert).
    """
    segs = (segments,) if isinstance(segments, str) else segments
    want = _normalise(list(segs))
    for candidate in _candidates(want, indent):
        got = decode(candidate)
        if got.errors:
            continue
        if templated:
            same = [s if isinstance(s, str) else s.name for s in got.segments] == \
                [s if isinstance(s, str) else s.name for s in want]
        else:
            same = got.plain() == "".join(s if isinstance(s, str) else s.raw for s in want)
        if same:
            return candidate
    raise AssertionError(f"no string form for {want!r}")  # the fully escaped form always fits


def quote(text: str) -> str:
    """`text` as a plain double-quoted string (where the grammar takes only that form)."""
    for all_braces in (False, True):
        candidate = _quoted((text,) if text else (), all_braces)
        if decode(candidate).plain() == text:
            return candidate
    raise AssertionError(f"no quoted form for {text!r}")


def render_plain(text: str, indent: str = "") -> str:
    """A string literal whose plain reading is `text`."""
    return render((text,), templated=False, indent=indent)


class Inexpressible(Exception):
    """Raised by the printer's helpers for IR that .skflow has no text for."""


def literal_ok(value: object) -> bool:
    """`value` has a .skflow literal (a NaN only in its plain form, `nan`)."""
    if isinstance(value, float) and math.isnan(value):
        return struct.pack(">d", value) == struct.pack(">d", math.nan)
    if isinstance(value, list | tuple):
        return all(literal_ok(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and literal_ok(v) for k, v in value.items())
    return value is None or isinstance(value, str | int | float)


def render_number(value: int | float) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            if struct.pack(">d", value) != struct.pack(">d", math.nan):
                raise Inexpressible("a NaN with a sign or payload has no .skflow literal")
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    return str(value)


def render_key(key: str) -> str:
    return key if IDENT.match(key) else render_plain(key)


def render_literal(value: object, indent: str = "") -> str:
    """An attribute value as a .skflow literal (strings plain, numbers keep int/float)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return render_number(value)
    if isinstance(value, str):
        return render_plain(value, indent)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_literal(v, indent) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_key(str(k))}: {render_literal(v, indent)}" for k, v in value.items()) + "}"
    raise Inexpressible(f"{type(value).__name__} is not an attribute value")
