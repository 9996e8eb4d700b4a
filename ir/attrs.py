"""Attributes: the plain data on ops, their MLIR text form and their declared specs.

Attribute values are Python data: `str`, `bool`, `int`, `float`, `list`, `dict`
(string keys) and `None` (MLIR's `unit`). The printer writes them the way MLIR's
generic syntax does (`3 : i64`, `1.5 : f64`, `["a", "b"]`, `{k = "v"}`; a string literal by
`quote`, which the parser reads back with `unquote`), and an
`AttrSpec` on an op class says which attributes the op takes and of what shape.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

AttrValue = str | bool | int | float | list | dict | None

BARE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_$.]*\Z")
_PRINTABLE = {c for c in range(0x20, 0x7F)} - {ord('"'), ord("\\")}


def _escape(byte: int) -> str:
    if byte in _PRINTABLE:
        return chr(byte)
    return {ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\t"): "\\t"}.get(byte, f"\\{byte:02X}")


# byte (as a latin-1 character) -> its text in an MLIR string literal
_QUOTE_TABLE = {b: _escape(b) for b in range(256) if b not in _PRINTABLE}
# A run of characters a literal cannot hold as themselves: not printable ASCII, or `"` or `\\`.
_TO_ESCAPE = re.compile(r'([^\x20\x21\x23-\x5b\x5d-\x7e]+)')
_RUNS: dict[str, str] = {}  # such a run -> its escapes (a text repeats a few: dashes, quotes, newlines)
_RUNS_MAX = 4096


def _escaped(text: str) -> str:
    """`text` with every run of `_TO_ESCAPE` escaped byte by byte (UTF-8)."""
    parts = _TO_ESCAPE.split(text)  # plain, run, plain, run, ..., plain
    for i in range(1, len(parts), 2):
        run = parts[i]
        esc = _RUNS.get(run)
        if esc is None:
            esc = "".join([_QUOTE_TABLE[b] for b in run.encode("utf-8")])
            if len(_RUNS) < _RUNS_MAX:
                _RUNS[run] = esc
        parts[i] = esc
    return "".join(parts)


def quote(text: str) -> str:
    """MLIR string literal: printable ASCII kept, the rest as `\\XX` bytes of UTF-8."""
    if text.isascii():  # most attribute text: escaped by `str.replace`, far faster than `translate`
        out = text.replace("\\", "\\\\") if "\\" in text else text
        if '"' in out:
            out = out.replace('"', '\\"')
        if not out.isprintable():
            out = out.replace("\n", "\\n").replace("\t", "\\t")
            if not out.isprintable():  # other control characters
                out = _escaped(text)
        return '"' + out + '"'
    # Text with a few non-ASCII characters (dashes, quotes, accents): only the runs that need it are
    # encoded, byte by byte (a `translate` of the whole text looks every character up).
    return '"' + _escaped(text) + '"'


_ESCAPE = re.compile(r"\\(\\|\"|n|t|[0-9A-Fa-f]{2})")


def unquote(literal: str) -> str:
    """Decodes an MLIR string literal (quotes included) to text."""
    body = literal[1:-1]
    if "\\" not in body:
        return body
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(body):
        out += body[pos:m.start()].encode("utf-8")
        e = m.group(1)
        out += {"\\": b"\\", '"': b'"', "n": b"\n", "t": b"\t"}.get(e) or bytes([int(e, 16)])
        pos = m.end()
    out += body[pos:].encode("utf-8")
    return out.decode("utf-8", errors="replace")


def format_float(x: float) -> str:
    if not math.isfinite(x):
        return f"0x{struct.unpack('>Q', struct.pack('>d', x))[0]:016X}"
    text = repr(x)
    mantissa, _, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + ("e" + exponent if exponent else "")


def print_attr(value: AttrValue) -> str:
    """The MLIR text form of one attribute value."""
    t = type(value)  # exact types first: nearly every value is a plain str, int, list or dict
    if t is str:
        return quote(value)  # type: ignore[arg-type]
    if t is int:
        return f"{value} : i64"
    if t is list:
        return "[" + ", ".join([print_attr(v) for v in value]) + "]"  # type: ignore[union-attr]
    if t is dict:
        return print_attr_dict(value)  # type: ignore[arg-type]
    if value is None:
        return "unit"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value} : i64"
    if isinstance(value, float):
        return f"{format_float(value)} : f64"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(print_attr(v) for v in value) + "]"
    if isinstance(value, dict):
        return print_attr_dict(value)
    raise TypeError(f"not an skc attribute value: {value!r}")


def print_key(key: str) -> str:
    printed = _KEYS.get(key)
    if printed is None:
        printed = key if BARE_ID.match(key) else quote(key)
        if len(_KEYS) < _KEYS_MAX:
            _KEYS[key] = printed
    return printed


_KEYS: dict[str, str] = {}  # attribute key -> its printed form (ops use a few dozen distinct keys)
_KEYS_MAX = 4096


def print_attr_dict(attrs: dict) -> str:
    return "{" + ", ".join([f"{print_key(k)} = {print_attr(attrs[k])}" for k in sorted(attrs)]) + "}"


def well_formed(value: object) -> str | None:
    """Why `value` cannot be an attribute, or None (checks nesting, keys, int range)."""
    if value is None or isinstance(value, bool | str | float):
        return None
    if isinstance(value, int):
        return None if -(2**63) <= value < 2**63 else f"integer {value} does not fit i64"
    if isinstance(value, list | tuple):
        for v in value:
            if (why := well_formed(v)) is not None:
                return why
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str) or not k:
                return f"dictionary key {k!r} is not a non-empty string"
            if (why := well_formed(v)) is not None:
                return why
        return None
    return f"{type(value).__name__} is not an attribute type"


# ---------------------------------------------------------------- attribute specs

Check = Callable[[AttrValue], str | None]


def _is_str(v: AttrValue) -> str | None:
    return None if isinstance(v, str) else "expected a string"


def _is_int(v: AttrValue) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) else "expected an integer"


def _is_num(v: AttrValue) -> str | None:
    ok = isinstance(v, int | float) and not isinstance(v, bool)
    return None if ok else "expected a number"


def _is_bool(v: AttrValue) -> str | None:
    return None if isinstance(v, bool) else "expected true or false"


def _is_str_list(v: AttrValue) -> str | None:
    ok = isinstance(v, list) and all(isinstance(x, str) for x in v)
    return None if ok else "expected a list of strings"


def _is_str_dict(v: AttrValue) -> str | None:
    ok = isinstance(v, dict) and all(isinstance(x, str) for x in v.values())
    return None if ok else "expected a dictionary of strings"


def _is_json_text(v: AttrValue) -> str | None:
    if not isinstance(v, str):
        return "expected JSON text in a string"
    try:
        json.loads(v)
    except ValueError as e:
        return f"not valid JSON: {e}"
    return None


def _is_regex(v: AttrValue) -> str | None:
    if not isinstance(v, str):
        return "expected a regular expression in a string"
    try:
        re.compile(v)
    except re.error as e:
        return f"not a valid regular expression: {e}"
    return None


def _anything(v: AttrValue) -> str | None:
    return None


def one_of(*choices: str) -> Check:
    def check(v: AttrValue) -> str | None:
        return None if v in choices else f"expected one of {', '.join(choices)}"

    return check


def nonempty_unique_strs(v: AttrValue) -> str | None:
    if (why := _is_str_list(v)) is not None:
        return why
    assert isinstance(v, list)
    if not v:
        return "expected at least one entry"
    if len(set(v)) != len(v):
        return "entries must be distinct"
    return None


@dataclass(frozen=True, slots=True)
class AttrSpec:
    """One attribute an op takes: its shape check, whether required, what it means."""

    check: Check
    required: bool = False
    doc: str = ""


def req(check: Check, doc: str = "") -> AttrSpec:
    return AttrSpec(check, True, doc)


def opt(check: Check, doc: str = "") -> AttrSpec:
    return AttrSpec(check, False, doc)


STR, INT, NUM, BOOL, STRS, STR_DICT = _is_str, _is_int, _is_num, _is_bool, _is_str_list, _is_str_dict
JSON_TEXT, REGEX, ANYTHING = _is_json_text, _is_regex, _anything


# Attributes any op may carry, set by front ends and passes (checked wherever they appear).
COMMON_ATTRS: dict[str, AttrSpec] = {
    "step": opt(STR, "the source step's label (front ends)"),
    "target": opt(STR, "where the op runs: cpu, llm.local, llm.openai:<name> (placement)"),
    "level": opt(INT, "parallel level in the schedule (concurrency)"),
    "est_latency_s": opt(NUM, "latency estimate overriding the cost model"),
}
