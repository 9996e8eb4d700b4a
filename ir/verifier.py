"""The verifier: structural and type rules every module must satisfy.

All problems are collected as `Diagnostic`s (never raised), each at the op's
source location:

    SKC201  an operand is not defined before its use (SSA dominance)
    SKC202  operands do not match the op's declared signature
    SKC203  results do not match the op's declared signature
    SKC204  a region does not end with the right terminator, or a terminator is misplaced
            (a ctrl.if branch may end with ctrl.return: an early exit of the workflow)
    SKC205  a dependency cycle between ops
    SKC206  an effectful op without declared effects
    SKC207  a malformed effect
    SKC208  an attribute is missing, unknown-shaped or ill-typed
    SKC209  an op no dialect declares, or a non-workflow op at top level
    SKC210  wrong number of regions or block arguments (or of arg_names / output_names)
    SKC211  a workflow name is missing, malformed or duplicated
    SKC212  a terminator's values do not match what its parent op produces
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from skc.ir.attrs import COMMON_ATTRS, AttrSpec, well_formed
from skc.ir.core import Block, Op, UnregisteredOp
from skc.ir.dialects.ctrl import IfOp, MapOp, ReturnOp, YieldOp
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.effects import parse_effects
from skc.ir.location import Diagnostic
from skc.ir.module import Module
from skc.ir.types import check_signature

_SYM = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")


def verify(module: Module) -> list[Diagnostic]:
    """Every rule violated in `module`, in program order (empty list: the module is valid)."""
    return list(_Verifier().module(module))


class _Verifier:
    def module(self, module: Module) -> Iterator[Diagnostic]:
        seen: set[str] = set()
        for op in module.ops:
            if not isinstance(op, WorkflowOp):
                yield Diagnostic("SKC209", op.where, f"top-level op {op.op_name} is not a skc.workflow",
                                 "wrap steps in a \"skc.workflow\" op")
                continue
            name = op.attributes.get("sym_name")
            if isinstance(name, str) and _SYM.match(name):
                if name in seen:
                    yield Diagnostic("SKC211", op.where, f"workflow {name!r} is defined twice")
                seen.add(name)
            else:
                yield Diagnostic("SKC211", op.where, f"workflow name {name!r} is missing or malformed",
                                 "sym_name must be an identifier like triage_pods")
            yield from self.workflow(op)

    def workflow(self, wf: WorkflowOp) -> Iterator[Diagnostic]:
        found = list(self.op(wf, set(), False))
        # A cycle needs a use before its definition (SKC201): without one there is none to look for.
        cycle = _find_cycle(wf) if any(d.code == "SKC201" for d in found) else None
        if cycle is not None:
            yield Diagnostic("SKC205", cycle.where, f"{cycle.op_name} depends on its own result",
                             "a step cannot need a value computed after it")
            found = list(self.op(wf, set(), True))
        yield from found
        names = wf.attributes.get("arg_names")
        if isinstance(names, list) and wf.regions and len(names) != len(wf.inputs):
            yield Diagnostic("SKC210", wf.where, f"{len(names)} arg_names for {len(wf.inputs)} inputs")
        outputs = wf.attributes.get("output_names")
        ret = wf.body.terminator if wf.regions else None
        if isinstance(outputs, list) and isinstance(ret, ReturnOp) and len(outputs) != len(ret.operands):
            yield Diagnostic("SKC210", wf.where, f"{len(outputs)} output_names for {len(ret.operands)} outputs",
                             "output_names has one name per ctrl.return operand")

    def op(self, op: Op, visible: set[int], in_cycle: bool) -> Iterator[Diagnostic]:
        out: list[Diagnostic] = []
        self._op(op, visible, in_cycle, out)
        return iter(out)

    def _op(self, op: Op, visible: set[int], in_cycle: bool, out: list[Diagnostic]) -> None:
        """Appends the problems of `op` and everything nested in it to `out`, in program order."""
        registered = not isinstance(op, UnregisteredOp)
        if not registered:
            out.append(Diagnostic("SKC209", op.where, f"unknown op {op.op_name!r}",
                                  "dialects are llm, tool, data, ctrl, calc and skc"))
        if not in_cycle:
            for i, v in enumerate(op.operands):
                if id(v) not in visible:
                    out.append(Diagnostic("SKC201", op.where,
                                          f"operand #{i} of {op.op_name} is used before it is defined",
                                          "a step can only use values of steps that come before it"))
        if registered:
            self.signature(op, out)
            self.attributes(op, out)
            self.effects(op, out)
            if len(op.regions) != op.num_regions:
                out.append(Diagnostic("SKC210", op.where,
                                      f"{op.op_name} has {len(op.regions)} regions, expected {op.num_regions}"))
        for region in op.regions:
            for block in region.blocks:
                # `visible` grows by the block's values and shrinks back after it (no copy per block)
                scoped = [id(a) for a in block.args if id(a) not in visible]
                visible.update(scoped)
                for child in block.ops:
                    self._op(child, visible, in_cycle, out)
                    new = [id(r) for r in child.results if id(r) not in visible]
                    visible.update(new)
                    scoped += new
                out.extend(self.terminator(op, block))
                visible.difference_update(scoped)
        if registered:
            out.extend(op.verify_())  # the op's own checks (e.g. a map body's one argument)

    def signature(self, op: Op, out: list[Diagnostic]) -> None:
        why = check_signature(op.operands_sig, [v.type for v in op.operands])
        if why is not None:
            out.append(Diagnostic("SKC202", op.where, f"{op.op_name} operands: {why}"))
        why = check_signature(op.results_sig, [v.type for v in op.results])
        if why is not None:
            out.append(Diagnostic("SKC203", op.where, f"{op.op_name} results: {why}"))

    def attributes(self, op: Op, out: list[Diagnostic]) -> None:
        specs = _specs(type(op))
        for key, value in op.attributes.items():
            why = None if type(value) is str else well_formed(value)
            spec = specs.get(key)
            if why is None and spec is not None:
                why = spec.check(value)
            if why is not None:
                out.append(Diagnostic("SKC208", op.where, f"{op.op_name} attribute {key!r}: {why}"))
        for key, spec in _required(type(op)):
            if key == "effects" and not op.pure:
                continue  # a missing `effects` is SKC206's to report
            if key not in op.attributes:
                out.append(Diagnostic("SKC208", op.where, f"{op.op_name} needs attribute {key!r}",
                                      spec.doc and f"{key}: {spec.doc}"))

    def effects(self, op: Op, out: list[Diagnostic]) -> None:
        declared = op.attributes.get("effects")
        if declared is None:
            if not op.pure:
                out.append(Diagnostic("SKC206", op.where, f"{op.op_name} has effects but declares none",
                                      'add effects = ["read:<resource>"] or ["write:<resource>"] (or ["pure"])'))
            return
        if not isinstance(declared, list) or not all(isinstance(e, str) for e in declared):
            return  # reported by attributes() as SKC208
        if not declared:
            out.append(Diagnostic("SKC207", op.where, f"{op.op_name} declares an empty effect list",
                                  'use ["pure"] for an op that touches nothing'))
        _, bad = parse_effects(declared)
        for text in bad:
            out.append(Diagnostic("SKC207", op.where, f"malformed effect {text!r}",
                                  "effects are pure, read:<res>, write:<res> or net:<res>"))

    def terminator(self, op: Op, block: Block) -> Iterator[Diagnostic]:
        expected = ReturnOp if isinstance(op, WorkflowOp) else YieldOp
        for child in block.ops[:-1]:
            if child.terminator:
                yield Diagnostic("SKC204", child.where, f"{child.op_name} must be the last op of its region")
        last = block.ops[-1] if block.ops else None
        if isinstance(last, ReturnOp) and _early_exit_allowed(op):
            return  # an early exit: the branch ends the whole workflow ("stop here, escalate")
        if last is None or not isinstance(last, expected):
            where = last.where if last is not None else op.where
            yield Diagnostic("SKC204", where, f"the region of {op.op_name} must end with {expected.name}")
            return
        want = op.results
        if isinstance(op, WorkflowOp):
            return
        if isinstance(op, MapOp):
            if len(last.operands) != 1:
                yield Diagnostic("SKC212", last.where, "ctrl.map's body must yield exactly one value per item")
            return
        got = [v.type for v in last.operands]
        if len(got) != len(want) or any(not g.compatible(w.type) for g, w in zip(got, want, strict=False)):
            yield Diagnostic("SKC212", last.where,
                             f"{last.op_name} gives ({', '.join(map(str, got))}) but {op.op_name} "
                             f"produces ({', '.join(str(w.type) for w in want)})")


_REQUIRED: dict[type[Op], list[tuple[str, AttrSpec]]] = {}
_SPECS: dict[type[Op], dict[str, AttrSpec]] = {}


def _specs(cls: type[Op]) -> dict[str, AttrSpec]:
    """Key -> spec of every attribute op class `cls` declares, and the common ones it does not
    (one lookup per attribute; the class's declaration read once per class)."""
    found = _SPECS.get(cls)
    if found is None:
        found = _SPECS[cls] = {**COMMON_ATTRS, **{k: spec for k, spec in cls.attrs.items() if spec}}
    return found


def _required(cls: type[Op]) -> list[tuple[str, AttrSpec]]:
    """The attributes op class `cls` requires (its declaration read once per class)."""
    found = _REQUIRED.get(cls)
    if found is None:
        found = _REQUIRED[cls] = [(k, spec) for k, spec in cls.attrs.items() if spec.required]
    return found


def _early_exit_allowed(op: Op) -> bool:
    """`ctrl.return` may end a `ctrl.if` branch when only ctrl.ifs lie between it and the workflow."""
    node: Op | None = op
    while isinstance(node, IfOp):
        node = node.parent_op
    return isinstance(node, WorkflowOp) and node is not op


def _find_cycle(root: Op) -> Op | None:
    """An op that (transitively) needs its own result, in any block under `root`, or None."""
    for region in root.regions:
        for block in region.blocks:
            found = _block_cycle(block)
            if found is None:
                for op in block.ops:
                    found = _find_cycle(op)
                    if found is not None:
                        break
            if found is not None:
                return found
    return None


def _block_cycle(block: Block) -> Op | None:
    """Cycle among one block's ops; uses inside nested regions count for the enclosing op."""
    producer: dict[int, int] = {}
    for i, op in enumerate(block.ops):
        for inner in op.walk():
            for r in inner.results:
                producer[id(r)] = i
    deps: list[set[int]] = []
    for i, op in enumerate(block.ops):
        if any(v.owner is op for v in op.operands):
            return op
        deps.append({producer[id(v)] for inner in op.walk() for v in inner.operands
                     if producer.get(id(v), i) != i})
    state = [0] * len(block.ops)  # 0 new, 1 on the stack, 2 done
    for start in range(len(block.ops)):
        if state[start]:
            continue
        state[start] = 1
        stack = [(start, iter(deps[start]))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state[nxt] == 1:
                return block.ops[nxt]
            elif state[nxt] == 0:
                state[nxt] = 1
                stack.append((nxt, iter(deps[nxt])))
    return None
