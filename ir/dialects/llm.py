"""The `llm` dialect: steps a language model performs.

`generate`, `decide` and `extract` read only their operands and the model, so they
are pure with respect to named resources (two identical calls at temperature 0 may
be merged). `agent` runs tools and therefore declares effects.
"""

from __future__ import annotations

from typing import Any

from skc.ir.attrs import BOOL, INT, JSON_TEXT, NUM, STR, STRS, nonempty_unique_strs, opt, req
from skc.ir.core import Dialect, Op, Value
from skc.ir.dialects._build import build
from skc.ir.location import UNKNOWN, Location
from skc.ir.traits import CallsModel
from skc.ir.types import ANY, JSON, TEXT, Type, Variadic, kinds

_COMMON = {
    "prompt": req(STR, "the step's instruction (that step's text, not the whole document)"),
    "system": opt(STR, "system prompt"),
    "max_tokens": opt(INT, "output token budget"),
    "temperature": opt(NUM, "sampling temperature (default 0)"),
    "examples": opt(lambda v: None if isinstance(v, list) else "expected a list",
                    "worked examples added by cap-bind"),
    "model": opt(STR, "target model chosen by placement"),
}


class GenerateOp(Op):
    """Free-form generation over the operands (rendered into the prompt as context).

        %1 = "llm.generate"(%0) {prompt = "Summarise the failing pods."} : (!skc.table) -> !skc.text
    """

    name = "llm.generate"
    traits = frozenset({CallsModel})
    operands_sig = (Variadic(ANY),)
    results_sig = (kinds("text", "json"),)
    attrs = {**_COMMON, "schema": opt(JSON_TEXT, "JSON Schema the output must match")}


class DecideOp(Op):
    """A choice among a closed set of outcomes (grammar-constrained on local models).

        %2 = "llm.decide"(%0) {outcomes = ["healthy", "degraded", "down"], prompt = "Is the handler down?"} : (!skc.table) -> !skc.text
    """

    name = "llm.decide"
    traits = frozenset({CallsModel})
    operands_sig = (Variadic(ANY),)
    results_sig = (kinds("text"),)
    attrs = {**_COMMON, "outcomes": req(nonempty_unique_strs, "the closed set of answers")}


class ExtractOp(Op):
    """Structured extraction: the output is JSON matching `schema`.

        %3 = "llm.extract"(%0) {prompt = "Which pod restarted most?", schema = "{\\"type\\":\\"object\\"}"} : (!skc.text) -> !skc.json
    """

    name = "llm.extract"
    traits = frozenset({CallsModel})
    operands_sig = (Variadic(ANY),)
    results_sig = (kinds("json"),)
    attrs = {**_COMMON, "schema": req(JSON_TEXT, "JSON Schema of the output")}


class AgentOp(Op):
    """A bounded tool-using loop for open-ended steps ("investigate and fix").

    Only `tools` may be called; the loop stops at `max_turns` turns or `max_tokens`
    tokens (or `timeout_s`), whichever comes first.

        %4 = "llm.agent"(%0) {effects = ["write:*"], max_tokens = 4096 : i64, max_turns = 8 : i64, prompt = "Investigate the failing test and fix it.", tools = ["Bash", "Read"]} : (!skc.text) -> !skc.text
    """

    name = "llm.agent"
    traits = frozenset({CallsModel})
    operands_sig = (Variadic(ANY),)
    results_sig = (kinds("text", "json"),)
    pure = False
    attrs = {
        **_COMMON,
        "tools": req(STRS, "tools the loop may call"),
        "max_turns": req(INT, "turn budget"),
        "max_tokens": req(INT, "token budget over the whole loop"),
        "timeout_s": opt(NUM, "wall-clock budget in seconds"),
        "effects": req(STRS, "resources the tools may touch"),
        "confirm": opt(BOOL, "ask before a write the tools make"),
    }


LLM = Dialect("llm", [GenerateOp, DecideOp, ExtractOp, AgentOp])


def generate(prompt: str, *context: Value, result: Type = TEXT, loc: Location = UNKNOWN,
             name: str | None = None, **attrs: Any) -> Value:
    return build(GenerateOp, context, result, {"prompt": prompt, **attrs}, loc, name).result


def decide(prompt: str, outcomes: list[str], *context: Value, loc: Location = UNKNOWN,
           name: str | None = None, **attrs: Any) -> Value:
    return build(DecideOp, context, TEXT, {"prompt": prompt, "outcomes": list(outcomes), **attrs},
                 loc, name).result


def extract(prompt: str, schema: str, *context: Value, loc: Location = UNKNOWN,
            name: str | None = None, **attrs: Any) -> Value:
    return build(ExtractOp, context, JSON,
                 {"prompt": prompt, "schema": schema, **attrs}, loc, name).result


def agent(prompt: str, tools: list[str], *context: Value, effects: list[str], max_turns: int = 8,
          max_tokens: int = 4096, result: Type = TEXT, loc: Location = UNKNOWN,
          name: str | None = None, **attrs: Any) -> Value:
    return build(AgentOp, context, result, {"prompt": prompt, "tools": list(tools),
                 "effects": list(effects), "max_turns": max_turns, "max_tokens": max_tokens, **attrs},
                 loc, name).result
