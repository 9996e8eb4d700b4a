"""The LLM target: runs `llm.generate`, `llm.decide`, `llm.extract` and `llm.agent` on a backend.

Which backend: the op's `model` attribute (a name configured in `ctx.options["models"]`,
see `model_spec`, or a spec such as `openai:URL#model`), else `ctx.options["llm_backend"]` (an `LLMBackend`
instance), else the spec in `ctx.options["model"]`, else `$SKC_MODEL`, else the
embedded local model. See `skc.runtime.llm.registry` for specs.

The prompt is the op's `prompt` plus its operand values rendered compactly
(`prompt.render_inputs`, truncated to `ctx.options["llm_input_chars"]`, default 6000
characters); `examples` (added by cap-bind) become worked question/answer pairs
before it. Outputs are constrained: `decide` to its `outcomes`, `extract` (and
`generate` with a `schema` or a JSON result) to a JSON Schema, and checked again
here (jsonschema) before they are returned; `constrain = "none"` (set by hand, e.g. to
measure a model) sends no constraint but still checks the answer. `agent` runs `skc.runtime.llm.agent`'s
bounded loop; its tool calls are trace events and `OpResult.meta["tool_calls"]`.

A skill's `llm.decide` with `route_words` and `llm.extract` with `ground = true` are
answered from the task's own words first (`skc.stdlib.skill_task`): when the task
names its procedure or states every parameter, no model runs (0 tokens); an
extract's model answer keeps only values grounded in the task or the given files.
A decide's `model_outcomes` are the outcomes the model may pick (the others are
reached only through `route_words`). A skill op's `context` (its rules and references)
becomes the system prompt picked by the task (`pick_context`), and with `quote` the
answer to a question ends with the skill's lines that answer it (`evidence`); a skill agent's
`references` are read on demand with the `read_reference` tool (`skill_refs.py`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

import jsonschema

from skc.ir.core import Op
from skc.ir.dialects.llm import LLM, AgentOp, DecideOp, ExtractOp
from skc.runtime.llm.agent import AgentBudget, AgentTimeout, run_agent
from skc.runtime.llm.base import Completion, LLMBackend, complete_async
from skc.runtime.llm.prompt import compact_json, render_inputs
from skc.runtime.llm.registry import UnknownBackend, get_backend
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target
from skc.runtime.targets.skill_refs import TOOL, reference_spec, with_references
from skc.stdlib.skill_task import (
    answer_from_task,
    evidence,
    ground_answer,
    is_question,
    pick_context,
)

SYSTEM = "You are a careful assistant inside an automated workflow. Answer briefly and exactly."


def _json_attr(op: Op, key: str) -> dict[str, Any] | None:
    value = op.attributes.get(key)
    return json.loads(value) if isinstance(value, str) else None


def output_schema(op: Op) -> dict[str, Any] | None:
    """The JSON Schema the op's output must match: its `schema`, else its json result's schema."""
    schema = _json_attr(op, "schema")
    if schema is None and op.results and op.results[0].type.kind == "json":
        schema = json.loads(op.results[0].type.schema) if op.results[0].type.schema else {}
    return schema


def instruction(op: Op) -> str:
    """The answer-format line each op kind adds after the step's prompt."""
    if isinstance(op, DecideOp):
        return "Answer with exactly one of: " + ", ".join(str(o) for o in op.attributes["outcomes"]) + "."  # type: ignore[union-attr]
    schema = output_schema(op)
    if isinstance(op, ExtractOp) or schema is not None:
        return "Reply with JSON only, matching this JSON Schema: " + compact_json(schema or {})
    return ""


def build_messages(op: Op, args: list[Any], budget: int = 6000) -> list[dict[str, Any]]:
    """System message, worked examples as question/answer pairs, then the step with its inputs."""
    system = str(op.attributes.get("system") or SYSTEM)
    context = op.attributes.get("context")
    if isinstance(context, dict) and args:  # a skill's pieces, chosen by the task (operand 0)
        system = pick_context(str(args[0]), context)
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
    tail = instruction(op)
    for ex in op.attributes.get("examples") or []:  # type: ignore[union-attr]
        if isinstance(ex, dict) and "input" in ex and "output" in ex:
            question = "\n\n".join(p for p in (str(op.attributes["prompt"]), "Input:\n" + str(ex["input"]), tail) if p)
            messages += [{"role": "user", "content": question},
                         {"role": "assistant", "content": str(ex["output"])}]
        elif isinstance(ex, str):
            messages[0]["content"] += "\n\nExample:\n" + ex
    inputs = render_inputs(args, budget)
    user = "\n\n".join(p for p in (str(op.attributes["prompt"]), inputs, tail) if p)
    messages.append({"role": "user", "content": user})
    return messages


def model_spec(name: str, models: Any) -> str:
    """The backend spec of a model named by placement or cap-bind (`model = "big"`).

    `models` is the run's `options["models"]`: name -> a spec string, or settings with
    `spec`, or `url` (+ `model`) of an OpenAI-compatible endpoint (a list of settings with
    `name`s works too). A name not configured there is used as a spec itself.
    """
    entry: Any = None
    if isinstance(models, Mapping):
        entry = models.get(name)
    elif isinstance(models, list):
        entry = next((m for m in models if isinstance(m, Mapping) and m.get("name") == name), None)
    if isinstance(entry, str):
        return entry
    if isinstance(entry, Mapping):
        if isinstance(entry.get("spec"), str):
            return str(entry["spec"])
        url = entry.get("url") or entry.get("base_url")
        if url:
            return f"openai:{url}" + (f"#{entry['model']}" if entry.get("model") else "")
    return name


def match_outcome(text: str, outcomes: list[str]) -> str | None:
    """The outcome `text` names: exact, then case-insensitive, then a unique prefix match."""
    t = text.strip().strip(".\"'").strip()
    if t in outcomes:
        return t
    lowered = {o.lower(): o for o in outcomes}
    if t.lower() in lowered:
        return lowered[t.lower()]
    hits = [o for o in outcomes if t.lower().startswith(o.lower())]
    return hits[0] if len(hits) == 1 else None


class LLMTarget(Target):
    """Runs the `llm` dialect on the configured backend (embedded llama.cpp by default)."""

    name = "llm"
    ops: ClassVar[tuple[str, ...]] = tuple(c.name for c in LLM.ops)

    def backend(self, op: Op, ctx: ExecContext) -> LLMBackend:
        model = op.attributes.get("model")
        if isinstance(model, str) and model:
            try:
                return get_backend(model_spec(model, ctx.options.get("models")))
            except UnknownBackend as e:
                raise OpFailed(f"the op's model {model!r} is not configured: {e}", retryable=False) from None
        instance = ctx.options.get("llm_backend")
        if isinstance(instance, LLMBackend):
            return instance
        return get_backend(ctx.options.get("model"))

    async def _complete(self, backend: LLMBackend, messages: list[dict[str, Any]], **kw: Any) -> Completion:
        try:
            return await complete_async(backend, messages, **kw)
        except OpFailed:
            raise
        except Exception as e:  # backend errors: HTTP, llama.cpp, decoding
            raise OpFailed(f"{backend.name}: {e}", retryable=bool(getattr(e, "retryable", True))) from e

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        known = answer_from_task(op.op_name, dict(op.attributes), args)  # a skill's task said it outright
        if known is not None:
            return OpResult([known], 0, 0, {"backend": "task", "grounded": True})
        backend = self.backend(op, ctx)
        messages = build_messages(op, args, int(ctx.options.get("llm_input_chars", 6000)))
        temperature = float(op.attributes.get("temperature") or 0.0)  # type: ignore[arg-type]
        meta: dict[str, Any] = {"backend": backend.name, "model": getattr(backend, "model_id", backend.name)}
        if isinstance(op, AgentOp):
            return await self._agent(op, backend, messages, ctx, meta)
        max_tokens = int(op.attributes.get("max_tokens") or 256)  # type: ignore[arg-type]
        free = op.attributes.get("constrain") == "none"
        if isinstance(op, DecideOp):
            allowed = op.attributes.get("model_outcomes") or op.attributes["outcomes"]
            outcomes = [str(o) for o in allowed]  # type: ignore[union-attr]
            reply = await self._complete(backend, messages, choices=None if free else outcomes,
                                         temperature=temperature, max_tokens=min(max_tokens, 32))
            value: Any = match_outcome(reply.text, outcomes)
            if value is None:
                raise OpFailed(f"answer {reply.text!r} is not one of {outcomes}", detail=reply.text)
            meta["constrain"] = "none" if free else "grammar"
        else:
            schema = output_schema(op)
            reply = await self._complete(backend, messages, json_schema=None if free else schema,
                                         temperature=temperature, max_tokens=max_tokens)
            if schema is None:
                value = reply.text.strip()
                context = op.attributes.get("context")
                if isinstance(context, dict) and context.get("quote") and args and is_question(str(args[0])):
                    quoted = evidence(str(args[0]), context)  # the skill's own lines that answer it
                    value += f"\n\nFrom the skill:\n{quoted}" if quoted else ""
            else:
                value = ground_answer(dict(op.attributes), args, self._parse_json(reply.text, schema))
                meta["constrain"] = "none" if free else "json_schema"
        meta["latency_s"] = round(reply.latency_s, 4)
        return OpResult([value], reply.tokens_in, reply.tokens_out, meta)

    @staticmethod
    def _parse_json(text: str, schema: dict[str, Any]) -> Any:
        try:
            value = json.loads(text)
        except ValueError as e:
            raise OpFailed(f"the model's answer is not JSON: {e}", detail=text[:2000]) from e
        try:
            jsonschema.validate(value, schema)
        except jsonschema.ValidationError as e:
            raise OpFailed(f"the model's JSON does not match the schema: {e.message}", detail=text[:2000]) from e
        return value

    async def _agent(self, op: Op, backend: LLMBackend, messages: list[dict[str, Any]], ctx: ExecContext,
                     meta: dict[str, Any]) -> OpResult:
        a = op.attributes
        budget = AgentBudget(
            max_turns=int(a["max_turns"]),  # type: ignore[arg-type]
            max_tokens=int(a["max_tokens"]),  # type: ignore[arg-type]
            timeout_s=float(a.get("timeout_s") or ctx.options.get("agent_timeout_s", 300.0)),  # type: ignore[arg-type]
            turn_tokens=int(ctx.options.get("agent_turn_tokens", 256)))
        schema = output_schema(op)
        tools, runner = [str(t) for t in a["tools"]], ctx.options.get("agent_tools")  # type: ignore[union-attr]
        specs = ctx.options.get("agent_tool_specs")
        refs = a.get("references")
        if isinstance(refs, list) and refs and a.get("reference_root"):  # a skill's files, read on demand
            names = [str(r) for r in refs]
            tools, specs = [*tools, TOOL], {**(specs or {}), TOOL: reference_spec(names)}
            runner = with_references(runner, str(a["reference_root"]), names)
        try:
            out = await run_agent(backend, messages, tools, ctx, budget, runner=runner, final_schema=schema,
                                  custom_specs=specs)
        except AgentTimeout as e:
            raise OpFailed(str(e), retryable=False, detail=json.dumps(e.outcome.tool_calls, default=str)) from e
        except Exception as e:
            raise OpFailed(f"{backend.name}: {e}", retryable=bool(getattr(e, "retryable", True))) from e
        value: Any = out.answer.strip()
        if schema is not None:
            value = self._parse_json(out.answer, schema)
        meta.update(tool_calls=out.tool_calls, turns=out.turns, stopped=out.stopped)
        return OpResult([value], out.tokens_in, out.tokens_out, meta)
