"""Lowering: the .skflow syntax tree (`skflow_ast`) to skc IR, with located diagnostics.

Every op gets the location of the statement it comes from (`file:line:col` of the
statement's first token), or the statement's `@` annotation. Problems are collected,
never raised:

    SKC131  a name that is not defined (or not visible here)
    SKC132  a name defined twice, or a reserved word used as a name
    SKC133  a type error: operand kinds, `-> type`, branch yields, return vs header
    SKC134  a clause problem: unknown for this step, repeated, ill-typed, or missing
    SKC135  a string problem: bad escape, `{N}` that would read as a placeholder,
            `{{name}}` in a prompt (not replaced: pass the value `with name`)
    SKC136  `needs` on something that gives no ordering token
    SKC137  an unknown function, or wrong arguments to one
    SKC138  an unknown type, or a bad `@` location annotation
    SKC139  structure: return/yield misplaced, outputs without return, duplicate workflow
"""


from __future__ import annotations

from typing import Any

from skc.compiler.frontend.skflow import nodes as A
from skc.compiler.frontend.skflow.actions import ActionBuilder
from skc.compiler.frontend.skflow.steps import StepBuilder, kind_name
from skc.ir.attrs import AttrValue
from skc.ir.core import Block, Op, Region, Value
from skc.ir.dialects.ctrl import IfOp, MapOp, RetryOp, ReturnOp, YieldOp
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.location import Diagnostic, Location
from skc.ir.module import Module
from skc.ir.types import JSON

_BLOCK_CLAUSES = {"if": {"label", "attrs"}, "map": {"label", "parallel", "attrs"},
                  "retry": {"backoff", "with", "needs", "attrs"}}


class Lowerer:
    """Builds one Module from a Document; `diags` holds what went wrong. Steps and
    expressions are built by `builder` (a `StepBuilder`, which also holds the scopes and
    blocks being filled), tool, llm and generic steps by `actions` (an `ActionBuilder` over
    it); this class adds workflows, regions and control flow."""

    def __init__(self, file: str) -> None:
        self.builder = StepBuilder(file)
        self.actions = ActionBuilder(self.builder)

    @property
    def diags(self) -> list[Diagnostic]:
        return self.builder.diags

    # ---------------------------------------------------------------- module and workflows

    def document(self, doc: A.Document) -> Module:
        module = Module(file=self.builder.file)
        seen: set[str] = set()
        for wf in doc.workflows:
            if wf.name in seen:
                self.builder.report("SKC139", wf.line, wf.col, f"workflow `{wf.name}` is defined twice",
                            "workflow names are unique in a file: rename one")
            seen.add(wf.name)
            module.ops.append(self.workflow(wf))
        return module

    def workflow(self, wf: A.Workflow) -> WorkflowOp:
        self.builder.ann_file = None
        loc = self.builder.loc(wf.line, wf.col, wf.loc)
        block = Block([self.builder.type(t) for _, t in wf.params], [v.name for v, _ in wf.params])
        attrs: dict[str, Any] = {"sym_name": wf.name}
        if wf.params:
            attrs["arg_names"] = [v.name for v, _ in wf.params]
        outputs = wf.outputs or ()
        named = [o.name is not None for o in outputs]
        if any(named) and not all(named):
            self.builder.report("SKC139", wf.line, wf.col, "name every output or none",
                        "-> (severity: text, report: json)")
        elif outputs and all(named):
            attrs["output_names"] = [o.name for o in outputs]
        extra = self.header_clauses(wf.clauses, attrs)
        op = WorkflowOp(attributes=attrs, regions=[Region([block])], loc=loc)
        self.builder.frames, self.builder.blocks, self.builder.kinds = [{}], [block], ["workflow"]
        self.builder.outputs = [self.builder.type(o.type) for o in wf.outputs] if wf.outputs is not None else None
        for (var, _), arg in zip(wf.params, block.args, strict=True):
            self.builder.define(var, arg)
        _, stmt = self.body(wf.body, "workflow", loc)
        if self.builder.outputs and stmt is None:
            self.builder.report("SKC139", wf.end_line, max(wf.end_col - 1, 1),
                        f"workflow `{wf.name}` declares {len(self.builder.outputs)} output(s) but has no return",
                        "end the workflow with `return a, b` matching `-> (...)`")
        for key, value in extra.items():
            op.attributes[key] = value
        return op

    def header_clauses(self, clauses: tuple[A.Clause, ...], attrs: dict[str, Any]) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        seen: set[str] = set()
        for c in clauses:
            if c.key in seen:
                self.builder.report("SKC134", c.line, c.col, f"`{c.key}` is given twice", "give each clause once")
            seen.add(c.key)
            if c.key == "permissions":
                if not all(isinstance(x, str) for x in c.value):
                    self.builder.report("SKC134", c.line, c.col, "permissions are a list of tool names in strings",
                                'permissions ["Bash", "Read"]')
                attrs["permissions"] = c.value
            elif c.key == "attrs":
                extra.update(c.value)
            else:
                attrs[c.key] = c.value
        return extra

    def check_outputs(self, values: list[Value], stmt: A.Return) -> None:
        want = self.builder.outputs
        if want is None:
            return
        if len(values) != len(want):
            self.builder.report("SKC133", stmt.line, stmt.col,
                        f"this returns {len(values)} value(s) but the workflow declares {len(want)} output(s)",
                        "return exactly the outputs written after `->` in the workflow header")
            return
        for i, (v, t) in enumerate(zip(values, want, strict=True)):
            if id(v) not in self.builder.poison and not v.type.compatible(t):
                self.builder.report("SKC133", stmt.line, stmt.col,
                            f"output #{i + 1} is {kind_name(v.type)} but the header says {kind_name(t)}",
                            "return a value of the declared type, or change the header")

    # ---------------------------------------------------------------- blocks and statements

    def body(self, stmts: tuple[A.Stmt, ...], kind: str, implicit: Location) -> tuple[Op, A.Return | A.Yield | None]:
        """Lowers a block's statements and its terminator (implicit when not written)."""
        term_stmt: A.Return | A.Yield | None = None
        for i, st in enumerate(stmts):
            if not isinstance(st, A.Return | A.Yield):
                self.stmt(st)
                continue
            early = kind == "if" and all(k in ("workflow", "if") for k in self.builder.kinds)
            if (isinstance(st, A.Yield) and kind == "workflow") or \
                    (isinstance(st, A.Return) and kind != "workflow" and not early):
                word = "return" if isinstance(st, A.Return) else "yield"
                where = "the end of the workflow or of an if branch" if word == "return" else \
                    "the end of an if/map/retry block"
                self.builder.report("SKC139", st.line, st.col, f"`{word}` belongs at {where}",
                            "blocks end with `yield values`; `return` ends the workflow (also early, "
                            "from an if branch outside map/retry)")
                continue
            if i != len(stmts) - 1:
                nxt = stmts[i + 1]
                self.builder.report("SKC139", nxt.line, nxt.col, "nothing may follow `return`/`yield` in its block",
                            "move this statement before it")
            loc = self.builder.loc(st.line, st.col, st.loc)
            values = [self.builder.expr(v, loc) for v in st.values]
            if isinstance(st, A.Return):
                status: dict[str, AttrValue] = {"status": st.status.plain()} if st.status is not None else {}
                term: Op = ReturnOp(values, [], status, loc=loc)
                self.check_outputs(values, st)
            else:
                term = YieldOp(values, [], {}, loc=loc)
            term_stmt = st
            self.builder.emit(term)
            return term, term_stmt
        term = ReturnOp([], [], {}, loc=implicit) if kind == "workflow" else YieldOp([], [], {}, loc=implicit)
        self.builder.emit(term)
        return term, None

    def stmt(self, st: A.Stmt) -> None:
        if isinstance(st, A.Bind):
            self.action(st.action, st.line, st.col, st.names)
        elif isinstance(st, A.Bare):
            self.action(st.action, st.line, st.col, ())

    def action(self, a: A.Action, line: int, col: int, names: tuple[A.Var, ...]) -> None:
        if isinstance(a, A.ExprAction):
            self.expr_action(a, line, col, names)
            return
        if isinstance(a, A.ToolAction):
            op = self.actions.tool(a, self.builder.loc(line, col, a.loc), line, col)
        elif isinstance(a, A.LlmAction):
            op = self.actions.llm(a, self.builder.loc(line, col, a.loc), line, col)
        elif isinstance(a, A.GenericAction):
            op = self.actions.generic(a, self.builder.loc(line, col, a.loc), line, col)
        elif isinstance(a, A.IfAction):
            op = self.if_(a, line, col)
        elif isinstance(a, A.MapAction):
            op = self.map_(a, line, col)
        else:
            op = self.retry(a, line, col)
        self.bind(names, op.results, line, col)

    def bind(self, names: tuple[A.Var, ...], values: list[Value], line: int, col: int) -> None:
        if len(names) > len(values):
            self.builder.report("SKC133", line, col, f"{len(names)} names for {len(values)} result(s)",
                        "bind one name per result: step out, done = ... -> (text, token)")
        for var, value in zip(names, values, strict=False):
            self.builder.define(var, value)
        for var in names[len(values):]:
            self.builder.define(var, self.builder.poisoned())

    def expr_action(self, a: A.ExprAction, line: int, col: int, names: tuple[A.Var, ...]) -> None:
        loc = self.builder.loc(line, col, a.loc)
        block, before = self.builder.blocks[-1], len(self.builder.blocks[-1].ops)
        value = self.builder.expr(a.expr, loc)
        made = value.defining_op is not None and value.defining_op in block.ops[before:]
        if a.attrs is not None:
            if not made or value.defining_op is None:
                self.builder.report("SKC134", a.attrs.line, a.attrs.col, "`attrs` needs a step that computes a value",
                            "a plain name computes nothing: put attrs on the step that defines it")
            else:
                top = value.defining_op
                for key, v in a.attrs.value.items():
                    if key in top.attributes:
                        self.builder.report("SKC134", a.attrs.line, a.attrs.col, f"`{key}` is set twice",
                                    f"the expression already sets `{key}`: leave it out of attrs")
                    top.attributes[key] = v
                self.builder.check_attrs(top, {}, a.attrs.line, a.attrs.col)
        if a.results is not None:
            if not made or value.defining_op is None:
                self.builder.report("SKC133", a.results.line, a.results.col,
                            "`-> type` needs a step that computes a value, not a name",
                            "declare the type on the step that defines the value")
            else:
                self.apply_results(value.defining_op, a.results)
        if len(names) != 1:
            self.builder.report("SKC133", line, col, "an expression gives one value: bind one name",
                        "step total = a + b")
        for var in names[:1]:
            self.builder.define(var, value, rename=made)

    def apply_results(self, op: Op, results: A.Results) -> None:
        types = [self.builder.type(t) for t in results.types]
        if len(types) != len(op.results):
            self.builder.report("SKC133", results.line, results.col,
                        f"{op.op_name} gives {len(op.results)} result(s), not {len(types)}",
                        "give one type per result")
            return
        for v, t in zip(op.results, types, strict=True):
            v.type = t
        self.builder.check_results(op, results.line, results.col)

    # ---------------------------------------------------------------- control flow

    def block_attrs(self, kind: str, clauses: tuple[A.Clause, ...]) -> tuple[dict[str, Any], dict[str, A.Clause]]:
        cs = self.builder.clauses(clauses, _BLOCK_CLAUSES[kind], kind)
        attrs: dict[str, Any] = {}
        if "label" in cs:
            attrs["step"] = cs["label"].value.plain()
        if "parallel" in cs:
            attrs["max_parallel"] = cs["parallel"].value
        if "backoff" in cs:
            attrs["backoff_s"] = cs["backoff"].value
        for key, value in (cs["attrs"].value.items() if "attrs" in cs else ()):
            if key in attrs:
                self.builder.report("SKC134", cs["attrs"].line, cs["attrs"].col, f"`{key}` is set twice",
                            f"a clause already sets `{key}`: leave it out of attrs")
            attrs[key] = value
        return attrs, cs

    def region(self, block: Block, stmts: tuple[A.Stmt, ...], kind: str, implicit: Location,
               args: tuple[tuple[A.Var, Value], ...] = ()) -> tuple[Op, A.Return | A.Yield | None]:
        self.builder.frames.append({})
        self.builder.blocks.append(block)
        self.builder.kinds.append(kind)
        for var, value in args:
            self.builder.define(var, value)
        try:
            return self.body(stmts, kind, implicit)
        finally:
            self.builder.frames.pop()
            self.builder.blocks.pop()
            self.builder.kinds.pop()

    def results_from(self, op: Op, yields: list[tuple[Op, A.Stmt | None, int, int]],
                     declared: A.Results | None) -> None:
        """Sets `op`'s results from its regions' yields (or the `-> types` written) and checks them.

        A branch that ends in `return` (an early exit) yields nothing and is not checked here.
        """
        yields = [y for y in yields if isinstance(y[0], YieldOp)]
        types = [self.builder.type(t) for t in declared.types] if declared is not None else \
            [v.type for v in yields[0][0].operands] if yields else []
        for term, stmt, line, col in yields:
            got = term.operands
            at = (stmt.line, stmt.col) if stmt is not None else (line, col)
            if len(got) != len(types):
                self.builder.report("SKC133", *at, f"this block yields {len(got)} value(s); {op.op_name} gives {len(types)}",
                            "every branch yields the same number of values, of the same types")
                continue
            for v, t in zip(got, types, strict=True):
                if id(v) not in self.builder.poison and not v.type.compatible(t):
                    self.builder.report("SKC133", *at, f"this block yields {kind_name(v.type)} where {kind_name(t)} is expected",
                                "every branch yields values of the same types")
        op.results = [Value(t, op, i) for i, t in enumerate(types)]

    def if_(self, a: A.IfAction, line: int, col: int) -> Op:
        loc = self.builder.loc(line, col, a.loc)
        cond = self.builder.expr(a.cond, loc)
        attrs, _ = self.block_attrs("if", a.clauses)
        op = self.builder.emit(IfOp([cond], [], attrs, [Region(), Region()], loc=loc))
        if id(cond) not in self.builder.poison and cond.type.kind != "bool":
            self.builder.report("SKC133", a.cond.line, a.cond.col, f"the condition is {kind_name(cond.type)}, not bool",
                        'compare it: `if answer == "yes" { ... }`')
        then_term, then_stmt = self.region(op.regions[0].block, a.then.stmts, "if", loc)
        yields: list[tuple[Op, A.Stmt | None, int, int]] = [(then_term, then_stmt, a.then.line, a.then.col)]
        if isinstance(a.orelse, A.IfAction):
            self.builder.frames.append({})
            self.builder.blocks.append(op.regions[1].block)
            self.builder.kinds.append("if")
            inner = self.if_(a.orelse, a.orelse.line, a.orelse.col)
            term = self.builder.emit(YieldOp(list(inner.results), [], {}, loc=inner.loc))
            self.builder.frames.pop()
            self.builder.blocks.pop()
            self.builder.kinds.pop()
            yields.append((term, None, a.orelse.line, a.orelse.col))
        else:
            stmts = a.orelse.stmts if a.orelse is not None else ()
            else_term, else_stmt = self.region(op.regions[1].block, stmts, "if", loc)
            at = (a.orelse.line, a.orelse.col) if a.orelse is not None else (line, col)
            yields.append((else_term, else_stmt, *at))
        self.results_from(op, yields, a.results)
        return op

    def map_(self, a: A.MapAction, line: int, col: int) -> Op:
        loc = self.builder.loc(line, col, a.loc)
        items = self.builder.expr(a.items, loc)
        attrs, _ = self.block_attrs("map", a.clauses)
        item_type = self.builder.type(a.item_type) if a.item_type is not None else JSON
        body = Block([item_type], [a.item.name])
        op = self.builder.emit(MapOp([items], [JSON], attrs, [Region([body])], loc=loc))
        self.builder.check_operands(op, a.items.line, a.items.col)
        term, stmt = self.region(body, a.body.stmts, "map", loc, ((a.item, body.args[0]),))
        if len(term.operands) != 1:
            at = (stmt.line, stmt.col) if stmt is not None else (a.body.end_line, max(a.body.end_col - 1, 1))
            self.builder.report("SKC133" if stmt else "SKC139", *at, "a map body ends with `yield value` (one value per item)",
                        "the map's result is the list of the values the body yields")
        if a.results is not None:
            self.apply_results(op, a.results)
        return op

    def retry(self, a: A.RetryAction, line: int, col: int) -> Op:
        loc = self.builder.loc(line, col, a.loc)
        attrs, cs = self.block_attrs("retry", a.clauses)
        attrs = {"max_attempts": a.attempts, **attrs}
        operands = [self.builder.lookup(v) for v in cs["with"].value] if "with" in cs else []
        self.builder.needs(cs.get("needs"), operands)
        op = self.builder.emit(RetryOp(operands, [], attrs, [Region()], loc=loc))
        term, stmt = self.region(op.regions[0].block, a.body.stmts, "retry", loc)
        self.results_from(op, [(term, stmt, a.body.line, a.body.col)], a.results)
        self.builder.check_attrs(op, {}, line, col)
        return op
