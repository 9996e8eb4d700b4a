"""A printed workflow's signature: its header (`workflow name(params) -> outputs` and the
clauses under it) and the types .skflow spells (`type_text`: `text`, `json<{...}>`).
`printer._WorkflowPrinter` writes the header first, then the body."""

from __future__ import annotations

import json

from skc.compiler.frontend.skflow.print_exprs import ExprPrinter
from skc.compiler.frontend.skflow.strings import (
    IDENT,
    Inexpressible,
    quote,
    render_literal,
    render_plain,
)
from skc.ir.dialects.ctrl import ReturnOp
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.types import Type


def type_text(t: Type) -> str:
    if t.schema is None:
        return t.kind
    try:
        obj = json.loads(t.schema)
    except ValueError:
        obj = None
    if isinstance(obj, dict) and json.dumps(obj, separators=(",", ":"), ensure_ascii=False) == t.schema:
        try:
            return f"json<{render_literal(obj)}>"
        except Inexpressible:
            pass
    return f"json<{render_plain(t.schema)}>"


def types_text(types: list[Type]) -> str:
    return type_text(types[0]) if len(types) == 1 else "(" + ", ".join(type_text(t) for t in types) + ")"


def workflow_header(wf: WorkflowOp, exprs: ExprPrinter, notes: list[str], ann: str, indent: str) -> list[str]:
    """The lines of `wf`'s header up to its `{`: name, parameters, outputs, then its clauses
    (permissions, description, source, other attributes) and `ann`, its location annotation;
    what re-parsing would change is added to `notes`."""
    attrs = dict(wf.attributes)
    given = attrs.get("arg_names")
    names = [str(n) for n in given] if isinstance(given, list) and len(given) == len(wf.inputs) else []
    params = [f"{exprs.name(a, names[i] if names else None)}: {type_text(a.type)}"
              for i, a in enumerate(wf.inputs)]
    expected: dict[str, object] = {"sym_name": wf.sym_name}
    if wf.inputs:
        expected["arg_names"] = [exprs.names[id(a)] for a in wf.inputs]
    term = wf.body.ops[-1] if wf.body.ops and isinstance(wf.body.ops[-1], ReturnOp) else None
    outs = [v.type for v in term.operands] if term is not None else []
    for v in term.operands if term is not None else ():
        if id(v) in exprs.prefer and v.defining_op is not None and id(v.defining_op) not in exprs.plan.folded:
            exprs.name(v)  # outputs keep their names (the value is bound where it is defined)
    out_names = attrs.get("output_names")
    head = "workflow " + (wf.sym_name if IDENT.match(wf.sym_name) else quote(wf.sym_name))
    head += "(" + ", ".join(params) + ")"
    if isinstance(out_names, list) and outs and len(out_names) == len(outs) and \
            all(isinstance(n, str) and IDENT.match(n) for n in out_names):
        head += " -> (" + ", ".join(f"{n}: {type_text(t)}" for n, t in zip(out_names, outs, strict=True)) + ")"
        expected["output_names"] = out_names
    elif outs:
        head += " -> " + types_text(outs)
    clauses: list[str] = []
    perms = attrs.get("permissions")
    if isinstance(perms, list) and all(isinstance(p, str) for p in perms):
        clauses.append("permissions " + render_literal(perms))
        expected["permissions"] = perms
    for key in ("description", "source"):
        if isinstance(attrs.get(key), str):
            clauses.append(f"{key} {render_plain(str(attrs[key]), indent)}")
            expected[key] = attrs[key]
    extra = {k: v for k, v in attrs.items() if k not in expected or expected[k] != v}
    for k in expected:
        if k not in attrs:
            notes.append(f"the IR has no {k!r} attribute; re-parsing this text adds one")
    if extra:
        clauses.append("attrs " + render_literal(extra))
    if not clauses:
        return [head + ann + " {"]
    lines = [head, *(indent + c for c in clauses)]
    lines[-1] += ann
    return [*lines, "{"]
