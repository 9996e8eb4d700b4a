"""The `cse` pass: common subexpression elimination over pure ops and read-only tool calls.

Two ops merge when they have the same name, the same operands, the same result
types and the same attributes (ignoring the annotations `step`, `level`,
`target` and `est_latency_s`), and one of these holds:

- both are pure: `data.*`, `calc.*`, and the `llm.generate` / `llm.decide` /
  `llm.extract` calls, which read only their operands and the model, except at a
  non-zero `temperature` (two samples are then meant to differ, e.g. for voting);
  a tool op declaring `effects = ["pure"]` is pure too;
- both are tool calls whose effects only read (`read:` / `net:`), and no op in
  between (in program order, including ops nested in regions) writes a resource
  the call reads. `cse{tools=false}` leaves every tool call alone.

The first op is kept, with its location and attributes; uses of the later one's
results are replaced by the first's, and the later op is removed. Ops in a
region may reuse an identical op from an enclosing block (it dominates them), but
not the other way round; a `ctrl.retry` body never reuses an outer tool call (a
retry must re-run its reads), and a `ctrl.map` body reuses no outer read of a
resource the body writes (one item's write precedes the next item's read). Ops with regions and terminators are never merged.
Merges are listed in `ctx.reports["cse"]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skc.compiler.passes import Pass, PassContext
from skc.compiler.passes.concurrency import METADATA_ATTRS
from skc.ir.analysis import conflict, op_effects
from skc.ir.attrs import print_attr
from skc.ir.core import Block, Op, Value
from skc.ir.effects import Effect, parse_effects
from skc.ir.module import Module
from skc.ir.traits import CallsModel, Loop, Retrying, RunsTool

Key = tuple[Any, ...]


def read_only_effects(op: Op) -> list[Effect] | None:
    """The effects of a tool op that only reads ([] for `["pure"]`), or None if it writes."""
    declared = op.attributes.get("effects")
    if not isinstance(declared, list) or not declared:
        return None
    effects, bad = parse_effects([str(e) for e in declared])
    if bad or any(e.writes for e in effects):
        return None
    return effects


def mergeable(op: Op, tools: bool) -> list[Effect] | None:
    """The effects an op may be merged under ([] for pure ops), or None when it must stay."""
    if op.regions or op.terminator or not op.results:
        return None
    if op.has(RunsTool):
        return read_only_effects(op) if tools else None
    if not op.pure or "effects" in op.attributes:
        return None
    temperature = op.attributes.get("temperature")
    if op.has(CallsModel) and isinstance(temperature, int | float) and temperature != 0:
        return None
    return []


def _attr_key(value: object) -> object:
    """What two attribute values share exactly when their printed forms (`print_attr`) are equal:
    an ASCII string itself (its MLIR escape is one-to-one), a list or tuple of ASCII strings
    (both print as a list) `(None, the strings)`, anything else `(its printed form,)`."""
    t = type(value)
    if t is str:
        if value.isascii():  # type: ignore[attr-defined]
            return value
    elif (t is list or t is tuple) and all(type(v) is str and v.isascii() for v in value):  # type: ignore[attr-defined]
        return (None, tuple(value))  # type: ignore[arg-type]
    return (print_attr(value),)  # type: ignore[arg-type]  # a tuple: never equal to a string


def cse_key(op: Op) -> Key:
    attrs = tuple(sorted((k, _attr_key(v)) for k, v in op.attributes.items() if k not in METADATA_ATTRS))
    return (op.op_name, tuple(id(v) for v in op.operands), tuple(str(r.type) for r in op.results), attrs)


class _Scope:
    """Available ops of one block nest: key -> (op, the effects it reads); `readers` are the keys
    of the entries that read something (only those can be invalidated by a write)."""

    def __init__(self, table: dict[Key, tuple[Op, list[Effect]]] | None = None,
                 readers: set[Key] | None = None) -> None:
        self.table = dict(table or {})
        self.readers = set(readers or ())

    def add(self, key: Key, op: Op, reads: list[Effect]) -> None:
        self.table[key] = (op, reads)
        if reads:
            self.readers.add(key)

    def nested(self, parent: Op) -> _Scope:
        """The scope of `parent`'s regions; a loop body's writes also precede its reads (next round)."""
        if parent.has(Retrying):
            table = {k: v for k, v in self.table.items() if not v[0].has(RunsTool)}
            return _Scope(table, {k for k in self.readers if k in table})
        scope = _Scope(self.table, self.readers)
        if parent.has(Loop) or parent.has(Retrying):  # bodies that run more than once
            scope.invalidate(op_effects(parent))
        return scope

    def invalidate(self, writer: list[Effect]) -> None:
        writes = [e for e in writer if e.writes]
        if writes and self.readers:
            gone = [k for k in self.readers if conflict(self.table[k][1], writes)]
            for k in gone:
                del self.table[k]
                self.readers.discard(k)


class _Cse:
    def __init__(self, tools: bool) -> None:
        self.tools = tools
        self.replaced: dict[int, Value] = {}
        self.merged: list[dict[str, str]] = []
        self.removed: list[Op] = []  # kept alive so the ids in `replaced` stay unique

    def block(self, block: Block, scope: _Scope) -> None:
        for op in list(block.ops):
            if self.replaced:
                op.operands = [self.replaced.get(id(v), v) for v in op.operands]
            for region in op.regions:
                for inner in region.blocks:
                    self.block(inner, scope.nested(op))
            reads = mergeable(op, self.tools)
            if reads is None:
                scope.invalidate(op_effects(op))
                continue
            key = cse_key(op)
            found = scope.table.get(key)
            if found is None:
                scope.add(key, op, reads)
                continue
            kept = found[0]
            for old, new in zip(op.results, kept.results, strict=True):
                self.replaced[id(old)] = new
            block.remove(op)
            self.removed.append(op)
            self.merged.append({"op": op.op_name, "kept": str(kept.where), "removed": str(op.where)})


@dataclass(frozen=True)
class CsePass(Pass):
    """Merges identical pure ops and identical read-only tool calls (option `tools`)."""

    name = "cse"
    tools: bool = True

    def apply(self, ctx: PassContext, module: Module) -> None:
        merged: list[dict[str, str]] = []
        for wf in module.workflows:
            cse = _Cse(self.tools)
            cse.block(wf.body, _Scope())
            merged += [{"workflow": wf.sym_name, **m} for m in cse.merged]
        ctx.reports["cse"] = {"merged": merged}
