"""The runtime's runner for agent tool calls: every call checked against the step and the run's policy."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from rt_helpers import run_module, trace_events, wf

from skc.runtime.agent_tools import AgentTools
from skc.runtime.llm.base import Completion, LLMBackend
from skc.runtime.permissions import policy_for
from skc.runtime.targets.base import ExecContext


def _ctx(tmp_path: Path) -> ExecContext:
    return ExecContext("r", tmp_path, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


def _call(tools: AgentTools, tool: str, args: dict[str, Any], ctx: ExecContext, allowed: tuple[str, ...]) -> str:
    return asyncio.run(tools(tool, args, ctx, allowed))


def test_bash_calls_are_checked_per_command_segment(tmp_path: Path) -> None:
    tools = AgentTools(policy_for(["Bash(echo:*)", "Bash(git:*)", "Read"]))
    ctx = _ctx(tmp_path)
    assert _call(tools, "Bash", {"command": "echo hi"}, ctx, ("Bash(echo:*)",)).startswith("exit status 0\nstdout:\nhi")
    with pytest.raises(PermissionError, match="this step's tools"):
        _call(tools, "Bash", {"command": "git status"}, ctx, ("Bash(echo:*)",))  # the skill allows it, the step not
    with pytest.raises(PermissionError, match=r"`rm -rf x` is not allowed"):
        _call(tools, "Bash", {"command": "echo ok; rm -rf x"}, ctx, ("Bash",))
    with pytest.raises(PermissionError):
        _call(tools, "Bash", {"command": "echo ok | sh"}, ctx, ("Bash",))


def test_files_stay_inside_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("alpha\nbeta\n")
    tools = AgentTools(policy_for(["Read", "Grep", "Write"]))
    ctx = _ctx(tmp_path)
    assert _call(tools, "Read", {"path": "notes.txt"}, ctx, ("Read",)) == "alpha\nbeta\n"
    assert _call(tools, "Grep", {"pattern": "^b", "path": "."}, ctx, ("Grep",)) == "notes.txt:2: beta"
    with pytest.raises(PermissionError, match="outside the working directory"):
        _call(tools, "Read", {"path": "../../etc/passwd"}, ctx, ("Read",))
    assert _call(tools, "write_file", {"path": "out/x.txt", "content": "y"}, ctx, ("write_file",)) == "wrote out/x.txt"
    with pytest.raises(PermissionError, match="only reads may run by default"):
        _call(AgentTools(policy_for(None)), "Write", {"path": "x", "content": ""}, ctx, ("Write",))


class ToolUsingBackend(LLMBackend):
    """Calls `Bash` once, then answers with what it saw."""

    name = "scripted-agent"

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:
        seen = [m for m in messages if m.get("role") == "tool"]
        if not seen and kw.get("tools"):
            call = {"id": "c1", "type": "function",
                    "function": {"name": "Bash", "arguments": json.dumps({"command": "echo pod-7 is crashing"})}}
            return Completion("", 10, 5, 0.0, tool_calls=[call])
        return Completion(f"saw: {seen[-1]['content'].splitlines()[2] if seen else 'nothing'}", 20, 4, 0.0)

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def test_an_agent_step_uses_the_runtime_runner(tmp_path: Path) -> None:
    mod = wf('''  %a = "llm.agent"() {effects = ["read:host"], max_tokens = 2000 : i64, max_turns = 4 : i64, prompt = "Find the crashing pod.", tools = ["Bash(echo:*)"]} : () -> !skc.text
  "ctrl.return"(%a) : (!skc.text) -> ()''', attrs='permissions = ["Bash(echo:*)"]')
    result = run_module(mod, tmp_path, options={"llm_backend": ToolUsingBackend()})
    assert result.status == "ok", result.error
    assert result.outputs == {"a": "saw: pod-7 is crashing"}
    calls = [e for e in trace_events(result.run_dir) if e["event"] == "tool_call"]  # type: ignore[arg-type]
    assert [(c["tool"], c["ok"]) for c in calls] == [("Bash", True)]
