"""The bounded tool-using loop behind `llm.agent` (and the capability probes of tool use).

Each turn the model sees the conversation and the op's tools (natively on
OpenAI-compatible endpoints, as a grammar-constrained JSON reply on the local
model) and either calls tools or answers. The loop is bounded by turns, tokens
(prompt + completion, summed over turns) and wall-clock time; the last turn, or the
turn after the same call was repeated three times, is a tool-less "answer now" turn.

Tools are executed by a runner, normally the runtime's, passed in
`ctx.options["agent_tools"]`:

    runner(tool: str, arguments: dict, ctx: ExecContext, allowed: tuple[str, ...]) -> str
                                                         (or an awaitable of str)

`tool` is the function name the model called (an op `tools` entry without its
`(pattern)` suffix, e.g. `Bash`); `allowed` are the op's entries with that name
(e.g. `("Bash(git:*)",)`) so the runner can enforce patterns; `arguments` have been
validated against the tool's parameter schema. The runner returns the observation
text, or raises to refuse or fail (the message goes back to the model). Without a
runner, `read_only_tools` serves `Read` inside `ctx.workdir` and refuses the rest.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from skc.runtime.llm.base import LLMBackend, complete_async
from skc.runtime.llm.prompt import message_text, truncate

AgentTools = Callable[[str, dict[str, Any], Any, tuple[str, ...]], "str | Awaitable[str]"]

_S = {"type": "string"}
# Known tools by lower-cased name: (description, parameters, required).
_KNOWN: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "read": ("Read a text file (path relative to the working directory).", {"path": _S}, ["path"]),
    "write": ("Write text to a file, replacing it.", {"path": _S, "content": _S}, ["path", "content"]),
    "edit": ("Replace the text `old` by `new` in a file.", {"path": _S, "old": _S, "new": _S},
             ["path", "old", "new"]),
    "bash": ("Run a shell command; returns exit status, stdout and stderr.", {"command": _S}, ["command"]),
    "grep": ("Search files for a regular expression.", {"pattern": _S, "path": _S}, ["pattern"]),
    "glob": ("List files matching a glob pattern.", {"pattern": _S}, ["pattern"]),
    "ls": ("List a directory.", {"path": _S}, ["path"]),
}
_ALIASES = {"read_file": "read", "file.read": "read", "write_file": "write", "file.write": "write",
            "shell": "bash", "exec": "bash", "run_command": "bash", "list_dir": "ls"}


def tool_function_name(entry: str) -> str:
    """`Bash(git:*)` -> `Bash`; anything outside [A-Za-z0-9_-] becomes `_`."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", entry.split("(", 1)[0].strip()) or "tool"


def tool_specs(entries: list[str], custom: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """OpenAI tool specs for an op's `tools` (one per function name; `custom` may add specs)."""
    specs: dict[str, dict[str, Any]] = {}
    for entry in entries:
        fn = tool_function_name(entry)
        if fn in specs:
            continue
        if custom and fn in custom:
            specs[fn] = custom[fn]
            continue
        key = _ALIASES.get(fn.lower(), fn.lower())
        desc, props, required = _KNOWN.get(key, (f"The {fn} tool.", {"input": _S}, ["input"]))
        specs[fn] = {"type": "function", "function": {
            "name": fn, "description": desc,
            "parameters": {"type": "object", "properties": props, "required": required}}}
    return list(specs.values())


async def read_only_tools(tool: str, arguments: dict[str, Any], ctx: Any, allowed: tuple[str, ...]) -> str:
    """The default runner: `Read` of a file inside `ctx.workdir` (64 KiB at most); nothing else."""
    if _ALIASES.get(tool.lower(), tool.lower()) != "read":
        raise PermissionError(f"tool {tool} is not available: no agent_tools runner is configured "
                              "(the default only reads files)")
    root = Path(ctx.workdir).resolve()
    path = (root / str(arguments.get("path", ""))).resolve()
    if not path.is_relative_to(root):
        raise PermissionError(f"{arguments.get('path')} is outside the working directory")
    with path.open("rb") as f:
        return f.read(65536).decode("utf-8", "replace")


@dataclass
class AgentBudget:
    """Limits of one loop; `turn_tokens` caps each model answer."""

    max_turns: int = 8
    max_tokens: int = 4096
    timeout_s: float = 300.0
    turn_tokens: int = 256


@dataclass
class AgentOutcome:
    """What a loop produced: the answer, every tool call made, and what it cost."""

    answer: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    turns: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    stopped: str = "answer"  # answer | turns | tokens | repeat | format


class AgentTimeout(Exception):
    """The time budget ran out; `outcome` holds the calls made so far."""

    def __init__(self, outcome: AgentOutcome) -> None:
        super().__init__(f"agent loop timed out after {outcome.turns} turns")
        self.outcome = outcome


def flatten_tools(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation without tool-call structure (for the tool-less final turn)."""
    flat: list[dict[str, Any]] = []
    for m in messages:
        if m.get("role") == "assistant" and m.get("tool_calls"):
            calls = "; ".join(f"{c['function']['name']}({c['function'].get('arguments', '')})"
                              for c in m["tool_calls"])
            flat.append({"role": "assistant", "content": f"Calling {calls}"})
        elif m.get("role") == "tool":
            flat.append({"role": "user", "content": f"Tool result:\n{message_text(m)}"})
        else:
            flat.append(m)
    return flat


def _matches(text: str, schema: dict[str, Any]) -> bool:
    try:
        jsonschema.validate(json.loads(text), schema)
    except (ValueError, jsonschema.ValidationError, jsonschema.SchemaError):
        return False
    return True


async def _call_tool(runner: AgentTools, fn: str, arguments: dict[str, Any], ctx: Any,
                     allowed: tuple[str, ...]) -> str:
    result = runner(fn, arguments, ctx, allowed)
    if inspect.isawaitable(result):
        result = await result
    return str(result)


async def run_agent(backend: LLMBackend, messages: list[dict[str, Any]], tools: list[str], ctx: Any,
                    budget: AgentBudget, runner: AgentTools | None = None,
                    final_schema: dict[str, Any] | None = None,
                    custom_specs: dict[str, dict[str, Any]] | None = None) -> AgentOutcome:
    """Runs the loop; emits `ctx.emit("tool_call", ...)` per call; raises AgentTimeout."""
    runner = runner or read_only_tools
    specs = tool_specs(tools, custom_specs)
    params = {s["function"]["name"]: s["function"].get("parameters") or {} for s in specs}
    allowed = {fn: tuple(e for e in tools if tool_function_name(e) == fn) for fn in params}
    history = list(messages)
    out = AgentOutcome(answer="")
    start = time.monotonic()
    seen: dict[str, int] = {}

    def left() -> float:
        return budget.timeout_s - (time.monotonic() - start)

    async def ask(msgs: list[dict[str, Any]], **kw: Any) -> Any:
        if left() <= 0:
            raise AgentTimeout(out)
        try:
            reply = await asyncio.wait_for(complete_async(backend, msgs, **kw), left())
        except TimeoutError:
            raise AgentTimeout(out) from None
        out.turns += 1
        out.tokens_in += reply.tokens_in
        out.tokens_out += reply.tokens_out
        return reply

    force = ""
    next_in = 0  # estimated prompt tokens of the next turn (the history is re-read every turn)
    while True:
        spent = out.tokens_in + out.tokens_out
        if not force and out.turns >= budget.max_turns - 1:
            force = "turns"
        elif not force and spent + 2 * (next_in + budget.turn_tokens) > budget.max_tokens:
            force = "tokens"  # keep room for this turn and the final answer
        if force:
            out.stopped = force
            final = [*flatten_tools(history), {"role": "user", "content":
                     "Stop using tools now and give your final answer."}]
            room = budget.max_tokens - spent - next_in
            reply = await ask(final, max_tokens=max(16, min(budget.turn_tokens, room)), json_schema=final_schema)
            out.answer = reply.text
            return out
        reply = await ask(history, max_tokens=budget.turn_tokens, tools=specs)
        next_in = reply.tokens_in + reply.tokens_out
        if not reply.tool_calls:
            if final_schema is None or _matches(reply.text, final_schema):
                out.answer, out.stopped = reply.text, "answer"
                return out
            history.append({"role": "assistant", "content": reply.text})
            force = "format"  # one more, schema-constrained turn turns the answer into JSON
            continue
        history.append({"role": "assistant", "content": reply.text or None, "tool_calls": reply.tool_calls})
        for call in reply.tool_calls:
            fn = call["function"]["name"]
            t0 = time.monotonic()
            arguments: Any = {}
            try:
                arguments = json.loads(call["function"].get("arguments") or "{}")
                if fn not in params:
                    raise PermissionError(f"tool {fn} is not one of this step's tools: {', '.join(params)}")
                jsonschema.validate(arguments, params[fn])
                observation, ok = await _call_tool(runner, fn, arguments, ctx, allowed[fn]), True
            except jsonschema.ValidationError as e:
                observation, ok = f"error: bad arguments for {fn}: {e.message}", False
            except Exception as e:  # the runner's refusal or failure goes back to the model
                observation, ok = f"error: {type(e).__name__}: {e}", False
            record = {"turn": out.turns, "id": call.get("id", ""), "tool": fn, "arguments": arguments,
                      "ok": ok, "output": truncate(observation, 1000),
                      "duration_s": round(time.monotonic() - t0, 4)}
            out.tool_calls.append(record)
            ctx.emit("tool_call", **{k: v for k, v in record.items() if k != "id"})
            history.append({"role": "tool", "tool_call_id": call.get("id", ""),
                            "content": truncate(observation, 4000)})
            next_in += len(history[-1]["content"]) // 4 + 8
            key = fn + json.dumps(arguments, sort_keys=True)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] >= 3:
                force = "repeat"
