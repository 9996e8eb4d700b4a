"""Solidified tool-call sequences: what an `llm.agent` loop keeps doing, as shell templates.

An agent that runs the same commands every time, with parameters that come from
its inputs (`kubectl get pods -n prod` one run, `-n staging` the next), is
replaced by those commands. `synthesize_tool_sequence` takes recorded
(inputs, tool calls) pairs; it succeeds when every pair made the same calls
(same tools, same argument names, same order) and every argument is either
constant or a template over the inputs (`synthesis.template`) whose fields are
shell-safe tokens in every recorded pair. Values are re-checked when the
sequence is rendered, and quoted with `shlex.quote` when they are not safe, so
an input can never inject shell syntax.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from skc.ir import TEXT, Block, InsertionPoint, Op, Value, tool
from skc.ir.location import UNKNOWN, Location
from skc.runtime.jit.lowering import PLACEHOLDER, ExprLowerer
from skc.runtime.jit.program import Expr, canonical, evaluate, fmt
from skc.runtime.jit.store import Pair
from skc.runtime.jit.synthesis import synth_value

SAFE = re.compile(r"[\w.\-/:=@%+,]+\Z")
SHELL_TOOLS = ("Bash", "bash", "shell", "sh")
ToolCall = dict[str, Any]


@dataclass(frozen=True)
class ToolSequence:
    """One program per call: `{"tool": name, "args": {arg: expression}}`."""

    calls: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"calls": self.calls}

    def render(self, args: list[Any]) -> list[ToolCall]:
        """The concrete calls for these inputs (shell fields quoted unless safe)."""
        out = []
        for call in self.calls:
            rendered = {}
            for name, expr in call["args"].items():
                shell = call["tool"] in SHELL_TOOLS
                rendered[name] = _render(expr, args, quote=shell)
            out.append({"tool": call["tool"], "args": rendered})
        return out

    def shell_templates(self) -> list[tuple[str, list[Expr]]]:
        """Each shell call's `command` as (`cmd` with {0}, {1}... placeholders, parameter programs)."""
        out = []
        for call in self.calls:
            if call["tool"] not in SHELL_TOOLS or "command" not in call["args"]:
                continue
            expr = call["args"]["command"]
            parts = expr["parts"] if expr["op"] == "template" else [expr]
            text, params = "", list[Expr]()
            for p in parts:
                if isinstance(p, str):
                    text += p
                elif p["op"] == "const":
                    text += fmt(p["value"])
                else:
                    text += f"{{{len(params)}}}"
                    params.append(p)
            out.append((text, params))
        return out


def _render(expr: Expr, args: list[Any], *, quote: bool) -> Any:
    if not quote or expr["op"] != "template":
        return evaluate(expr, args)
    out = []
    for p in expr["parts"]:
        if isinstance(p, str):
            out.append(p)
        else:
            v = fmt(evaluate(p, args))
            out.append(v if SAFE.match(v) else shlex.quote(v))
    return "".join(out)


def _fields_safe(expr: Expr, inputs: list[list[Any]]) -> bool:
    if expr["op"] == "const":
        return True
    fields = [p for p in expr["parts"] if isinstance(p, dict)] if expr["op"] == "template" else [expr]
    return all(SAFE.match(fmt(evaluate(f, args))) for f in fields for args in inputs)


def synthesize_tool_sequence(pairs: Sequence[Pair | tuple[list[Any], list[ToolCall]]]) -> ToolSequence | None:
    """The parameterised call sequence every pair followed, or None.

    `pairs` are `store.Pair`s with `tool_calls`, or (inputs, calls) tuples; a call is
    `{"tool": "Bash", "args": {"command": "kubectl get pods -n prod"}}`.
    """
    examples = [(p.inputs, p.tool_calls or []) if isinstance(p, Pair) else (list(p[0]), list(p[1]))
                for p in pairs]
    if not examples or not examples[0][1]:
        return None
    shape = [(c["tool"], sorted(c.get("args", {}))) for c in examples[0][1]]
    if any([(c["tool"], sorted(c.get("args", {}))) for c in calls] != shape for _, calls in examples):
        return None
    inputs = [args for args, _ in examples]
    programs = []
    for i, (name, arg_names) in enumerate(shape):
        call: dict[str, Any] = {"tool": name, "args": {}}
        for arg in arg_names:
            values = [calls[i]["args"][arg] for _, calls in examples]
            expr = synth_value(inputs, values, trees=False)
            if expr is None or expr["op"] not in ("const", "template", "ref", "regex", "pick", "lookup"):
                return None
            if name in SHELL_TOOLS and not _fields_safe(expr, inputs):
                return None
            if any(isinstance(v, str) and PLACEHOLDER.search(v) for v in values):
                return None  # a literal "{0}" would read as a placeholder in tool.shell
            call["args"][arg] = expr
        programs.append(call)
    seq = ToolSequence(programs)
    for args, calls in examples:
        if canonical(seq.render(args)) != canonical(calls):
            return None
    return seq


def tool_sequence_to_ir(seq: ToolSequence, operands: list[Value], *, effects: list[str],
                        loc: Location = UNKNOWN) -> list[Op]:
    """`tool.shell` ops (`cmd` templates) with their parameters computed from `operands`, in order.

    Each shell op's first result is that command's output; `effects` are the agent op's.
    """
    block = Block()
    low = ExprLowerer(list(operands), loc)
    with InsertionPoint(block):
        for cmd, params in seq.shell_templates():
            values = [low.value(p, TEXT) for p in params]
            tool.shell(None, *values, cmd=cmd, effects=list(effects), loc=loc)
    ops = list(block.ops)
    for op in ops:
        block.remove(op)
    return ops
