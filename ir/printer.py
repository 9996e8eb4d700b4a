"""The printer: a module in MLIR's generic op syntax.

The output is canonical (attribute keys sorted, values numbered in print order,
name hints kept when unique), so print -> parse -> print is the identity, and it
is accepted by upstream MLIR's parser with unregistered dialects allowed.
"""

from __future__ import annotations

from skc.ir.attrs import print_attr_dict, quote
from skc.ir.core import Block, Op, Value
from skc.ir.location import Location
from skc.ir.module import Module


class _Namer:
    """Assigns every value of one workflow a unique SSA name."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.used: set[str] = set()
        self.counter = 0

    def _fresh(self, hint: str | None) -> str:
        if hint is None:
            while str(self.counter) in self.used:
                self.counter += 1
            name = str(self.counter)
            self.counter += 1
        else:
            name, n = hint, 1
            while name in self.used:
                name, n = f"{hint}_{n}", n + 1
        self.used.add(name)
        return name

    def define_results(self, op: Op) -> str:
        if not op.results:
            return ""
        group = self._name_results(op)
        return f"%{group} = " if len(op.results) == 1 else f"%{group}:{len(op.results)} = "

    def _name_results(self, op: Op) -> str:
        """Names `op`'s results once (`%g`, or `%g#0`, `%g#1`, ...); returns the group name `g`."""
        first = op.results[0]
        name = self.names.get(id(first))
        if name is not None:  # named at a use before its definition
            return name.partition("#")[0]
        group = self._fresh(first.name)
        if len(op.results) == 1:
            self.names[id(first)] = group
        else:
            for i, r in enumerate(op.results):
                self.names[id(r)] = f"{group}#{i}"
        return group

    def define_arg(self, v: Value) -> str:
        name = self._fresh(v.name)
        self.names[id(v)] = name
        return name

    def use(self, v: Value) -> str:
        name = self.names.get(id(v))
        if name is None:  # a use before its definition (the verifier will say so)
            owner = v.owner
            if isinstance(owner, Op) and v.index < len(owner.results) and owner.results[v.index] is v:
                self._name_results(owner)
                name = self.names[id(v)]
            else:
                name = self.define_arg(v)
        return "%" + name


def print_loc(loc: Location) -> str:
    return f" loc({quote(loc.file)}:{loc.line}:{loc.col})" if loc.known else ""


def _types(values: list[Value]) -> str:
    return ", ".join(str(v.type) for v in values)


class _Texts:
    """The printed forms one op tree repeats on nearly every line: op names, types and its
    source files (each printed once, then looked up)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.types: dict[int, str] = {}  # by id: types are frozen dataclasses, slow to hash; all live while printing
        self.files: dict[str, str] = {}

    def name(self, op_name: str) -> str:
        text = self.names.get(op_name)
        if text is None:
            text = self.names[op_name] = quote(op_name)
        return text

    def type(self, t: object) -> str:
        text = self.types.get(id(t))
        if text is None:
            text = self.types[id(t)] = str(t)
        return text

    def loc(self, loc: Location) -> str:
        if not loc.file:
            return ""
        file = self.files.get(loc.file)
        if file is None:
            file = self.files[loc.file] = quote(loc.file)
        return f" loc({file}:{loc.line}:{loc.col})"


def _print_op(op: Op, indent: str, namer: _Namer, out: list[str], texts: _Texts) -> None:
    head = indent + namer.define_results(op)
    head += f'{texts.name(op.op_name)}({", ".join([namer.use(v) for v in op.operands])})'
    if op.regions:
        out.append(head + " ({")
        for i, region in enumerate(op.regions):
            if i:
                out.append(indent + "}, {")
            for block in region.blocks:
                _print_block(block, indent, namer, out, texts)
        head = indent + "})"
    if op.attributes:
        head += " " + print_attr_dict(op.attributes)
    results = op.results
    typed = texts.type
    shown = typed(results[0].type) if len(results) == 1 else f"({', '.join([typed(v.type) for v in results])})"
    operands = ", ".join([typed(v.type) for v in op.operands])
    out.append(f"{head} : ({operands}) -> {shown}{texts.loc(op.loc)}")


def _print_block(block: Block, indent: str, namer: _Namer, out: list[str], texts: _Texts) -> None:
    if block.args:
        args = ", ".join(f"%{namer.define_arg(a)}: {texts.type(a.type)}" for a in block.args)
        out.append(f"{indent}^bb0({args}):")
    inner = indent + "  "
    for op in block.ops:
        _print_op(op, inner, namer, out, texts)


def print_op(op: Op) -> str:
    """One top-level op (usually a workflow) and everything nested in it."""
    out: list[str] = []
    _print_op(op, "", _Namer(), out, _Texts())
    return "\n".join(out)


def print_module(module: Module) -> str:
    return "".join(print_op(op) + "\n" for op in module.ops)
