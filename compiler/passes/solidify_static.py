"""The `solidify-static` pass: steps that are already code never reach an LLM.

Conservative rewrites; an op that does not fit a rule exactly is left alone:

`command-prompt`
    An `llm.generate` with a text result and no `schema` whose prompt is only a
    shell command: an inline code span (`` `kubectl get pods -n $NS` ``) or one
    fenced block (sh, bash, shell, console, zsh or no language), optionally after
    "Run" / "Execute" / "Run the (following) command" and before a final period,
    becomes `tool.shell`. Variables `$NAME`, `${NAME}`, `{name}` and `<NAME>`
    that name one of the op's operands or one of the workflow's inputs
    (case-insensitive, `-` and `_` alike) become `{i}` placeholders (an input
    not yet an operand is appended as one). An unresolved `$NAME` is an
    environment variable: it stays for the shell and is listed in `env`, so
    env-bind checks it. An unresolved `{name}` / `<NAME>`, a literal `{0}`, or a
    variable inside a quoted string of a command that needs a shell, skips the op.
    The command runs as `argv` when it has no shell syntax, else as `cmd`.
    Its effects are what the front ends give the same command
    (`skc.compiler.frontend.common.commands.classify_shell`: kubectl get reads `k8s`,
    a redirect writes `fs:<path>`, anything unknown is `write:*`, ...).
`decide-single-outcome`
    An `llm.decide` with one outcome becomes `data.const` of that outcome.
`decide-on-bool`
    An `llm.decide` whose only operand is a `!skc.bool` (a condition code has
    already computed) and whose two outcomes are a yes-word and a no-word
    (yes/no, true/false, pass/fail, healthy/unhealthy, up/down, ...) becomes a
    `ctrl.if` on that value yielding the matching outcome.

New ops keep the old op's location, `step` and `level`; when the old op had a
`target` the new ones get `cpu`. Every rewrite and every skip (with its reason) is
listed in `ctx.reports["solidify_static"]`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

from skc.compiler.frontend.common.commands import classify_shell
from skc.compiler.passes import Pass, PassContext
from skc.ir.core import Block, Op, Region, Value
from skc.ir.dialects.ctrl import IfOp, YieldOp
from skc.ir.dialects.data import ConstOp
from skc.ir.dialects.llm import DecideOp, GenerateOp
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.dialects.tool import ShellOp
from skc.ir.module import Module
from skc.ir.traits import CallsModel
from skc.ir.types import TEXT

RULES = {
    "command-prompt": "an llm.generate whose prompt is only a shell command becomes tool.shell",
    "decide-single-outcome": "an llm.decide with one outcome becomes data.const",
    "decide-on-bool": "an llm.decide over one computed !skc.bool with yes/no outcomes becomes ctrl.if",
}
YES = frozenset({"yes", "y", "true", "ok", "pass", "passed", "success", "healthy", "up"})
NO = frozenset({"no", "n", "false", "fail", "failed", "failure", "unhealthy", "down"})

_LEAD = r"(?:(?:run|execute)(?:\s+(?:the\s+(?:following\s+)?command|this\s+command|it))?\s*:?\s*)?"
_INLINE = re.compile(rf"(?is)\s*{_LEAD}`([^`\n]+)`\s*\.?\s*\Z")
_FENCED = re.compile(rf"(?is)\s*{_LEAD}```(?:sh|bash|shell|console|zsh)?[ \t]*\n(.*?)\n?```\s*\.?\s*\Z")
_VAR = re.compile(r"\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)|\{([A-Za-z_][\w-]*)\}|<([A-Za-z][\w-]*)>")
_SHELL_SYNTAX = re.compile(r"[|&;<>()$`*?~\\\n\[\]]")


class Skip(Exception):
    """Why an op that looked like a command is left to the LLM."""


def prompt_command(prompt: str) -> str | None:
    """The command a prompt consists of, or None when the prompt says more than a command."""
    m = _INLINE.match(prompt) or _FENCED.match(prompt)
    if m is None:
        return None
    lines = [line.strip() for line in m.group(1).strip().splitlines()]
    lines = [line[2:] if line.startswith("$ ") else line for line in lines if line]
    return "\n".join(lines) or None


def _norm(name: str) -> str:
    return name.lower().replace("-", "_")


def _quote_states(text: str) -> list[str]:
    """For each character, the quote it is inside: '', "'" or '"'."""
    states, quote, escaped = [], "", False
    for ch in text:
        states.append(quote)
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'":
            escaped = True
        elif quote and ch == quote:
            quote = ""
        elif not quote and ch in "'\"":
            quote = ch
    return states


def bind_command(command: str, op: Op, wf: WorkflowOp) -> tuple[dict[str, Any], list[Value]]:
    """The tool.shell attributes (argv or cmd, env) and operands for `command` run by `op`."""
    if re.search(r"\{\d+\}", command):
        raise Skip("the command already contains a {n} placeholder")
    operands = list(op.operands)
    names: dict[str, int] = {}
    for i, v in enumerate(operands):
        for n in _value_names(v, wf):
            names.setdefault(_norm(n), i)
    inputs = dict(zip(map(_norm, wf.input_names), wf.inputs, strict=True))
    states = _quote_states(command)
    out, env, quoted, pos = [], [], False, 0
    for m in _VAR.finditer(command):
        name = next(g for g in m.groups() if g)
        index = names.get(_norm(name))
        if index is None and _norm(name) in inputs:
            index = names[_norm(name)] = len(operands)
            operands.append(inputs[_norm(name)])
        out.append(command[pos:m.start()])
        pos = m.end()
        if index is None:
            if not m.group(0).startswith("$"):
                raise Skip(f"unresolved variable {m.group(0)}")
            env.append(name)
            out.append(m.group(0))
            continue
        state = states[m.start()]
        if state == "'":
            raise Skip(f"variable {m.group(0)} inside single quotes")
        quoted = quoted or bool(state)
        out.append(f"{{{index}}}")
    text = "".join(out) + command[pos:]
    attrs: dict[str, Any] = {}
    if not env and not _SHELL_SYNTAX.search(text):
        try:
            attrs["argv"] = shlex.split(text)
        except ValueError as e:
            raise Skip(f"cannot split the command: {e}") from None
    elif quoted:
        raise Skip("a variable inside a quoted string of a shell command")
    else:
        attrs["cmd"] = text
    if env:
        attrs["env"] = sorted(set(env))
    attrs["effects"] = classify_shell(command).effects
    return attrs, operands


def _value_names(v: Value, wf: WorkflowOp) -> list[str]:
    names = [v.name] if v.name else []
    if v.owner is wf.body:
        names.append(wf.input_names[v.index])
    return names


def _carry(old: Op, new: Op) -> Op:
    """Location, step, level and (as cpu) target of the replaced op."""
    new.loc, new.text_loc = old.loc, old.text_loc
    for key in ("step", "level"):
        if key in old.attributes:
            new.attributes[key] = old.attributes[key]
    if "target" in old.attributes:
        for inner in new.walk():
            if not inner.terminator:
                inner.attributes["target"] = "cpu"
    return new


def _const(value: str) -> Op:
    return ConstOp([], [TEXT], {"value": value})


def rewrite(op: Op, wf: WorkflowOp) -> tuple[str, Op] | None:
    """(rule, replacement) for one op, None when no rule applies; raises Skip."""
    a = op.attributes
    if isinstance(op, GenerateOp) and "schema" not in a and len(op.results) == 1 and op.result.type == TEXT:
        command = prompt_command(str(a.get("prompt", "")))
        if command is None:
            return None
        attrs, operands = bind_command(command, op, wf)
        return "command-prompt", ShellOp(operands, [TEXT], attrs, result_names=[op.result.name])
    outcomes = a.get("outcomes")
    if not isinstance(op, DecideOp) or not isinstance(outcomes, list):
        return None
    if len(outcomes) == 1:
        return "decide-single-outcome", ConstOp([], [TEXT], {"value": outcomes[0]},
                                                result_names=[op.result.name])
    if len(op.operands) != 1 or op.operands[0].type.kind != "bool" or len(outcomes) != 2:
        return None
    words = [str(o).strip().lower() for o in outcomes]
    if words[0] in YES and words[1] in NO:
        yes, no = outcomes
    elif words[0] in NO and words[1] in YES:
        no, yes = outcomes
    else:
        return None
    regions = []
    for value in (yes, no):
        block = Block()
        const = block.append(_const(str(value)))
        block.append(YieldOp([const.result]))
        regions.append(Region([block]))
    return "decide-on-bool", IfOp([op.operands[0]], [TEXT], {}, regions, result_names=[op.result.name])


def _sites(block: Block) -> list[tuple[Block, Op]]:
    out = []
    for op in block.ops:
        out.append((block, op))
        for region in op.regions:
            for inner in region.blocks:
                out.extend(_sites(inner))
    return out


@dataclass(frozen=True)
class SolidifyStaticPass(Pass):
    """Replaces llm ops whose work is already code (a bare command, a computed condition)."""

    name = "solidify-static"

    def apply(self, ctx: PassContext, module: Module) -> None:
        changes: list[dict[str, Any]] = []
        skipped: list[dict[str, Any]] = []
        for wf in module.workflows:
            for block, op in _sites(wf.body):
                if not op.has(CallsModel):
                    continue
                try:
                    found = rewrite(op, wf)
                except Skip as why:
                    skipped.append({"workflow": wf.sym_name, "loc": str(op.where), "op": op.op_name,
                                    "reason": str(why)})
                    continue
                if found is None:
                    continue
                rule, new = found
                block.insert(block.ops.index(op), _carry(op, new))
                old, value = op.result, new.result
                for user in wf.walk():
                    user.operands = [value if v is old else v for v in user.operands]
                block.remove(op)
                change: dict[str, Any] = {"workflow": wf.sym_name, "loc": str(op.where), "rule": rule,
                          "from": op.op_name, "to": new.op_name}
                for key in ("argv", "cmd", "effects", "env", "value"):
                    if key in new.attributes:
                        change[key] = new.attributes[key]
                changes.append(change)
        ctx.reports["solidify_static"] = {"rules": RULES, "changes": changes, "skipped": skipped}
