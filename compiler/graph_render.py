"""Pictures of a compiled module: DOT, SVG (through Graphviz) and a self-contained HTML page.

`build_graphs(module, cost)` turns each workflow into a `WorkflowGraph`: its
inputs, its top-level ops (an op with regions is one node listing what it holds),
its return, the data edges, the edges an effect conflict adds (dashed), each op's
target (from placement's `target` attribute, else the default) and parallel
level, and the critical path. The renderers draw it:

- `to_dot`: Graphviz text; one cluster per workflow holding one cluster per
  level, nodes filled by target, the critical path in red, a legend cluster.
- `to_svg`: `to_dot` laid out by Graphviz `dot -Tsvg` (Debian package graphviz;
  `bash scripts/system-deps.sh` installs it).
- `to_html`: one page with no external resources: an inline SVG drawn here
  (levels as horizontal bands, top to bottom), a legend, a summary and a table
  of ops. Hovering a node shows its location and estimates.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import json
import shutil
import subprocess
from dataclasses import dataclass, field

from skc.compiler.cost import CPU, LOCAL, LOCAL_GPU, CostModel
from skc.compiler.passes import PassContext
from skc.compiler.schedule import analyse_block
from skc.ir.location import Diagnostic, DiagnosticError, Location
from skc.ir.module import Module

TARGET_COLOURS = {CPU: "#8ecae6", LOCAL: "#ffd166", LOCAL_GPU: "#f4a261"}
REMOTE_COLOURS = ["#95d5b2", "#b8c0ff", "#ffafcc", "#caffbf", "#bde0fe"]
IO_COLOUR = "#e9ecef"
CRITICAL = "#d62828"


def palette(graphs: list[WorkflowGraph]) -> dict[str, str]:
    """A fill colour per target in `graphs`: fixed for the built-in ones, distinct for remote models."""
    colours: dict[str, str] = {}
    remote = 0
    for t in sorted({t for g in graphs for t in g.targets}):
        if t in TARGET_COLOURS:
            colours[t] = TARGET_COLOURS[t]
        else:
            colours[t] = REMOTE_COLOURS[remote % len(REMOTE_COLOURS)]
            remote += 1
    return colours


@dataclass
class Node:
    id: str
    label: str
    op: str
    target: str = ""
    level: int = -1  # -1: a workflow input; the last level + 1: the return
    est_s: float = 0.0
    critical: bool = False
    loc: str = ""
    detail: str = ""


@dataclass
class Edge:
    src: str
    dst: str
    kind: str  # data | effect
    label: str = ""
    critical: bool = False


@dataclass
class WorkflowGraph:
    name: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    width: int = 0
    depth: int = 0
    critical_path_s: float = 0.0
    sequential_s: float = 0.0

    def level_rows(self) -> list[list[Node]]:
        """Nodes by level, inputs first and the return last."""
        rows: dict[int, list[Node]] = {}
        for n in self.nodes:
            rows.setdefault(n.level, []).append(n)
        return [rows[k] for k in sorted(rows)]

    @property
    def targets(self) -> list[str]:
        return sorted({n.target for n in self.nodes if n.target})


def build_graphs(module: Module, cost: CostModel) -> list[WorkflowGraph]:
    """The graph of every workflow, scheduled with `cost` (targets as placed, if placed)."""
    graphs = []
    for w, wf in enumerate(module.workflows):
        sched = analyse_block(wf.body, cost)
        g = WorkflowGraph(wf.sym_name, width=sched.width, depth=len(sched.levels),
                          critical_path_s=sched.critical_path_s, sequential_s=sched.sequential_s)
        pid = f"w{w}_"
        source: dict[int, str] = {}
        for j, (name, arg) in enumerate(zip(wf.input_names, wf.inputs, strict=True)):
            g.nodes.append(Node(f"{pid}in{j}", name, f"input {arg.type}", level=-1))
            source[id(arg)] = f"{pid}in{j}"
        critical = set(sched.critical)
        for i, op in enumerate(sched.ops):
            inner = [x.op_name for x in op.walk() if x is not op and not x.terminator]
            detail = f"holds {', '.join(sorted(set(inner)))}" if inner else ""
            g.nodes.append(Node(f"{pid}op{i}", sched.labels[i], op.op_name, cost.target_of(op),
                                sched.level[i], sched.cost[i], i in critical, str(op.where), detail))
            for x in op.walk():
                for r in x.results:
                    source[id(r)] = f"{pid}op{i}"
        path = sched.critical
        on_path = set(itertools.pairwise(path))
        index = {f"{pid}op{i}": i for i in range(len(sched.ops))}
        for i, op in enumerate(sched.ops):
            srcs = dict.fromkeys(source[id(v)] for x in op.walk() for v in x.operands if id(v) in source)
            for s in srcs:
                if index.get(s) != i:
                    crit = (index.get(s, -1), i) in on_path
                    g.edges.append(Edge(s, f"{pid}op{i}", "data", critical=crit))
        for (a, b), why in sorted(sched.effect_edges.items()):
            g.edges.append(Edge(f"{pid}op{a}", f"{pid}op{b}", "effect", " / ".join(why), (a, b) in on_path))
        term = wf.body.terminator
        if term is not None:
            g.nodes.append(Node(f"{pid}ret", "return", term.op_name, level=len(sched.levels)))
            for s in dict.fromkeys(source[id(v)] for v in term.operands if id(v) in source):
                g.edges.append(Edge(s, f"{pid}ret", "data"))
        graphs.append(g)
    return graphs


def _summary(g: WorkflowGraph) -> str:
    return (f"width {g.width}, {g.depth} levels; critical path {g.critical_path_s:.2f} s "
            f"of {g.sequential_s:.2f} s sequential")


def _node_text(n: Node) -> list[str]:
    if not n.target:  # an input or the return
        return [n.label, n.op]
    lines = [n.label, f"{n.op} @ {n.target}", f"{n.est_s:.2f} s"]
    return [*lines, n.detail] if n.detail else lines


# ---------------------------------------------------------------- DOT / SVG

def _dq(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graphs: list[WorkflowGraph]) -> str:
    """Graphviz text: clusters per workflow and level, colours by target, critical path in red."""
    colours = palette(graphs)
    out = ["digraph skc {", "  rankdir=TB; compound=true; newrank=true;",
           '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
           '  edge [fontname="Helvetica", fontsize=8];']
    for w, g in enumerate(graphs):
        out.append(f"  subgraph cluster_w{w} {{")
        out.append(f"    label={_dq(g.name + ': ' + _summary(g))}; fontname=\"Helvetica\";")
        for row in g.level_rows():
            lv = row[0].level
            if 0 <= lv < g.depth:
                out.append(f"    subgraph cluster_w{w}_l{lv} {{ label={_dq(f'level {lv}')}; style=dashed; color=\"#adb5bd\";")
            else:
                out.append("    { rank=same;")
            for n in row:
                shape = ', shape=ellipse' if lv < 0 or lv >= g.depth else ""
                border = f', color="{CRITICAL}", penwidth=3' if n.critical else ""
                colour = colours.get(n.target, IO_COLOUR)
                out.append(f'      {n.id} [label={_dq(chr(10).join(_node_text(n)))}, fillcolor="{colour}"'
                           f"{shape}{border}, tooltip={_dq(n.loc or n.op)}];")
            out.append("    }")
        out.append("  }")
        for e in g.edges:
            attrs = ['style=dashed', f"label={_dq(e.label)}"] if e.kind == "effect" else []
            if e.critical:
                attrs += [f'color="{CRITICAL}"', "penwidth=3"]
            out.append(f"  {e.src} -> {e.dst}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append('  subgraph cluster_legend { label="legend"; fontname="Helvetica"; style=dashed;')
    for i, t in enumerate(colours):
        out.append(f'    legend{i} [label={_dq(t)}, fillcolor="{colours[t]}"];')
    out.append(f'    legend_crit [label="critical path", fillcolor="white", color="{CRITICAL}", penwidth=3];')
    out.append('    legend_eff_a [label="earlier", fillcolor="white"]; legend_eff_b [label="later", fillcolor="white"];')
    out.append('    legend_eff_a -> legend_eff_b [style=dashed, label="effect conflict"];')
    out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def to_svg(graphs: list[WorkflowGraph]) -> str:
    """`to_dot` laid out by Graphviz; a diagnostic (not a traceback) when `dot` is missing."""
    dot = shutil.which("dot")
    if dot is None:
        raise DiagnosticError([Diagnostic("SKC290", Location("<graph>", 1, 1), "Graphviz `dot` is not installed",
                                          "run `bash scripts/system-deps.sh`, or use --format dot or html")])
    done = subprocess.run([dot, "-Tsvg"], input=to_dot(graphs), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DiagnosticError([Diagnostic("SKC290", Location("<graph>", 1, 1),
                                          f"Graphviz failed: {done.stderr.strip()[:500]}")])
    return done.stdout


# ---------------------------------------------------------------- HTML

BOX_W, BOX_H, GAP_X, ROW_H, LEFT, TOP = 190, 52, 26, 100, 90, 20


def _svg(g: WorkflowGraph, colours: dict[str, str]) -> str:
    rows = g.level_rows()
    cols = max((len(r) for r in rows), default=1)
    width = LEFT + cols * (BOX_W + GAP_X) + GAP_X
    height = TOP * 2 + len(rows) * ROW_H
    pos: dict[str, tuple[float, float]] = {}
    parts = [f'<svg class="graph" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'style="max-width:100%;height:auto" role="img">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" '
             'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#495057"/></marker>'
             f'<marker id="arrow-crit" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" '
             f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{CRITICAL}"/></marker></defs>']
    for r, row in enumerate(rows):
        y = TOP + r * ROW_H
        lv = row[0].level
        name = "inputs" if lv < 0 else "return" if lv >= g.depth else f"level {lv}"
        band = "#f8f9fa" if r % 2 == 0 else "#ffffff"
        parts.append(f'<rect x="0" y="{y - 14}" width="{width}" height="{ROW_H}" fill="{band}"/>')
        parts.append(f'<text x="8" y="{y + BOX_H / 2 + 4}" class="lvl">{name}</text>')
        offset = LEFT + (cols - len(row)) * (BOX_W + GAP_X) / 2 + GAP_X
        for c, n in enumerate(row):
            pos[n.id] = (offset + c * (BOX_W + GAP_X), y)
    for e in g.edges:
        (x1, y1), (x2, y2) = pos[e.src], pos[e.dst]
        x1, y1, x2, y2 = x1 + BOX_W / 2, y1 + BOX_H, x2 + BOX_W / 2, y2
        colour, width_px = (CRITICAL, 3.0) if e.critical else ("#495057", 1.2)
        dash = ' stroke-dasharray="6 4"' if e.kind == "effect" else ""
        marker = "arrow-crit" if e.critical else "arrow"
        mid = (y1 + y2) / 2
        parts.append(f'<path d="M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2:.1f}" '
                     f'fill="none" stroke="{colour}" stroke-width="{width_px}"{dash} marker-end="url(#{marker})">'
                     f"<title>{html.escape(e.kind + (': ' + e.label if e.label else ''))}</title></path>")
    for n in g.nodes:
        bx, by = pos[n.id]
        fill = colours.get(n.target, IO_COLOUR)
        stroke = f'stroke="{CRITICAL}" stroke-width="3"' if n.critical else 'stroke="#343a40" stroke-width="1"'
        rx = BOX_H / 2 if not n.target else 8
        tip = html.escape(f"{n.label}\n{n.op} on {n.target or '-'}\n{n.loc}\nest. {n.est_s:.3f} s\n{n.detail}".strip())
        parts.append(f'<g class="node"><title>{tip}</title>'
                     f'<rect x="{bx:.1f}" y="{by:.1f}" width="{BOX_W}" height="{BOX_H}" rx="{rx}" fill="{fill}" {stroke}/>')
        for k, line in enumerate(_node_text(n)[:3]):
            text = html.escape(line if len(line) <= 30 else line[:29] + "…")
            parts.append(f'<text x="{bx + BOX_W / 2:.1f}" y="{by + 16 + k * 14:.1f}" text-anchor="middle" '
                         f'class="{"t0" if k == 0 else "t1"}">{text}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)


_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #212529; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
.legend span { display: inline-block; margin-right: 14px; font-size: 13px; }
.sw { display: inline-block; width: 14px; height: 14px; border: 1px solid #343a40; vertical-align: middle; margin-right: 4px; }
.lvl { font-size: 11px; fill: #6c757d; } .t0 { font-size: 12px; font-weight: bold; } .t1 { font-size: 10px; }
table { border-collapse: collapse; font-size: 12px; margin-top: 10px; }
td, th { border: 1px solid #dee2e6; padding: 3px 8px; text-align: left; }
tr.crit td { color: #d62828; font-weight: bold; }
"""


def to_html(graphs: list[WorkflowGraph], title: str = "skc graph") -> str:
    """A self-contained page: inline CSS and SVG, no scripts, no external URLs."""
    colours = palette(graphs)
    legend = "".join(f'<span><i class="sw" style="background:{c}"></i>{html.escape(t)}</span>'
                     for t, c in colours.items())
    legend += (f'<span><i class="sw" style="background:#fff;border:3px solid {CRITICAL}"></i>critical path</span>'
               '<span>- - - effect conflict (ordering without data)</span>'
               '<span>bands: parallel levels (ops in one band may run at the same time)</span>')
    body = [f"<h1>{html.escape(title)}</h1>", f'<div class="legend">{legend}</div>']
    for g in graphs:
        body.append(f"<h2>{html.escape(g.name)}: {html.escape(_summary(g))}</h2>")
        body.append(_svg(g, colours))
        rows = "".join(
            f'<tr class="{"crit" if n.critical else ""}"><td>{n.level}</td><td>{html.escape(n.label)}</td>'
            f"<td>{html.escape(n.op)}</td><td>{html.escape(n.target)}</td><td>{n.est_s:.3f}</td>"
            f"<td>{html.escape(n.loc)}</td></tr>"
            for n in g.nodes if n.target)
        body.append("<table><tr><th>level</th><th>op</th><th>kind</th><th>target</th><th>est. s</th>"
                    f"<th>source</th></tr>{rows}</table>")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def to_json(graphs: list[WorkflowGraph]) -> str:
    return json.dumps([dataclasses.asdict(g) for g in graphs], indent=2) + "\n"


def render(module: Module, ctx: PassContext, fmt: str, title: str = "skc graph") -> str:
    """`module` (already through concurrency and placement) as dot, svg, html or json."""
    graphs = build_graphs(module, CostModel.from_options(ctx.options))
    if fmt == "dot":
        return _with_steps(to_dot(graphs), module)
    if fmt == "svg":
        return to_svg(graphs)
    if fmt == "html":
        return to_html(graphs, title)
    if fmt == "json":
        return to_json(graphs)
    raise ValueError(f"unknown graph format {fmt!r}")


def _with_steps(dot: str, module: Module) -> str:
    """The document's step graph (workflow attributes `steps`, `step_edges`) as one more cluster."""
    extra: list[str] = []
    for w, wf in enumerate(module.workflows):
        steps, edges = wf.attributes.get("steps"), wf.attributes.get("step_edges")
        if not isinstance(steps, list) or not isinstance(edges, list):
            continue
        extra.append(f'  subgraph cluster_steps{w} {{ label={_dq(wf.sym_name + ": step graph")}; style=dotted;')
        ids = {str(s): f"step{w}_{i}" for i, s in enumerate(steps)}
        extra += [f'    {ids[str(s)]} [label={_dq("step " + str(s))}, shape=ellipse, fillcolor="white"];' for s in steps]
        for e in edges:
            a, _, b = str(e).partition(" -> ")
            if a in ids and b in ids:
                extra.append(f"    {ids[a]} -> {ids[b]};")
        extra.append("  }")
    if not extra:
        return dot
    head, _, _ = dot.rstrip().rpartition("}")
    return head + "\n".join(extra) + "\n}\n"
