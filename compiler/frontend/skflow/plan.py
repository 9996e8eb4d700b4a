"""How the .skflow printer will write each op, decided before any text is written.

The printer needs three facts about the whole workflow before it prints a line:
which ops are written in their own syntax (`shell ...`, `decide ...`) and how their
operands split into `with`, insertions and `needs`; which pure ops fold into the
expression of their only user (`count(json_get(pods, "$.items")) > 3`); and which
values are referred to by name (they need `step name = ...`). This module works that
out; `skflow_printer` writes the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from skc.compiler.frontend.skflow.ops import (
    CALL_OF_OP,
    CALLS,
    EXPR_WORDS,
    FORM_OF_OP,
    PLACEHOLDER,
    OpForm,
    expr_result,
)
from skc.compiler.frontend.skflow.strings import IDENT, literal_ok
from skc.ir.attrs import well_formed
from skc.ir.core import Block, Op, Value
from skc.ir.dialects.calc import CALC, CmpOp, NotOp
from skc.ir.dialects.ctrl import IfOp, MapOp, RetryOp, ReturnOp, YieldOp
from skc.ir.dialects.data import TemplateOp
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.dialects.tool import ShellOp
from skc.ir.traits import CallsModel, RunsTool
from skc.ir.types import check_signature

CALC_EXPR: frozenset[type[Op]] = frozenset(CALC.ops)  # written as operators: `a + b`, `x > 3`, `not c`
CALC_BINARY: frozenset[type[Op]] = CALC_EXPR - {NotOp}


def is_valid(op: Op) -> bool:
    """The op satisfies its own declaration (so its own syntax parses back to it)."""
    if check_signature(op.operands_sig, [v.type for v in op.operands]) is not None:
        return False
    if check_signature(op.results_sig, [v.type for v in op.results]) is not None:
        return False
    for key, value in op.attributes.items():
        spec = op.attrs.get(key)
        if well_formed(value) is not None or (spec is not None and spec.check(value) is not None):
            return False
    if any(spec.required and key not in op.attributes for key, spec in op.attrs.items()):
        return False
    return not (isinstance(op, ShellOp) and ("argv" in op.attributes) == ("cmd" in op.attributes))


def first_index(values: list[Value], v: Value) -> int:
    return next(i for i, o in enumerate(values) if o is v)


@dataclass
class CallPlan:
    """A tool/llm/retry op in its own syntax: content operand, `with` prefix, `needs` tail."""

    form: OpForm | None
    content: Value | None = None
    with_: list[Value] = field(default_factory=list)
    needs: list[Value] = field(default_factory=list)


def placeholder_refs(op: Op, form: OpForm, count: int) -> list[int]:
    """Operand positions named by `{N}` in the op's templated strings, in text order."""
    refs: list[int] = []
    for attr in form.templated:
        value = op.attributes.get(attr)
        for text in value if isinstance(value, list) else [value] if isinstance(value, str) else []:
            refs += [int(m.group(1)) for m in PLACEHOLDER.finditer(str(text)) if int(m.group(1)) < count]
    return refs


def plan_call(op: Op) -> CallPlan | None:
    """How a tool/llm/retry op's operands are written, or None when its syntax cannot say it."""
    if isinstance(op, RetryOp):
        form = None
        refs: list[int] = []
    else:
        form = FORM_OF_OP.get(op.op_name)
        if form is None or not is_valid(op) or not literal_ok(op.attributes):
            return None
        refs = placeholder_refs(op, form, len(op.operands))
    ops = list(op.operands)
    if any(first_index(ops, ops[n]) != n for n in refs):
        return None
    start = 1 if form is not None and form.main_form == "content" else 0
    if len(ops) < start:
        return None
    content = ops[0] if start else None
    for cut in range(start, len(ops) + 1):
        tail = ops[cut:]
        if any(v.type.kind != "token" for v in tail) or any(n >= cut for n in refs):
            continue
        rest = ops[start:cut]
        for k in range(len(rest) + 1):
            got = ([content] if content is not None else []) + rest[:k]
            for n in refs:
                if not any(o is ops[n] for o in got):
                    got.append(ops[n])
            if len(got) == cut and all(a is b for a, b in zip(got, ops[:cut], strict=True)):
                return CallPlan(form, content, rest[:k], tail)
    return None


NATURAL_KWARGS = {"group", "all", "sep"}  # written as keyword arguments even on a statement's top op


def _expr_attrs_ok(op: Op, top: bool) -> bool:
    """The attributes fit expression syntax: `pred` on comparisons, keyword arguments on calls.

    The top op of a statement may carry any other attributes (`... attrs {step: "2"}`).
    """
    name, keys = op.op_name, set(op.attributes)
    if type(op) in CALC_EXPR:
        return top or keys == ({"pred"} if isinstance(op, CmpOp) else set())
    if isinstance(op, TemplateOp):
        text = str(op.attributes.get("template", ""))
        order: list[Value] = []
        for m in PLACEHOLDER.finditer(text):
            n = int(m.group(1))
            if n < len(op.operands) and not any(op.operands[n] is o for o in order):
                order.append(op.operands[n])
        if len(order) != len(op.operands) or any(a is not b for a, b in zip(order, op.operands, strict=True)):
            return False
    fixed = {p.split(":")[1] for p in CALLS[CALL_OF_OP[name]][1] if ":" in p}
    return top or all(IDENT.match(k) and k not in EXPR_WORDS for k in keys - fixed)


def producer_spelled(token: Value) -> bool:
    """`needs step` names this token by its step: the first token of a tool step with data."""
    op = token.defining_op
    if op is None or not op.has(RunsTool) or op.results[0].type.kind == "token":
        return False
    return next((r for r in op.results if r.type.kind == "token"), None) is token


def early_exit_allowed(op: Op) -> bool:
    """A `ctrl.if` branch may end the workflow (`return`) when only ifs lie between it and the workflow."""
    node: Op | None = op
    while isinstance(node, IfOp):
        node = node.parent_op
    return isinstance(node, WorkflowOp) and node is not op


def yield_types(op: Op) -> list:
    """The types the first region ending in `yield` gives (what .skflow infers for the op's results)."""
    for r in op.regions:
        last = r.blocks[0].ops[-1] if r.blocks and r.blocks[0].ops else None
        if isinstance(last, YieldOp):
            return [v.type for v in last.operands]
    return []


def region_problem(op: Op) -> str | None:
    """Why an if/map/retry op has no .skflow block syntax, or None."""
    want = {IfOp: 2, MapOp: 1, RetryOp: 1}[type(op)]
    if len(op.regions) != want or any(len(r.blocks) != 1 for r in op.regions):
        return f"{op.op_name} needs {want} region(s) of one block"
    for r in op.regions:
        block = r.blocks[0]
        last = block.ops[-1] if block.ops else None
        early = isinstance(last, ReturnOp) and early_exit_allowed(op)
        if not early and (not isinstance(last, YieldOp) or last.attributes):
            return f"a region of {op.op_name} does not end with ctrl.yield"
        if any(o.terminator for o in block.ops[:-1]):
            return f"a region of {op.op_name} has a terminator before its end"
        if len(block.args) != (1 if isinstance(op, MapOp) else 0):
            return f"a region of {op.op_name} has {len(block.args)} block argument(s)"
    if isinstance(op, IfOp) and (len(op.operands) != 1 or op.operands[0].type.kind != "bool"):
        return "ctrl.if needs one bool condition"
    if isinstance(op, MapOp):
        if len(op.operands) != 1 or len(op.results) != 1 or len(op.regions[0].blocks[0].ops[-1].operands) != 1:
            return "ctrl.map needs one list, one result and a body that yields one value"
    if isinstance(op, RetryOp):
        n = op.attributes.get("max_attempts")
        b = op.attributes.get("backoff_s", 0)
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            return "ctrl.retry needs an integer max_attempts"
        if not isinstance(b, int | float) or isinstance(b, bool):
            return "ctrl.retry's backoff_s is not a number"
    return None


def expr_slots(op: Op, plan: CallPlan | None) -> list[int]:
    """Operands that may be written as expressions (folded ops) rather than names."""
    name = op.op_name
    if type(op) in CALC_EXPR or isinstance(op, YieldOp | ReturnOp):
        return list(range(len(op.operands)))
    if name in CALL_OF_OP and not isinstance(op, TemplateOp):
        params = CALLS[CALL_OF_OP[name]][1]
        return list(range(len(op.operands))) if "*expr" in params or "expr" in params else []
    if isinstance(op, IfOp | MapOp):
        return [0] if op.operands else []
    if plan is not None and plan.content is not None:
        return [0]
    return []


class Plan:
    """Everything the printer decides about one workflow before writing it."""

    def __init__(self, wf: WorkflowOp) -> None:
        self.calls: dict[int, CallPlan | None] = {}
        self.uses: dict[int, list[tuple[Op, int]]] = {}
        self.folded: set[int] = set()
        self.needs_uses: dict[int, int] = {}
        self.expr_ok: dict[tuple[int, bool], bool] = {}
        for op in wf.walk():
            for i, v in enumerate(op.operands):
                self.uses.setdefault(id(v), []).append((op, i))
            if op.has(RunsTool) or op.has(CallsModel) or isinstance(op, RetryOp):
                plan = plan_call(op)
                self.calls[id(op)] = plan
                for v in plan.needs if plan else ():
                    self.needs_uses[id(v)] = self.needs_uses.get(id(v), 0) + 1
        for op in wf.walk():
            for region in op.regions:
                for block in region.blocks:
                    self.fold_block(block)

    # -- folding pure ops into their user's expression

    def is_expr_op(self, op: Op, top: bool = False) -> bool:
        """`op` can be written as an expression: folded into its user, or (`top`) a statement's own."""
        name = op.op_name
        if type(op) not in CALC_EXPR and name not in CALL_OF_OP:
            return False
        key = (id(op), top)
        ok = self.expr_ok.get(key)
        if ok is None:
            ok = is_valid(op) and len(op.results) == 1 and literal_ok(op.attributes) and _expr_attrs_ok(op, top)
            self.expr_ok[key] = ok
        return ok

    def can_fold(self, x: Op, user: Op) -> bool:
        if not self.is_expr_op(x) or x.results[0].name is not None or x.loc != user.loc:
            return False
        if not self.default_type(x):
            return False
        return len(self.uses.get(id(x.results[0]), [])) == 1

    def default_type(self, op: Op) -> bool:
        return op.results[0].type == expr_result(op.op_name, op.attributes)

    def fold_block(self, block: Block) -> None:
        for i in range(len(block.ops) - 1, -1, -1):
            op = block.ops[i]
            if id(op) not in self.folded:
                self.absorb(block, op, i)

    def absorb(self, block: Block, user: Op, start: int) -> int:
        if self.writes_own_syntax(user) is False:
            return start
        for slot in reversed(expr_slots(user, self.calls.get(id(user)))):
            x = user.operands[slot].defining_op
            if start > 0 and x is not None and block.ops[start - 1] is x and self.can_fold(x, user):
                self.folded.add(id(x))
                start = self.absorb(block, x, start - 1)
        return start

    def writes_own_syntax(self, op: Op) -> bool:
        if isinstance(op, IfOp | MapOp | RetryOp) and region_problem(op) is not None:
            return False
        if op.has(RunsTool) or op.has(CallsModel) or isinstance(op, RetryOp):
            return self.calls.get(id(op)) is not None
        if type(op) in CALC_EXPR or op.op_name in CALL_OF_OP:
            return self.is_expr_op(op, top=True)
        return True

    # -- names

    def by_name(self, v: Value) -> bool:
        """Some use of `v` spells its name (not a fold, not a `needs step` spelled by its producer)."""
        uses = len(self.uses.get(id(v), []))
        needs = self.needs_uses.get(id(v), 0)
        if producer_spelled(v):
            return uses > needs
        return uses > 0

    def needs_name(self, v: Value) -> bool:
        """`v` must be bound to a name where it is defined."""
        if self.by_name(v):
            return True
        op = v.defining_op
        if op is not None and op.results and op.results[0] is v:
            return any(producer_spelled(r) and self.needs_uses.get(id(r), 0) for r in op.results[1:])
        return False
