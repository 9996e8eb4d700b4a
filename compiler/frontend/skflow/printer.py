"""The .skflow printer: IR back to the workflow language, for reading and editing.

    print_skflow(module) -> str

For everything .skflow can say, `parse_skflow(print_skflow(m))` is structurally
equal to `m` (`Module.structurally_equal`): locations are kept as `@"file":line:col`
annotations (`locs=False` leaves them out, for reading), pure ops with one user fold
into that user's expression, and an op the dedicated syntax cannot say exactly is
written in the generic form `op "name"(values) {attrs} -> types`. What cannot be
written at all (an op with malformed regions, a top-level op that is not a
workflow) becomes a `# skc: cannot print ...` comment, never an exception.

A workflow's header and the types it spells are `print_signature`'s; the values' names and
folded expressions `print_exprs`'.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.skflow.ops import PLACEHOLDER, expr_result
from skc.compiler.frontend.skflow.plan import (
    early_exit_allowed,
    producer_spelled,
    region_problem,
    yield_types,
)
from skc.compiler.frontend.skflow.print_exprs import ExprPrinter
from skc.compiler.frontend.skflow.print_signature import type_text, types_text, workflow_header
from skc.compiler.frontend.skflow.strings import (
    IDENT,
    Inexpressible,
    quote,
    render_literal,
    render_number,
    render_plain,
)
from skc.ir.core import Block, Op, Value
from skc.ir.dialects.ctrl import IfOp, MapOp, RetryOp, ReturnOp, YieldOp
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.dialects.tool import HttpOp, ShellOp
from skc.ir.location import Location
from skc.ir.module import Module
from skc.ir.types import JSON, Type

_INDENT = "    "
_EFFECT_WORD = re.compile(r'(read|write|net):[^\s,\]"]+\Z')
_WRAP = 100


def print_skflow(module: Module, *, locs: bool = True) -> str:
    """`module` as .skflow text (one `workflow` block per workflow)."""
    parts: list[str] = []
    for op in module.ops:
        if isinstance(op, WorkflowOp):
            parts.append(_WorkflowPrinter(op, locs).text())
        else:
            parts.append(f"# skc: cannot print top-level {op.op_name} at {op.where}: only workflows are .skflow\n")
    return "\n".join(parts)


class _WorkflowPrinter:
    """Writes one workflow's statements; values' names and expressions come from `exprs`."""

    def __init__(self, wf: WorkflowOp, locs: bool) -> None:
        self.wf = wf
        self.locs = locs
        self.exprs = ExprPrinter(wf)  # names of values and folded expressions
        self.plan = self.exprs.plan
        self.ann_file: str | None = None

    def ann(self, loc: Location) -> str:
        if not self.locs:
            return ""
        if loc == Location():
            return " @unknown"
        if loc.file == self.ann_file:
            return f" @{loc.line}:{loc.col}"
        self.ann_file = loc.file
        return f" @{quote(loc.file)}:{loc.line}:{loc.col}"

    def omit_empty(self, term: Op, owner: Op) -> bool:
        return not term.operands and not term.attributes and (not self.locs or term.loc == owner.loc)

    # ---------------------------------------------------------------- the workflow

    def text(self) -> str:
        wf = self.wf
        if len(wf.regions) != 1 or len(wf.regions[0].blocks) != 1:
            return f"# skc: cannot print workflow {wf.sym_name!r}: it needs one body block\n"
        notes: list[str] = []
        lines = workflow_header(self.wf, self.exprs, notes, self.ann(self.wf.loc), _INDENT)
        body = self.block(wf.body, _INDENT, wf)
        term = wf.body.ops[-1] if wf.body.ops else None
        if not isinstance(term, ReturnOp):
            notes.append("the body does not end with ctrl.return; re-parsing adds one")
        return "".join(f"# skc: {n}\n" for n in notes) + "\n".join([*lines, *body, "}"]) + "\n"

    # ---------------------------------------------------------------- blocks and statements

    def block(self, block: Block, indent: str, owner: Op) -> list[str]:
        lines: list[str] = []
        for i, op in enumerate(block.ops):
            if id(op) in self.plan.folded:
                continue
            if isinstance(op, ReturnOp | YieldOp) and i == len(block.ops) - 1:
                lines += self.terminator(op, indent, owner)
            else:
                lines += self.statement(op, indent)
        return lines

    def terminator(self, op: Op, indent: str, owner: Op) -> list[str]:
        want = ReturnOp if isinstance(owner, WorkflowOp) else YieldOp
        early = isinstance(op, ReturnOp) and isinstance(owner, IfOp) and early_exit_allowed(owner)
        if not isinstance(op, want) and not early:
            return [f"{indent}# skc: cannot print {op.op_name} at {op.where}: it does not end {owner.op_name}"]
        extra = {k for k in op.attributes if not (isinstance(op, ReturnOp) and k == "status")}
        status = op.attributes.get("status")
        if extra or (status is not None and not isinstance(status, str)):
            return [f"{indent}# skc: cannot print {op.op_name} at {op.where}: attributes {sorted(op.attributes)}"]
        if not early and self.omit_empty(op, owner):
            return []
        self.exprs.indent = indent
        word = "return" if isinstance(op, ReturnOp) else "yield"
        values = ", ".join(self.exprs.expr(v)[0] for v in op.operands)
        text = indent + word + (" " + values if values else "")
        if isinstance(status, str):
            text += " status " + render_plain(status)
        return [text + self.ann(op.loc)]

    def statement(self, op: Op, indent: str) -> list[str]:
        self.exprs.indent = indent
        try:
            if isinstance(op, IfOp | MapOp | RetryOp):
                problem = region_problem(op)
                if problem is not None or not self.plan.writes_own_syntax(op):
                    return [f"{indent}# skc: cannot print {op.op_name} at {op.where}: {problem or 'its operands'}"]
                return {IfOp: self.if_, MapOp: self.map_, RetryOp: self.retry}[type(op)](op, indent)
            if op.terminator:
                return [f"{indent}# skc: cannot print {op.op_name} at {op.where}: it is not at the end of its block"]
            if self.plan.is_expr_op(op, top=True):
                extra: dict = {}
                text, _ = self.exprs.expr_op(op, extra)
                default = expr_result(op.op_name, op.attributes)
                tail = " attrs " + render_literal(extra, indent) if extra else ""
                tail += "" if op.results[0].type == default else " -> " + type_text(op.results[0].type)
                return [indent + self.bind(op, must=True) + text + tail + self.ann(op.loc)]
            if self.plan.calls.get(id(op)) is not None:
                return [self.call(op, indent)]
        except Inexpressible:
            pass
        try:
            return [self.generic(op, indent)]
        except Inexpressible as e:
            return [f"{indent}# skc: cannot print {op.op_name} at {op.where}: {e}"]

    def bind(self, op: Op, must: bool) -> str:
        flags = [self.plan.needs_name(r) for r in op.results]
        if must and flags:
            flags[0] = True
        if not any(flags):
            return ""
        last = max(i for i, f in enumerate(flags) if f)
        names = [self.exprs.name(r) if flags[i] else "_" for i, r in enumerate(op.results[:last + 1])]
        return "step " + ", ".join(names) + " = "

    def wrap(self, indent: str, head: str, clauses: list[str], tail: str) -> str:
        line = indent + head + "".join(" " + c for c in clauses) + tail
        if len(line) <= _WRAP or not clauses:
            return line
        pad = "\n" + indent + _INDENT
        return indent + head + "".join(pad + c for c in clauses) + tail

    # ---------------------------------------------------------------- tool and llm steps

    def argv(self, items: list[str], op: Op) -> str:
        out = []
        for item in items:
            m = PLACEHOLDER.fullmatch(item)
            if m and int(m.group(1)) < len(op.operands):
                out.append(self.exprs.name(op.operands[int(m.group(1))]))
            else:
                out.append(self.exprs.templated(item, op))
        return "[" + ", ".join(out) + "]"

    def needs_ref(self, token: Value) -> str:
        op = token.defining_op
        if producer_spelled(token) and op is not None:
            return self.exprs.name(op.results[0])
        return self.exprs.name(token)

    def call(self, op: Op, indent: str) -> str:
        plan = self.plan.calls[id(op)]
        assert plan is not None
        assert plan.form is not None
        form, attrs = plan.form, op.attributes
        done: set[str] = set()
        head = form.keyword
        if isinstance(op, ShellOp):
            key = "argv" if "argv" in attrs else "cmd"
            argv = attrs.get("argv")
            head += " " + (self.argv([str(a) for a in argv], op) if isinstance(argv, list)
                           else self.exprs.templated(str(attrs["cmd"]), op, indent))
            done.add(key)
        elif form.main_form == "content":
            assert plan.content is not None
            head += f" {self.exprs.expr(plan.content)[0]} to {self.exprs.templated(str(attrs['path']), op, indent)}"
            done.add("path")
        else:
            main = str(form.main_attr)
            if isinstance(op, HttpOp) and "method" in attrs:
                head += " " + str(attrs["method"])
                done.add("method")
            text = str(attrs[main])
            head += " " + (self.exprs.templated(text, op, indent) if form.main_form == "templated"
                           else render_plain(text, indent))
            done.add(main)
        clauses: list[str] = []
        if plan.with_:
            clauses.append("with " + ", ".join(self.exprs.name(v) for v in plan.with_))
        for spec in form.clauses:
            if spec.attr not in attrs or spec.attr in done:
                continue
            value = attrs[spec.attr]
            done.add(spec.attr)
            if spec.form == "effects" and form.default_effects is not None and value == form.default_effects(attrs):
                continue
            clauses.append(self.clause(spec.key, spec.form, value, op, indent))
        if plan.needs:
            clauses.append("needs " + ", ".join(self.needs_ref(t) for t in plan.needs))
        rest = {k: v for k, v in attrs.items() if k not in done}
        if rest:
            clauses.append("attrs " + render_literal(rest, indent))
        tail = self.call_results(op, form.default_result(attrs)) + self.ann(op.loc)
        return self.wrap(indent, self.bind(op, must=False) + head, clauses, tail)

    def clause(self, key: str, form: str, value: object, op: Op, indent: str) -> str:
        if form == "flag":
            return key if value is True else f"{key} false"
        if form == "effects":
            assert isinstance(value, list)
            return "effects [" + ", ".join(e if _EFFECT_WORD.match(e) or e == "pure" else quote(e)
                                           for e in value) + "]"
        if form == "templated":
            return f"{key} {self.exprs.templated(str(value), op, indent)}"
        if form == "argv":
            assert isinstance(value, list)
            return f"{key} {self.argv(value, op)}"
        if form == "word":
            return f"{key} {value if IDENT.match(str(value)) else render_plain(str(value))}"
        if form == "outcomes":
            assert isinstance(value, list)
            return "outcomes [" + ", ".join(o if IDENT.match(o) else render_plain(o)
                                            for o in value) + "]"
        if form == "schema":
            t = type_text(Type("json", str(value)))
            return f"schema {t[5:-1]}"
        if form == "text":
            return f"{key} {render_plain(str(value), indent)}"
        return f"{key} {render_literal(value, indent)}"

    def call_results(self, op: Op, default: Type) -> str:
        types = [r.type for r in op.results]
        if types == [default]:
            return ""
        if len(types) == 2 and types[0] == default and producer_spelled(op.results[1]) and \
                self.plan.needs_uses.get(id(op.results[1])) and not self.plan.by_name(op.results[1]):
            return ""
        return " -> " + ("()" if not types else types_text(types))

    def generic(self, op: Op, indent: str) -> str:
        if op.regions:
            raise Inexpressible("ops with regions have no generic .skflow form")
        operands = ", ".join(self.exprs.name(v) for v in op.operands)
        attrs = " " + render_literal(op.attributes, indent) if op.attributes else ""
        results = " -> " + types_text([r.type for r in op.results]) if op.results else ""
        return f"{indent}{self.bind(op, must=False)}op {quote(op.op_name)}({operands}){attrs}{results}{self.ann(op.loc)}"

    # ---------------------------------------------------------------- control flow

    def block_clauses(self, op: Op, allowed: dict[str, str]) -> list[str]:
        """`label`/`parallel`/`backoff` for the attributes they cover, `attrs {...}` for the rest."""
        out: list[str] = []
        rest = {}
        for key, value in op.attributes.items():
            word = allowed.get(key)
            if word == "label" and isinstance(value, str):
                out.append("label " + render_plain(value))
            elif word == "parallel" and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                out.append(f"parallel {value}")
            elif word == "backoff" and isinstance(value, int | float) and not isinstance(value, bool):
                out.append("backoff " + render_number(value))
            elif word != "skip":
                rest[key] = value
        if rest:
            out.append("attrs " + render_literal(rest))
        return out

    def region_results(self, op: Op, default: list[Type]) -> str:
        types = [r.type for r in op.results]
        return "" if types == default else " -> " + ("()" if not types else types_text(types))

    def if_(self, op: Op, indent: str, chained: bool = False) -> list[str]:
        assert isinstance(op, IfOp)
        bind = "" if chained else self.bind(op, must=False)
        cond = self.exprs.expr(op.operands[0])[0]
        clauses = self.block_clauses(op, {"step": "label"})
        head = f"{indent}{bind}if {cond}" + "".join(" " + c for c in clauses) + self.ann(op.loc) + " {"
        lines = [head, *self.block(op.then_block, indent + _INDENT, op)]
        inner = self.else_if(op)
        if inner is not None:
            nested = self.if_(inner, indent, chained=True)
            lines += [indent + "} else " + nested[0].lstrip(), *nested[1:]]
        else:
            else_ops = [o for o in op.else_block.ops if id(o) not in self.plan.folded]
            if len(else_ops) == 1 and isinstance(else_ops[0], YieldOp) and self.omit_empty(else_ops[0], op):
                lines.append(indent + "}")
            else:
                lines += [indent + "} else {", *self.block(op.else_block, indent + _INDENT, op), indent + "}"]
        if not chained:
            lines[-1] += self.region_results(op, yield_types(op))
        return lines

    def else_if(self, op: IfOp) -> IfOp | None:
        """The `if` an else branch consists of, when it can be written `else if`."""
        ops = [o for o in op.else_block.ops if id(o) not in self.plan.folded]
        if len(ops) != 2 or not isinstance(ops[0], IfOp) or not isinstance(ops[1], YieldOp):
            return None
        inner, term = ops[0], ops[1]
        if region_problem(inner) is not None or term.attributes or (self.locs and term.loc != inner.loc):
            return None
        if len(term.operands) != len(inner.results) or any(a is not b for a, b in zip(term.operands, inner.results, strict=True)):
            return None
        if any(len(self.plan.uses.get(id(r), [])) != 1 for r in inner.results):
            return None
        return inner if [r.type for r in inner.results] == yield_types(inner) else None

    def map_(self, op: Op, indent: str) -> list[str]:
        assert isinstance(op, MapOp)
        item = op.body.args[0]
        head = f"{indent}{self.bind(op, must=False)}map {self.exprs.name(item)}"
        if item.type != JSON:
            head += ": " + type_text(item.type)
        head += " in " + self.exprs.expr(op.operands[0])[0]
        clauses = self.block_clauses(op, {"max_parallel": "parallel", "step": "label"})
        head += "".join(" " + c for c in clauses) + self.ann(op.loc) + " {"
        lines = [head, *self.block(op.body, indent + _INDENT, op), indent + "}"]
        lines[-1] += self.region_results(op, [JSON])
        return lines

    def retry(self, op: Op, indent: str) -> list[str]:
        assert isinstance(op, RetryOp)
        plan = self.plan.calls[id(op)]
        assert plan is not None
        head = f"{indent}{self.bind(op, must=False)}retry {op.attributes['max_attempts']}"
        clauses = self.block_clauses(op, {"max_attempts": "skip", "backoff_s": "backoff"})
        if plan.with_:
            clauses.insert(0, "with " + ", ".join(self.exprs.name(v) for v in plan.with_))
        if plan.needs:
            clauses.append("needs " + ", ".join(self.needs_ref(t) for t in plan.needs))
        head += "".join(" " + c for c in clauses) + self.ann(op.loc) + " {"
        lines = [head, *self.block(op.body, indent + _INDENT, op), indent + "}"]
        lines[-1] += self.region_results(op, yield_types(op))
        return lines
