"""The LLM target and the agent loop's bookkeeping, driven by a scripted backend.

The scripted backend replays fixed answers; what is tested is skc's code around the model:
messages, constraints passed down, validation of answers, tool permissions, budgets, and
the tool calls recorded for the journal and the trace.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from skc.ir import TEXT, InsertionPoint, Module, ctrl, json_type, llm, workflow
from skc.ir.core import Op
from skc.runtime.llm.agent import AgentBudget, AgentTimeout, read_only_tools, run_agent
from skc.runtime.llm.base import Completion, LLMBackend
from skc.runtime.targets.base import ExecContext, OpFailed, target_registry
from skc.runtime.targets.llm import LLMTarget, build_messages, match_outcome, model_spec


class Scripted(LLMBackend):
    """Replays `replies` in order (the last one forever); records every request."""

    name = "scripted"

    def __init__(self, *replies: Completion, delay_s: float = 0.0) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.delay_s = delay_s

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:
        self.requests.append({"messages": [dict(m) for m in messages], **kw})
        time.sleep(self.delay_s)
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def say(text: str) -> Completion:
    return Completion(text, 10, 5, 0.01)


def calls(*pairs: tuple[str, dict[str, Any]]) -> Completion:
    return Completion("", 10, 5, 0.01, tool_calls=[
        {"id": f"c{i}", "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
        for i, (n, a) in enumerate(pairs)])


def one_op(build: Any) -> Op:
    wf = workflow("w", inputs={"x": TEXT})
    with InsertionPoint(wf.body):
        ctrl.return_(build(wf.arg("x")))
    Module([wf])
    return wf.body.ops[0]


def run(op: Op, backend: LLMBackend, args: list[Any], tmp_path: Path, **options: Any) -> Any:
    events: list[tuple[str, dict[str, Any]]] = []
    ctx = ExecContext(run_id="r", workdir=tmp_path, options={"llm_backend": backend, **options},
                      emit=lambda event, **f: events.append((event, f)))
    return asyncio.run(LLMTarget().execute(op, args, ctx)), events


def test_the_target_is_found_by_convention() -> None:
    assert target_registry()["llm.agent"] is LLMTarget


def test_decide_is_constrained_to_the_outcomes(tmp_path: Path) -> None:
    op = one_op(lambda x: llm.decide("Is it down?", ["up", "down"], x))
    backend = Scripted(say("down"))
    result, _ = run(op, backend, ["pods: 0/3 ready"], tmp_path)
    assert result.values == ["down"]
    assert result.meta["constrain"] == "grammar"
    assert backend.requests[0]["choices"] == ["up", "down"]
    prompt = backend.requests[0]["messages"][-1]["content"]
    assert prompt.startswith("Is it down?\n\nInput:\npods: 0/3 ready\n\nAnswer with exactly one of: up, down.")
    with pytest.raises(OpFailed, match="not one of"):
        run(op, Scripted(say("maybe")), ["x"], tmp_path)
    op.attributes["constrain"] = "none"
    backend = Scripted(say("Down."))
    result, _ = run(op, backend, ["x"], tmp_path)
    assert (result.values, result.meta["constrain"], backend.requests[0]["choices"]) == (["down"], "none", None)


def test_extract_is_validated_against_its_schema(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    op = one_op(lambda x: llm.extract("How many?", json.dumps(schema), x))
    backend = Scripted(say('{"n": 3}'))
    result, _ = run(op, backend, ["three"], tmp_path)
    assert result.values == [{"n": 3}]
    assert backend.requests[0]["json_schema"] == schema
    with pytest.raises(OpFailed, match="does not match the schema"):
        run(op, Scripted(say('{"n": "three"}')), ["three"], tmp_path)
    with pytest.raises(OpFailed, match="not JSON"):
        run(op, Scripted(say("three")), ["three"], tmp_path)


def test_generate_with_a_json_result_is_constrained_to_its_type_schema(tmp_path: Path) -> None:
    op = one_op(lambda x: llm.generate("List them.", x, result=json_type('{"type":"array"}')))
    backend = Scripted(say("[1, 2]"))
    result, _ = run(op, backend, ["1 and 2"], tmp_path)
    assert result.values == [[1, 2]]
    assert backend.requests[0]["json_schema"] == {"type": "array"}


def test_worked_examples_become_question_answer_pairs() -> None:
    op = one_op(lambda x: llm.decide("Cause?", ["disk", "net"], x,
                                     examples=[{"input": "disk 99% full", "output": "disk"}]))
    messages = build_messages(op, ["ping timeouts"])
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert "disk 99% full" in messages[1]["content"]
    assert messages[2]["content"] == "disk"


def test_outcome_matching_and_model_specs() -> None:
    assert match_outcome(" Down.", ["up", "down"]) == "down"
    assert match_outcome("degraded service", ["degraded", "down"]) == "degraded"
    assert match_outcome("d", ["degraded", "down"]) is None
    assert model_spec("big", {"big": {"url": "http://h/v1", "model": "m"}}) == "openai:http://h/v1#m"
    assert model_spec("big", [{"name": "big", "spec": "local:/m.gguf"}]) == "local:/m.gguf"
    assert model_spec("openai:http://x/v1", None) == "openai:http://x/v1"


def test_agent_runs_only_its_tools_and_records_every_call(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("code PLUM-42")
    op = one_op(lambda x: llm.agent("Find the code.", ["Read"], x, effects=["read:fs"], max_turns=5))
    backend = Scripted(calls(("Read", {"path": "notes.txt"}), ("Bash", {"command": "rm -rf /"})),
                       calls(("Read", {"path": "../../etc/passwd"}), ("Read", {"file": "x"})),
                       say("The code is PLUM-42."))
    result, events = run(op, backend, ["go"], tmp_path)
    assert result.values == ["The code is PLUM-42."]
    assert result.meta["stopped"] == "answer"
    assert result.meta["turns"] == 3
    recorded = [(c["tool"], c["ok"]) for c in result.meta["tool_calls"]]
    assert recorded == [("Read", True), ("Bash", False), ("Read", False), ("Read", False)]
    assert result.meta["tool_calls"][0]["output"] == "code PLUM-42"
    assert "not one of this step's tools" in result.meta["tool_calls"][1]["output"]
    assert "outside the working directory" in result.meta["tool_calls"][2]["output"]
    assert "bad arguments" in result.meta["tool_calls"][3]["output"]
    assert [e for e, _ in events] == ["tool_call"] * 4
    assert events[0][1]["tool"] == "Read"
    assert result.tokens_in == 30
    tools_sent = backend.requests[0]["tools"]
    assert [t["function"]["name"] for t in tools_sent] == ["Read"]


def test_agent_tools_runner_from_the_options(tmp_path: Path) -> None:
    seen: list[tuple[str, dict[str, Any], tuple[str, ...]]] = []

    async def runner(tool: str, arguments: dict[str, Any], ctx: Any, allowed: tuple[str, ...]) -> str:
        seen.append((tool, arguments, allowed))
        return "3 passed"

    op = one_op(lambda x: llm.agent("Run the tests.", ["Bash(pytest:*)"], x, effects=["read:fs"]))
    backend = Scripted(calls(("Bash", {"command": "pytest -q"})), say("all green"))
    result, _ = run(op, backend, [""], tmp_path, agent_tools=runner)
    assert seen == [("Bash", {"command": "pytest -q"}, ("Bash(pytest:*)",))]
    assert result.meta["tool_calls"][0]["output"] == "3 passed"


def test_agent_turn_budget_ends_with_a_tool_less_answer(tmp_path: Path) -> None:
    op = one_op(lambda x: llm.agent("Loop.", ["Read"], x, effects=["read:fs"], max_turns=3))
    (tmp_path / "a").write_text("a")
    backend = Scripted(calls(("Read", {"path": "a"})), calls(("Read", {"path": "b"})), say("gave up"))
    result, _ = run(op, backend, [""], tmp_path)
    assert result.meta["turns"] == 3
    assert result.meta["stopped"] == "turns"
    assert result.values == ["gave up"]
    assert backend.requests[-1].get("tools") is None
    assert all(m["role"] in ("system", "user", "assistant") for m in backend.requests[-1]["messages"])


def test_agent_repeat_and_token_budgets(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("a")
    backend = Scripted(calls(("Read", {"path": "a"})), calls(("Read", {"path": "a"})),
                       calls(("Read", {"path": "a"})), say("stop"))
    ctx = ExecContext(run_id="r", workdir=tmp_path)
    out = asyncio.run(run_agent(backend, [{"role": "user", "content": "go"}], ["Read"], ctx,
                                AgentBudget(max_turns=10, max_tokens=10_000, turn_tokens=50)))
    assert (out.stopped, len(out.tool_calls), out.turns) == ("repeat", 3, 4)
    backend = Scripted(calls(("Read", {"path": "a"})), say("short"))
    out = asyncio.run(run_agent(backend, [{"role": "user", "content": "go"}], ["Read"], ctx,
                                AgentBudget(max_turns=10, max_tokens=110, turn_tokens=50)))
    assert out.stopped == "tokens"
    assert out.tokens_in + out.tokens_out <= 110


def test_agent_time_budget_fails_the_op_with_its_calls(tmp_path: Path) -> None:
    op = one_op(lambda x: llm.agent("Slow.", ["Read"], x, effects=["read:fs"], timeout_s=0.2))
    with pytest.raises(OpFailed, match="timed out") as e:
        run(op, Scripted(say("late"), delay_s=1.0), [""], tmp_path)
    assert e.value.retryable is False


def test_agent_json_result_is_schema_constrained_and_validated(tmp_path: Path) -> None:
    op = one_op(lambda x: llm.agent("Count.", ["Read"], x, effects=["read:fs"],
                                    result=json_type('{"type":"object","required":["n"]}')))
    backend = Scripted(say("n is 2"), say('{"n": 2}'))
    result, _ = run(op, backend, [""], tmp_path)
    assert result.values == [{"n": 2}]
    assert result.meta["stopped"] == "format"
    assert backend.requests[-1]["json_schema"] == {"type": "object", "required": ["n"]}


def test_read_only_default_refuses_everything_but_reads(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("data")
    ctx = ExecContext(run_id="r", workdir=tmp_path)
    assert asyncio.run(read_only_tools("Read", {"path": "f.txt"}, ctx, ("Read",))) == "data"
    with pytest.raises(PermissionError):
        asyncio.run(read_only_tools("Write", {"path": "f.txt", "content": "x"}, ctx, ("Write",)))
    with pytest.raises(PermissionError):
        asyncio.run(read_only_tools("Read", {"path": "/etc/hostname"}, ctx, ("Read",)))


def test_agent_timeout_carries_the_outcome(tmp_path: Path) -> None:
    ctx = ExecContext(run_id="r", workdir=tmp_path)
    with pytest.raises(AgentTimeout) as e:
        asyncio.run(run_agent(Scripted(say("x"), delay_s=0.5), [{"role": "user", "content": "go"}], ["Read"],
                              ctx, AgentBudget(timeout_s=0.1)))
    assert e.value.outcome.turns == 0
