"""The parser: MLIR generic op syntax back into skc IR.

Hand-written (a regex lexer and recursive descent) for speed and for errors that
point at the exact line and column: `file:line:col: error SKC101: ...`.
The lexer matches at every position (a catch-all `bad` token: linear time on any input) and nesting deeper
than `MAX_DEPTH` is an SKC101. Codes: SKC101 syntax, SKC102 undefined value, SKC103 redefined value,
SKC104 unknown type, SKC105 a use whose type differs from its definition.
"""

from __future__ import annotations

import bisect
import os
import re
import struct
from pathlib import Path

from skc.ir.attrs import AttrValue, unquote
from skc.ir.core import Block, Op, Region, UnregisteredOp, Value
from skc.ir.dialects import op_class
from skc.ir.location import UNKNOWN, Diagnostic, DiagnosticError, Location
from skc.ir.module import Module
from skc.ir.types import KINDS, Type

_TOKEN = re.compile(r"""
  (?P<ws>[ \t\r\n]+|//[^\n]*)
| (?P<string>"(?:[^"\\\n]|\\.)*")
| (?P<value>%[A-Za-z0-9_$.\-]+(?:\#[0-9]+)?)
| (?P<block>\^[A-Za-z0-9_$.\-]+)
| (?P<type>![A-Za-z_][A-Za-z0-9_$.]*)
| (?P<hex>0x[0-9A-Fa-f]+)
| (?P<float>[-+]?[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?)
| (?P<int>[-+]?[0-9]+)
| (?P<ident>[A-Za-z_][A-Za-z0-9_$.]*)
| (?P<arrow>->)
| (?P<punct>[(){}\[\],:=<>])
| (?P<bad>.)
""", re.VERBOSE | re.DOTALL)

MAX_DEPTH = 100  # nesting of regions and attribute values; deeper input is an SKC101, not a RecursionError


class _Scope:
    """SSA names visible in one region nest; forward references become placeholders."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Value]] = [{}]
        self.pending: dict[str, tuple[Value, list[tuple[Op, int]], int]] = {}

    def lookup(self, name: str) -> Value | None:
        for frame in reversed(self.frames):
            if name in frame:
                return frame[name]
        return None


class Parser:
    """Parses one text; `parse()` returns a Module or raises DiagnosticError."""

    def __init__(self, text: str, file: str = "<input>") -> None:
        self.text = text
        self.file = file
        self.tokens: list[tuple[str, str, int]] = []
        self._lines: list[int] | None = None
        pos = 0
        for m in _TOKEN.finditer(text):  # `bad` matches any other character: no search, linear time
            if m.lastgroup == "bad":
                break
            pos = m.end()
            if m.lastgroup != "ws":
                self.tokens.append((m.lastgroup or "", m.group(), m.start()))
        if pos != len(text):
            if text[pos] == '"':
                self._fail(pos, "unterminated string", hint="a string ends with '\"' on the same line")
            self._fail(pos, f"unexpected character {text[pos]!r}")
        self.tokens.append(("eof", "", len(text)))
        self.i = 0
        self.scope = _Scope()
        self.depth = 0  # regions and attribute lists open at this point

    # -- errors and tokens

    def location(self, pos: int) -> Location:
        if self._lines is None:
            self._lines = [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._lines, pos)
        start = self._lines[line - 1] if line else 0
        return Location(self.file, line + 1, pos - start + 1)

    def _fail(self, pos: int, message: str, code: str = "SKC101", hint: str = "") -> None:
        raise DiagnosticError([Diagnostic(code, self.location(pos), message, hint)])

    def peek(self, text: str | None = None, kind: str | None = None) -> bool:
        k, t, _ = self.tokens[self.i]
        return (text is None or t == text) and (kind is None or k == kind)

    def next(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, text: str | None = None, kind: str | None = None, what: str = "") -> tuple[str, str, int]:
        k, t, pos = self.tokens[self.i]
        if (text is not None and t != text) or (kind is not None and k != kind):
            found = repr(t) if t else "end of file"
            self._fail(pos, f"expected {what or repr(text) or kind}, found {found}")
        self.i += 1
        return k, t, pos

    def accept(self, text: str) -> bool:
        if self.tokens[self.i][1] == text:
            self.i += 1
            return True
        return False

    # -- grammar

    def parse(self) -> Module:
        module = Module(file=self.file)
        wrapped = self.peek("module", "ident")
        if wrapped:
            self.next()
            if self.peek("attributes"):
                self._fail(self.tokens[self.i][2], "module attributes are not supported")
            self.expect("{")
        while not self.peek(kind="eof") and not (wrapped and self.peek("}")):
            self.scope = _Scope()
            module.ops.append(self.op())
            self._check_pending()
        if wrapped:
            self.expect("}")
            self.expect(kind="eof", what="end of file")
        return module

    def _check_pending(self) -> None:
        for name, (_, _, pos) in self.scope.pending.items():
            self._fail(pos, f"use of undefined value %{name}", "SKC102")

    def op(self) -> Op:
        start = self.tokens[self.i][2]
        defs: list[tuple[str, int, int]] = []  # (name, result count, pos)
        if self.peek(kind="value"):
            while True:
                _, tok, pos = self.expect(kind="value", what="a result name")
                count = 1
                if self.accept(":"):
                    count = int(self.expect(kind="int", what="a result count")[1])
                defs.append((tok[1:], count, pos))
                if not self.accept(","):
                    break
            self.expect("=")
        _, name_tok, name_pos = self.expect(kind="string", what='an op name in quotes, like "tool.shell"')
        name = unquote(name_tok)
        self.expect("(")
        uses: list[tuple[str, int]] = []
        if not self.peek(")"):
            while True:
                _, tok, pos = self.expect(kind="value", what="an operand")
                uses.append((tok[1:], pos))
                if not self.accept(","):
                    break
        self.expect(")")
        regions: list[Region] = []
        if self.accept("("):
            while True:
                regions.append(self.region())
                if not self.accept(","):
                    break
            self.expect(")")
        attrs = self.attr_dict() if self.peek("{") else {}
        self.expect(":", what="':' and the op's type")
        operand_types, result_types = self.function_type()
        loc = self.loc() if self.peek("loc") else UNKNOWN
        if len(operand_types) != len(uses):
            self._fail(start, f"{len(uses)} operands but {len(operand_types)} operand types")
        if defs and sum(c for _, c, _ in defs) != len(result_types):  # no names at all is fine, as in MLIR
            self._fail(start, f"{sum(c for _, c, _ in defs)} result names but {len(result_types)} result types")
        names: list[str | None] = []
        for n, c, _ in defs:
            names += [None if n.isdigit() else n] + [None] * (c - 1)
        cls = op_class(name)
        args: tuple = ([], result_types, attrs, regions, loc, names or None)
        op = cls(*args) if cls is not None else UnregisteredOp(name, *args)
        for (use, pos), t in zip(uses, operand_types, strict=True):
            op.operands.append(self.resolve(use, t, pos, op, len(op.operands)))
        i = 0
        for n, c, pos in defs:
            for k in range(c):
                self.define(n if c == 1 else f"{n}#{k}", op.results[i], pos)
                i += 1
        del name_pos
        op.text_loc = self.location(start)
        return op

    def _enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self._fail(pos, f"regions or attributes nested more than {MAX_DEPTH} deep",
                       hint="skc workflows nest a few levels; this input is not one")

    def region(self) -> Region:
        self._enter(self.tokens[self.i][2])
        self.expect("{")
        self.scope.frames.append({})
        arg_types: list[Type] = []
        arg_defs: list[tuple[str, int]] = []
        if self.peek(kind="block"):
            self.next()
            if self.accept("("):
                while not self.peek(")"):
                    _, tok, pos = self.expect(kind="value", what="a block argument")
                    self.expect(":")
                    arg_types.append(self.type())
                    arg_defs.append((tok[1:], pos))
                    if self.peek("loc"):
                        self.loc()
                    if not self.accept(","):
                        break
                self.expect(")")
            self.expect(":")
        block = Block(arg_types, [None if n.isdigit() else n for n, _ in arg_defs])
        for (n, pos), v in zip(arg_defs, block.args, strict=True):
            self.define(n, v, pos)
        while not self.peek("}"):
            if self.peek(kind="block"):
                self._fail(self.tokens[self.i][2], "skc regions have a single block")
            block.append(self.op())
        self.expect("}")
        self.scope.frames.pop()
        self.depth -= 1
        return Region([block])

    def define(self, name: str, value: Value, pos: int) -> None:
        if self.scope.lookup(name) is not None:
            self._fail(pos, f"redefinition of value %{name}", "SKC103")
        self.scope.frames[-1][name] = value
        pending = self.scope.pending.pop(name, None)
        if pending is not None:
            placeholder, sites, use_pos = pending
            if placeholder.type != value.type:
                self._fail(use_pos, f"%{name} used as {placeholder.type} but defined as {value.type}", "SKC105")
            for op, index in sites:
                op.operands[index] = value

    def resolve(self, name: str, t: Type, pos: int, op: Op, index: int) -> Value:
        value = self.scope.lookup(name)
        if value is not None:
            if value.type != t:
                self._fail(pos, f"%{name} used as {t} but defined as {value.type}", "SKC105")
            return value
        if name in self.scope.pending:
            placeholder, sites, _ = self.scope.pending[name]
            sites.append((op, index))
            return placeholder
        placeholder = Value(t)
        self.scope.pending[name] = (placeholder, [(op, index)], pos)
        return placeholder

    def function_type(self) -> tuple[list[Type], list[Type]]:
        operands = self.type_list()
        self.expect("->", what="'->'")
        results = self.type_list() if self.peek("(") else [self.type()]
        return operands, results

    def type_list(self) -> list[Type]:
        self.expect("(", what="'(' and a type list")
        types: list[Type] = []
        if not self.peek(")"):
            while True:
                types.append(self.type())
                if not self.accept(","):
                    break
        self.expect(")")
        return types

    def type(self) -> Type:
        kind, tok, pos = self.next()
        if kind not in ("type", "ident"):
            self._fail(pos, f"expected a type, found {repr(tok) if tok else 'end of file'}")
        if kind != "type" or not tok.startswith("!skc.") or tok[5:] not in KINDS:
            self._fail(pos, f"unknown type {tok!r}", "SKC104",
                       "skc types are !skc.text, !skc.json, !skc.table, !skc.bool, !skc.num, !skc.file, !skc.token")
        schema = None
        if self.accept("<"):
            schema = unquote(self.expect(kind="string", what="a JSON Schema string")[1])
            self.expect(">")
            if tok != "!skc.json":
                self._fail(pos, "only !skc.json takes a schema", "SKC104")
        return Type(tok[5:], schema)

    def loc(self) -> Location:
        self.expect("loc")
        self.expect("(")
        if self.accept("unknown"):
            self.expect(")")
            return UNKNOWN
        file = unquote(self.expect(kind="string", what="a file name")[1])
        line = col = 0
        if self.accept(":"):
            line = int(self.expect(kind="int", what="a line number")[1])
            self.expect(":")
            col = int(self.expect(kind="int", what="a column number")[1])
        self.expect(")")
        return Location(file, line, col)

    def attr_dict(self) -> dict[str, AttrValue]:
        self.expect("{")
        out: dict[str, AttrValue] = {}
        if not self.peek("}"):
            while True:
                kind, tok, pos = self.next()
                if kind not in ("ident", "string"):
                    self._fail(pos, f"expected an attribute name, found {tok!r}")
                key = unquote(tok) if kind == "string" else tok
                if key in out:
                    self._fail(pos, f"duplicate attribute {key!r}")
                out[key] = self.attr() if self.accept("=") else None
                if not self.accept(","):
                    break
        self.expect("}")
        return out

    def attr(self) -> AttrValue:
        kind, tok, pos = self.next()
        if kind == "string":
            return unquote(tok)
        if kind == "int":
            self._skip_type()
            return int(tok)
        if kind == "float":
            self._skip_type()
            return float(tok)
        if kind == "hex":
            is_float = self._skip_type().startswith("f")
            bits = int(tok, 16)
            return struct.unpack(">d", struct.pack(">Q", bits))[0] if is_float else bits
        if tok in ("true", "false"):
            return tok == "true"
        if tok == "unit":
            return None
        if tok == "[":
            self._enter(pos)
            items: list[AttrValue] = []
            if not self.accept("]"):
                while True:
                    items.append(self.attr())
                    if not self.accept(","):
                        break
                self.expect("]")
            self.depth -= 1
            return items
        if tok == "{":
            self.i -= 1
            self._enter(pos)
            nested = self.attr_dict()
            self.depth -= 1
            return nested
        self._fail(pos, f"expected an attribute value, found {tok!r}")
        raise AssertionError  # unreachable

    def _skip_type(self) -> str:
        if self.accept(":"):
            return self.expect(kind="ident", what="a builtin type like i64 or f64")[1]
        return ""


def parse_module(text: str, file: str = "<input>") -> Module:
    """Parses IR text; raises DiagnosticError with located diagnostics on bad input."""
    return Parser(text, file).parse()


def parse_file(path: str | os.PathLike[str]) -> Module:
    """Reads and parses an `.mlir` file; text that is not UTF-8 is an SKC101 at the bad byte."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        before = raw[:e.start].decode("utf-8")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        raise DiagnosticError([Diagnostic("SKC101", Location(str(path), line, col),
                                          f"not UTF-8 text (byte 0x{raw[e.start]:02X})",
                                          "save the file as UTF-8")]) from None
    return parse_module(text, str(path))
