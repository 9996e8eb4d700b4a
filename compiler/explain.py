"""What `skc ir explain` and `skc ir graph` run and print: the inspection pipeline and its reports.

`inspect_module(module, options)` runs `inspection_pipeline()`: verify, then
env-bind and cap-bind when those passes are registered, then cse, dce,
concurrency and placement, in the default pipeline's order. Errors stop it and are
raised as a `DiagnosticError`; warnings stay in `ctx.diagnostics`.

`explain_text(module, ctx)` is the human report: per workflow the schedule
(levels, width, critical path, estimated sequential and parallel time, the
orderings effects impose, data-parallel ops and `ctrl.map` candidates) and the
placement (targets, tokens, money, budget), its permissions (the skill's
allowed tools) and its approval points (ops with `confirm`: they wait for a person
at run time, see `skc.runtime.approvals`), then the capability and environment reports of cap-bind /
env-bind when present, then warnings. `explain_json(module, ctx)` is the same
as data.
"""

from __future__ import annotations

import json
from typing import Any

from skc.compiler.cost import CostModel
from skc.compiler.frontend.skill.entry import routing
from skc.compiler.passes import REGISTRY, PassContext, run_pipeline
from skc.ir.core import Block, Op
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.location import DiagnosticError, errors
from skc.ir.module import Module
from skc.ir.traits import Branch

INSPECTION_PASSES = ("verify", "env-bind", "cap-bind", "cse", "dce", "concurrency", "placement")
MAX_ITEMS = 12  # of a list in a generic report, in text form
LABEL_WIDTH = 40


def inspection_pipeline() -> str:
    """The passes `explain` and `graph` run: the default pipeline's analyses that are registered."""
    return ",".join(p for p in INSPECTION_PASSES if p in REGISTRY)


def inspect_module(module: Module, options: dict[str, Any] | None = None) -> PassContext:
    """Runs the inspection pipeline on `module` (in place); raises DiagnosticError on errors."""
    ctx = run_pipeline(module, inspection_pipeline(), PassContext(options=dict(options or {})))
    if errors(ctx.diagnostics):
        raise DiagnosticError(ctx.diagnostics)
    return ctx


def explain_json(module: Module, ctx: PassContext) -> dict[str, Any]:
    """Every report of the run, the pipeline, each workflow's permissions, and the diagnostics."""
    permissions = {wf.sym_name: wf.attributes.get("permissions") for wf in module.workflows}
    return {"pipeline": inspection_pipeline(), **json.loads(json.dumps(ctx.reports, default=str)),
            "permissions": permissions, "diagnostics": [d.to_json() for d in ctx.diagnostics],
            "approvals": {wf.sym_name: approval_points(wf) for wf in module.workflows}}


def approval_points(wf: Op) -> list[dict[str, Any]]:
    """The ops of `wf` that wait for a person before they run (`confirm = true`), known
    before any run: step, op, what it runs, what it writes, and the step a rejection takes."""
    out = []
    for op in wf.walk():
        if op.attributes.get("confirm") is not True:
            continue
        a = op.attributes
        argv = a.get("argv")
        what = " ".join(map(str, argv)) if isinstance(argv, list) else str(a.get("cmd") or a.get("query")
                                                                            or a.get("path") or a.get("prompt") or "")
        out.append({"step": str(a.get("step") or ""), "op": op.op_name, "runs": what, "loc": str(op.where),
                    "writes": [str(e).removeprefix("write:") for e in op.effects if str(e).startswith("write:")],
                    "if_rejected": str(a.get("fallback") or "") or None})
    return out


def _approval_lines(wf: Op) -> list[str]:
    points = approval_points(wf)
    lines = [f"  approval points: {len(points)}" + (" (each waits for `skc approve`, or --approve STEP)"
                                                     if points else "")]
    for p in points:
        rejected = f"; if rejected: step {p['if_rejected']}" if p["if_rejected"] else "; if rejected: the step fails"
        step = p["step"] if p["step"].lower().startswith("step") else f"step {p['step'] or '-'}"
        lines.append(f"    {step} ({p['op']} at {p['loc']}) writes {', '.join(p['writes']) or '?'}:"
                     f" {p['runs'][:100]}{rejected}")
    return lines


def bounded_load(block: Block, cost: CostModel) -> dict[str, float]:
    """Seconds of work each target with bounded `slots` must do for one run of `block`
    (a local model serves one request at a time, so its llm ops queue behind each other):
    leaf ops add their latency / slots, a `ctrl.if` its heavier branch, other region ops
    (map, retry) one pass of their body."""
    load: dict[str, float] = {}
    for op in block.ops:
        if op.regions:
            bodies = [bounded_load(b, cost) for r in op.regions for b in r.blocks]
            names = {k for b in bodies for k in b}
            for k in names:
                parts = [b.get(k, 0.0) for b in bodies]
                load[k] = load.get(k, 0.0) + (max(parts) if op.has(Branch) else sum(parts))
            continue
        spec = cost.targets.get(cost.target_of(op))
        if spec is not None and spec.slots and spec.runs_llm:
            load[spec.name] = load.get(spec.name, 0.0) + cost.latency(op) / spec.slots
    return load


def _serial_lines(wf: WorkflowOp, ctx: PassContext, critical_s: float | None) -> list[str]:
    load = bounded_load(wf.body, CostModel.from_options(ctx.options))
    out = []
    for target, seconds in sorted(load.items()):
        slots = CostModel.from_options(ctx.options).targets[target].slots
        est = max(seconds, critical_s or 0.0)
        out.append(f"  {target} serves {slots} request{'s' if slots > 1 else ''} at a time: its ops need "
                   f"{_s(seconds)} on it, so the run takes at least {_s(est)}")
    return out


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _step_lines(steps: Any, edges: Any) -> list[str]:
    """The document's step graph (recorded by the runbook front end) next to the op schedule."""
    if not isinstance(steps, list) or not isinstance(edges, list):
        return []
    pairs = [str(e).partition(" -> ") for e in edges]
    depth: dict[str, int] = {}
    for s in map(str, steps):
        depth[s] = 1 + max((depth[a] for a, _, b in pairs if b == s and a in depth), default=-1)
    width = max((list(depth.values()).count(d) for d in set(depth.values())), default=0)
    lines = [f"  step graph: {len(steps)} steps, {len(edges)} edges, width {width}"]
    lines += [f"    {a} -> {', '.join(b for x, _, b in pairs if x == a)}" for a in dict.fromkeys(a for a, _, _ in pairs)]
    return lines


def _schedule_lines(s: dict[str, Any]) -> list[str]:
    n = sum(len(lv) for lv in s["levels"])
    lines = [f"  schedule: {n} ops in {s['depth']} levels, width {s['width']}"]
    lines += [f"    level {i}: {', '.join(lv)}" for i, lv in enumerate(s["levels"])]
    lines.append(f"  critical path ({_s(s['critical_path_s'])}): {' -> '.join(s['critical_path']) or '-'}")
    lines.append(f"  estimated time: {_s(s['sequential_s'])} sequential, {_s(s['critical_path_s'])} "
                 f"parallel ({s['speedup']}x)")
    for o in s.get("effect_orderings", []):
        lines.append(f"  ordered by effects: {o['before']} before {o['after']} ({' / '.join(o['conflict'])})")
    for d in s.get("data_parallel", []):
        bound = f", at most {d['max_parallel']} at a time" if d.get("max_parallel") else ""
        if d.get("items_conflict"):
            bound = f"; items conflict ({' / '.join(d['items_conflict'])}): one at a time"
        lines.append(f"  data-parallel: {d['op']} (width = {d['width']}{bound})")
    for c in s.get("map_candidates", []):
        values = ", ".join(v if len(v) <= 40 else v[:39] + "…" for v in c["values"])
        lines.append(f"  ctrl.map candidate: {', '.join(c['ops'])} differ only in {c['varies']} ({values})")
    return lines


def _placement_lines(p: dict[str, Any]) -> list[str]:
    counts = ", ".join(f"{t} {n}" for t, n in p["by_target"].items()) or "no ops"
    lines = [f"  placement: {counts}; {p['tokens_in']} tokens in, {p['tokens_out']} out; "
             f"${p['usd']:.4f}; critical path {_s(p['critical_path_s'])}"]
    width = min(max((len(o["label"]) for o in p["ops"]), default=0), LABEL_WIDTH)
    for o in p["ops"]:
        label = o["label"] if len(o["label"]) <= width else "…" + o["label"][-(width - 1):]
        est = f"{o['est_s']:.2f} s" if o["est_s"] is not None else "(its body)"
        money = f"  ${o['usd']:.4f}" if o["usd"] else ""
        lines.append(f"    {label:<{width}}  {o['op']:<18} {o['target']:<18} {est}{money}")
    if p.get("budget_s"):
        lines.append(f"  budget {_s(p['budget_s'])}: {'met' if p['budget_met'] else 'missed'}")
    for m in p.get("moves", []):
        lines.append(f"    moved {m['op']} at {m['loc']} from {m['from']} to {m['to']} "
                     f"({_s(m['est_s_before'])} -> {_s(m['est_s_after'])})")
    return lines


def render_value(value: Any, indent: str = "  ") -> list[str]:
    """A generic report as indented text; long lists are cut to MAX_ITEMS entries."""
    if isinstance(value, dict):
        lines = []
        for k, v in value.items():
            if isinstance(v, dict | list) and v:
                lines.append(f"{indent}{k}:")
                lines += render_value(v, indent + "  ")
            else:
                lines.append(f"{indent}{k}: {json.dumps(v, default=str)}")
        return lines
    if isinstance(value, list):
        lines = []
        for item in value[:MAX_ITEMS]:
            if isinstance(item, dict):
                inner = ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in item.items())
                lines.append(f"{indent}- {inner}")
            else:
                lines.append(f"{indent}- {json.dumps(item, default=str)}")
        if len(value) > MAX_ITEMS:
            lines.append(f"{indent}... {len(value) - MAX_ITEMS} more")
        return lines
    return [f"{indent}{json.dumps(value, default=str)}"]


def _gap(g: dict[str, Any]) -> str:
    return f"{g['primitive']} (needs L{g['need']}, has L{g['have']})"


def _capability_lines(c: dict[str, Any]) -> list[str]:
    """cap-bind's report: the profile, then each llm op's gaps and how they were compensated."""
    summary = c["summary"]  # required: another shape is rendered generically
    comp = ", ".join(f"{k} {n}" for k, n in (summary.get("compensations") or {}).items()) or "none"
    lines = [f"capability (profile {c.get('profile')}, model {c.get('model')}): "
             f"{summary.get('llm_ops', len(c['ops']))} llm ops, {summary.get('with_gaps', '?')} with gaps; "
             f"compensations: {comp}; {summary.get('unresolved_ops', '?')} ops with gaps left"]
    for op in c["ops"][:MAX_ITEMS]:
        if not op.get("gaps"):
            continue
        lines.append(f"  {op['op']} at {op['loc']}: gaps {', '.join(map(_gap, op['gaps']))}")
        for k in op.get("compensations") or []:
            lines.append(f"    compensated: {k['kind']} ({k.get('detail', '')}) covers {', '.join(k['covers'])}")
        if op.get("unresolved"):
            lines.append(f"    left: {', '.join(map(_gap, op['unresolved']))}")
    if len(c["ops"]) > MAX_ITEMS:
        lines.append(f"  ... {len(c['ops']) - MAX_ITEMS} more llm ops (--json has all)")
    return lines


def _environment_lines(e: dict[str, Any]) -> list[str]:
    """env-bind's report: the machine, what each need resolved to, what is missing."""
    m, summary = e["machine"], e["summary"]  # required: another shape is rendered generically
    gpu = "GPU" if m.get("has_gpu") else "no GPU"
    lines = [f"environment ({m.get('origin', '?')}: {m.get('os', '?')} {m.get('arch', '?')}, {gpu}"
             f"{', strict' if e.get('strict') else ''}):"]
    for kind, names in summary.items():
        for name, resolved in names.items():
            lines.append(f"  {kind} {name}: {resolved if resolved is not None else 'missing'}")
    if e.get("missing"):
        lines.append(f"  missing: {', '.join(map(str, e['missing']))}")
    if len(lines) == 1:
        lines.append("  nothing to bind")
    return lines


def _report_lines(name: str, report: Any) -> list[str]:
    """A known report in its own words; any other shape (or a newer one) generically."""
    render = {"capability": _capability_lines, "environment": _environment_lines}.get(name)
    if render is not None:
        try:
            return render(report)
        except (KeyError, TypeError, AttributeError):
            pass
    return [f"{name}:", *render_value(report)]


def explain_text(module: Module, ctx: PassContext) -> str:
    schedule = (ctx.reports.get("schedule") or {}).get("workflows", {})
    placement = (ctx.reports.get("placement") or {}).get("workflows", {})
    out: list[str] = []
    for wf in module.workflows:
        source = wf.attributes.get("source")
        out.append(f"workflow {wf.sym_name}" + (f" ({source})" if source else ""))
        permissions = wf.attributes.get("permissions")
        if isinstance(permissions, list):
            out.append(f"  permissions (allowed tools): {', '.join(map(str, permissions)) or 'none'}")
        out += _step_lines(wf.attributes.get("steps"), wf.attributes.get("step_edges"))
        out += [f"  {line}" for line in routing(wf)]
        if wf.sym_name in schedule:
            out += _schedule_lines(schedule[wf.sym_name])
        if wf.sym_name in placement:
            out += _placement_lines(placement[wf.sym_name])
        out += _approval_lines(wf)
        critical = (schedule.get(wf.sym_name) or {}).get("critical_path_s")
        out += _serial_lines(wf, ctx, critical if isinstance(critical, int | float) else None)
        out.append("")
    merged = (ctx.reports.get("cse") or {}).get("merged", [])
    removed = (ctx.reports.get("dce") or {}).get("total", 0)
    out.append(f"cse merged {len(merged)} ops; dce removed {removed}")
    for name in ("capability", "environment"):
        if ctx.reports.get(name):
            out += _report_lines(name, ctx.reports[name])
    if ctx.diagnostics:
        out.append("diagnostics:")
        out += [f"  {d}" for d in ctx.diagnostics]
    return "\n".join(out).rstrip() + "\n"
