"""The local backend's grammars, tool-reply parsing, GPU choice and context fitting (no model)."""

from __future__ import annotations

import json

import pytest
from llama_cpp.llama_grammar import JSON_GBNF

from skc.runtime.llm import local
from skc.runtime.llm.agent import tool_specs
from skc.runtime.llm.base import Completion
from skc.runtime.llm.local import (
    LlamaCppBackend,
    _schema_grammar,
    _split_tool_reply,
    choice_grammar,
    tool_call_schema,
)


def test_choice_grammar_is_an_escaped_alternation() -> None:
    g = choice_grammar(['say "hi"', "a\\b", "two\nlines"])
    assert g == 'root ::= [ ]? ("say \\"hi\\"" | "a\\\\b" | "two\\nlines")\n'


def test_tool_call_schema_converts_to_a_real_grammar() -> None:
    schema = tool_call_schema(tool_specs(["Read", "Bash(git:*)"]))
    grammar = _schema_grammar(schema)
    assert grammar != JSON_GBNF
    assert '"\\"calls\\""' in grammar
    assert '"\\"Bash\\""' in grammar


def test_tool_reply_becomes_openai_tool_calls_without_duplicates() -> None:
    c = Completion('{"calls": [{"name": "Read", "arguments": {"path": "a"}}, '
                   '{"name": "Read", "arguments": {"path": "a"}}, {"name": "Read", "arguments": {"path": "b"}}]}',
                   1, 1, 0.0)
    _split_tool_reply(c)
    assert c.text == ""
    assert [json.loads(t["function"]["arguments"]) for t in c.tool_calls] == [{"path": "a"}, {"path": "b"}]
    assert c.tool_calls[0] == {"id": "call_0", "type": "function",
                               "function": {"name": "Read", "arguments": '{"path": "a"}'}}


def test_answer_reply_and_a_cut_off_answer() -> None:
    c = Completion('{"answer": "done"}', 1, 1, 0.0)
    _split_tool_reply(c)
    assert (c.text, c.tool_calls) == ("done", [])
    cut = Completion('{"answer": "the code is \\"X', 1, 1, 0.0)
    _split_tool_reply(cut)
    assert cut.text == 'the code is "X'


def test_gpu_layers(monkeypatch: pytest.MonkeyPatch) -> None:
    import llama_cpp

    monkeypatch.setenv("SKC_N_GPU_LAYERS", "7")
    assert local.default_gpu_layers() == 7
    monkeypatch.delenv("SKC_N_GPU_LAYERS")
    monkeypatch.setattr(local, "gpu_present", lambda: True)
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: False)
    assert local.default_gpu_layers() == 0  # a CPU build of llama.cpp: no offload even with a GPU
    monkeypatch.setattr(llama_cpp, "llama_supports_gpu_offload", lambda: True)
    assert local.default_gpu_layers() == -1
    monkeypatch.setattr(local, "gpu_present", lambda: False)
    assert local.default_gpu_layers() == 0


def test_model_path_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKC_MODEL_PATH", "/models/other.gguf")
    backend = LlamaCppBackend(n_gpu_layers=0)
    assert backend.model_path == "/models/other.gguf"
    assert backend.model_id == "other.gguf"


def test_an_overlong_prompt_loses_its_middle() -> None:
    backend = LlamaCppBackend(model_path="x.gguf", n_ctx=100, n_gpu_layers=0)
    tokens, max_tokens = backend._fit(list(range(500)), 30)
    assert max_tokens == 30
    assert len(tokens) == 70
    assert tokens[:17] == list(range(17))
    assert tokens[-1] == 499
    assert backend._fit(list(range(10)), 500) == (list(range(10)), 50)
